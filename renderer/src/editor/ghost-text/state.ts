/**
 * Ghost text, the state half: what suggestion is showing, where, and how it changes.
 *
 * Pattern (after codemirror-copilot's inline-suggestion, written fresh): one StateField holds the
 * suggestion; StateEffects are the only way to set or grow it; any document change or cursor move
 * that the suggestion did not make itself clears it. Because a cleared field forgets its request
 * id, events that arrive for a stale request find no match and are dropped.
 *
 * This file imports only @codemirror/state so it can be tested without a DOM.
 */
import {
  Annotation,
  EditorSelection,
  StateEffect,
  StateField,
  type EditorState,
  type Transaction,
  type TransactionSpec,
} from '@codemirror/state';
import { isolateHistory } from '@codemirror/commands';

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
}

/** Marks transactions the ghost-text extension makes itself (they don't clear the suggestion). */
export const ghostAnnotation = Annotation.define<true>();

export const startGhost = StateEffect.define<{ requestId: string; pos: number; docVersion: number; count: number }>();
/** A streamed token: `text` is appended to alternative `alternative`. */
export const appendGhost = StateEffect.define<{ requestId: string; alternative: number; text: string }>();
/** The request ended. `alternatives`, when given, replaces the streamed text with the final one. */
export const finishGhost = StateEffect.define<{ requestId: string; alternatives?: string[] }>();
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
        const { requestId, pos, docVersion, count } = e.value;
        // (tr.state is not readable inside a field's update: compare against the start state.)
        const stale =
          tr.docChanged || docVersion !== tr.startState.field(docVersionField, false) || pos !== tr.newSelection.main.head;
        if (!stale) {
          s = { requestId, alternatives: new Array<string>(Math.max(1, count)).fill(''), index: 0, pos, accepted: '', docVersion, pending: true };
        }
      } else if (e.is(appendGhost)) {
        if (s && s.requestId === e.value.requestId && e.value.alternative >= 0 && e.value.text) {
          const alternatives = s.alternatives.slice();
          while (alternatives.length <= e.value.alternative) alternatives.push('');
          alternatives[e.value.alternative] += e.value.text;
          s = settle({ ...s, alternatives });
        }
      } else if (e.is(finishGhost)) {
        if (s && s.requestId === e.value.requestId) {
          s = settle({ ...s, alternatives: e.value.alternatives ?? s.alternatives, pending: false });
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
          s = settle({ ...s, accepted: s.accepted + e.value.text, pos: s.pos + e.value.text.length });
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

/** The transaction that starts a suggestion at the cursor for `requestId`. */
export function startSpec(state: EditorState, requestId: string, count: number): TransactionSpec {
  return {
    effects: startGhost.of({ requestId, pos: state.selection.main.head, docVersion: state.field(docVersionField), count }),
  };
}

/**
 * Accept the whole visible suggestion: one transaction (one undo step, isolated from the typing
 * around it), cursor after the inserted text, suggestion cleared. Null when there is nothing to accept.
 */
export function acceptSpec(state: EditorState): TransactionSpec | null {
  const s = ghostOf(state);
  if (!s) return null;
  const text = visibleText(s);
  if (!text) return null;
  return {
    changes: { from: s.pos, insert: text },
    selection: EditorSelection.cursor(s.pos + text.length),
    effects: clearGhost.of({ requestId: s.requestId }),
    annotations: [ghostAnnotation.of(true), isolateHistory.of('full')],
    userEvent: 'input.complete',
    scrollIntoView: true,
  };
}

/** The next word of `text`: leading whitespace (newlines included) plus one run of non-space. */
export function nextWord(text: string): string {
  const m = /^\s*\S+/u.exec(text);
  return m ? m[0] : text;
}

/** Accept only the next word; the rest stays on show (and keeps streaming). */
export function acceptWordSpec(state: EditorState): TransactionSpec | null {
  const s = ghostOf(state);
  if (!s) return null;
  const word = nextWord(visibleText(s));
  if (!word) return null;
  return {
    changes: { from: s.pos, insert: word },
    selection: EditorSelection.cursor(s.pos + word.length),
    effects: advanceGhost.of({ requestId: s.requestId, text: word }),
    annotations: [ghostAnnotation.of(true), isolateHistory.of('full')],
    userEvent: 'input.complete',
    scrollIntoView: true,
  };
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
