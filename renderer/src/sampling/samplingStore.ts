/**
 * Sampling store: the preset library as the host keeps it, which task the controls edit, and the
 * parameters each task uses for a document (its own override, or the task's global settings).
 * Slider moves apply at once here and are saved a moment later (one write per pause, not per
 * pixel); the host validates and persists them atomically.
 */
import { createStore, type StoreApi } from 'zustand/vanilla';
import {
  errorMessage,
  type CompletionParams,
  type InklingApi,
  type LanguagePair,
  type PresetLibrary,
  type TaskKind,
  type TaskSettings,
  type TranslationExample,
} from '../../../electron/api';

export type SamplingApi = Pick<
  InklingApi,
  | 'getPresets'
  | 'savePreset'
  | 'renamePreset'
  | 'deletePreset'
  | 'resetPreset'
  | 'importPresets'
  | 'exportPresets'
  | 'setTaskSettings'
  | 'setTranslationExamples'
>;

export interface Effective {
  settings: TaskSettings;
  /** True when the document has its own settings for this task. */
  overridden: boolean;
}

export interface SamplingState {
  library: PresetLibrary | null;
  /** The task whose parameters the controls show. */
  target: TaskKind;
  error: string | null;
  /** A short confirmation for the writer ("Saved “Poetry”"). */
  message: string | null;
  load(): Promise<void>;
  setTarget(task: TaskKind): void;
  /** The settings `task` uses in the document `docKey` (null: no document). */
  effective(task: TaskKind, docKey: string | null): Effective;
  paramsFor(task: TaskKind, docKey: string | null): CompletionParams;
  /** Changes parameters where they apply now (the document's override if it has one). */
  update(task: TaskKind, docKey: string | null, patch: CompletionParams): void;
  applyPreset(task: TaskKind, docKey: string | null, presetId: string, announce?: boolean): void;
  /** Gives the document its own settings for `task` (a copy of the current ones), or removes them. */
  setOverride(task: TaskKind, docKey: string, on: boolean): Promise<void>;
  savePresetAs(name: string, params: CompletionParams): Promise<string | null>;
  overwritePreset(id: string, name: string, params: CompletionParams): Promise<boolean>;
  renamePreset(id: string, name: string): Promise<boolean>;
  deletePreset(id: string): Promise<boolean>;
  resetPreset(id: string): Promise<boolean>;
  importPresets(json: string): Promise<string[] | null>;
  exportPresets(ids?: string[]): Promise<string | null>;
  setExamples(pair: LanguagePair, examples: TranslationExample[] | null): Promise<boolean>;
  /**
   * A document got a new key (an untitled one was saved, or saved under another name): its own
   * settings follow it. `move` drops them from the old key (an untitled document's id).
   */
  copyOverrides(from: string, to: string, move: boolean): Promise<void>;
  /** Sends every pending change now (tests, before the page goes away). */
  flush(): Promise<void>;
  clearMessage(): void;
}

export type SamplingStore = StoreApi<SamplingState>;

const SAVE_DELAY_MS = 350;

export const TASK_LABELS: Record<TaskKind, string> = {
  continue: 'Continue',
  translate: 'Translate',
  summarize: 'Summarize',
  answer: 'Ask',
};

export function createSamplingStore(api: SamplingApi): SamplingStore {
  /** Pending writes by "task|docKey" (docKey "" = global). */
  const timers = new Map<string, { timer: ReturnType<typeof setTimeout>; send: () => Promise<void> }>();
  /**
   * "Own settings for this document" switches sent but not yet answered, by "task|docKey": any
   * library the host sends meanwhile (the answer to an earlier save) still shows the writer's choice.
   */
  const overrides = new Map<string, { on: boolean; settings: TaskSettings }>();
  const withOverrides = (library: PresetLibrary): PresetLibrary => {
    if (!overrides.size) return library;
    const documents = { ...library.documents };
    for (const [key, o] of overrides) {
      const [task, doc] = key.split('|') as [TaskKind, string];
      const perDoc = { ...documents[doc] };
      if (o.on) perDoc[task] = o.settings;
      else delete perDoc[task];
      if (Object.keys(perDoc).length) documents[doc] = perDoc;
      else delete documents[doc];
    }
    return { ...library, documents };
  };

  return createStore<SamplingState>()((set, get) => {
    const fail = (what: string) => (e: unknown) => {
      set({ error: `${what}: ${errorMessage(e)}`, message: null });
      return null;
    };
    /** The host's library, except task settings with local changes not yet written. */
    const receive = (library: PresetLibrary) => {
      const mine = get().library;
      if (mine && timers.size) {
        for (const key of timers.keys()) {
          const [task, doc] = key.split('|') as [TaskKind, string];
          if (!doc) library.tasks[task] = mine.tasks[task];
          else if (mine.documents[doc]?.[task])
            library.documents[doc] = { ...library.documents[doc], [task]: mine.documents[doc][task] };
        }
      }
      set({ library: withOverrides(library), error: null });
    };

    const setLocal = (task: TaskKind, docKey: string | null, settings: TaskSettings) => {
      const lib = get().library;
      if (!lib) return;
      if (docKey && lib.documents[docKey]?.[task]) {
        set({
          library: {
            ...lib,
            documents: { ...lib.documents, [docKey]: { ...lib.documents[docKey], [task]: settings } },
          },
        });
      } else {
        set({ library: { ...lib, tasks: { ...lib.tasks, [task]: settings } } });
      }
    };

    const schedule = (task: TaskKind, docKey: string | null) => {
      const overridden = Boolean(docKey && get().library?.documents[docKey]?.[task]);
      const key = `${task}|${overridden ? docKey : ''}`;
      const old = timers.get(key);
      if (old) clearTimeout(old.timer);
      const send = async () => {
        timers.delete(key);
        const s = get().effective(task, docKey).settings;
        await api
          .setTaskSettings({ task, ...(overridden ? { docKey: docKey! } : {}), settings: s })
          .then(receive, fail('Could not save the settings'));
      };
      timers.set(key, { timer: setTimeout(() => void send(), SAVE_DELAY_MS), send });
    };

    return {
      library: null,
      target: 'continue',
      error: null,
      message: null,

      async load() {
        await api.getPresets().then(receive, fail('Could not read the presets'));
      },
      setTarget(task) {
        set({ target: task });
      },
      effective(task, docKey) {
        const lib = get().library;
        const own = docKey ? lib?.documents[docKey]?.[task] : undefined;
        if (own) return { settings: own, overridden: true };
        return { settings: lib?.tasks[task] ?? { presetId: null, params: {} }, overridden: false };
      },
      paramsFor(task, docKey) {
        return get().effective(task, docKey).settings.params;
      },
      update(task, docKey, patch) {
        const cur = get().effective(task, docKey).settings;
        setLocal(task, docKey, { ...cur, params: { ...cur.params, ...patch } });
        schedule(task, docKey);
      },
      applyPreset(task, docKey, presetId, announce = true) {
        const preset = get().library?.presets.find((p) => p.id === presetId);
        if (!preset) return;
        setLocal(task, docKey, { presetId, params: { ...preset.params } });
        schedule(task, docKey);
        if (announce) set({ message: `${TASK_LABELS[task]} now uses “${preset.name}”.` });
      },
      async setOverride(task, docKey, on) {
        const current = get().effective(task, docKey).settings;
        // Shown at once (the checkbox follows the writer's click) and kept through every library
        // the host sends until its answer to this very switch arrives.
        const key = `${task}|${docKey}`;
        const mine = { on, settings: current };
        overrides.set(key, mine);
        const lib = get().library;
        if (lib) set({ library: withOverrides(lib) });
        await get().flush();
        const done = () => {
          if (overrides.get(key) === mine) overrides.delete(key);
        };
        await api.setTaskSettings({ task, docKey, settings: on ? current : null }).then(
          (library) => {
            done();
            receive(library);
          },
          (e: unknown) => {
            done();
            fail('Could not change the document’s settings')(e);
            // Show what the host really holds (the error message stays).
            void api.getPresets().then(
              (library) => set({ library: withOverrides(library) }),
              () => undefined,
            );
          },
        );
      },
      async savePresetAs(name, params) {
        const r = await api.savePreset({ name, params }).catch(fail('Could not save the preset'));
        if (!r) return null;
        receive(r.library);
        set({ message: `Saved “${name}”.` });
        return r.id;
      },
      async overwritePreset(id, name, params) {
        const r = await api.savePreset({ id, name, params }).catch(fail('Could not save the preset'));
        if (!r) return false;
        receive(r.library);
        set({ message: `Saved “${name}”.` });
        return true;
      },
      async renamePreset(id, name) {
        const lib = await api.renamePreset({ id, name }).catch(fail('Could not rename the preset'));
        if (lib) receive(lib);
        return Boolean(lib);
      },
      async deletePreset(id) {
        const name = get().library?.presets.find((p) => p.id === id)?.name ?? 'the preset';
        const lib = await api.deletePreset(id).catch(fail('Could not delete the preset'));
        if (lib) {
          receive(lib);
          set({ message: `Deleted “${name}”.` });
        }
        return Boolean(lib);
      },
      async resetPreset(id) {
        const lib = await api.resetPreset(id).catch(fail('Could not reset the preset'));
        if (lib) {
          receive(lib);
          set({ message: 'Back to the original settings.' });
        }
        return Boolean(lib);
      },
      async importPresets(json) {
        const r = await api.importPresets(json).catch(fail('Could not import the presets'));
        if (!r) return null;
        receive(r.library);
        const list = (names: string[]) => names.map((n) => `“${n}”`).join(', ');
        const parts = [
          ...(r.imported.length ? [`Imported ${list(r.imported)}`] : []),
          ...(r.updated?.length ? [`${r.imported.length ? 'updated' : 'Updated'} ${list(r.updated)}`] : []),
        ];
        set({ message: parts.length ? `${parts.join('; ')}.` : 'The file held no presets.' });
        return [...r.imported, ...(r.updated ?? [])];
      },
      async exportPresets(ids) {
        return api.exportPresets(ids).catch(fail('Could not export the presets'));
      },
      async setExamples(pair, examples) {
        const lib = await api.setTranslationExamples({ pair, examples }).catch(fail('Could not save the examples'));
        if (lib) receive(lib);
        return Boolean(lib);
      },
      async copyOverrides(from, to, move) {
        await get().flush();
        const own = get().library?.documents[from];
        if (!own || from === to) return;
        for (const [task, settings] of Object.entries(own) as [TaskKind, TaskSettings][]) {
          const lib = await api
            .setTaskSettings({ task, docKey: to, settings })
            .catch(fail('Could not keep the document’s settings'));
          if (lib && move)
            await api
              .setTaskSettings({ task, docKey: from, settings: null })
              .then(receive, fail('Could not keep the document’s settings'));
          else if (lib) receive(lib);
        }
      },
      async flush() {
        await Promise.all(
          [...timers.values()].map((t) => {
            clearTimeout(t.timer);
            return t.send();
          }),
        );
      },
      clearMessage() {
        set({ message: null, error: null });
      },
    };
  });
}
