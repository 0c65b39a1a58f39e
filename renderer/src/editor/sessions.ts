/**
 * The editor sessions: one EditorState per open document and the one EditorView that shows the
 * active document. Switching tabs stores the view's state and installs the other one, so each
 * document keeps its own undo history, cursor and scroll-free state. Implements `DocumentTexts`
 * for the documents store, and tells its listeners (the documents store, the generation history,
 * the context figure) when a document is created, edited, moved in or dropped: the sessions know
 * nothing of who listens.
 */
import { isolateHistory } from '@codemirror/commands';
import type { EditorState, TransactionSpec } from '@codemirror/state';
import type { EditorView, ViewUpdate } from '@codemirror/view';
import type { Unsubscribe } from '../../../electron/api';
import type { DocumentTexts } from '../stores/documents';
import { clearGhost } from './ghost-text';
import { createDocState, docIdFacet, setLanguage, type EditorHooks } from './setup';

/** What every document's state is built with. */
export type SessionConfig = Pick<EditorHooks, 'ghost' | 'extensions'>;

export interface SessionListener {
  /** A document's state was created (its generation history is loaded then). */
  created?(docId: string): void;
  /** The document's text changed (typing, accept, undo, paste...). */
  changed?(docId: string, update: ViewUpdate): void;
  /** The cursor moved or the text changed. */
  cursor?(docId: string, update: ViewUpdate): void;
  /** A document is about to be dropped (closed): its state is still readable. */
  dropped?(docId: string): void;
}

export class EditorSessions implements DocumentTexts {
  private readonly states = new Map<string, EditorState>();
  private view: EditorView | null = null;
  private readonly listeners = new Set<SessionListener>();
  private readonly hooks: EditorHooks;

  constructor(config: SessionConfig) {
    this.hooks = {
      ...config,
      onChange: (docId, u) => this.listeners.forEach((l) => l.changed?.(docId, u)),
      onCursor: (docId, u) => this.listeners.forEach((l) => l.cursor?.(docId, u)),
    };
  }

  listen(listener: SessionListener): Unsubscribe {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** The document the view shows, if any. */
  get shownId(): string | null {
    return this.view ? this.view.state.facet(docIdFacet) || null : null;
  }

  get editorView(): EditorView | null {
    return this.view;
  }

  attach(view: EditorView): void {
    this.view = view;
  }

  detach(): void {
    if (this.view) this.stash();
    this.view = null;
  }

  private current(docId: string): EditorState | null {
    if (this.view && this.shownId === docId) return this.view.state;
    return this.states.get(docId) ?? null;
  }

  /** Keep the shown document's state (minus any suggestion: its request is cancelled). */
  private stash(): void {
    const view = this.view;
    const id = this.shownId;
    if (!view || !id || !this.states.has(id)) return;
    view.dispatch({ effects: clearGhost.of(null) });
    this.states.set(id, view.state);
  }

  /** Shows `docId` in the view (no-op if it already does). */
  show(docId: string): void {
    const view = this.view;
    const state = this.states.get(docId);
    if (!view || !state || this.shownId === docId) return;
    this.stash();
    view.setState(this.states.get(docId)!);
  }

  create(docId: string, text: string, name: string): void {
    this.states.set(docId, createDocState(docId, text, name, this.hooks));
    this.listeners.forEach((l) => l.created?.(docId));
  }

  /** The document's editor state (the view's while it is shown). */
  stateOf(docId: string): EditorState | null {
    return this.current(docId);
  }

  /** Applies a transaction to a document, shown or not (false when it is not open). */
  apply(docId: string, spec: TransactionSpec): boolean {
    if (this.view && this.shownId === docId) {
      this.view.dispatch(spec);
      return true;
    }
    const s = this.states.get(docId);
    if (!s) return false;
    this.states.set(docId, s.update(spec).state);
    return true;
  }

  text(docId: string): string | null {
    return this.current(docId)?.doc.toString() ?? null;
  }

  length(docId: string): number | null {
    return this.current(docId)?.doc.length ?? null;
  }

  /**
   * Replaces the text with `text` in one transaction (one undo step), changing only the span
   * between the common start and end, so the cursor and the rest keep their places.
   */
  replace(docId: string, text: string): void {
    const state = this.current(docId);
    if (!state) return;
    const old = state.doc.toString();
    if (old === text) return;
    let start = 0;
    const max = Math.min(old.length, text.length);
    while (start < max && old.charCodeAt(start) === text.charCodeAt(start)) start++;
    let end = 0;
    while (end < max - start && old.charCodeAt(old.length - 1 - end) === text.charCodeAt(text.length - 1 - end)) end++;
    this.apply(docId, {
      changes: { from: start, to: old.length - end, insert: text.slice(start, text.length - end) },
      effects: clearGhost.of(null),
      annotations: isolateHistory.of('full'),
      userEvent: 'input.reload',
    });
  }

  renamed(docId: string, name: string): void {
    if (this.view && this.shownId === docId) {
      this.view.dispatch(setLanguage(name));
      this.states.set(docId, this.view.state);
    } else {
      const s = this.states.get(docId);
      if (s) this.states.set(docId, s.update(setLanguage(name)).state);
    }
  }

  drop(docId: string): void {
    if (this.view && this.shownId === docId) this.view.dispatch({ effects: clearGhost.of(null) });
    this.listeners.forEach((l) => l.dropped?.(docId));
    this.states.delete(docId);
  }

  has(docId: string): boolean {
    return this.states.has(docId);
  }
}
