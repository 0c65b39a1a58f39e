/**
 * UI store: which dialog is open and transient notices. Dialogs are data here so commands (menu,
 * shortcuts, toolbar) can open them without knowing about components.
 */
import { createStore, type StoreApi } from 'zustand/vanilla';
import type { BackupInfo } from '../../../electron/api';

export type Dialog =
  /** Web mode: ask for a file path to open (Electron uses the native dialog). */
  | { kind: 'open' }
  /** Ask for a path to save `docId` to; `then` runs after a successful save (e.g. close the tab). */
  | { kind: 'saveAs'; docId: string; then?: 'close'; path?: string }
  /** Saving `docId` to `path` would replace another file: replace it, or go back and choose another name. */
  | { kind: 'confirmReplace'; docId: string; path: string; then?: 'close' }
  /**
   * Another program changed `docId`'s file since Inkling last saw it: keep mine (the other version
   * is kept as a copy), load theirs (one undo step brings mine back), or save mine under another name.
   */
  | { kind: 'fileChanged'; docId: string; then?: 'close' }
  /** `docId` has unsaved changes and the writer asked to close it. */
  | { kind: 'confirmClose'; docId: string }
  /** The window is closing with unsaved documents. */
  | { kind: 'confirmQuit'; docIds: string[] }
  /** Hot-exit backups found at start. */
  | { kind: 'recovery'; backups: BackupInfo[] }
  | { kind: 'loadModel' }
  | { kind: 'shortcuts' }
  /** Edit `docId`'s memory (read before its window on every continuation). */
  | { kind: 'memory'; docId: string }
  /** The generation history at one place (`id`) of `docId`: its tries, to swap one in. */
  | { kind: 'generations'; docId: string; id: string }
  /** Export `docId` as HTML, PDF or plain text. */
  | { kind: 'export'; docId: string };

export interface Notice {
  id: number;
  kind: 'info' | 'error';
  text: string;
  /**
   * The problem the notice is about ('engine', 'generation', 'save:<docId>'): one notice per
   * problem (a newer one replaces it), and `resolve(key)` takes it away once the problem is gone.
   */
  key?: string;
}

export interface UiState {
  dialog: Dialog | null;
  notices: Notice[];
  /** The writer chose "Start writing" on the welcome screen (until a model is loaded). */
  welcomeDismissed: boolean;
  openDialog(dialog: Dialog): void;
  closeDialog(): void;
  notify(kind: Notice['kind'], text: string, key?: string): void;
  /** The problem behind `key` is gone: its notice goes too. */
  resolve(key: string): void;
  dismissNotice(id: number): void;
  dismissWelcome(): void;
}

export type UiStore = StoreApi<UiState>;

export function createUiStore(): UiStore {
  let nextId = 1;
  return createStore<UiState>()((set, get) => ({
    dialog: null,
    notices: [],
    welcomeDismissed: false,
    openDialog(dialog) {
      set({ dialog });
    },
    closeDialog() {
      set({ dialog: null });
    },
    notify(kind, text, key) {
      // Keep the last few; an identical notice is not repeated; a newer word on a problem replaces the older.
      const others = key ? get().notices.filter((n) => n.key !== key) : get().notices;
      if (others.some((n) => n.text === text)) return;
      set({ notices: [...others.slice(-3), { id: nextId++, kind, text, ...(key ? { key } : {}) }] });
    },
    resolve(key) {
      if (get().notices.some((n) => n.key === key)) set({ notices: get().notices.filter((n) => n.key !== key) });
    },
    dismissNotice(id) {
      set({ notices: get().notices.filter((n) => n.id !== id) });
    },
    dismissWelcome() {
      set({ welcomeDismissed: true });
    },
  }));
}
