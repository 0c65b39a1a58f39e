/**
 * The writer's desk view state: focus mode (the app's chrome hidden, the line being written held in
 * the middle of the window — "typewriter scrolling") and the Markdown preview. Per window, not saved.
 */
import { EditorState, type Extension } from '@codemirror/state';
import { EditorView } from '@codemirror/view';
import { createStore, type StoreApi } from 'zustand/vanilla';

export interface DeskState {
  focusMode: boolean;
  preview: boolean;
  toggleFocusMode(): void;
  togglePreview(): void;
  /** Leaves focus mode and the preview (e.g. opening the Models page). */
  reset(): void;
}

export type DeskStore = StoreApi<DeskState>;

export function createDeskStore(): DeskStore {
  return createStore<DeskState>()((set, get) => ({
    focusMode: false,
    preview: false,
    toggleFocusMode: () => set({ focusMode: !get().focusMode }),
    togglePreview: () => set({ preview: !get().preview }),
    reset: () => set({ focusMode: false, preview: false }),
  }));
}

/**
 * Typewriter scrolling: while `on()` is true, every transaction that moves the cursor or changes the
 * text also scrolls the cursor's line to the middle of the view (so the eyes stay in one place).
 */
export function typewriterScrolling(on: () => boolean): Extension {
  return EditorState.transactionExtender.of((tr) => {
    if (!on() || (!tr.docChanged && !tr.selection)) return null;
    return { effects: EditorView.scrollIntoView(tr.newSelection.main.head, { y: 'center' }) };
  });
}
