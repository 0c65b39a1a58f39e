/**
 * The bridge between the ghost-text extension and the host: starts `complete` requests, routes the
 * streamed token events into the view that asked, reports figures to the generation store, and
 * cancels requests whose suggestion went away. A request never blocks typing: everything here is
 * asynchronous and every event is matched against the request id the suggestion holds.
 *
 * Streamed tokens reach the editor once per frame, however fast the model writes: one transaction
 * per token made a slow page fall seconds behind a fast engine, so the ghost text "streamed" long
 * after the generation had ended and Esc could no longer stop anything.
 */
import type { EditorView } from '@codemirror/view';
import {
  DEFAULT_SETTINGS,
  type CompletionParams,
  type GenerateResult,
  type InklingApi,
  type Settings,
  type Unsubscribe,
} from '../../../electron/api';
import type { GenerationStore } from '../stores/generation';
import { appendGhost, clearGhost, dismissSpec, finishSpec, ghostOf, type GhostTextConfig } from './ghost-text';
import { docIdFacet } from './setup';

export interface CompletionBridge {
  config: GhostTextConfig;
  dispose: Unsubscribe;
}

type CompletionApi = Pick<InklingApi, 'complete' | 'cancelCompletion' | 'onCompletionEvent'>;

/** Where a suggestion's parameters come from, and the probability views' share of the results. */
export interface CompletionHooks {
  /**
   * The document's Continue parameters, length and alternatives included (effectiveParams): Tab
   * suggestions and the Continue pane share one set of values (the Sampling pane's Continue settings).
   */
  params(docId: string): CompletionParams;
  /** Ask for this many top alternatives per token (the probability popup on accepted text). */
  topAlternatives?: number;
  onResult?(requestId: string, result: GenerateResult): void;
}

export function createCompletionBridge(
  api: CompletionApi,
  generation: GenerationStore,
  settings: () => Pick<Settings, 'autoSuggest' | 'autoSuggestDelayMs'>,
  hooks: CompletionHooks,
): CompletionBridge {
  /** requestId → the view whose suggestion it feeds. */
  const views = new Map<string, EditorView>();
  let seq = 0;
  const session = Math.random().toString(36).slice(2, 8);

  const dispatch = (view: EditorView, spec: Parameters<EditorView['dispatch']>[0]): void => {
    // The view may be gone (window closing); the suggestion with it.
    if (view.dom.isConnected) view.dispatch(spec);
  };

  /** Tokens not yet shown, per request: how many, and the text per alternative. */
  const waiting = new Map<string, { view: EditorView; tokens: number; texts: string[]; lengths: number[][] }>();
  let frame: (() => void) | null = null;
  const show = (requestId: string): void => {
    const w = waiting.get(requestId);
    if (!w) return;
    waiting.delete(requestId);
    for (let i = 0; i < w.tokens; i++) generation.getState().token(requestId);
    const effects = w.texts.flatMap((text, alternative) =>
      text ? [appendGhost.of({ requestId, alternative, text, tokens: w.lengths[alternative] ?? [] })] : [],
    );
    if (effects.length) dispatch(w.view, { effects });
  };
  const showAll = (): void => {
    frame = null;
    for (const id of [...waiting.keys()]) show(id);
  };
  const nextFrame = (): void => {
    if (frame) return;
    if (typeof requestAnimationFrame === 'function') {
      const handle = requestAnimationFrame(showAll);
      frame = () => cancelAnimationFrame(handle);
    } else {
      const handle = setTimeout(showAll, 16);
      frame = () => clearTimeout(handle);
    }
  };

  const off = api.onCompletionEvent(({ requestId, event }) => {
    const view = views.get(requestId);
    if (!view || event.kind !== 'token') return;
    let w = waiting.get(requestId);
    if (!w) waiting.set(requestId, (w = { view, tokens: 0, texts: [], lengths: [] }));
    w.tokens += 1;
    w.texts[event.alternative] = (w.texts[event.alternative] ?? '') + event.text;
    (w.lengths[event.alternative] ??= []).push(event.text.length);
    nextFrame();
  });

  const config: GhostTextConfig = {
    newRequestId: () => `c-${session}-${++seq}`,
    // The count shown while the first tokens arrive; the stream adds any further alternative.
    alternatives: (state) => {
      const n = hooks.params(state.facet(docIdFacet)).alternatives;
      return typeof n === 'number' ? n : DEFAULT_SETTINGS.alternatives;
    },
    autoSuggest: () => ({ enabled: settings().autoSuggest, delayMs: settings().autoSuggestDelayMs }),
    onRequest({ requestId, textBefore, view }) {
      const docId = view.state.facet(docIdFacet);
      views.set(requestId, view);
      generation.getState().started(requestId, docId);
      api
        .complete({
          requestId,
          docId,
          textBefore, // all of it: the host anchors the window to the document (never cut it here)
          // One source of truth: with the side panel's settings, their length and alternatives too.
          params: hooks.params(docId),
          ...(hooks.topAlternatives ? { topAlternatives: hooks.topAlternatives } : {}),
        })
        .then(
          (result) => {
            show(requestId); // the tokens still waiting for a frame come first
            hooks.onResult?.(requestId, result);
            generation.getState().finished(requestId, result);
            // Broken off mid-way (a server's stream was cut): what arrived stays on show, marked, for
            // the writer to take or dismiss; the status bar says why. The document is not touched.
            const cut = result.interrupted
              ? result.interrupted.code === 'remote_failed'
                ? ('server' as const)
                : ('engine' as const)
              : undefined;
            dispatch(
              view,
              finishSpec(
                view.state,
                requestId,
                result.alternatives.map((a) => a.text),
                cut,
              ),
            );
          },
          (err: unknown) => {
            waiting.delete(requestId);
            // A retry that fails (the engine died, say) keeps the text it would have replaced, and
            // the cursor goes back where it was, as on Esc; the status says so.
            const retry = ghostOf(view.state)?.requestId === requestId && Boolean(ghostOf(view.state)?.replace);
            generation.getState().failed(requestId, err, retry ? 'retry' : 'suggestion');
            dispatch(view, dismissSpec(view.state, requestId) ?? { effects: clearGhost.of({ requestId }) });
          },
        )
        .finally(() => views.delete(requestId));
    },
    onCancel(requestId) {
      waiting.delete(requestId);
      views.delete(requestId); // its later tokens are for nobody
      generation.getState().cancelled(requestId);
      // Unknown or finished ids are ignored by the host; a failure here changes nothing for the writer.
      api.cancelCompletion(requestId).catch(() => undefined);
    },
  };

  return {
    config,
    dispose: () => {
      off();
      frame?.();
      frame = null;
      waiting.clear();
      views.clear();
    },
  };
}
