/**
 * One CodeMirror state per document: undo history, soft wrap, Markdown for .md, search, the
 * ghost-text extension, and a listener that reports edits and cursor moves to the app.
 */
import { Compartment, EditorState, Facet, type Extension } from '@codemirror/state';
import { EditorView, drawSelection, dropCursor, keymap, placeholder, type ViewUpdate } from '@codemirror/view';
import { defaultKeymap, history, historyKeymap, indentLess, indentMore } from '@codemirror/commands';
import { markdown } from '@codemirror/lang-markdown';
import { highlightSelectionMatches, search, searchKeymap } from '@codemirror/search';
import { ghostText, type GhostTextConfig } from './ghost-text';
import { editorTheme } from './theme';
import { windowMarker } from './windowMarker';
import { generationsField } from './generations/state';
import { createFindPanel, findPanelTheme } from '../desk/findPanel';

/** Which document a state belongs to (the view swaps states when the writer switches tabs). */
export const docIdFacet = Facet.define<string, string>({ combine: (v) => v[0] ?? '' });

export type Language = 'markdown' | 'text';

export function languageFor(name: string): Language {
  return /\.(md|markdown|mdown|mkd)$/i.test(name) ? 'markdown' : 'text';
}

const language = new Compartment();

function languageExtension(lang: Language): Extension {
  return lang === 'markdown' ? markdown() : [];
}

export interface EditorHooks {
  ghost: GhostTextConfig;
  /** The document's text changed (typing, accept, undo, paste...). */
  onChange(docId: string, update: ViewUpdate): void;
  /** The cursor moved or the text changed: the context figure may change. */
  onCursor(docId: string, update: ViewUpdate): void;
  /** More extensions for every document (the side panel's probability views). */
  extensions?: Extension[];
}

export function createDocState(docId: string, text: string, name: string, hooks: EditorHooks): EditorState {
  return EditorState.create({
    doc: text,
    extensions: [
      docIdFacet.of(docId),
      history(),
      drawSelection(),
      dropCursor(),
      EditorView.lineWrapping,
      EditorState.allowMultipleSelections.of(false),
      EditorView.contentAttributes.of({
        'aria-label': `Text of ${name}`,
        // Focusable in the tab order by name too, not only as contenteditable: assistive checks (axe's
        // scrollable-region-focusable) look for it on the scroller of a long document.
        tabindex: '0',
        spellcheck: 'true',
        autocorrect: 'on',
        autocapitalize: 'sentences',
      }),
      placeholder('Start writing. Press Tab (or Ctrl/Cmd+Space) and the model continues from the cursor.'),
      search({ top: true, createPanel: createFindPanel }),
      findPanelTheme,
      highlightSelectionMatches(),
      ghostText(hooks.ghost),
      generationsField,
      windowMarker,
      keymap.of([
        ...searchKeymap,
        ...historyKeymap,
        // Tab reaches here only when the ghost-text keymap declined it (start of a line, a selection).
        { key: 'Tab', run: indentMore, shift: indentLess },
        ...defaultKeymap,
      ]),
      language.of(languageExtension(languageFor(name))),
      editorTheme(),
      ...(hooks.extensions ?? []),
      EditorView.updateListener.of((u) => {
        const id = u.state.facet(docIdFacet);
        if (u.docChanged) hooks.onChange(id, u);
        if (u.docChanged || u.selectionSet) hooks.onCursor(id, u);
      }),
    ],
  });
}

/** The transaction that switches a document's language after a rename (save as .md / .txt). */
export function setLanguage(name: string) {
  return { effects: language.reconfigure(languageExtension(languageFor(name))) };
}
