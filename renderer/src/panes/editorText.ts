/**
 * What the panes read from and write to the editor: the selection, the paragraph at the cursor or
 * the whole document as a task's source; inserting a result at a place, below a paragraph, or in
 * place of its source (only while the source is unchanged). Each write is one undo step.
 */
import { isolateHistory } from '@codemirror/commands';
import type { Text } from '@codemirror/state';
import type { EditorView } from '@codemirror/view';
import { generatedText, type GeneratedText } from '../editor/generations/state';

/** How an insertion goes into the generation history (a pane's result unless said otherwise). */
export type Generated = Omit<GeneratedText, 'text'>;
const PANE: Generated = { source: 'pane' };

export type SourceKind = 'selection' | 'paragraph' | 'document';

export interface Source {
  kind: SourceKind;
  text: string;
  from: number;
  to: number;
}

/** The paragraph (lines between blank lines) around `pos`, trimmed of surrounding blank space. */
export function paragraphAt(doc: Text, pos: number): { from: number; to: number } {
  const blank = (n: number) => doc.line(n).text.trim() === '';
  let first = doc.lineAt(pos).number;
  let last = first;
  if (blank(first)) {
    // On an empty line: the paragraph just above, as the writer most likely just finished it.
    while (first > 1 && blank(first)) first--;
    last = first;
  }
  while (first > 1 && !blank(first - 1)) first--;
  while (last < doc.lines && !blank(last + 1)) last++;
  return { from: doc.line(first).from, to: doc.line(last).to };
}

/** Whether doc[from, to) holds anything but white space (reads only up to the first such character). */
export function hasText(doc: Text, from: number, to: number): boolean {
  for (let it = doc.iterRange(from, to); !it.next().done;) if (/\S/.test(it.value)) return true;
  return false;
}

/** What a pane shows of its source as the writer types: no copy of a whole document per key press. */
export interface SourceView {
  kind: SourceKind;
  from: number;
  to: number;
  /** The start of the text, trimmed, at most 600 characters. */
  preview: string;
  /** Nothing but white space: nothing to run on. */
  blank: boolean;
}

const PREVIEW = 600;

/** `readSource`'s choice and a preview, reading only the start of the text it names. */
export function viewSource(view: Pick<EditorView, 'state'>, fallback: 'paragraph' | 'document'): SourceView {
  const { doc, selection } = view.state;
  const sel = selection.main;
  let kind: SourceKind;
  let range: { from: number; to: number };
  if (!sel.empty && hasText(doc, sel.from, sel.to)) {
    kind = 'selection';
    range = sel;
  } else if (fallback === 'paragraph') {
    kind = 'paragraph';
    range = paragraphAt(doc, sel.head);
  } else {
    kind = 'document';
    range = { from: 0, to: doc.length };
  }
  const { from, to } = range;
  // Leading white space is skipped without reading the rest: the preview starts at the first word.
  let start = from;
  for (let it = doc.iterRange(from, to); !it.next().done;) {
    const m = /\S/.exec(it.value);
    if (m) {
      start += m.index;
      break;
    }
    start += it.value.length;
  }
  // Exactly the source's text trimmed, then cut at PREVIEW characters.
  const head = doc.sliceString(start, Math.min(to, start + PREVIEW));
  const preview = start + PREVIEW < to && hasText(doc, start + PREVIEW, to) ? head : head.trimEnd();
  return { kind, from, to, preview, blank: start >= to };
}

/** The selection if there is one; else the paragraph at the cursor ('paragraph') or the document. */
export function readSource(view: Pick<EditorView, 'state'>, fallback: 'paragraph' | 'document'): Source {
  const { doc, selection } = view.state;
  const sel = selection.main;
  if (!sel.empty && hasText(doc, sel.from, sel.to)) {
    return { kind: 'selection', text: doc.sliceString(sel.from, sel.to), from: sel.from, to: sel.to };
  }
  if (fallback === 'paragraph') {
    const p = paragraphAt(doc, sel.head);
    return { kind: 'paragraph', text: doc.sliceString(p.from, p.to), from: p.from, to: p.to };
  }
  return { kind: 'document', text: doc.toString(), from: 0, to: doc.length };
}

function write(
  view: EditorView,
  from: number,
  to: number,
  insert: string,
  cursorAt: number,
  text: string,
  how: Generated,
): void {
  view.dispatch({
    changes: { from, to, insert },
    selection: { anchor: cursorAt },
    annotations: [isolateHistory.of('full'), generatedText.of({ ...how, text })],
    userEvent: 'input.generated',
    scrollIntoView: true,
  });
}

/** Inserts `text` at `pos`; returns where it starts. */
export function insertAt(view: EditorView, pos: number, text: string, how: Generated = PANE): number {
  const at = Math.min(pos, view.state.doc.length);
  write(view, at, at, text, at + text.length, text, how);
  return at;
}

/** Inserts `text` as a new paragraph after the line holding `pos`. Returns where the text starts. */
export function insertBelow(view: EditorView, pos: number, text: string, how: Generated = PANE): number {
  const doc = view.state.doc;
  const end = doc.lineAt(Math.min(pos, doc.length)).to;
  const before = end === 0 ? '' : '\n\n';
  write(view, end, end, before + text, end + before.length + text.length, text, how);
  return end + before.length;
}

/** Replaces [from, to) with `text` if it still holds `expected`; false when the source changed. */
export function replaceSource(view: EditorView, source: Source, text: string, how: Generated = PANE): boolean {
  if (source.to > view.state.doc.length || view.state.doc.sliceString(source.from, source.to) !== source.text)
    return false;
  write(view, source.from, source.to, text, source.from + text.length, text, how);
  return true;
}

export async function copyText(text: string): Promise<boolean> {
  try {
    await navigator.clipboard.writeText(text);
    return true;
  } catch {
    // Clipboard permission refused (e.g. an insecure context): the old way.
    const area = document.createElement('textarea');
    area.value = text;
    area.style.position = 'fixed';
    area.style.opacity = '0';
    document.body.append(area);
    area.select();
    const ok = document.execCommand('copy');
    area.remove();
    return ok;
  }
}
