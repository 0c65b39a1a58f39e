/**
 * Ghost text, the view half: the greyed widget at the cursor, the keys, and the request lifecycle
 * (cancel the request in flight whenever its suggestion disappears; auto-suggest after a pause).
 *
 * Keys (highest precedence, each returns false when it has nothing to do so normal editing runs):
 *   Tab           accept the suggestion on show; with none, ask for one — except at the start of a
 *                 line or with a selection, where Tab indents as usual (Ctrl/Cmd+Space always asks)
 *   Ctrl/Cmd+Space ask for a (new) suggestion
 *   Ctrl/Cmd+→    accept the next word
 *   Ctrl/Cmd+Shift+→ accept the next line
 *   Alt+] / Alt+[ next / previous alternative
 *   Esc           dismiss the suggestion and stop the generation (after Retry: the struck text
 *                 stays, and the cursor goes back where it was)
 *
 * A retry's suggestion (`requestReplacement`) shows after the text it would replace, which is
 * struck through until Tab takes the suggestion in its place. A suggestion the engine broke off
 * mid-way (a server's stream was cut) stays on show with a note saying so; the keys work as usual.
 */
import { Facet, Prec, type EditorState, type Extension } from '@codemirror/state';
import { Decoration, EditorView, ViewPlugin, WidgetType, keymap, type ViewUpdate } from '@codemirror/view';
import {
  acceptLineSpec,
  acceptSpec,
  acceptWordSpec,
  cutNote,
  cycleSpec,
  dismissSpec,
  docVersionField,
  finishGhost,
  ghostAnnotation,
  ghostField,
  ghostOf,
  ghostPosition,
  startSpec,
  suggestionSize,
  visibleText,
  visibleTokens,
  type GhostReplace,
} from './state';

export interface SuggestionRequest {
  requestId: string;
  /** The text before the suggestion's place (the cursor, or the start of the text a retry replaces): what the model continues. */
  textBefore: string;
  pos: number;
  view: EditorView;
}

export interface GhostTextConfig {
  /** Start generating for `request` (its events come back as appendGhost/finishGhost effects). */
  onRequest(request: SuggestionRequest): void;
  /** Stop the generation for `requestId`: its suggestion was dismissed, replaced or typed over. */
  onCancel(requestId: string): void;
  /** How many alternatives a request in this document asks for (the slots shown until tokens arrive). */
  alternatives(state: EditorState): number;
  /** Auto-suggest after a pause in typing (read at each keystroke, so settings apply at once). */
  autoSuggest(): { enabled: boolean; delayMs: number };
  newRequestId?(): string;
}

export const ghostTextConfig = Facet.define<GhostTextConfig, GhostTextConfig | null>({
  combine: (values) => values[0] ?? null,
});

let counter = 0;
function defaultRequestId(): string {
  counter += 1;
  return `r${Date.now().toString(36)}-${counter}`;
}

/** Ask for a suggestion at the cursor (replacing any suggestion or request in flight). */
export function requestSuggestion(view: EditorView): boolean {
  return request(view);
}

/**
 * Ask for a suggestion to take the place of `replace`'s text (Retry): the model continues the text
 * before it, the cursor goes to its end, and the text stays, struck through, until Tab replaces it.
 */
export function requestReplacement(view: EditorView, replace: GhostReplace): boolean {
  return request(view, replace);
}

function request(view: EditorView, replace?: GhostReplace): boolean {
  const config = view.state.facet(ghostTextConfig);
  if (!config) return false;
  const requestId = (config.newRequestId ?? defaultRequestId)();
  const pos = replace ? replace.from : view.state.selection.main.head;
  const start = startSpec(view.state, requestId, config.alternatives(view.state), replace);
  view.dispatch({
    ...start,
    selection: start.selection ?? { anchor: view.state.selection.main.head },
    annotations: ghostAnnotation.of(true),
  });
  const s = ghostOf(view.state);
  if (s?.requestId === requestId) {
    config.onRequest({ requestId, textBefore: view.state.doc.sliceString(0, pos), pos, view });
  }
  return true;
}

export function acceptSuggestion(view: EditorView): boolean {
  const spec = acceptSpec(view.state);
  if (!spec) return false;
  view.dispatch(spec);
  return true;
}

export function acceptSuggestionWord(view: EditorView): boolean {
  const spec = acceptWordSpec(view.state);
  if (!spec) return false;
  view.dispatch(spec);
  return true;
}

export function acceptSuggestionLine(view: EditorView): boolean {
  const spec = acceptLineSpec(view.state);
  if (!spec) return false;
  view.dispatch(spec);
  return true;
}

export function dismissSuggestion(view: EditorView): boolean {
  const spec = dismissSpec(view.state);
  if (!spec) return false;
  view.dispatch(spec);
  return true;
}

function cycle(dir: 1 | -1) {
  return (view: EditorView): boolean => {
    const spec = cycleSpec(view.state, dir);
    if (!spec) return Boolean(ghostOf(view.state)); // swallow the key while a suggestion is up
    view.dispatch(spec);
    return true;
  };
}

/** Tab: accept, wait, indent, or ask — see the header comment. */
export function tabCommand(view: EditorView): boolean {
  const s = ghostOf(view.state);
  if (s) {
    if (acceptSuggestion(view)) return true;
    return true; // request in flight, nothing to show yet: don't let Tab indent under it
  }
  const sel = view.state.selection.main;
  if (!sel.empty) return false;
  const line = view.state.doc.lineAt(sel.head);
  const before = view.state.sliceDoc(line.from, sel.head);
  if (/^\s*$/.test(before)) return false; // start of a line: indent as usual
  return requestSuggestion(view);
}

class GhostWidget extends WidgetType {
  constructor(
    readonly text: string,
    readonly current: number,
    readonly total: number,
    readonly pending: boolean,
    readonly size: string,
    /** A retry's suggestion: the struck text before it is what Tab replaces. */
    readonly replacing: boolean,
    /** The request broke off mid-way: the note saying so ("" when it did not). */
    readonly cut: string,
  ) {
    super();
  }
  override eq(other: GhostWidget): boolean {
    return (
      other.text === this.text &&
      other.current === this.current &&
      other.total === this.total &&
      other.pending === this.pending &&
      other.size === this.size &&
      other.replacing === this.replacing &&
      other.cut === this.cut
    );
  }
  toDOM(): HTMLElement {
    const wrap = document.createElement('span');
    wrap.className = 'cm-ghost';
    wrap.setAttribute('data-testid', 'ghost-text');
    wrap.title = this.replacing
      ? 'Retry — Tab puts this in place of the struck-through text, Ctrl/Cmd+→ takes a word, Alt+] / Alt+[ cycle, Alt+R asks again, Esc keeps the text as it was'
      : 'Suggestion — Tab accepts, Ctrl/Cmd+→ accepts a word, Ctrl/Cmd+Shift+→ a line, Alt+] / Alt+[ cycle, Esc dismisses';
    if (this.replacing) wrap.setAttribute('data-replacing', 'true');
    if (this.cut) {
      wrap.setAttribute('data-cut', 'true');
      wrap.title = `${this.cut} It is only part of a suggestion: Tab accepts it, Ctrl/Cmd+→ a word, Esc dismisses it; the document changes only if you accept.`;
    }
    const body = document.createElement('span');
    body.className = 'cm-ghost-text';
    body.textContent = this.text;
    wrap.appendChild(body);
    if (this.pending) {
      const dots = document.createElement('span');
      dots.className = 'cm-ghost-pending';
      dots.setAttribute('aria-label', 'Generating');
      dots.textContent = '…';
      wrap.appendChild(dots);
    }
    if (this.size) {
      const size = document.createElement('span');
      size.className = 'cm-ghost-size';
      size.setAttribute('data-testid', 'ghost-size');
      size.textContent = this.size;
      wrap.appendChild(size);
    }
    if (this.replacing) {
      const hint = document.createElement('span');
      hint.className = 'cm-ghost-hint';
      hint.setAttribute('data-testid', 'retry-hint');
      hint.textContent = 'Tab replaces · Esc keeps';
      wrap.appendChild(hint);
    }
    if (this.total > 1) {
      const count = document.createElement('span');
      count.className = 'cm-ghost-count';
      count.setAttribute('data-testid', 'ghost-count');
      count.textContent = `${this.current}/${this.total}`;
      count.title = 'Alternative shown — Alt+] next, Alt+[ previous';
      wrap.appendChild(count);
    }
    if (this.cut) {
      const note = document.createElement('span');
      note.className = 'cm-ghost-cut';
      note.setAttribute('data-testid', 'ghost-cut');
      note.textContent = this.cut;
      wrap.appendChild(note);
    }
    return wrap;
  }
}

/** The text a retry's suggestion would replace: still in the document, struck through. */
const replacedMark = Decoration.mark({
  class: 'cm-ghost-replaced',
  attributes: { 'data-testid': 'retry-replaced', title: 'Retry: Tab replaces this text, Esc keeps it' },
});

const ghostDecorations = EditorView.decorations.compute([ghostField], (state) => {
  const s = ghostOf(state);
  if (!s) return Decoration.none;
  const { current, total } = ghostPosition(s);
  const text = visibleText(s);
  const size = text.trim() ? suggestionSize(text, visibleTokens(s)) : '';
  const r = s.replace;
  const cut = s.cut ? cutNote(s.cut, s.alternatives[s.index] ?? '') : '';
  const widget = new GhostWidget(text, current, total, s.pending, size, Boolean(r), cut);
  const marks = r && r.from < r.to ? [replacedMark.range(r.from, r.to)] : [];
  return Decoration.set([...marks, Decoration.widget({ widget, side: 1 }).range(s.pos)], true);
});

/** True when `update` carries the end of `requestId` (then it needs no cancelling). */
function finishedIn(update: ViewUpdate, requestId: string): boolean {
  return update.transactions.some((tr) => tr.effects.some((e) => e.is(finishGhost) && e.value.requestId === requestId));
}

/** Cancels requests whose suggestion went away, and runs the auto-suggest timer. */
const lifecycle = ViewPlugin.fromClass(
  class {
    private timer: ReturnType<typeof setTimeout> | null = null;
    constructor(readonly view: EditorView) {}
    update(u: ViewUpdate): void {
      const config = u.state.facet(ghostTextConfig);
      const before = ghostOf(u.startState);
      const after = ghostOf(u.state);
      if (before?.pending && after?.requestId !== before.requestId && !finishedIn(u, before.requestId))
        config?.onCancel(before.requestId);
      if (u.docChanged || u.selectionSet) this.clearTimer();
      const typed = u.transactions.some((tr) => tr.isUserEvent('input.type') || tr.isUserEvent('input.paste'));
      if (config && typed && !after) {
        const auto = config.autoSuggest();
        if (auto.enabled) this.timer = setTimeout(() => this.fire(), auto.delayMs);
      }
    }
    private fire(): void {
      this.timer = null;
      const { state } = this.view;
      if (ghostOf(state) || !state.selection.main.empty || !this.view.hasFocus) return;
      if (state.selection.main.head === 0) return;
      requestSuggestion(this.view);
    }
    private clearTimer(): void {
      if (this.timer) clearTimeout(this.timer);
      this.timer = null;
    }
    destroy(): void {
      this.clearTimer();
      const s = ghostOf(this.view.state);
      if (s?.pending) this.view.state.facet(ghostTextConfig)?.onCancel(s.requestId);
    }
  },
);

const ghostKeymap = Prec.highest(
  keymap.of([
    { key: 'Tab', run: tabCommand },
    { key: 'Mod-Space', run: requestSuggestion },
    // On macOS Cmd+Space usually belongs to Spotlight; Ctrl+Space asks there too.
    { key: 'Ctrl-Space', run: requestSuggestion },
    { key: 'Mod-ArrowRight', run: acceptSuggestionWord },
    { key: 'Mod-Shift-ArrowRight', run: acceptSuggestionLine },
    { key: 'Alt-]', run: cycle(1) },
    { key: 'Alt-[', run: cycle(-1) },
    { key: 'Escape', run: dismissSuggestion },
  ]),
);

const ghostTheme = EditorView.baseTheme({
  '.cm-ghost': { pointerEvents: 'none' },
  '.cm-ghost-text': { opacity: '0.45', whiteSpace: 'pre-wrap' },
  '.cm-ghost-pending': { opacity: '0.45', animation: 'cm-ghost-pulse 1.2s ease-in-out infinite' },
  '.cm-ghost-size': {
    marginLeft: '0.6em',
    fontSize: '0.7em',
    fontFamily: 'system-ui, sans-serif',
    verticalAlign: 'middle',
    // Quiet but readable: the app's secondary text colour (at least 4.5:1 on the page), not faded ink.
    color: 'var(--ink-soft, currentColor)',
    whiteSpace: 'nowrap',
  },
  '.cm-ghost-replaced': {
    textDecoration: 'line-through',
    textDecorationThickness: '1px',
    // Faded by colour, not opacity: it is still text the writer reads (4.5:1 on the page; 0.55 opacity gave 3.6:1).
    color: 'var(--ink-faint, currentColor)',
  },
  '.cm-ghost-cut': {
    marginLeft: '0.6em',
    fontSize: '0.7em',
    fontFamily: 'system-ui, sans-serif',
    verticalAlign: 'middle',
    color: 'var(--ink-soft, currentColor)',
    fontStyle: 'italic',
    whiteSpace: 'nowrap',
  },
  '.cm-ghost-hint': {
    marginLeft: '0.6em',
    fontSize: '0.7em',
    fontFamily: 'system-ui, sans-serif',
    verticalAlign: 'middle',
    color: 'var(--ink-soft, currentColor)',
    whiteSpace: 'nowrap',
  },
  '.cm-ghost-count': {
    marginLeft: '0.5em',
    padding: '0 0.35em',
    fontSize: '0.7em',
    fontFamily: 'system-ui, sans-serif',
    verticalAlign: 'middle',
    borderRadius: '0.5em',
    border: '1px solid currentColor',
    opacity: '0.5',
  },
  '@keyframes cm-ghost-pulse': { '0%, 100%': { opacity: '0.2' }, '50%': { opacity: '0.6' } },
});

/** The whole ghost-text feature; give it a config with `ghostTextConfig.of(...)` (or pass one here). */
export function ghostText(config?: GhostTextConfig): Extension {
  return [
    docVersionField,
    ghostField,
    ghostDecorations,
    lifecycle,
    ghostKeymap,
    ghostTheme,
    config ? ghostTextConfig.of(config) : [],
  ];
}
