/**
 * The editor's look: a page of prose, not a code editor. Colours and fonts come from CSS variables
 * set on <html> (renderer/src/styles/app.css), so switching light/dark or the font needs no
 * reconfiguration. Markdown is styled lightly: headings weigh more, emphasis is emphasis, markup
 * characters fade back.
 */
import { HighlightStyle, syntaxHighlighting } from '@codemirror/language';
import { EditorView } from '@codemirror/view';
import type { Extension } from '@codemirror/state';
// @lezer/highlight is a dependency of @codemirror/language (the tag set every language uses).
import { tags as t } from '@lezer/highlight';

const page = EditorView.theme({
  '&': {
    height: '100%',
    color: 'var(--ink)',
    backgroundColor: 'var(--paper)',
    fontSize: 'var(--editor-font-size)',
  },
  '&.cm-focused': { outline: 'none' },
  '.cm-scroller': {
    fontFamily: 'var(--editor-font)',
    lineHeight: '1.7',
    overflowX: 'hidden',
  },
  '.cm-content': {
    maxWidth: 'var(--measure)',
    margin: '0 auto',
    padding: '3.5rem 2rem 40vh',
    caretColor: 'var(--accent)',
  },
  '.cm-line': { padding: '0' },
  '.cm-cursor, .cm-dropCursor': { borderLeftColor: 'var(--accent)', borderLeftWidth: '2px' },
  '&.cm-focused > .cm-scroller > .cm-selectionLayer .cm-selectionBackground, .cm-selectionBackground, ::selection': {
    backgroundColor: 'var(--selection)',
  },
  '.cm-placeholder': { color: 'var(--ink-faint)', fontStyle: 'italic' },
  '.cm-ghost-text, .cm-ghost-pending': { color: 'var(--ghost)', opacity: '1' },
  '.cm-ghost-count': { color: 'var(--ink-faint)', opacity: '1' },
  // Where the model's window starts: a thin accent bar with a small chevron, readable but quiet.
  '.cm-window-start': {
    color: 'var(--accent)',
    borderLeft: '2px dotted var(--accent)',
    padding: '0 0.15em 0 0.1em',
    marginLeft: '0.05em',
    fontSize: '0.8em',
    fontFamily: 'var(--ui-font)',
    cursor: 'help',
    userSelect: 'none',
  },
  '.cm-panels': { backgroundColor: 'var(--chrome)', color: 'var(--ink)', fontFamily: 'var(--ui-font)' },
  '.cm-panels.cm-panels-top': { borderBottom: '1px solid var(--rule)' },
  '.cm-panels.cm-panels-bottom': { borderTop: '1px solid var(--rule)' },
  '.cm-searchMatch': { backgroundColor: 'var(--match)' },
  '.cm-searchMatch.cm-searchMatch-selected': { backgroundColor: 'var(--match-strong)' },
  '.cm-textfield, .cm-button': { fontFamily: 'var(--ui-font)' },
});

const prose = HighlightStyle.define([
  { tag: t.heading1, fontSize: '1.6em', fontWeight: '700', lineHeight: '1.3' },
  { tag: t.heading2, fontSize: '1.3em', fontWeight: '700' },
  { tag: [t.heading3, t.heading4, t.heading5, t.heading6], fontWeight: '700' },
  { tag: t.emphasis, fontStyle: 'italic' },
  { tag: t.strong, fontWeight: '700' },
  { tag: t.strikethrough, textDecoration: 'line-through' },
  { tag: [t.link, t.url], color: 'var(--accent)' },
  { tag: t.quote, color: 'var(--ink-soft)', fontStyle: 'italic' },
  { tag: t.monospace, fontFamily: 'var(--mono-font)', fontSize: '0.88em' },
  { tag: [t.processingInstruction, t.meta, t.contentSeparator], color: 'var(--ink-faint)' },
  { tag: t.list, color: 'var(--ink-soft)' },
]);

export function editorTheme(): Extension {
  return [page, syntaxHighlighting(prose)];
}
