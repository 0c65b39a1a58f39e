/**
 * Ghost text, the state half: what suggestion is showing, where, and how it changes.
 *
 * Pattern (after codemirror-copilot's inline-suggestion, written fresh): one StateField holds the
 * suggestion; StateEffects are the only way to set or grow it; any document change or cursor move
 * that the suggestion did not make itself clears it. Because a cleared field forgets its request
 * id, events that arrive for a stale request find no match and are dropped.
 *
 * A suggestion may stand in for text already there (Retry: `GhostReplace`). That text stays in the
 * document, struck through, until the suggestion is accepted, which replaces it in the same
 * transaction; every other way the suggestion ends leaves the document as it was.
 *
 * This file imports only @codemirror/state so it can be tested without a DOM.
 */
import {
  Annotation,
  EditorSelection,
  StateEffect,
  StateField,
  Transaction,
  type EditorState,
  type TransactionSpec,
} from '@codemirror/state';
import { isolateHistory } from '@codemirror/commands';

/**
 * A suggestion offered in place of text that is already in the document (Retry). Until it is
 * accepted that text stays where it is, shown struck through, so dismissing the suggestion in any
 * way (Esc, typing, a failure) needs no change to the document and leaves no undo step.
 */
export interface GhostReplace {
  /** The text accepting replaces (in one transaction, one undo step). */
  from: number;
  to: number;
  /** Who asked (the generation history's place id), handed back with the accepted text. */
  id: string;
  /** The selection before the retry put the cursor at `to`: dismissing the suggestion puts it back. */
  back: EditorSelection;
}

export interface GhostSuggestion {
  /** The request that feeds this suggestion (events for any other id are ignored). */
  requestId: string;
  /** Full text of every alternative since the request started (grows while streaming). */
  alternatives: string[];
  /** Index into `alternatives` of the one on show. */
  index: number;
  /** Document position the ghost text sits at (moves forward as words are accepted). */
  pos: number;
  /** Text already accepted word by word; only alternatives that start with it are offered. */
  accepted: string;
  /** `docVersion` when the request started; a mismatched start is stale and dropped. */
  docVersion: number;
  /** True while the engine is still producing tokens. */
  pending: boolean;
  /** Per alternative, where each streamed token ends (characters into the alternative); for the size label. */
  tokenEnds?: number[][];
  /** Set while the suggestion would replace text (Retry); gone once a first piece of it is taken. */
  replace?: GhostReplace;
  /**
   * Set when the request broke off before it finished (a server's stream was cut): the text on show
   * is what arrived, offered as any suggestion is, and `cut` says who stopped, for the note.
   */
  cut?: GhostCut;
}

/** Who broke a suggestion off mid-way: a remote server, or the engine. */
export type GhostCut = 'server' | 'engine';

/** Marks transactions the ghost-text extension makes itself (they don't clear the suggestion). */
export const ghostAnnotation = Annotation.define<true>();

/** What an accepting transaction put into the document (the generation history and token marks read it). */
export interface AcceptedGhost {
  requestId: string;
  /** The alternative it came from, and every alternative as it stood (the others are the history's "not chosen"). */
  alternative: number;
  alternatives: readonly string[];
  /** Where the inserted text starts, and the text. */
  from: number;
  text: string;
  /** True for the first piece of this suggestion the writer took (a word, a line or all of it). */
  first: boolean;
  /** A retry's first piece: the text it replaced (before, it stood at `from`), and for whom (GhostReplace.id). */
  replaced?: { id: string; text: string };
}

/** Carried by every transaction that accepts ghost text, whole or in part. */
export const acceptedGhost = Annotation.define<AcceptedGhost>();

export const startGhost = StateEffect.define<{
  requestId: string;
  pos: number;
  docVersion: number;
  count: number;
  replace?: GhostReplace;
}>();
/**
 * Streamed tokens: `text` is appended to alternative `alternative`. `tokens`, when given, is the
 * length of each token in `text` (several tokens arrive together, once per frame).
 */
export const appendGhost = StateEffect.define<{
  requestId: string;
  alternative: number;
  text: string;
  tokens?: number[];
}>();
/**
 * The request ended. `alternatives`, when given, replaces the streamed text with the final one;
 * `cut`, when it broke off before it finished (what arrived stays on show, marked).
 */
export const finishGhost = StateEffect.define<{ requestId: string; alternatives?: string[]; cut?: GhostCut }>();
/** Clears the suggestion; with a requestId, only if it is that request's. */
export const clearGhost = StateEffect.define<{ requestId?: string } | null>();
export const cycleGhost = StateEffect.define<1 | -1>();
/** Internal: `text` at the front of the suggestion was accepted into the document. */
const advanceGhost = StateEffect.define<{ requestId: string; text: string }>();

/** Counts document changes, so a request can tell whether the text moved under it. */
export const docVersionField = StateField.define<number>({
  create: () => 0,
  update: (v, tr) => (tr.docChanged ? v + 1 : v),
});

/** Alternatives still compatible with what was accepted word by word. */
export function compatibleIndices(s: GhostSuggestion): number[] {
  const out: number[] = [];
  s.alternatives.forEach((text, i) => {
    // While streaming, an alternative shorter than the accepted prefix may still grow into it.
    if (text.startsWith(s.accepted) || (s.pending && s.accepted.startsWith(text))) out.push(i);
  });
  return out;
}

/** The text the writer sees (and Tab would insert): the shown alternative minus what was accepted. */
export function visibleText(s: GhostSuggestion): string {
  const text = s.alternatives[s.index] ?? '';
  return text.startsWith(s.accepted) ? text.slice(s.accepted.length) : '';
}

/** Nothing left to show and nothing coming: the suggestion should disappear. */
function exhausted(s: GhostSuggestion): boolean {
  return !s.pending && compatibleIndices(s).every((i) => visibleText({ ...s, index: i }) === '');
}

/** After the set of compatible alternatives changed, keep the index on one that has something. */
function settle(s: GhostSuggestion): GhostSuggestion | null {
  if (exhausted(s)) return null;
  const ok = compatibleIndices(s);
  if (ok.includes(s.index) && (s.pending || visibleText(s) !== '')) return s;
  const withText = ok.find((i) => visibleText({ ...s, index: i }) !== '');
  return { ...s, index: withText ?? ok[0] ?? 0 };
}

function cursorMoved(tr: Transaction): boolean {
  return tr.selection !== undefined && !tr.selection.main.eq(tr.startState.selection.main);
}

export const ghostField = StateField.define<GhostSuggestion | null>({
  create: () => null,
  update(value, tr) {
    let s = value;
    // The writer typed, deleted, pasted, undid, or moved the cursor: the suggestion no longer fits.
    if (s && !tr.annotation(ghostAnnotation) && (tr.docChanged || cursorMoved(tr))) s = null;
    for (const e of tr.effects) {
      if (e.is(startGhost)) {
        const { requestId, pos, docVersion, count, replace } = e.value;
        // (tr.state is not readable inside a field's update: compare against the start state.)
        const stale =
          tr.docChanged ||
          docVersion !== tr.startState.field(docVersionField, false) ||
          pos !== tr.newSelection.main.head;
        if (!stale) {
          s = {
            requestId,
            alternatives: new Array<string>(Math.max(1, count)).fill(''),
            index: 0,
            pos,
            accepted: '',
            docVersion,
            pending: true,
            ...(replace ? { replace } : {}),
          };
        }
      } else if (e.is(appendGhost)) {
        if (s && s.requestId === e.value.requestId && e.value.alternative >= 0 && e.value.text) {
          const alternatives = s.alternatives.slice();
          while (alternatives.length <= e.value.alternative) alternatives.push('');
          const base = alternatives[e.value.alternative].length;
          alternatives[e.value.alternative] += e.value.text;
          let tokenEnds = s.tokenEnds;
          if (e.value.tokens?.length) {
            tokenEnds = (s.tokenEnds ?? []).slice();
            while (tokenEnds.length <= e.value.alternative) tokenEnds.push([]);
            const ends = tokenEnds[e.value.alternative].slice();
            let at = base;
            for (const n of e.value.tokens) ends.push((at += n));
            tokenEnds[e.value.alternative] = ends;
          }
          s = settle({ ...s, alternatives, ...(tokenEnds ? { tokenEnds } : {}) });
        }
      } else if (e.is(finishGhost)) {
        if (s && s.requestId === e.value.requestId) {
          const cut = e.value.cut ? { cut: e.value.cut } : {};
          s = settle({ ...s, alternatives: e.value.alternatives ?? s.alternatives, pending: false, ...cut });
        }
      } else if (e.is(clearGhost)) {
        if (s && (!e.value?.requestId || e.value.requestId === s.requestId)) s = null;
      } else if (e.is(cycleGhost)) {
        if (s) {
          const ok = compatibleIndices(s);
          if (ok.length > 1) {
            const at = Math.max(0, ok.indexOf(s.index));
            s = { ...s, index: ok[(at + e.value + ok.length) % ok.length] };
          }
        }
      } else if (e.is(advanceGhost)) {
        if (s && s.requestId === e.value.requestId) {
          // A retry's first piece replaced the old text: the rest follows the piece, and replaces nothing.
          const { replace, ...rest } = s;
          const pos = (replace ? replace.from : s.pos) + e.value.text.length;
          s = settle({ ...rest, accepted: s.accepted + e.value.text, pos });
        }
      }
    }
    return s;
  },
});

/** The suggestion, if one is active in `state`. */
export function ghostOf(state: EditorState): GhostSuggestion | null {
  return state.field(ghostField, false) ?? null;
}

/**
 * The transaction that starts a suggestion at the cursor for `requestId`; with `replace` (Retry), one
 * that would replace that text: the cursor goes to its end, where the suggestion shows after it.
 */
export function startSpec(
  state: EditorState,
  requestId: string,
  count: number,
  replace?: GhostReplace,
): TransactionSpec {
  const docVersion = state.field(docVersionField);
  if (!replace) return { effects: startGhost.of({ requestId, pos: state.selection.main.head, docVersion, count }) };
  return {
    effects: startGhost.of({ requestId, pos: replace.to, docVersion, count, replace }),
    selection: EditorSelection.cursor(replace.to),
    scrollIntoView: true,
  };
}

/** Where the cursor goes when a retry's suggestion ends untaken: where it was before the retry. */
function backSpec(state: EditorState, s: GhostSuggestion): TransactionSpec {
  const back = s.replace?.back;
  // (The document has not changed since: any change the suggestion did not make clears it.)
  if (!back || back.ranges.some((r) => r.to > state.doc.length)) return {};
  return { selection: back, scrollIntoView: true };
}

/**
 * Dismisses the suggestion (only `requestId`'s, when given): Esc, or its request failed. A retry's
 * suggestion also puts the cursor back where it was before the retry; the text it would have
 * replaced never left the document. Null when there is no such suggestion.
 */
export function dismissSpec(state: EditorState, requestId?: string): TransactionSpec | null {
  const s = ghostOf(state);
  if (!s || (requestId !== undefined && s.requestId !== requestId)) return null;
  return { effects: clearGhost.of({ requestId: s.requestId }), ...backSpec(state, s) };
}

/**
 * The request ended (`alternatives`: the final texts; `cut`: it broke off mid-way, and what arrived
 * stays on show, marked). When that leaves a retry with nothing to show (the model wrote nothing),
 * the cursor goes back as it does on Esc. The document is never changed here.
 */
export function finishSpec(
  state: EditorState,
  requestId: string,
  alternatives?: string[],
  cut?: GhostCut,
): TransactionSpec {
  const effects = finishGhost.of({ requestId, ...(alternatives ? { alternatives } : {}), ...(cut ? { cut } : {}) });
  const s = ghostOf(state);
  if (!s?.replace || s.requestId !== requestId || ghostOf(state.update({ effects }).state)) return { effects };
  return { effects, ...backSpec(state, s) };
}

/**
 * The transaction that accepts `text` (the front of the visible suggestion).
 *
 * Undo takes back a whole generation, however many pieces the writer took it in. CodeMirror's
 * history joins a change to the event before it only when the change has no user event (or a
 * typing one), is adjacent, and comes within `newGroupDelay` of the history's clock. So the first
 * piece is isolated on both sides; each later piece of the same suggestion carries no user event
 * and the clock time 0, which is within the delay of the clock an isolated history holds (0): it
 * joins the piece before it. Every piece isolates after itself, so typing after it — at any speed —
 * is a step of its own.
 */
function takeSpec(state: EditorState, s: GhostSuggestion, text: string, effect: StateEffect<unknown>): TransactionSpec {
  const first = s.accepted === '';
  // A retry's first piece replaces the old text in the same transaction (so one undo brings it back).
  const r = s.replace;
  const from = r ? r.from : s.pos;
  const info: AcceptedGhost = {
    requestId: s.requestId,
    alternative: s.index,
    alternatives: s.alternatives,
    from,
    text,
    first,
    ...(r ? { replaced: { id: r.id, text: state.doc.sliceString(r.from, r.to) } } : {}),
  };
  return {
    changes: { from, to: r ? r.to : from, insert: text },
    selection: EditorSelection.cursor(from + text.length),
    effects: effect,
    annotations: [
      ghostAnnotation.of(true),
      acceptedGhost.of(info),
      ...(first ? [isolateHistory.of('full')] : [isolateHistory.of('after'), Transaction.time.of(0)]),
    ],
    ...(first ? { userEvent: 'input.complete' } : {}),
    scrollIntoView: true,
  };
}

/**
 * Accept the whole visible suggestion: one transaction (one undo step, isolated from the typing
 * around it, joined to words of it taken before), cursor after the inserted text, suggestion
 * cleared. Null when there is nothing to accept.
 */
export function acceptSpec(state: EditorState): TransactionSpec | null {
  const s = ghostOf(state);
  if (!s) return null;
  const text = visibleText(s);
  if (!text) return null;
  return takeSpec(state, s, text, clearGhost.of({ requestId: s.requestId }));
}

/** The next word of `text`: leading whitespace (newlines included) plus one run of non-space. */
export function nextWord(text: string): string {
  const m = /^\s*\S+/u.exec(text);
  return m ? m[0] : text;
}

/**
 * The next line of `text` (Copilot's "accept next line"): up to and including the first line break
 * after some text. Leading line breaks come with it, so a suggestion that starts a new paragraph
 * gives its first line; a suggestion without a line break is taken whole.
 */
export function nextLine(text: string): string {
  const m = /^\s*[^\n]*\n?/u.exec(text);
  return m && m[0] ? m[0] : text;
}

/** Accept only the front of the suggestion (`piece` picks it); the rest stays on show (and keeps streaming). */
function acceptPieceSpec(state: EditorState, piece: (text: string) => string): TransactionSpec | null {
  const s = ghostOf(state);
  if (!s) return null;
  const text = piece(visibleText(s));
  if (!text) return null;
  return takeSpec(state, s, text, advanceGhost.of({ requestId: s.requestId, text }));
}

/** Accept only the next word; the rest stays on show (and keeps streaming). */
export function acceptWordSpec(state: EditorState): TransactionSpec | null {
  return acceptPieceSpec(state, nextWord);
}

/** Accept only the next line; the rest stays on show (and keeps streaming). */
export function acceptLineSpec(state: EditorState): TransactionSpec | null {
  return acceptPieceSpec(state, nextLine);
}

/** Words and tokens of the visible suggestion, for its quiet label ("12 words · 18 tokens"). */
export function suggestionSize(text: string, tokens: number | null): string {
  const words = countWords(text);
  const w = `${words} word${words === 1 ? '' : 's'}`;
  return tokens === null ? w : `${w} · ${tokens} token${tokens === 1 ? '' : 's'}`;
}

/** Tokens in the visible part of the suggestion on show, or null when they were not counted. */
export function visibleTokens(s: GhostSuggestion): number | null {
  const ends = s.tokenEnds?.[s.index];
  if (!ends?.length) return null;
  const text = s.alternatives[s.index] ?? '';
  // A token the accepted prefix cut in half still has its rest on show: count it.
  return (
    ends.filter((end) => end > s.accepted.length && end <= text.length).length +
    (ends[ends.length - 1] < text.length ? 1 : 0)
  );
}

/**
 * The note under a suggestion that was broken off mid-way, in words: who stopped, after how much of
 * the alternative on show, and what Tab does ("The server stopped after 12 words; Tab keeps what arrived.").
 */
export function cutNote(cut: GhostCut, arrived: string): string {
  const who = cut === 'server' ? 'The server' : 'The engine';
  const words = countWords(arrived);
  const after = words > 0 ? `after ${words} word${words === 1 ? '' : 's'}` : 'before finishing';
  return `${who} stopped ${after}; Tab keeps what arrived.`;
}

/** Words as writers count them: runs of letters, digits, apostrophes and hyphens (so "don't" is one). */
export function countWords(text: string): number {
  return text.match(/[\p{L}\p{N}][\p{L}\p{N}\p{M}'’-]*/gu)?.length ?? 0;
}

/** Show the next (1) or previous (-1) alternative; null when there is only one. */
export function cycleSpec(state: EditorState, dir: 1 | -1): TransactionSpec | null {
  const s = ghostOf(state);
  if (!s || compatibleIndices(s).length < 2) return null;
  return { effects: cycleGhost.of(dir), annotations: ghostAnnotation.of(true) };
}

/** What the indicator shows: position of the current alternative among the compatible ones. */
export function ghostPosition(s: GhostSuggestion): { current: number; total: number } {
  const ok = compatibleIndices(s);
  return { current: Math.max(0, ok.indexOf(s.index)) + 1, total: ok.length };
}
