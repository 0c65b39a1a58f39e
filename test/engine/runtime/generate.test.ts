/**
 * The engine's generation against an independent float64 reference forward pass, on a tiny random
 * model: greedy decoding, the prefix cache across edits, batched alternatives, stops, cancel, long
 * prompts. Tolerance: fp32 graph vs float64 reference, 1e-4 absolute on log-probabilities.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadModel, type Engine } from '../../../electron/engine/runtime';
import { referenceForward } from '../../../electron/engine/reference';
import { loadCheckpoint } from '../../../electron/engine/weights';
import type { Gpt2Weights } from '../../../electron/engine/weights/types';
import { Gpt2Tokenizer } from '../../../electron/engine/tokenizer';
import { tinyModelDir } from '../../helpers/models';
import { convertedModelDir } from '../../helpers/converted';

const TOL = 1e-4;
/** Pure greedy decoding: the engine's default repetition penalty would change the choices. */
const GREEDY = { temperature: 0, repetitionPenalty: 1 } as const;
let engine: Engine;
let weights: Gpt2Weights & { close(): void };
const tok = Gpt2Tokenizer.gpt2();

function logSoftmax(row: Float64Array): Float64Array {
  let max = -Infinity;
  for (const v of row) max = Math.max(max, v);
  let sum = 0;
  for (const v of row) sum += Math.exp(v - max);
  const lse = max + Math.log(sum);
  return row.map((v) => v - lse);
}

function argmax(row: Float64Array): number {
  let best = 0;
  for (let i = 1; i < row.length; i++) if (row[i] > row[best]) best = i;
  return best;
}

/** Greedy continuation computed with the reference alone (re-running the whole sequence each step). */
function referenceGreedy(prompt: number[], n: number): { ids: number[]; logprobs: number[] } {
  const ids = [...prompt];
  const logprobs: number[] = [];
  for (let i = 0; i < n; i++) {
    const logits = referenceForward(weights, ids);
    const last = logits[logits.length - 1];
    const next = argmax(last);
    logprobs.push(logSoftmax(last)[next]);
    ids.push(next);
  }
  return { ids: ids.slice(prompt.length), logprobs };
}

beforeAll(async () => {
  engine = (await loadModel(await convertedModelDir())).engine;
  weights = await loadCheckpoint(await tinyModelDir());
});

afterAll(async () => {
  await engine?.dispose();
  weights?.close();
});

describe('greedy generation', () => {
  it('matches the reference forward pass token for token', async () => {
    const prompt = 'The quick brown fox jumps over the lazy dog. Then';
    const r = await engine.generate({ prompt, params: { ...GREEDY, maxNewTokens: 8 } });
    const ref = referenceGreedy(tok.encode(prompt), 8);
    expect(r.alternatives[0].tokenIds).toEqual(ref.ids);
    r.alternatives[0].logprobs.forEach((lp, i) => expect(Math.abs(lp - ref.logprobs[i])).toBeLessThan(TOL));
    expect(r.alternatives[0].text).toBe(tok.decode(ref.ids));
    expect(r.alternatives[0].finishReason).toBe('length');
    expect(r.stats.promptTokens).toBe(tok.encode(prompt).length);
  });

  it('streams token events whose texts add up to the result', async () => {
    const events: string[] = [];
    let prefill = 0;
    const r = await engine.generate({ prompt: 'Once upon a time', params: { ...GREEDY, maxNewTokens: 12 } }, (e) => {
      if (e.kind === 'token') events.push(e.text);
      else prefill = e.promptTokens;
    });
    expect(prefill).toBe(tok.encode('Once upon a time').length);
    expect(events.length).toBe(12);
    expect(events.join('')).toBe(r.alternatives[0].text);
  });

  it('starts an empty prompt from <|endoftext|>', async () => {
    const r = await engine.generate({ prompt: '', params: { ...GREEDY, maxNewTokens: 3 } });
    expect(r.alternatives[0].tokenIds).toEqual(referenceGreedy([tok.eosTokenId], 3).ids);
  });
});

describe('prefix cache', () => {
  it('reuses the common token prefix after an edit and gives the same result as a fresh run', async () => {
    const base = 'It was a bright cold day in April, and the clocks were striking thirteen. Winston Smith';
    const edited = base + ', his chin nuzzled into his breast';
    const first = await engine.generate({
      prompt: base,
      cacheKey: 'doc-a',
      params: { ...GREEDY, maxNewTokens: 4 },
      topAlternatives: 3,
    });
    expect(first.stats.reusedTokens).toBe(0);
    const second = await engine.generate({
      prompt: edited,
      cacheKey: 'doc-a',
      params: { ...GREEDY, maxNewTokens: 4 },
      topAlternatives: 3,
    });
    const fresh = await engine.generate({ prompt: edited, params: { ...GREEDY, maxNewTokens: 4 }, topAlternatives: 3 });
    // BPE may re-merge around the edit point, so at most the whole base (minus its last token) is reused.
    expect(second.stats.reusedTokens).toBeGreaterThan(tok.encode(base).length - 3);
    expect(fresh.stats.reusedTokens).toBe(0);
    expect(second.alternatives[0].tokenIds).toEqual(fresh.alternatives[0].tokenIds);
    second.alternatives[0].logprobs.forEach((lp, i) =>
      expect(Math.abs(lp - fresh.alternatives[0].logprobs[i])).toBeLessThan(TOL),
    );
    second.alternatives[0].top!.forEach((row, i) =>
      row.forEach((alt, j) => {
        expect(alt.id).toBe(fresh.alternatives[0].top![i][j].id);
        expect(Math.abs(alt.logprob - fresh.alternatives[0].top![i][j].logprob)).toBeLessThan(TOL);
      }),
    );
  });

  it('handles a deletion in the middle (shorter common prefix) exactly', async () => {
    const a = 'Alpha beta gamma delta epsilon zeta eta theta iota kappa lambda mu';
    const b = 'Alpha beta gamma delta iota kappa lambda mu nu xi';
    await engine.generate({ prompt: a, cacheKey: 'doc-b', params: { ...GREEDY, maxNewTokens: 2 } });
    const cached = await engine.generate({ prompt: b, cacheKey: 'doc-b', params: { ...GREEDY, maxNewTokens: 5 } });
    const ref = referenceGreedy(tok.encode(b), 5);
    expect(cached.stats.reusedTokens).toBeGreaterThan(0);
    expect(cached.alternatives[0].tokenIds).toEqual(ref.ids);
    cached.alternatives[0].logprobs.forEach((lp, i) => expect(Math.abs(lp - ref.logprobs[i])).toBeLessThan(TOL));
  });

  it('reuses generated tokens once they are accepted into the document', async () => {
    const prompt = 'The museum opened its doors';
    const r = await engine.generate({ prompt, cacheKey: 'doc-c', params: { ...GREEDY, maxNewTokens: 6 } });
    const accepted = prompt + r.alternatives[0].text;
    const next = await engine.generate({ prompt: accepted, cacheKey: 'doc-c', params: { ...GREEDY, maxNewTokens: 1 } });
    // All but the last generated token were fed back through the cache during decoding.
    expect(next.stats.reusedTokens).toBeGreaterThanOrEqual(tok.encode(accepted).length - 2);
  });
});

describe('alternatives', () => {
  it('decodes N alternatives as one batch with the same numbers as a single run', async () => {
    const prompt = 'In the beginning';
    const one = await engine.generate({ prompt, params: { ...GREEDY, maxNewTokens: 6 } });
    const three = await engine.generate({ prompt, params: { ...GREEDY, maxNewTokens: 6, alternatives: 3 } });
    expect(three.alternatives).toHaveLength(3);
    for (const alt of three.alternatives) {
      expect(alt.tokenIds).toEqual(one.alternatives[0].tokenIds);
      alt.logprobs.forEach((lp, i) => expect(Math.abs(lp - one.alternatives[0].logprobs[i])).toBeLessThan(TOL));
    }
  });

  it('gives different samples per alternative, reproducibly for a fixed seed', async () => {
    const req = {
      prompt: 'She opened the letter and',
      params: { temperature: 1.5, repetitionPenalty: 1, maxNewTokens: 8, alternatives: 3, seed: 42 },
    };
    const a = await engine.generate(req);
    const b = await engine.generate(req);
    expect(a.alternatives.map((x) => x.tokenIds)).toEqual(b.alternatives.map((x) => x.tokenIds));
    const distinct = new Set(a.alternatives.map((x) => x.tokenIds.join(',')));
    expect(distinct.size).toBeGreaterThan(1);
    const c = await engine.generate({ ...req, params: { ...req.params, seed: 43 } });
    expect(c.alternatives.map((x) => x.tokenIds)).not.toEqual(a.alternatives.map((x) => x.tokenIds));
  });

  it('samples in batch with per-row log-probabilities that match the reference', async () => {
    const prompt = 'A river ran through';
    const r = await engine.generate({
      prompt,
      params: { temperature: 1, repetitionPenalty: 1, topK: 0, topP: 1, maxNewTokens: 4, alternatives: 2, seed: 7 },
    });
    const promptIds = tok.encode(prompt);
    for (const alt of r.alternatives) {
      const ids = [...promptIds];
      alt.tokenIds.forEach((id, i) => {
        const logits = referenceForward(weights, ids);
        const lp = logSoftmax(logits[logits.length - 1])[id];
        expect(Math.abs(lp - alt.logprobs[i])).toBeLessThan(TOL);
        ids.push(id);
      });
    }
  });
});

describe('stopping', () => {
  it('stops at a stop sequence, across token boundaries, without emitting it', async () => {
    const prompt = 'The quick brown fox jumps over the lazy dog. Then';
    const full = await engine.generate({ prompt, params: { ...GREEDY, maxNewTokens: 12 } });
    const text = full.alternatives[0].text;
    // A stop string that straddles the 3rd and 4th generated tokens.
    const cut = tok.decode(full.alternatives[0].tokenIds.slice(0, 3)).length;
    const stop = text.slice(cut - 2, cut + 2);
    const r = await engine.generate({ prompt, params: { ...GREEDY, maxNewTokens: 12, stop: [stop] } });
    expect(r.alternatives[0].finishReason).toBe('stop');
    expect(r.alternatives[0].text).toBe(text.slice(0, text.indexOf(stop)));
  });

  it('cancels within one step', async () => {
    const cancel = { cancelled: false };
    let tokens = 0;
    const r = await engine.generate(
      { prompt: 'Tell me a long story', params: { ...GREEDY, maxNewTokens: 200 } },
      (e) => {
        if (e.kind === 'token' && ++tokens === 3) cancel.cancelled = true;
      },
      cancel,
    );
    expect(r.alternatives[0].finishReason).toBe('cancelled');
    expect(r.alternatives[0].tokenIds.length).toBe(3);
  });

  it('never fails for a prompt longer than the context: it keeps the most recent window', async () => {
    const long = 'word '.repeat(1500);
    const r = await engine.generate({ prompt: long, params: { ...GREEDY, maxNewTokens: 4 } });
    expect(r.stats.truncatedTokens).toBeGreaterThan(0);
    expect(r.stats.promptTokens + 4).toBeLessThanOrEqual(1024);
    expect(r.alternatives[0].tokenIds).toHaveLength(4);
  });

  it('rejects invalid parameters with a message naming them', async () => {
    await expect(engine.generate({ prompt: 'x', params: { temperature: -1 } })).rejects.toThrow(/temperature/);
    // @ts-expect-error a misspelt parameter does not compile; one from outside (JSON) is refused by name
    await expect(engine.generate({ prompt: 'x', params: { tempreature: 1 } })).rejects.toThrow(/tempreature/);
  });
});

describe('scoring', () => {
  it('gives each token its log-probability and rank under the reference model', async () => {
    const text = 'To be, or not to be, that is the question';
    const r = await engine.score(text, 3);
    const ids = tok.encode(text);
    const logits = referenceForward(weights, ids);
    expect(r.tokens.map((t) => t.id)).toEqual(ids);
    expect(r.tokens[0].logprob).toBeNull();
    expect(r.tokens[0].rank).toBeNull();
    for (let t = 1; t < ids.length; t++) {
      const ls = logSoftmax(logits[t - 1]);
      expect(Math.abs(r.tokens[t].logprob! - ls[ids[t]])).toBeLessThan(TOL);
      const rank = 1 + Array.from(ls).filter((v) => v > ls[ids[t]]).length;
      expect(r.tokens[t].rank).toBe(rank);
      expect(r.tokens[t].top[0].id).toBe(argmax(logits[t - 1]));
      expect(r.tokens[t].top).toHaveLength(3);
    }
  });
});

describe('context budget', () => {
  it('never overruns the context, even when maxNewTokens alone would fill it', async () => {
    const long = 'word '.repeat(1500);
    const r = await engine.generate({ prompt: long, params: { ...GREEDY, maxNewTokens: 1000 } });
    expect(r.stats.promptTokens + r.alternatives[0].tokenIds.length).toBeLessThanOrEqual(1024);
    expect(r.alternatives[0].finishReason).toBe('length');
  });

  it('draws alternative i the same way whatever the number of alternatives', async () => {
    const params = { temperature: 1.2, repetitionPenalty: 1, maxNewTokens: 6, seed: 9 };
    const one = await engine.generate({ prompt: 'The door creaked', params: { ...params, alternatives: 1 } });
    const three = await engine.generate({ prompt: 'The door creaked', params: { ...params, alternatives: 3 } });
    expect(three.alternatives[0].tokenIds).toEqual(one.alternatives[0].tokenIds);
  });
});
