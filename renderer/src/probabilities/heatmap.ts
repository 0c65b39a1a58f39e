/**
 * The heat map: the document tinted by how surprising each token is to the model, in GLTR's rank
 * buckets (top-10, top-100, top-1000, beyond). Scoring runs in the engine process over the whole
 * document, part by part (each part read with the document before it): here a view plugin asks for
 * the next parts after a pause in typing — the visible ones first —, tints each as it arrives, drops answers for text that
 * changed meanwhile (and cancels the host's queued request), so typing never waits. The host keeps
 * scored parts, so after an edit only the parts around it are scored again. Colours follow the text
 * through edits and vanish where the text was edited, until the next scoring.
 */
import { StateEffect, StateField, type Text } from '@codemirror/state';
import {
  Decoration,
  EditorView,
  ViewPlugin,
  type DecorationSet,
  type PluginValue,
  type ViewUpdate,
} from '@codemirror/view';
import { errorCode, rankBucket, type InklingApi, type ScoredSpan } from '../../../electron/api';
import { ghostOf } from '../editor/ghost-text';
import { docIdFacet } from '../editor/setup';
import { Coverage } from './coverage';
import { dropTouched, type TokenInfo } from './tokens';
import type { ProbabilitiesStore } from './store';

/** The pause in typing before scoring (the engine runs one job at a time; a suggestion should not queue behind it). */
export const SCORE_DELAY_MS = 900;

export const setHeat = StateEffect.define<{ from: number; spans: readonly ScoredSpan[] }>();
/** One scored range of the document: its old colours go, the new ones come. */
export const addHeat = StateEffect.define<{ from: number; to: number; spans: readonly ScoredSpan[] }>();
export const clearHeat = StateEffect.define<null>();

const marks = [0, 1, 2, 3].map((b) => `cm-heat cm-heat-${b}`);

export function heatDecorations(offset: number, spans: readonly ScoredSpan[], docLength: number): DecorationSet {
  return Decoration.set(heatRanges(offset, spans, docLength), true);
}

function heatRanges(offset: number, spans: readonly ScoredSpan[], docLength: number) {
  const ranges = [];
  for (const s of spans) {
    const bucket = rankBucket(s.rank);
    if (bucket === null || s.logprob === null) continue;
    const from = offset + s.from;
    const to = offset + s.to;
    if (to > docLength || to <= from) continue;
    const span: TokenInfo = { text: '', logprob: s.logprob, top: s.top, rank: s.rank };
    ranges.push(
      Decoration.mark({ class: marks[bucket], span, attributes: { 'data-rank': String(s.rank) } }).range(from, to),
    );
  }
  return ranges;
}

export const heatField = StateField.define<DecorationSet>({
  create: () => Decoration.none,
  update(value, tr) {
    let set = dropTouched(value, tr);
    for (const e of tr.effects) {
      if (e.is(setHeat)) set = heatDecorations(e.value.from, e.value.spans, tr.state.doc.length);
      else if (e.is(addHeat)) {
        const { from, to, spans } = e.value;
        set = set.update({
          filter: (a, b) => b <= from || a >= to,
          filterFrom: from,
          filterTo: to,
          add: heatRanges(0, spans, tr.state.doc.length),
          sort: true,
        });
      } else if (e.is(clearHeat)) set = Decoration.none;
    }
    return set;
  },
  provide: (f) => EditorView.decorations.from(f),
});

let scoreSeq = 0;

/** Where the writer looks: the first visible character (the viewport's start before the first draw). */
function visibleStart(view: EditorView): number {
  return view.visibleRanges[0]?.from ?? view.viewport.from;
}

/**
 * Asks for scores while the heat map is on; one request at a time per view, stale answers dropped.
 * The visible part of the document is scored first, then on to the end, then from the start up to
 * it; scrolling elsewhere moves the next request there (each request computes at most one new part).
 */
export function heatScheduler(api: Pick<InklingApi, 'scoreText' | 'cancelTask'>, store: ProbabilitiesStore) {
  return ViewPlugin.fromClass(
    class implements PluginValue {
      private timer: ReturnType<typeof setTimeout> | null = null;
      private inFlight: { id: string; doc: Text } | null = null;
      /** What this pass has scored of the current text (cleared when the text changes). */
      private readonly coverage = new Coverage();
      /** The text the host last received for this document (later parts are asked with `sameText`). */
      private sent: Text | null = null;
      private readonly unsubscribe: () => void;

      constructor(private readonly view: EditorView) {
        this.unsubscribe = store.subscribe((s, prev) => {
          if (s.heatmap === prev.heatmap) return;
          if (s.heatmap) this.schedule(0);
          else {
            this.stop();
            // Off clears the colours, so on again starts a pass (the host answers from its parts).
            this.coverage.clear();
            this.view.dispatch({ effects: clearHeat.of(null) });
          }
        });
        if (store.getState().heatmap) this.schedule(0);
      }

      update(u: ViewUpdate) {
        if (!u.docChanged || !store.getState().heatmap) return;
        this.stop();
        this.coverage.clear();
        this.schedule(SCORE_DELAY_MS);
      }

      private stop() {
        if (this.timer) clearTimeout(this.timer);
        this.timer = null;
        if (this.inFlight) {
          // The host drops it if it is still waiting; an answer that arrives anyway is ignored.
          api.cancelTask(this.inFlight.id).catch(() => undefined);
          this.inFlight = null;
        }
      }

      private schedule(ms: number) {
        if (this.timer) clearTimeout(this.timer);
        this.timer = setTimeout(() => this.run(), ms);
      }

      private run() {
        this.timer = null;
        const view = this.view;
        const docId = view.state.facet(docIdFacet);
        const doc = view.state.doc;
        if (!docId || !store.getState().heatmap) return;
        if (ghostOf(view.state)?.pending) {
          // A suggestion is being written: it goes first, the scoring after it.
          this.schedule(SCORE_DELAY_MS);
          return;
        }
        if (doc.length === 0) {
          view.dispatch({ effects: clearHeat.of(null) });
          return;
        }
        const from = this.coverage.next(visibleStart(view), doc.length);
        if (from === null) return;
        const id = `heat-${++scoreSeq}`;
        this.inFlight = { id, doc };
        store.getState().scoring(true);
        // The whole document, sent once a pass (a 300,000-word text is 1.7 MB): the host keeps it,
        // its tokens and its scored parts between calls.
        const same = this.sent === doc;
        const request = same
          ? { requestId: id, docId, text: '', sameText: true, top: 5, from }
          : { requestId: id, docId, text: doc.toString(), top: 5, from };
        this.sent = null; // known again once the host has answered this request
        api.scoreText(request).then(
          (r) => {
            if (this.inFlight?.id !== id) return;
            this.inFlight = null;
            this.sent = doc;
            if (view.state.doc !== doc || !store.getState().heatmap) return;
            const range = r.range ?? { from, to: doc.length };
            view.dispatch({ effects: addHeat.of({ from: range.from, to: range.to, spans: r.spans }) });
            const parts = r.parts ?? [range];
            for (const p of parts) this.coverage.add(p.from, p.to);
            const total = r.progress?.total ?? 0;
            if (total > 0) store.getState().partScored({ done: Math.min(this.coverage.parts, total), total }, r.model);
            // Done when everything is scored, or when the host had nothing for `from` (nothing to go on with).
            const next = this.coverage.covers(from) ? this.coverage.next(visibleStart(view), doc.length) : null;
            if (next !== null) this.run();
            else store.getState().scored({ skippedChars: 0, model: r.model });
          },
          (e: unknown) => {
            if (this.inFlight?.id !== id) return;
            this.inFlight = null;
            // The host no longer has the text (it restarted): send it with the next request.
            if (same && errorCode(e) === 'not_found') this.run();
            // A suggestion pre-empted this scoring: go on once things are quiet.
            else if (errorCode(e) === 'cancelled') this.schedule(SCORE_DELAY_MS);
            else store.getState().failed(e);
          },
        );
      }

      destroy() {
        this.stop();
        this.unsubscribe();
      }
    },
  );
}
