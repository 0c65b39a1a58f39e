/**
 * The alternatives popup: hover a generated token (or any token while the heat map is on) to see
 * how likely it was and what the model would have written instead; click an alternative of a
 * generated token to branch from there. The same popup opens from the keyboard (tokens.inspect,
 * Alt+Enter by default) with its alternatives focusable: ↑/↓ to move, Enter to branch, Esc to close.
 */
import { StateEffect, StateField, type EditorState } from '@codemirror/state';
import { Decoration, EditorView, hoverTooltip, showTooltip, type DecorationSet, type Tooltip } from '@codemirror/view';
import type { TokenChoice } from '../../../electron/api';
import { heatField } from './heatmap';
import { markAt, type FoundToken } from './tokens';

export interface PopupActions {
  /** Replace the token and the generated text after it with `choice` and a new continuation. */
  branch(view: EditorView, found: FoundToken, choice: TokenChoice): void;
}

/** Spaces, line breaks and tabs made visible, so " the" and "the" look different. */
export function visibleToken(text: string): string {
  return text.replace(/ /g, '␣').replace(/\n/g, '↵').replace(/\t/g, '⇥') || '∅';
}

export function percent(logprob: number): string {
  const p = Math.exp(logprob) * 100;
  if (p >= 10) return `${p.toFixed(0)}%`;
  if (p >= 1) return `${p.toFixed(1)}%`;
  if (p >= 0.01) return `${p.toFixed(2)}%`;
  // Two significant digits below that (a random test model is spread very thin).
  return p >= 1e-6 ? `${Number(p.toPrecision(2))}%` : '<0.000001%';
}

interface Lookup {
  found: FoundToken;
  generated: boolean;
}

/** The token at `pos`: a generated one first, else a scored one from the heat map. */
export function lookupToken(
  state: EditorState,
  generated: StateField<DecorationSet>,
  pos: number,
  side: -1 | 1,
): Lookup | null {
  const gen = markAt(state.field(generated, false) ?? Decoration.none, pos, side);
  if (gen) return { found: gen, generated: true };
  const heat = markAt(state.field(heatField, false) ?? Decoration.none, pos, side);
  return heat ? { found: heat, generated: false } : null;
}

function el<K extends keyof HTMLElementTagNameMap>(tag: K, cls: string, text?: string): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  e.className = cls;
  if (text !== undefined) e.textContent = text;
  return e;
}

export function popupDom(
  view: EditorView,
  { found, generated }: Lookup,
  actions: PopupActions,
  opts: { keyboard?: boolean; close?: () => void } = {},
): HTMLElement {
  const text = view.state.doc.sliceString(found.from, found.to);
  const info = found.info;
  const root = el('div', 'cm-token-popup');
  root.dataset.testid = 'token-popup';
  root.setAttribute('role', 'dialog');
  root.setAttribute('aria-label', `Alternatives for “${text}”`);
  if (opts.keyboard) {
    root.tabIndex = -1;
    root.addEventListener('keydown', (e) => {
      const buttons = [...root.querySelectorAll<HTMLButtonElement>('button.cm-token-alt')];
      const at = buttons.indexOf(document.activeElement as HTMLButtonElement);
      if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
        e.preventDefault();
        const next = buttons[(at + (e.key === 'ArrowDown' ? 1 : -1) + buttons.length) % buttons.length];
        next?.focus();
      } else if (e.key === 'Escape') {
        e.preventDefault();
        e.stopPropagation();
        opts.close?.();
      }
    });
  }

  const head = el('div', 'cm-token-popup-head');
  head.append(el('span', 'cm-token-popup-token', visibleToken(text)));
  const rank =
    info.rank ??
    (() => {
      const i = info.top.findIndex((c) => c.text === text);
      return i >= 0 ? i + 1 : null;
    })();
  head.append(el('span', 'cm-token-popup-prob', `${percent(info.logprob)}${rank ? ` · rank ${rank}` : ''}`));
  root.append(head);

  if (info.top.length === 0) {
    root.append(el('p', 'cm-token-popup-hint', 'No alternatives were recorded for this token.'));
    return root;
  }
  const list = el('ul', 'cm-token-popup-list');
  list.setAttribute('role', 'list');
  const best = Math.exp(info.top[0].logprob);
  for (const choice of info.top) {
    const li = el('li', '');
    const button = el('button', 'cm-token-alt');
    button.type = 'button';
    button.dataset.testid = 'token-alternative';
    button.dataset.token = choice.text;
    const chosen = choice.text === text;
    if (chosen) button.classList.add('chosen');
    // A token that is only part of a character writes nothing on its own (the engine gives it no text).
    const partial = choice.text === '';
    // aria-disabled rather than disabled: the keyboard popup can still move through every row.
    const inert = !generated || chosen || partial;
    if (inert) button.setAttribute('aria-disabled', 'true');
    button.title = partial
      ? 'Part of a character (an emoji or accented letter, say) that takes more than one token; it writes nothing on its own'
      : generated
        ? chosen
          ? 'This is what the model wrote'
          : `Write “${choice.text}” here instead and let the model continue from it (the generated text after this token is replaced)`
        : 'The model would have considered this here';
    const bar = el('span', 'cm-token-alt-bar');
    bar.style.width = `${Math.max(2, Math.round((Math.exp(choice.logprob) / best) * 100))}%`;
    button.append(
      el('span', 'cm-token-alt-text', partial ? 'part of a character' : visibleToken(choice.text)),
      el('span', 'cm-token-alt-prob', percent(choice.logprob)),
      bar,
    );
    button.addEventListener('mousedown', (e) => e.preventDefault()); // keep the editor's selection
    button.addEventListener('click', () => {
      if (inert) return;
      opts.close?.();
      actions.branch(view, found, choice);
    });
    li.append(button);
    list.append(li);
  }
  root.append(list);
  root.append(
    el(
      'p',
      'cm-token-popup-hint',
      generated
        ? 'Click an alternative to rewrite from here.'
        : 'The heat map shows what the model expected. Branching works on generated text.',
    ),
  );
  return root;
}

/** Hover: the popup for the token under the pointer. */
export function tokenHover(generated: StateField<DecorationSet>, actions: PopupActions) {
  return hoverTooltip(
    (view, pos, side) => {
      const hit = lookupToken(view.state, generated, pos, side < 0 ? -1 : 1);
      if (!hit) return null;
      return {
        pos: hit.found.from,
        end: hit.found.to,
        above: true,
        create: (v) => ({ dom: popupDom(v, hit, actions) }),
      };
    },
    // Hidden on any edit: a branch rewrites the text under it.
    { hoverTime: 250, hideOnChange: true },
  );
}

/** Keyboard: the popup for the token at the cursor, opened by a command. */
export const openInspect = StateEffect.define<{ from: number; to: number } | null>();

export function inspectTooltip(generated: StateField<DecorationSet>, actions: PopupActions) {
  return StateField.define<{ from: number; to: number } | null>({
    create: () => null,
    update(value, tr) {
      let v = tr.docChanged ? null : value;
      for (const e of tr.effects) if (e.is(openInspect)) v = e.value;
      return v;
    },
    provide: (f) =>
      showTooltip.compute([f], (state): Tooltip | null => {
        const at = state.field(f);
        if (!at) return null;
        return {
          pos: at.from,
          end: at.to,
          above: true,
          create: (view) => {
            const hit = lookupToken(view.state, generated, at.from, 1);
            const close = () => {
              view.dispatch({ effects: openInspect.of(null) });
              view.focus();
            };
            const dom = hit ? popupDom(view, hit, actions, { keyboard: true, close }) : document.createElement('div');
            return {
              dom,
              mount: () =>
                (
                  dom.querySelector<HTMLButtonElement>('button:not([aria-disabled])') ??
                  dom.querySelector<HTMLElement>('button') ??
                  dom
                )?.focus(),
            };
          },
        };
      }),
  });
}

/** Opens the keyboard popup for the token at (or just before) the cursor; false when there is none. */
export function inspectAtCursor(view: EditorView, generated: StateField<DecorationSet>): boolean {
  const head = view.state.selection.main.head;
  const hit = lookupToken(view.state, generated, head, -1) ?? lookupToken(view.state, generated, head, 1);
  if (!hit) return false;
  view.dispatch({ effects: openInspect.of({ from: hit.found.from, to: hit.found.to }) });
  return true;
}
