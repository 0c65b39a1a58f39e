/**
 * Keeps each open document's generation history in step with the host's copy: loaded when the
 * document's editor state is created (the places found again in the current text), saved half a
 * second after the history last changed. A failed save is said once and retried with the next
 * change; a failed load leaves the history empty and says so (the text itself is never at stake).
 */
import type { EditorState } from '@codemirror/state';
import { errorMessage, type InklingApi } from '../../../electron/api';
import { fromStored, generationsOf, loadGenerations, toStored } from '../editor/generations/state';

export interface GenerationSyncDeps {
  api: Pick<InklingApi, 'getGenerationHistory' | 'setGenerationHistory'>;
  stateOf(docId: string): EditorState | null;
  apply(docId: string, spec: { effects: ReturnType<typeof loadGenerations.of> }): boolean;
  notify(kind: 'info' | 'error', text: string): void;
  /** Delay between the last change and the save (ms). */
  delayMs?: number;
}

export interface GenerationSync {
  /** A document's editor state was created: load its history. */
  created(docId: string): Promise<void>;
  /** The document changed: save its history soon if it has one (or had one). */
  changed(docId: string): void;
  /** The document is closing: a pending save goes out now (before the host is told of the close). */
  dropped(docId: string): void;
  /** Saves every pending history now. */
  flush(): Promise<void>;
  dispose(): void;
}

export function createGenerationSync(deps: GenerationSyncDeps): GenerationSync {
  const timers = new Map<string, ReturnType<typeof setTimeout>>();
  /** Documents whose stored history is not empty (an emptied one must be saved once more). */
  const stored = new Set<string>();
  let failing = false;

  const save = async (docId: string): Promise<void> => {
    timers.delete(docId);
    const state = deps.stateOf(docId);
    if (!state) return;
    const generations = toStored(state);
    if (generations.length === 0 && !stored.has(docId)) return;
    try {
      await deps.api.setGenerationHistory({ docId, generations });
      if (generations.length) stored.add(docId);
      else stored.delete(docId);
      failing = false;
    } catch (e) {
      if (!failing)
        deps.notify('error', `The generation history could not be saved (your text is safe): ${errorMessage(e)}`);
      failing = true;
    }
  };

  return {
    async created(docId) {
      try {
        const { generations } = await deps.api.getGenerationHistory(docId);
        if (generations.length === 0) return;
        stored.add(docId);
        const state = deps.stateOf(docId);
        if (!state) return;
        const places = fromStored(state.doc.toString(), generations);
        if (places.length) deps.apply(docId, { effects: loadGenerations.of(places) });
      } catch (e) {
        deps.notify(
          'info',
          `The generation history of this document could not be read; it starts empty: ${errorMessage(e)}`,
        );
      }
    },
    changed(docId) {
      const state = deps.stateOf(docId);
      if (!state || (generationsOf(state).list.length === 0 && !stored.has(docId))) return;
      const t = timers.get(docId);
      if (t) clearTimeout(t);
      timers.set(
        docId,
        setTimeout(() => void save(docId), deps.delayMs ?? 500),
      );
    },
    dropped(docId) {
      const t = timers.get(docId);
      if (t) {
        clearTimeout(t);
        // save() reads the state before its first await: the state is still there now.
        void save(docId);
      }
      stored.delete(docId);
    },
    async flush() {
      const pending = [...timers.keys()];
      for (const id of pending) clearTimeout(timers.get(id));
      await Promise.all(pending.map(save));
    },
    dispose() {
      for (const t of timers.values()) clearTimeout(t);
      timers.clear();
    },
  };
}
