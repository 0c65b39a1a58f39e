/**
 * The peer: a bare CodeMirror 6 editor with the basic extensions Inkling's editor also has (undo
 * history, drawn selection, line wrapping, Markdown with CodeMirror's default highlighting, the
 * default and history keymaps) and none of Inkling's own (ghost text, window marker, search panel,
 * word counts, React around it). Its page is laid out like Inkling's editor (a theme with the
 * same column width, font, size, line height and padding, so as many lines wrap and as many are on
 * screen). Bundled by ../pages.ts; the bench calls `__peer.open(text)`.
 */
import { defaultKeymap, history, historyKeymap } from '@codemirror/commands';
import { markdown } from '@codemirror/lang-markdown';
import { defaultHighlightStyle, syntaxHighlighting } from '@codemirror/language';
import { EditorState } from '@codemirror/state';
import { drawSelection, EditorView, keymap } from '@codemirror/view';

export interface PeerWindow {
  __peer: { open(text: string): void };
}

/** The geometry of renderer/src/editor/theme.ts, with its CSS variables' values (renderer/src/styles). */
const page = EditorView.theme({
  '&': { height: '100%', fontSize: '18px' },
  '&.cm-focused': { outline: 'none' },
  '.cm-scroller': {
    fontFamily: "'Iowan Old Style', 'Palatino Linotype', Palatino, Charter, 'Noto Serif', Georgia, serif",
    lineHeight: '1.7',
    overflowX: 'hidden',
  },
  '.cm-content': { maxWidth: '68ch', margin: '0 auto', padding: '3.5rem 2rem 40vh' },
  '.cm-line': { padding: '0' },
});

let view: EditorView | null = null;

(window as unknown as PeerWindow).__peer = {
  open(text: string) {
    view?.destroy();
    view = new EditorView({
      parent: document.getElementById('editor')!,
      state: EditorState.create({
        doc: text,
        extensions: [
          history(),
          drawSelection(),
          EditorView.lineWrapping,
          markdown(),
          syntaxHighlighting(defaultHighlightStyle),
          keymap.of([...historyKeymap, ...defaultKeymap]),
          page,
        ],
      }),
    });
  },
};
