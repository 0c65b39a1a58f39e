/**
 * Everything a writer can ask for about documents, the editor and the window, whatever the path:
 * toolbar button, keyboard shortcut, or application menu. Components call these; they hold no
 * logic. `appCommands` gives the dispatcher (app/dispatch.ts) the same commands by id; the side
 * panel's are in panes/commands.ts.
 */
import type { EditorView } from '@codemirror/view';
import type { InklingApi, MenuCommandName } from '../../../electron/api';
import { errorMessage } from '../../../electron/api';
import type { GenerationSync } from '../desk/generationSync';
import {
  acceptSuggestion,
  acceptSuggestionLine,
  acceptSuggestionWord,
  cycleSpec,
  dismissSuggestion,
  requestSuggestion,
} from '../editor/ghost-text';
import type { EditorSessions } from '../editor/sessions';
import type { ModelsStore } from '../models';
import { resolvedTheme, type DocumentsStore, type EngineStore, type SettingsStore, type UiStore } from '../stores';
import type { PanelCommandName } from '../panes/commands';
import type { CommandAction } from './dispatch';

export interface Commands {
  newDocument(): Promise<void>;
  /** Electron: native dialog. Web: the in-app path dialog. */
  open(): Promise<void>;
  openPath(path: string): Promise<boolean>;
  save(docId?: string): Promise<boolean>;
  saveAs(docId?: string): Promise<boolean>;
  /** Save to a path the writer typed (web's save dialog). */
  /** Saves to a typed path; another existing file there is replaced only with `overwrite` (asked first). */
  saveTo(docId: string, path: string, overwrite?: boolean): Promise<boolean>;
  /** Closes a tab, asking first when it has unsaved changes. */
  close(docId?: string): Promise<void>;
  /**
   * The writer's answer when another program changed the document's file: 'mine' saves over it
   * (its version is kept as a copy beside it), 'theirs' loads it (undo brings the writer's text
   * back), 'saveAs' saves the writer's text elsewhere, 'cancel' leaves the document unsaved.
   */
  resolveChanged(docId: string, choice: 'mine' | 'theirs' | 'saveAs' | 'cancel'): Promise<void>;
  /** The answer to the unsaved-changes question for one document. */
  resolveClose(docId: string, choice: 'save' | 'discard' | 'cancel'): Promise<void>;
  /** The window is closing (Electron menu/quit, or the host asks). */
  closeWindowRequested(): Promise<void>;
  resolveQuit(choice: 'save' | 'discard' | 'cancel'): Promise<void>;
  activate(docId: string): void;
  suggest(): void;
  accept(): void;
  acceptWord(): void;
  acceptLine(): void;
  cycle(dir: 1 | -1): void;
  stop(): void;
  toggleTheme(): void;
  fontSize(delta: number): void;
  loadModel(dir?: string): Promise<boolean>;
  /** Opens the Models page (or goes back to writing when it is open). */
  models(): void;
  restoreBackups(ids: string[]): Promise<void>;
  discardBackups(ids: string[]): Promise<void>;
  /** Puts the keyboard focus in the editor. */
  focus(): void;
  /** Starts a fresh document when nothing is open (the app never shows an empty window). */
  ensureDocument(): Promise<void>;
  /**
   * A file the writer opened from the operating system (Finder / Explorer, "Open With", a second
   * launch). Waits for start-up, then takes the place of a still-blank start-up document.
   */
  openFromSystem(path: string): Promise<void>;
  /** startApp calls this once the first document (or the recovery dialog) is up. */
  started(): void;
}

/** What the commands work on: the stores, never the keyboard or the menu. */
export interface CommandDeps {
  api: Pick<InklingApi, 'confirmClose' | 'discardBackup'>;
  mode: 'electron' | 'web';
  documents: DocumentsStore;
  ui: UiStore;
  sessions: Pick<EditorSessions, 'editorView'>;
  settings: SettingsStore;
  engine: EngineStore;
  models: ModelsStore;
  generations: Pick<GenerationSync, 'flush'>;
}

export function createCommands(deps: CommandDeps): Commands {
  const { api, documents, ui, sessions, settings, engine } = deps;
  const docs = () => documents.getState();
  const active = (docId?: string) => docId ?? docs().activeId;
  const view = (): EditorView | null => sessions.editorView;
  const onView = (fn: (v: EditorView) => unknown) => {
    const v = view();
    if (v) {
      fn(v);
      v.focus();
    }
  };
  const fail = (text: string) => ui.getState().notify('error', text);

  let markStarted: () => void = () => undefined;
  const whenStarted = new Promise<void>((resolve) => (markStarted = resolve));
  /** An untouched, never-saved, empty document (what the app starts with). */
  const blank = (id: string) => {
    const meta = docs().docs[id];
    return Boolean(meta && meta.path === null && !meta.dirty && meta.savedText === '');
  };

  const saveOutcome = async (docId: string, as: boolean, then?: 'close'): Promise<boolean> => {
    const outcome = await docs().save(docId, { as });
    if (outcome === 'path_required' || (as && deps.mode === 'web' && outcome === 'cancelled')) {
      ui.getState().openDialog({ kind: 'saveAs', docId, ...(then ? { then } : {}) });
      return false;
    }
    if (outcome === 'changed') {
      ui.getState().openDialog({ kind: 'fileChanged', docId, ...(then ? { then } : {}) });
      return false;
    }
    if (outcome === 'failed')
      ui.getState().notify('error', docs().docs[docId]?.error ?? 'The document could not be saved.', `save:${docId}`);
    if (outcome === 'saved') ui.getState().resolve(`save:${docId}`);
    return outcome === 'saved';
  };

  const commands: Commands = {
    async newDocument() {
      await docs().newDocument();
      onView(() => undefined);
    },
    async open() {
      if (deps.mode === 'web') {
        ui.getState().openDialog({ kind: 'open' });
        return;
      }
      // A failure shows through the documents store's error (Notices); cancelling shows nothing.
      if (await docs().open()) ui.getState().dismissWelcome();
      onView(() => undefined);
    },
    async openPath(path) {
      const id = await docs().open(path);
      // A failure is already on show: the documents store's error is the notice (Notices), once.
      if (!id) return false;
      ui.getState().dismissWelcome();
      onView(() => undefined);
      return true;
    },
    async save(docId) {
      const id = active(docId);
      if (!id) return false;
      if (deps.mode === 'web' && !docs().docs[id]?.path) {
        ui.getState().openDialog({ kind: 'saveAs', docId: id });
        return false;
      }
      return saveOutcome(id, false);
    },
    async saveAs(docId) {
      const id = active(docId);
      if (!id) return false;
      if (deps.mode === 'web') {
        ui.getState().openDialog({ kind: 'saveAs', docId: id });
        return false;
      }
      return saveOutcome(id, true);
    },
    async saveTo(docId, path, overwrite = false) {
      const dialog = ui.getState().dialog;
      const then = dialog && (dialog.kind === 'saveAs' || dialog.kind === 'confirmReplace') ? dialog.then : undefined;
      const outcome = await docs().save(docId, { as: true, path, overwrite });
      if (outcome === 'exists') {
        ui.getState().openDialog({ kind: 'confirmReplace', docId, path, ...(then ? { then } : {}) });
        return false;
      }
      if (outcome !== 'saved') {
        ui.getState().notify('error', docs().docs[docId]?.error ?? `Could not save to ${path}.`, `save:${docId}`);
        // Back to the path, as typed, to choose another place.
        if (dialog?.kind === 'confirmReplace')
          ui.getState().openDialog({ kind: 'saveAs', docId, path, ...(then ? { then } : {}) });
        return false;
      }
      ui.getState().closeDialog();
      if (then === 'close') await docs().close(docId);
      await commands.ensureDocument();
      onView(() => undefined);
      return true;
    },
    async close(docId) {
      const id = active(docId);
      const meta = id ? docs().docs[id] : null;
      if (!id || !meta) return;
      if (meta.dirty) {
        ui.getState().openDialog({ kind: 'confirmClose', docId: id });
        return;
      }
      await docs().close(id);
      await commands.ensureDocument();
    },
    async resolveChanged(docId, choice) {
      const dialog = ui.getState().dialog;
      const then = dialog?.kind === 'fileChanged' ? dialog.then : undefined;
      ui.getState().closeDialog();
      const name = docs().docs[docId]?.name ?? 'The document';
      if (choice === 'cancel') return;
      if (choice === 'saveAs') {
        if (deps.mode === 'web') ui.getState().openDialog({ kind: 'saveAs', docId, ...(then ? { then } : {}) });
        else await saveOutcome(docId, true, then);
        return;
      }
      if (choice === 'theirs') {
        if (await docs().reload(docId)) {
          ui.getState().resolve(`save:${docId}`);
          ui.getState().notify('info', `Loaded “${name}” as the other program left it. Undo brings your version back.`);
          onView(() => undefined);
        } else {
          ui.getState().notify('error', docs().error ?? `Could not load “${name}” again.`, `save:${docId}`);
        }
        return;
      }
      const outcome = await docs().save(docId, { replaceChanged: true });
      if (outcome !== 'saved') {
        ui.getState().notify('error', docs().docs[docId]?.error ?? `Could not save “${name}”.`, `save:${docId}`);
        return;
      }
      ui.getState().resolve(`save:${docId}`);
      const kept = docs().docs[docId]?.keptCopy;
      if (kept) {
        const cut = Math.max(kept.lastIndexOf('/'), kept.lastIndexOf('\\'));
        ui.getState().notify(
          'info',
          `Saved your version. The other one is kept beside it as “${kept.slice(cut + 1)}”.`,
        );
      }
      if (then === 'close') {
        await docs().close(docId);
        await commands.ensureDocument();
      }
      onView(() => undefined);
    },
    async resolveClose(docId, choice) {
      ui.getState().closeDialog();
      if (choice === 'cancel') return;
      if (choice === 'save') {
        const saved = await saveOutcome(docId, false, 'close');
        if (!saved) return;
      }
      await docs().close(docId);
      await commands.ensureDocument();
    },
    async closeWindowRequested() {
      await docs().flushBackups();
      await deps.generations.flush();
      const dirty = docs().order.filter((id) => docs().docs[id]?.dirty);
      if (dirty.length === 0) {
        await api.confirmClose({ proceed: true });
        return;
      }
      ui.getState().openDialog({ kind: 'confirmQuit', docIds: dirty });
    },
    async resolveQuit(choice) {
      const dialog = ui.getState().dialog;
      ui.getState().closeDialog();
      if (choice === 'cancel' || dialog?.kind !== 'confirmQuit') {
        await api.confirmClose({ proceed: false });
        return;
      }
      if (choice === 'save') {
        for (const id of dialog.docIds) {
          if (!(await saveOutcome(id, false))) {
            await api.confirmClose({ proceed: false });
            return;
          }
        }
      } else {
        for (const id of dialog.docIds) await docs().close(id);
      }
      await api.confirmClose({ proceed: true });
    },
    activate(docId) {
      docs().activate(docId);
    },
    suggest: () => onView(requestSuggestion),
    accept: () => onView(acceptSuggestion),
    acceptWord: () => onView(acceptSuggestionWord),
    acceptLine: () => onView(acceptSuggestionLine),
    cycle: (dir) =>
      onView((v) => {
        const spec = cycleSpec(v.state, dir);
        if (spec) v.dispatch(spec);
      }),
    stop: () => onView(dismissSuggestion),
    toggleTheme() {
      const s = settings.getState();
      void s.update({ theme: resolvedTheme(s) === 'dark' ? 'light' : 'dark' });
    },
    fontSize(delta) {
      const size = Math.min(40, Math.max(10, settings.getState().settings.fontSize + delta));
      void settings.getState().update({ fontSize: size });
    },
    async loadModel(dir) {
      if (!dir && deps.mode === 'web') {
        ui.getState().openDialog({ kind: 'loadModel' });
        return false;
      }
      const ok = await engine.getState().loadModel(dir);
      if (!ok && engine.getState().error) ui.getState().notify('error', engine.getState().error!, 'model-load');
      return ok;
    },
    models() {
      const m = deps.models.getState();
      if (m.pageOpen) {
        m.closePage();
        void commands.ensureDocument().then(commands.focus);
      } else {
        m.openPage();
      }
    },
    async restoreBackups(ids) {
      ui.getState().closeDialog();
      ui.getState().dismissWelcome(); // the writer is back in the middle of their work
      // A failure shows once, through the documents store's error (Notices).
      for (const id of ids) await docs().restore(id);
      await commands.ensureDocument();
    },
    async discardBackups(ids) {
      ui.getState().closeDialog();
      for (const id of ids) {
        await api.discardBackup(id).catch((e: unknown) => fail(`Could not discard a backup: ${errorMessage(e)}`));
      }
      await commands.ensureDocument();
    },
    focus: () => onView(() => undefined),
    async ensureDocument() {
      if (docs().order.length === 0) await docs().newDocument();
    },
    async openFromSystem(path) {
      // Waits for the start-up document so that, when that is the only one and still blank, the
      // file takes its place instead of opening beside it.
      await whenStarted;
      const before = docs().order;
      const lone = before.length === 1 && blank(before[0]) ? before[0] : null;
      if (!(await commands.openPath(path))) return;
      if (lone && blank(lone) && docs().activeId !== lone) await docs().close(lone);
    },
    started: () => markStarted(),
  };
  return commands;
}

export type AppCommandName = Exclude<MenuCommandName, PanelCommandName>;

/** The commands above by id, for the dispatcher: menu items and the rebindable keys alike. */
export function appCommands(commands: Commands): Record<AppCommandName, CommandAction> {
  const run = (fn: () => unknown): CommandAction => ({ run: fn });
  return {
    'file.new': run(commands.newDocument),
    'file.open': run(commands.open),
    'file.openRecent': { run: (path) => (path ? commands.openPath(path) : commands.open()) },
    'file.openPath': { run: (path) => (path ? commands.openFromSystem(path) : undefined) },
    'file.save': run(() => commands.save()),
    'file.saveAs': run(() => commands.saveAs()),
    'file.close': run(() => commands.close()),
    'edit.suggest': run(commands.suggest),
    'edit.accept': run(commands.accept),
    'edit.acceptWord': run(commands.acceptWord),
    'edit.acceptLine': run(commands.acceptLine),
    'edit.nextAlternative': run(() => commands.cycle(1)),
    'edit.previousAlternative': run(() => commands.cycle(-1)),
    'edit.stop': run(commands.stop),
    'view.toggleTheme': run(commands.toggleTheme),
    'view.fontBigger': run(() => commands.fontSize(1)),
    'view.fontSmaller': run(() => commands.fontSize(-1)),
    'model.open': run(() => commands.loadModel()),
    'view.models': run(commands.models),
  };
}
