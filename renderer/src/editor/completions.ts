/**
 * The bridge between the ghost-text extension and the host: starts `complete` requests, routes the
 * streamed token events into the view that asked, reports figures to the generation store, and
 * cancels requests whose suggestion went away. A request never blocks typing: everything here is
 * asynchronous and every event is matched against the request id the suggestion holds.
 */
import type { EditorView } from '@codemirror/view';
import type { CompletionParams, GenerateResult, InklingApi, Settings, Unsubscribe } from '../../../electron/api';
import type { GenerationStore } from '../stores/generation';
import { appendGhost, clearGhost, finishGhost, type GhostTextConfig } from './ghost-text';
import { docIdFacet } from './setup';

export interface CompletionBridge {
  config: GhostTextConfig;
  dispose: Unsubscribe;
}

type CompletionApi = Pick<InklingApi, 'complete' | 'cancelCompletion' | 'onCompletionEvent'>;

/** Optional wiring from the side panel's sampling controls and probability views. */
export interface CompletionHooks {
  /** The document's sampling parameters (length and alternatives still come from the settings). */
  params?(docId: string): CompletionParams;
  /** Ask for this many top alternatives per token (the probability popup on accepted text). */
  topAlternatives?: number;
  onResult?(requestId: string, result: GenerateResult): void;
}

export function createCompletionBridge(api: CompletionApi, generation: GenerationStore, settings: () => Settings, hooks: CompletionHooks = {}): CompletionBridge {
  /** requestId → the view whose suggestion it feeds. */
  const views = new Map<string, EditorView>();
  let seq = 0;
  const session = Math.random().toString(36).slice(2, 8);

  const dispatch = (view: EditorView, spec: Parameters<EditorView['dispatch']>[0]): void => {
    // The view may be gone (window closing); the suggestion with it.
    if (view.dom.isConnected) view.dispatch(spec);
  };

  const off = api.onCompletionEvent(({ requestId, event }) => {
    const view = views.get(requestId);
    if (!view || event.kind !== 'token') return;
    generation.getState().token(requestId);
    dispatch(view, { effects: appendGhost.of({ requestId, alternative: event.alternative, text: event.text }) });
  });

  const config: GhostTextConfig = {
    newRequestId: () => `c-${session}-${++seq}`,
    alternatives: () => settings().alternatives,
    autoSuggest: () => ({ enabled: settings().autoSuggest, delayMs: settings().autoSuggestDelayMs }),
    onRequest({ requestId, textBefore, view }) {
      const docId = view.state.facet(docIdFacet);
      const s = settings();
      views.set(requestId, view);
      generation.getState().started(requestId, docId);
      api
        .complete({
          requestId,
          docId,
          textBefore, // all of it: the host anchors the window to the document (never cut it here)
          params: hooks.params
            ? { ...hooks.params(docId), alternatives: s.alternatives, maxNewTokens: s.maxNewTokens }
            : { alternatives: s.alternatives, maxNewTokens: s.maxNewTokens, temperature: s.temperature, topP: s.topP },
          ...(hooks.topAlternatives ? { topAlternatives: hooks.topAlternatives } : {}),
        })
        .then(
          (result) => {
            hooks.onResult?.(requestId, result);
            generation.getState().finished(requestId, result);
            dispatch(view, { effects: finishGhost.of({ requestId, alternatives: result.alternatives.map((a) => a.text) }) });
          },
          (err: unknown) => {
            generation.getState().failed(requestId, err);
            dispatch(view, { effects: clearGhost.of({ requestId }) });
          },
        )
        .finally(() => views.delete(requestId));
    },
    onCancel(requestId) {
      generation.getState().cancelled(requestId);
      // Unknown or finished ids are ignored by the host; a failure here changes nothing for the writer.
      api.cancelCompletion(requestId).catch(() => undefined);
    },
  };

  return {
    config,
    dispose: () => {
      off();
      views.clear();
    },
  };
}
