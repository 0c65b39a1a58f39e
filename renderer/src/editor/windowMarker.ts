/**
 * A quiet marker where the model's window starts: text before it is outside what the model reads
 * for a continuation at the cursor (the host anchors the window to the document and reports where
 * it starts). The marker follows the text through edits until the next report moves it; it is
 * absent while the whole text before the cursor fits.
 */
import { StateEffect, StateField } from '@codemirror/state';
import { Decoration, EditorView, WidgetType, type DecorationSet } from '@codemirror/view';

export interface WindowMark {
  /** Document offset where the window starts. */
  pos: number;
  /** Tokens before the marker (not read), and what the model does read. */
  droppedTokens: number;
  promptTokens: number;
  memoryTokens: number;
}

/** null removes the marker (everything before the cursor is read). */
export const setWindowMark = StateEffect.define<WindowMark | null>();

class WindowStartWidget extends WidgetType {
  constructor(readonly mark: WindowMark) {
    super();
  }

  override eq(other: WindowStartWidget): boolean {
    const a = this.mark;
    const b = other.mark;
    return (
      a.droppedTokens === b.droppedTokens && a.promptTokens === b.promptTokens && a.memoryTokens === b.memoryTokens
    );
  }

  toDOM(): HTMLElement {
    const el = document.createElement('span');
    el.className = 'cm-window-start';
    el.setAttribute('data-testid', 'window-start');
    el.setAttribute('data-dropped', String(this.mark.droppedTokens));
    const { droppedTokens, promptTokens, memoryTokens } = this.mark;
    const memory = memoryTokens > 0 ? ` after the document's memory (${memoryTokens} tokens)` : '';
    el.title =
      `The model reads from here on${memory}: ${promptTokens} tokens in all. ` +
      `The ${droppedTokens} tokens before this point are outside its context window; the window moves forward in steps as you write.`;
    el.setAttribute('aria-label', 'The model reads from here');
    el.textContent = '⟩';
    return el;
  }

  override ignoreEvent(): boolean {
    return false;
  }
}

export const windowMarkField = StateField.define<WindowMark | null>({
  create: () => null,
  update(value, tr) {
    let next = value;
    if (next && tr.docChanged) next = { ...next, pos: tr.changes.mapPos(next.pos, -1) };
    for (const e of tr.effects) if (e.is(setWindowMark)) next = e.value;
    if (next && next.pos > tr.state.doc.length) next = null;
    return next;
  },
  provide: (f) =>
    EditorView.decorations.from(f, (mark): DecorationSet =>
      mark
        ? Decoration.set([Decoration.widget({ widget: new WindowStartWidget(mark), side: -1 }).range(mark.pos)])
        : Decoration.none,
    ),
});

export const windowMarker = [windowMarkField];
