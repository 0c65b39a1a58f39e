/**
 * Documents store: the open documents (tabs), which one is active, and each one's save state.
 *
 * The text itself lives in the editor (one CodeMirror state per document, with its own undo
 * history); this store reads it through `DocumentTexts` when it needs it — to tell whether the
 * document differs from the saved text, to save, and to write the hot-exit backup about a second
 * after typing stops. Nothing typed is lost: a dirty document always gets a backup, a clean one has
 * its backup discarded, and a save that fails leaves the document dirty with the host's message.
 */
import { createStore, type StoreApi } from 'zustand/vanilla';
import type { InklingApi, LineEnding } from '../../../electron/api';
import { errorCode, errorMessage } from '../../../electron/api';

export type SaveState = 'saved' | 'unsaved' | 'saving' | 'autosaved' | 'error';

export interface DocMeta {
  docId: string;
  /** null until the document is saved somewhere. */
  path: string | null;
  name: string;
  lineEnding: LineEnding;
  /** The text as last saved (null when unknown, e.g. restored without it: always dirty). */
  savedText: string | null;
  dirty: boolean;
  saveState: SaveState;
  /** The host's message when the last save failed. */
  error: string | null;
  /** Bumped on every edit, so a save can tell whether the writer typed while it ran. */
  version: number;
  /** `version` when the last hot-exit backup was written (-1: none since the last save). */
  backupVersion: number;
  /** The file's modification time when last opened, saved or reloaded here (null: not known). */
  mtimeMs: number | null;
  /**
   * Another program changed the file since then: saves wait for the writer's choice (keep mine,
   * load theirs, save as), and autosave stops until it is made.
   */
  conflict: boolean;
  /** The last "keep mine" save kept the other version here (a new file beside the document). */
  keptCopy: string | null;
}

/** Where the store reads and creates document text (the editor's per-document states). */
export interface DocumentTexts {
  create(docId: string, text: string, name: string): void;
  text(docId: string): string | null;
  /** Cheap length, used to skip the full comparison with the saved text on most keystrokes. */
  length?(docId: string): number | null;
  /** The name changed (save as): the editor may switch language (.md ↔ .txt). */
  renamed?(docId: string, name: string): void;
  /** Replaces the document's text with `text` as one undoable change (the file was loaded again). */
  replace?(docId: string, text: string): void;
  drop(docId: string): void;
}

/**
 * `exists`: the path names another existing file; ask the writer, then save with `overwrite`.
 * `changed`: another program changed the document's file; ask the writer (keep mine, load theirs, save as).
 */
export type SaveOutcome = 'saved' | 'cancelled' | 'path_required' | 'exists' | 'changed' | 'failed';

export interface DocumentsState {
  docs: Record<string, DocMeta>;
  order: string[];
  activeId: string | null;
  /** The last open/restore failure, for the writer. */
  error: string | null;
  newDocument(): Promise<string | null>;
  /** Opens `path` (or asks, in Electron); an already open file is activated instead. */
  open(path?: string): Promise<string | null>;
  restore(backupId: string): Promise<string | null>;
  activate(docId: string): void;
  /** Call after every change of a document's text. */
  edited(docId: string): void;
  save(
    docId: string,
    options?: { as?: boolean; path?: string; auto?: boolean; overwrite?: boolean; replaceChanged?: boolean },
  ): Promise<SaveOutcome>;
  /**
   * Loads the document's file again (the writer chose the other program's version): one undo step
   * brings the writer's text back. Resolves false (with `error` set) when the file cannot be read.
   */
  reload(docId: string): Promise<boolean>;
  /**
   * Asks the host whether other programs changed the open documents' files (call when the window
   * gets the focus back). A clean document is loaded again (one undo step back); one with unsaved
   * changes is marked `conflict`. Resolves with the names of the documents loaded again, and of
   * those whose file is newly gone (said once, until it is back).
   */
  checkOnDisk(): Promise<{ reloaded: string[]; missing: string[] }>;
  /** Closes without asking (the UI confirms first); the host forgets the document and its backup. */
  close(docId: string): Promise<void>;
  /** Writes every pending backup now (before the page goes away, in tests). */
  flushBackups(): Promise<void>;
  clearError(): void;
  dispose(): void;
}

export type DocumentsStore = StoreApi<DocumentsState>;

export interface DocumentsOptions {
  backupDelayMs?: number;
  autosave?: () => { enabled: boolean; delayMs: number };
}

type DocsApi = Pick<
  InklingApi,
  | 'newDocument'
  | 'openDocument'
  | 'saveDocument'
  | 'saveDocumentAs'
  | 'reloadDocument'
  | 'checkDocument'
  | 'closeDocument'
  | 'writeBackup'
  | 'discardBackup'
  | 'restoreBackup'
>;

export const UNTITLED = 'Untitled';

function differs(texts: DocumentTexts, meta: DocMeta): boolean {
  if (meta.savedText === null) return true;
  const len = texts.length?.(meta.docId);
  if (len != null && len !== meta.savedText.length) return true;
  return texts.text(meta.docId) !== meta.savedText;
}

export function createDocumentsStore(
  api: DocsApi,
  texts: DocumentTexts,
  options: DocumentsOptions = {},
): DocumentsStore {
  const backupDelay = options.backupDelayMs ?? 1000;
  const backupTimers = new Map<string, ReturnType<typeof setTimeout>>();
  const autosaveTimers = new Map<string, ReturnType<typeof setTimeout>>();
  /** Docs that have a backup on the host (so a clean doc's backup gets discarded). */
  const backedUp = new Set<string>();
  /** A check of the files on disk is running (focus events come in bursts). */
  let checking = false;
  /** Documents whose file was gone at the last check (the writer is told once). */
  const gone = new Set<string>();

  return createStore<DocumentsState>()((set, get) => {
    const patch = (docId: string, p: Partial<DocMeta>): void => {
      const cur = get().docs[docId];
      if (cur) set({ docs: { ...get().docs, [docId]: { ...cur, ...p } } });
    };

    const add = (meta: DocMeta, text: string): void => {
      texts.create(meta.docId, text, meta.name);
      set({
        docs: { ...get().docs, [meta.docId]: meta },
        order: [...get().order, meta.docId],
        activeId: meta.docId,
        error: null,
      });
    };

    const backupNow = async (docId: string): Promise<void> => {
      const meta = get().docs[docId];
      const text = texts.text(docId);
      if (!meta || text === null) return;
      try {
        if (meta.dirty) {
          await api.writeBackup({
            docId,
            path: meta.path,
            text,
            ...(meta.savedText !== null ? { savedText: meta.savedText } : {}),
          });
          backedUp.add(docId);
          patch(docId, { backupVersion: meta.version });
        } else if (backedUp.has(docId)) {
          backedUp.delete(docId);
          await api.discardBackup(docId);
        }
      } catch (e) {
        // A failed backup must not interrupt writing; show why, and try again on the next edit.
        set({ error: `Could not back up “${meta.name}”: ${errorMessage(e)}` });
      }
    };

    const schedule = (
      timers: Map<string, ReturnType<typeof setTimeout>>,
      docId: string,
      ms: number,
      fn: () => void,
    ): void => {
      const t = timers.get(docId);
      if (t) clearTimeout(t);
      timers.set(
        docId,
        setTimeout(() => {
          timers.delete(docId);
          fn();
        }, ms),
      );
    };

    const cancelTimers = (docId: string): void => {
      for (const timers of [backupTimers, autosaveTimers]) {
        const t = timers.get(docId);
        if (t) clearTimeout(t);
        timers.delete(docId);
      }
    };

    return {
      docs: {},
      order: [],
      activeId: null,
      error: null,

      async newDocument() {
        try {
          const { docId } = await api.newDocument();
          add(
            {
              docId,
              path: null,
              name: UNTITLED,
              lineEnding: '\n',
              savedText: '',
              dirty: false,
              saveState: 'saved',
              error: null,
              version: 0,
              backupVersion: -1,
              mtimeMs: null,
              conflict: false,
              keptCopy: null,
            },
            '',
          );
          return docId;
        } catch (e) {
          set({ error: `Could not create a document: ${errorMessage(e)}` });
          return null;
        }
      },

      async open(path) {
        const already = path ? get().order.find((id) => get().docs[id]?.path === path) : undefined;
        if (already) {
          set({ activeId: already });
          return already;
        }
        try {
          const doc = await api.openDocument(path);
          if (!doc) return null;
          const same = get().order.find((id) => get().docs[id]?.path === doc.path);
          if (same) {
            set({ activeId: same });
            return same;
          }
          add(
            {
              docId: doc.docId,
              path: doc.path,
              name: doc.name,
              lineEnding: doc.lineEnding,
              savedText: doc.text,
              dirty: false,
              saveState: 'saved',
              error: null,
              version: 0,
              backupVersion: -1,
              mtimeMs: doc.mtimeMs,
              conflict: false,
              keptCopy: null,
            },
            doc.text,
          );
          return doc.docId;
        } catch (e) {
          set({ error: errorMessage(e) });
          return null;
        }
      },

      async restore(backupId) {
        try {
          const doc = await api.restoreBackup(backupId);
          const meta: DocMeta = {
            docId: doc.docId,
            path: doc.path,
            name: doc.name,
            lineEnding: doc.lineEnding,
            savedText: doc.savedText ?? (doc.path ? null : ''),
            dirty: false,
            saveState: 'saved',
            error: null,
            version: 0,
            backupVersion: 0,
            mtimeMs: null,
            conflict: false,
            keptCopy: null,
          };
          meta.dirty = meta.savedText === null || meta.savedText !== doc.text;
          meta.saveState = meta.dirty ? 'unsaved' : 'saved';
          backedUp.add(doc.docId);
          add(meta, doc.text);
          return doc.docId;
        } catch (e) {
          set({ error: `Could not restore the backup: ${errorMessage(e)}` });
          return null;
        }
      },

      activate(docId) {
        if (get().docs[docId]) set({ activeId: docId });
      },

      edited(docId) {
        const meta = get().docs[docId];
        if (!meta) return;
        const dirty = differs(texts, meta);
        const saveState: SaveState =
          meta.saveState === 'saving'
            ? 'saving'
            : dirty
              ? 'unsaved'
              : meta.saveState === 'unsaved' || meta.saveState === 'error'
                ? 'saved'
                : meta.saveState;
        patch(docId, { dirty, saveState, version: meta.version + 1 });
        schedule(backupTimers, docId, backupDelay, () => void backupNow(docId));
        const auto = options.autosave?.();
        if (auto?.enabled && meta.path && dirty) {
          schedule(autosaveTimers, docId, auto.delayMs, () => {
            const m = get().docs[docId];
            if (m?.dirty && m.path && m.saveState !== 'saving' && !m.conflict) void get().save(docId, { auto: true });
          });
        }
      },

      async save(docId, opts = {}) {
        const meta = get().docs[docId];
        const text = texts.text(docId);
        if (!meta || text === null) return 'failed';
        const version = meta.version;
        const previous = meta.saveState;
        patch(docId, { saveState: 'saving', error: null });
        try {
          // The time this page last saw the file goes with saves to the document's own file only.
          const own = !opts.as && !opts.path && meta.mtimeMs !== null;
          const request = {
            docId,
            text,
            ...(opts.path ? { path: opts.path } : {}),
            ...(opts.overwrite ? { overwrite: true } : {}),
            ...(own ? { baseMtimeMs: meta.mtimeMs! } : {}),
            ...(opts.replaceChanged ? { replaceChanged: true } : {}),
          };
          const saved = opts.as ? await api.saveDocumentAs(request) : await api.saveDocument(request);
          if (!saved) {
            patch(docId, { saveState: previous });
            return 'cancelled';
          }
          const now = get().docs[docId];
          if (!now) return 'saved';
          const renamed = saved.name !== now.name;
          const next: DocMeta = {
            ...now,
            path: saved.path,
            name: saved.name,
            savedText: text,
            error: null,
            backupVersion: -1,
            mtimeMs: saved.mtimeMs,
            conflict: false,
            keptCopy: saved.keptCopy ?? null,
          };
          next.dirty = now.version !== version ? differs(texts, next) : false;
          next.saveState = next.dirty ? 'unsaved' : opts.auto ? 'autosaved' : 'saved';
          set({ docs: { ...get().docs, [docId]: next } });
          if (renamed) texts.renamed?.(docId, saved.name);
          autosaveTimers.delete(docId);
          if (!next.dirty && backedUp.has(docId)) {
            backedUp.delete(docId);
            api.discardBackup(docId).catch(() => undefined); // the save already holds the text
          }
          return 'saved';
        } catch (e) {
          if (errorCode(e) === 'file_changed') {
            // The writer's text stays, unsaved (its backup keeps it across a crash) until they choose.
            patch(docId, { saveState: 'error', error: errorMessage(e), conflict: true });
            return 'changed';
          }
          if (errorCode(e) === 'path_required' || errorCode(e) === 'file_exists') {
            patch(docId, { saveState: previous });
            return errorCode(e) === 'path_required' ? 'path_required' : 'exists';
          }
          patch(docId, { saveState: 'error', error: errorMessage(e) });
          return 'failed';
        }
      },

      async reload(docId) {
        const meta = get().docs[docId];
        if (!meta || !meta.path) return false;
        try {
          const doc = await api.reloadDocument({ docId, path: meta.path });
          const now = get().docs[docId];
          if (!now) return false;
          // The saved text first, so the edit the replacement makes reads as "not dirty".
          patch(docId, {
            savedText: doc.text,
            lineEnding: doc.lineEnding,
            mtimeMs: doc.mtimeMs,
            conflict: false,
            keptCopy: null,
            error: null,
          });
          texts.replace?.(docId, doc.text);
          const next = get().docs[docId];
          if (next) {
            const dirty = differs(texts, next);
            patch(docId, { dirty, saveState: dirty ? 'unsaved' : 'saved' });
          }
          return true;
        } catch (e) {
          patch(docId, { error: errorMessage(e) });
          set({ error: `Could not load “${meta.name}” again: ${errorMessage(e)}` });
          return false;
        }
      },

      async checkOnDisk() {
        const reloaded: string[] = [];
        const missing: string[] = [];
        if (checking) return { reloaded, missing };
        checking = true;
        try {
          for (const docId of get().order) {
            const meta = get().docs[docId];
            if (!meta?.path || meta.conflict || meta.saveState === 'saving') continue;
            const r = await api
              .checkDocument({
                docId,
                path: meta.path,
                ...(meta.mtimeMs !== null ? { baseMtimeMs: meta.mtimeMs } : {}),
              })
              .catch(() => null); // a host that cannot look now is asked again at the next focus
            if (r?.missing && !gone.has(docId)) missing.push(meta.name);
            if (r) {
              if (r.missing) gone.add(docId);
              else gone.delete(docId);
            }
            const now = get().docs[docId];
            if (!r?.changed || !now || now.saveState === 'saving') continue;
            if (!now.dirty) {
              if (await get().reload(docId)) reloaded.push(now.name);
            } else {
              patch(docId, {
                conflict: true,
                saveState: 'error',
                error: `“${now.name}” was changed by another program; your changes here are not saved yet.`,
              });
            }
          }
        } finally {
          checking = false;
        }
        return { reloaded, missing };
      },

      async close(docId) {
        cancelTimers(docId);
        backedUp.delete(docId);
        gone.delete(docId);
        const order = get().order.filter((id) => id !== docId);
        const docs = { ...get().docs };
        delete docs[docId];
        let activeId = get().activeId;
        if (activeId === docId) {
          const at = get().order.indexOf(docId);
          activeId = order[Math.min(at, order.length - 1)] ?? null;
        }
        set({ docs, order, activeId });
        texts.drop(docId);
        try {
          await api.closeDocument(docId);
        } catch {
          // The host may never have known the document (or already forgot it): nothing to undo.
        }
      },

      async flushBackups() {
        const ids = [...backupTimers.keys()];
        for (const id of ids) {
          clearTimeout(backupTimers.get(id)!);
          backupTimers.delete(id);
        }
        await Promise.all(ids.map((id) => backupNow(id)));
      },

      clearError() {
        set({ error: null });
      },

      dispose() {
        for (const id of [...backupTimers.keys(), ...autosaveTimers.keys()]) cancelTimers(id);
      },
    };
  });
}
