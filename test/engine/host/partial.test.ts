// What a generation had streamed when the engine host died (electron/engine/host/partial.ts).
import { describe, expect, it } from 'vitest';
import { PartialGeneration } from '../../../electron/engine/host/partial';

describe('PartialGeneration', () => {
  it('keeps each alternative’s streamed text, ids, log-probabilities and top lists, every one cut; leaves out one not begun', () => {
    let t = 100;
    const p = new PartialGeneration(() => t);
    t = 130;
    p.add({
      kind: 'prefill',
      promptTokens: 40,
      reusedTokens: 10,
      truncatedTokens: 5,
      documentTokens: 45,
      memoryTokens: 0,
      windowStart: 12,
      scannedChars: 200,
    });
    const top = [{ id: 7, text: ' a', logprob: -0.5 }];
    t = 140;
    p.add({ kind: 'token', alternative: 0, tokenId: 11, text: ' The', logprob: -1, top });
    p.add({ kind: 'token', alternative: 2, tokenId: 12, text: ' A', logprob: -2, top });
    t = 160;
    p.add({ kind: 'token', alternative: 0, tokenId: 13, text: ' sea', logprob: -3, top });
    expect(p.tokens).toBe(3);
    const r = p.result({ code: 'engine_crashed', message: 'The engine stopped unexpectedly (SIGKILL).' });
    expect(r.interrupted).toEqual({ code: 'engine_crashed', message: 'The engine stopped unexpectedly (SIGKILL).' });
    expect(r.alternatives).toEqual([
      { text: ' The sea', tokenIds: [11, 13], logprobs: [-1, -3], top: [top, top], finishReason: 'cut' },
      { text: ' A', tokenIds: [12], logprobs: [-2], top: [top], finishReason: 'cut' },
    ]);
    expect(r.stats).toMatchObject({
      promptTokens: 40,
      reusedTokens: 10,
      readTokens: 30,
      truncatedTokens: 5,
      windowStart: 12,
      prefillMs: 30,
      timeToFirstTokenMs: 40,
      generatedTokens: 3,
      decodeTokensPerS: 50, // 1 step after the first in 20 ms
    });
  });

  it('counts nothing before a token arrives', () => {
    const p = new PartialGeneration();
    expect(p.tokens).toBe(0);
  });
});
