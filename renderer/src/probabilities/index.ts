/**
 * Token probabilities in the editor: generated tokens remember their alternatives (hover → popup,
 * click → branch), and the heat map tints the text by rank. `createProbabilities` returns the
 * editor extensions every document gets, the store the UI reads, and the commands.
 */
import type { Extension } from '@codemirror/state';
import type { EditorView } from '@codemirror/view';
import type { CompletionParams, InklingApi } from '../../../electron/api';
import { createBrancher } from './branch';
import { heatField, heatScheduler } from './heatmap';
import { inspectAtCursor, inspectTooltip, tokenHover } from './popup';
import { TokenRecorder } from './recorder';
import { createProbabilitiesStore, type ProbabilitiesStore } from './store';
import { generatedTokens, recordTokens, type TokenInfo } from './tokens';

export { recordTokens, type TokenInfo } from './tokens';
export { rankLabels } from './legend';
export type { ProbabilitiesStore, ProbabilitiesState } from './store';

export interface ProbabilitiesDeps {
  /** The document's Continue parameters (effectiveParams): a branch samples like a suggestion. */
  params(docId: string): CompletionParams;
  notify(kind: 'info' | 'error', text: string): void;
}

export interface Probabilities {
  store: ProbabilitiesStore;
  recorder: TokenRecorder;
  extensions: Extension[];
  /** Opens the alternatives popup for the token at the cursor (false: nothing known there). */
  inspect(view: EditorView): boolean;
  /** Marks text just inserted at `from` as generated, with its tokens. */
  record(view: EditorView, from: number, tokens: readonly TokenInfo[]): void;
  dispose(): void;
}

type ProbabilitiesApi = Pick<InklingApi, 'scoreText' | 'cancelTask' | 'runTask' | 'onTaskEvent' | 'onCompletionEvent'>;

export function createProbabilities(api: ProbabilitiesApi, deps: ProbabilitiesDeps): Probabilities {
  const store = createProbabilitiesStore();
  const recorder = new TokenRecorder();
  const generated = generatedTokens(recorder);
  const brancher = createBrancher(generated, {
    api,
    params: (id) => deps.params(id),
    notify: (k, t) => deps.notify(k, t),
  });
  const actions = {
    branch: (
      view: EditorView,
      found: Parameters<typeof brancher.branch>[1],
      choice: Parameters<typeof brancher.branch>[2],
    ) => void brancher.branch(view, found, choice),
  };
  const off = api.onCompletionEvent((e) => recorder.onEvent(e));
  return {
    store,
    recorder,
    extensions: [
      generated,
      heatField,
      heatScheduler(api, store),
      tokenHover(generated, actions),
      inspectTooltip(generated, actions),
      brancher.extension,
    ],
    inspect: (view) => inspectAtCursor(view, generated),
    record(view, from, tokens) {
      view.dispatch({ effects: recordTokens.of({ from, tokens }) });
    },
    dispose: off,
  };
}
