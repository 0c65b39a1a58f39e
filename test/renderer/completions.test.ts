/**
 * The completion bridge shows streamed tokens once per frame, however fast they arrive: a page that
 * dispatched one transaction per token fell seconds behind a fast engine, so the suggestion went on
 * "streaming" after the generation had ended and Esc had nothing left to stop. No DOM: the view is
 * a stand-in with a real EditorState and a recording dispatch (only what the bridge touches).
 */
import { describe, expect, it, vi } from 'vitest';
import { EditorState, type StateEffect, type TransactionSpec } from '@codemirror/state';
import type { EditorView } from '@codemirror/view';
import type { CompletionEvent, GenerateResult, InklingApi, Settings } from '../../electron/api';
import { DEFAULT_SETTINGS } from '../../electron/api/settings';
import { createCompletionBridge } from '../../renderer/src/editor/completions';
import { appendGhost, finishGhost } from '../../renderer/src/editor/ghost-text';
import { docIdFacet } from '../../renderer/src/editor/setup';
import { createGenerationStore } from '../../renderer/src/stores/generation';

function harness() {
  let emit: (e: CompletionEvent) => void = () => undefined;
  let answer: (r: GenerateResult) => void = () => undefined;
  const cancels: string[] = [];
  const api = {
    complete: () => new Promise<GenerateResult>((resolve) => (answer = resolve)),
    cancelCompletion: async (id: string) => void cancels.push(id),
    onCompletionEvent: (cb: (e: CompletionEvent) => void) => {
      emit = cb;
      return () => undefined;
    },
  } as unknown as Pick<InklingApi, 'complete' | 'cancelCompletion' | 'onCompletionEvent'>;
  const generation = createGenerationStore({
    describeWindow: async () => {
      throw new Error('not measured here');
    },
  });
  const settings: Settings = { ...DEFAULT_SETTINGS, alternatives: 3 };
  const bridge = createCompletionBridge(api, generation, () => settings, { params: () => ({}) });
  const dispatched: TransactionSpec[] = [];
  const view = {
    dom: { isConnected: true },
    state: EditorState.create({ extensions: docIdFacet.of('doc-1') }),
    dispatch: (spec: TransactionSpec) => void dispatched.push(spec),
  } as unknown as EditorView;
  bridge.config.onRequest({ requestId: 'q1', textBefore: 'Once', pos: 4, view });
  const token = (alternative: number, text: string) =>
    emit({ requestId: 'q1', event: { kind: 'token', alternative, tokenId: 1, text, logprob: -1 } });
  return { bridge, generation, dispatched, cancels, token, answer: (r: GenerateResult) => answer(r) };
}

const effectsOf = (spec: TransactionSpec) => [spec.effects ?? []].flat() as StateEffect<unknown>[];
const appended = (spec: TransactionSpec) =>
  effectsOf(spec)
    .filter((e) => e.is(appendGhost))
    .map((e) => e.value as { alternative: number; text: string });

const result = (texts: string[]): GenerateResult => ({
  alternatives: texts.map((text) => ({ text, tokenIds: [], logprobs: [], finishReason: 'length' as const })),
  stats: {
    promptTokens: 1,
    reusedTokens: 0,
    readTokens: 1,
    documentTokens: 1,
    memoryTokens: 0,
    windowStart: 0,
    scannedChars: 1,
    truncatedTokens: 0,
    prefillMs: 1,
    timeToFirstTokenMs: 1,
    decodeTokensPerS: 1,
    generatedTokens: 60,
  },
});

describe('completion bridge', () => {
  it('shows 60 tokens that arrive together as one transaction, and counts every one', async () => {
    const h = harness();
    for (let i = 0; i < 20; i++) for (let a = 0; a < 3; a++) h.token(a, `${a}:${i} `);
    await vi.waitFor(() => expect(h.dispatched).toHaveLength(1));
    // Each alternative's text with the length of every token in it (the suggestion's size label counts them).
    const pieces = (a: number) => Array.from({ length: 20 }, (_, i) => `${a}:${i} `);
    expect(appended(h.dispatched[0])).toEqual(
      [0, 1, 2].map((a) => ({
        requestId: 'q1',
        alternative: a,
        text: pieces(a).join(''),
        tokens: pieces(a).map((p) => p.length),
      })),
    );
    expect(h.generation.getState().active?.tokens).toBe(60);
    h.bridge.dispose();
  });

  it('a result that comes before the frame shows the waiting tokens first, then finishes', async () => {
    const h = harness();
    h.token(0, 'Hello');
    h.answer(result(['Hello', '', '']));
    await vi.waitFor(() => expect(h.dispatched).toHaveLength(2));
    expect(appended(h.dispatched[0])).toEqual([{ requestId: 'q1', alternative: 0, text: 'Hello', tokens: [5] }]);
    expect(effectsOf(h.dispatched[1]).some((e) => e.is(finishGhost))).toBe(true);
    h.bridge.dispose();
  });

  it('a cancelled request shows none of its waiting tokens, and the cancel goes to the host', async () => {
    const h = harness();
    h.token(0, 'never shown');
    h.bridge.config.onCancel('q1');
    h.token(1, 'late');
    await vi.waitFor(() => expect(h.cancels).toEqual(['q1']));
    h.answer(result(['never shown', 'late', '']));
    await vi.waitFor(() => expect(h.dispatched.length).toBeGreaterThan(0));
    expect(h.dispatched.flatMap(appended)).toEqual([]);
    h.bridge.dispose();
  });
});
