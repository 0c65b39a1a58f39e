/**
 * Generated tokens in the document: each piece of text the model wrote (an accepted suggestion, an
 * inserted card, a branch) keeps, per token, its probability and the model's top alternatives, as
 * mark decorations that follow the text through edits. Editing inside a token forgets it (its
 * numbers no longer describe the text). Hovering one shows the alternatives (popup.ts).
 */
import { StateEffect, StateField, type EditorState, type Transaction } from '@codemirror/state';
import { Decoration, EditorView, type DecorationSet } from '@codemirror/view';
import type { TokenChoice } from '../../../electron/api';
import { acceptedGhost, ghostOf } from '../editor/ghost-text';

export interface TokenInfo {
  text: string;
  logprob: number;
  /** The model's top choices at this point (filled in when the generation finishes). */
  top: TokenChoice[];
  /** 1 = the model's first choice; null when unknown. */
  rank?: number | null;
}

/** Where tokens come from for ghost-text acceptance: the recorder of completion streams. */
export interface TokenSource {
  tokens(requestId: string, alternative: number): TokenInfo[] | null;
}

/** Adds generated tokens laid end to end from `from`. */
export const recordTokens = StateEffect.define<{ from: number; tokens: readonly TokenInfo[] }>({
  map: (v, change) => ({ ...v, from: change.mapPos(v.from, 1) }),
});

export const clearTokens = StateEffect.define<null>();

const genMark = (info: TokenInfo) =>
  Decoration.mark({ class: 'cm-gen', info, inclusiveStart: false, inclusiveEnd: false });

/** Marks for `tokens` starting at `from`, restricted to [lo, hi) when given (partial accepts). */
export function tokenRanges(from: number, tokens: readonly TokenInfo[], lo = -Infinity, hi = Infinity) {
  const out = [];
  let at = from;
  for (const t of tokens) {
    const a = Math.max(at, lo);
    const b = Math.min(at + t.text.length, hi);
    if (b > a) out.push(genMark(t).range(a, b));
    at += t.text.length;
  }
  return out;
}

/** Drops marks that an edit touched (inserting right next to a token keeps it). */
export function dropTouched(set: DecorationSet, tr: Transaction): DecorationSet {
  if (!tr.docChanged) return set;
  let out = set.map(tr.changes);
  tr.changes.iterChangedRanges((_fa, _ta, fromB, toB) => {
    out = out.update({ filterFrom: fromB, filterTo: toB, filter: (f, t) => t <= fromB || f >= toB || f === t });
  });
  return out;
}

/** The tokens an accepted suggestion (all of it or one word) put into the document. */
function acceptedTokens(tr: Transaction, source: TokenSource | null) {
  if (!source || !tr.annotation(acceptedGhost)) return [];
  const ghost = ghostOf(tr.startState);
  if (!ghost) return [];
  const tokens = source.tokens(ghost.requestId, ghost.index);
  if (!tokens) return [];
  let inserted: { at: number; length: number } | null = null;
  tr.changes.iterChanges((_fa, _ta, fromB, _tb, text) => {
    inserted ??= { at: fromB, length: text.length };
  });
  if (!inserted) return [];
  const { at, length } = inserted as { at: number; length: number };
  // The accepted text starts `accepted.length` characters into the alternative.
  const offset = ghost.accepted.length;
  return tokenRanges(at - offset, tokens, at, at + length);
}

export function generatedTokens(source: TokenSource | null): StateField<DecorationSet> {
  return StateField.define<DecorationSet>({
    create: () => Decoration.none,
    update(value, tr) {
      let set = dropTouched(value, tr);
      const accepted = acceptedTokens(tr, source);
      if (accepted.length) set = set.update({ add: accepted, sort: true });
      for (const e of tr.effects) {
        if (e.is(recordTokens)) {
          const len = tr.state.doc.length;
          const add = tokenRanges(e.value.from, e.value.tokens).filter((r) => r.to <= len);
          set = set.update({ add, sort: true, filter: (f, t) => !add.some((r) => r.from < t && r.to > f) });
        } else if (e.is(clearTokens)) {
          set = Decoration.none;
        }
      }
      return set;
    },
    provide: (f) => EditorView.decorations.from(f),
  });
}

export interface FoundToken {
  from: number;
  to: number;
  info: TokenInfo;
}

/** The marked range at `pos` in a decoration set (a position at a token's end counts when `side` < 0). */
export function markAt(set: DecorationSet, pos: number, side: -1 | 1 = 1): FoundToken | null {
  let found: FoundToken | null = null;
  set.between(Math.max(0, pos - 1), pos + 1, (from, to, value) => {
    const inside = side > 0 ? from <= pos && pos < to : from < pos && pos <= to;
    if (inside && !found)
      found = {
        from,
        to,
        info: (value.spec as { info?: TokenInfo; span?: TokenInfo }).info ?? (value.spec as { span: TokenInfo }).span,
      };
  });
  return found;
}

/** The end of the run of generated tokens that contains [from, to): where a branch stops replacing. */
export function runEnd(
  state: EditorState,
  field: StateField<DecorationSet>,
  to: number,
): { end: number; tokens: number } {
  const set = state.field(field, false) ?? Decoration.none;
  let end = to;
  let tokens = 0;
  for (;;) {
    let next: number | null = null;
    set.between(end, end + 1, (from, t) => {
      if (from === end && t > end) next = t;
    });
    if (next === null) break;
    end = next;
    tokens++;
  }
  return { end, tokens };
}
