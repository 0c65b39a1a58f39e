/**
 * Find and replace (Ctrl/Cmd+F): CodeMirror's search, with a panel drawn in the app's own style that
 * says how many matches there are and which one is selected ("3 of 12"). The searching itself is
 * @codemirror/search's (SearchQuery, findNext, replaceAll…); this file is only the panel.
 *
 * Keys in the panel: Enter / Shift+Enter next / previous match, Enter in Replace replaces the match
 * and moves on, Ctrl/Cmd+Alt+Enter replaces all, Esc closes and goes back to the text.
 */
import type { EditorState } from '@codemirror/state';
import { EditorView, type Panel, type ViewUpdate } from '@codemirror/view';
import {
  SearchQuery,
  closeSearchPanel,
  findNext,
  findPrevious,
  getSearchQuery,
  replaceAll,
  replaceNext,
  setSearchQuery,
} from '@codemirror/search';

/** Counting stops here (a search for "e" in a novel): the panel then says "10,000+". */
export const MATCH_LIMIT = 10_000;

export interface MatchCount {
  total: number;
  /** 1-based index of the match the selection is on, 0 when it is on none. */
  current: number;
  /** More than MATCH_LIMIT matches. */
  capped: boolean;
  /** The query is not a valid regular expression. */
  invalid: boolean;
}

export function countMatches(state: EditorState, query: SearchQuery, limit = MATCH_LIMIT): MatchCount {
  if (!query.search) return { total: 0, current: 0, capped: false, invalid: false };
  if (!query.valid) return { total: 0, current: 0, capped: false, invalid: true };
  const sel = state.selection.main;
  const cursor = query.getCursor(state);
  let total = 0;
  let current = 0;
  for (let r = cursor.next(); !r.done; r = cursor.next()) {
    total++;
    if (r.value.from === sel.from && r.value.to === sel.to) current = total;
    if (total >= limit) return { total, current, capped: true, invalid: false };
  }
  return { total, current, capped: false, invalid: false };
}

export function matchLabel(c: MatchCount, hasQuery: boolean): string {
  if (!hasQuery) return '';
  if (c.invalid) return 'Not a valid pattern';
  if (c.total === 0) return 'No matches';
  const total = `${c.total.toLocaleString('en-US')}${c.capped ? '+' : ''}`;
  return c.current ? `${c.current.toLocaleString('en-US')} of ${total}` : `${total} match${c.total === 1 ? '' : 'es'}`;
}

function el<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs: Record<string, string>,
  ...children: (Node | string)[]
): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, v);
  node.append(...children);
  return node;
}

class FindPanel implements Panel {
  readonly dom: HTMLElement;
  readonly top = true;
  private readonly find: HTMLInputElement;
  private readonly replace: HTMLInputElement;
  private readonly caseBox: HTMLInputElement;
  private readonly regexBox: HTMLInputElement;
  private readonly wordBox: HTMLInputElement;
  private readonly count: HTMLElement;
  private query: SearchQuery;

  constructor(private readonly view: EditorView) {
    this.query = getSearchQuery(view.state);
    const input = (label: string, value: string, testId: string, main = false) =>
      el('input', {
        type: 'text',
        class: 'find-input',
        'aria-label': label,
        placeholder: label,
        value,
        'data-testid': testId,
        spellcheck: 'false',
        ...(main ? { 'main-field': 'true' } : {}),
      });
    const box = (label: string, title: string, checked: boolean, testId: string) => {
      const b = el('input', { type: 'checkbox', 'data-testid': testId });
      b.checked = checked;
      return { box: b, label: el('label', { class: 'find-option', title }, b, label) };
    };
    const button = (label: string, title: string, testId: string, run: () => void) => {
      const b = el('button', { type: 'button', class: 'find-button', title, 'data-testid': testId }, label);
      b.addEventListener('click', run);
      return b;
    };
    this.find = input('Find', this.query.search, 'find-input', true);
    this.replace = input('Replace with', this.query.replace, 'replace-input');
    const cs = box('Aa', 'Match upper and lower case exactly', this.query.caseSensitive, 'find-case');
    const re = box('.*', 'Regular expression', this.query.regexp, 'find-regexp');
    const wd = box('Word', 'Whole words only', this.query.wholeWord, 'find-word');
    this.caseBox = cs.box;
    this.regexBox = re.box;
    this.wordBox = wd.box;
    this.count = el('span', {
      class: 'find-count',
      role: 'status',
      'aria-live': 'polite',
      'data-testid': 'find-count',
    });
    this.dom = el(
      'div',
      { class: 'find-panel', role: 'search', 'aria-label': 'Find and replace', 'data-testid': 'find-panel' },
      el(
        'div',
        { class: 'find-row' },
        this.find,
        this.count,
        button('↑', 'Previous match (Shift+Enter)', 'find-previous', () => findPrevious(this.view)),
        button('↓', 'Next match (Enter)', 'find-next', () => findNext(this.view)),
        cs.label,
        re.label,
        wd.label,
        button('×', 'Close (Esc)', 'find-close', () => closeSearchPanel(this.view)),
      ),
      el(
        'div',
        { class: 'find-row' },
        this.replace,
        button('Replace', 'Replace this match and go to the next (Enter in the Replace field)', 'replace-next', () =>
          replaceNext(this.view),
        ),
        button('Replace all', 'Replace every match (Ctrl/Cmd+Alt+Enter)', 'replace-all', () => replaceAll(this.view)),
      ),
    );
    for (const field of [this.find, this.replace]) field.addEventListener('input', () => this.commit());
    for (const b of [this.caseBox, this.regexBox, this.wordBox]) b.addEventListener('change', () => this.commit());
    this.dom.addEventListener('keydown', (e) => this.keydown(e));
    this.showCount();
  }

  private commit(): void {
    const query = new SearchQuery({
      search: this.find.value,
      replace: this.replace.value,
      caseSensitive: this.caseBox.checked,
      regexp: this.regexBox.checked,
      wholeWord: this.wordBox.checked,
    });
    if (query.eq(this.query)) return;
    this.query = query;
    this.view.dispatch({ effects: setSearchQuery.of(query) });
  }

  private keydown(e: KeyboardEvent): void {
    const mod = e.ctrlKey || e.metaKey;
    if (e.key === 'Escape') {
      e.preventDefault();
      closeSearchPanel(this.view);
      this.view.focus();
    } else if (e.key === 'Enter' && mod && e.altKey) {
      e.preventDefault();
      replaceAll(this.view);
    } else if (e.key === 'Enter' && e.target === this.find) {
      e.preventDefault();
      (e.shiftKey ? findPrevious : findNext)(this.view);
    } else if (e.key === 'Enter' && e.target === this.replace) {
      e.preventDefault();
      replaceNext(this.view);
    }
  }

  private showCount(): void {
    const c = countMatches(this.view.state, this.query);
    this.count.textContent = matchLabel(c, this.query.search !== '');
    this.count.dataset.total = String(c.total);
    this.count.dataset.current = String(c.current);
    this.dom.classList.toggle('find-none', this.query.search !== '' && c.total === 0);
  }

  update(u: ViewUpdate): void {
    for (const tr of u.transactions) {
      for (const e of tr.effects) {
        if (e.is(setSearchQuery) && !e.value.eq(this.query)) {
          this.query = e.value;
          this.find.value = e.value.search;
          this.replace.value = e.value.replace;
          this.caseBox.checked = e.value.caseSensitive;
          this.regexBox.checked = e.value.regexp;
          this.wordBox.checked = e.value.wholeWord;
        }
      }
    }
    if (u.docChanged || u.selectionSet || u.transactions.some((tr) => tr.effects.some((e) => e.is(setSearchQuery))))
      this.showCount();
  }

  mount(): void {
    this.find.select();
  }

  get pos(): number {
    return 80;
  }
}

export function createFindPanel(view: EditorView): Panel {
  return new FindPanel(view);
}

/** The panel in the app's colours (variables from styles/app.css, so both themes follow). */
export const findPanelTheme = EditorView.theme({
  '.cm-panels': { backgroundColor: 'var(--chrome)', color: 'var(--ink)' },
  '.cm-panels.cm-panels-top': { borderBottom: '1px solid var(--rule)' },
  '.find-panel': {
    display: 'flex',
    flexDirection: 'column',
    gap: '6px',
    padding: '8px 12px',
    font: '13px/1.4 var(--ui-font)',
  },
  '.find-row': { display: 'flex', alignItems: 'center', gap: '6px', flexWrap: 'wrap' },
  '.find-input': {
    width: '22em',
    maxWidth: '60vw',
    padding: '4px 8px',
    border: '1px solid var(--rule)',
    borderRadius: '6px',
    background: 'var(--paper)',
    color: 'var(--ink)',
    font: 'inherit',
  },
  '.find-input:focus': { outline: '2px solid var(--accent)', outlineOffset: '0' },
  '.find-none .find-input[main-field]': { borderColor: 'var(--danger)' },
  '.find-count': { minWidth: '7em', color: 'var(--ink-soft)', fontVariantNumeric: 'tabular-nums' },
  '.find-button': {
    padding: '3px 10px',
    border: '1px solid var(--rule)',
    borderRadius: '6px',
    background: 'var(--paper)',
    color: 'var(--ink)',
    font: 'inherit',
    cursor: 'pointer',
  },
  '.find-button:hover': { background: 'var(--chrome-strong)' },
  '.find-option': {
    display: 'inline-flex',
    alignItems: 'center',
    gap: '3px',
    color: 'var(--ink-soft)',
    cursor: 'pointer',
  },
  '.cm-searchMatch': { backgroundColor: 'var(--match)' },
  '.cm-searchMatch.cm-searchMatch-selected': { backgroundColor: 'var(--match-strong)' },
});
