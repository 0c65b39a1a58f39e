import { describe, expect, it } from 'vitest';
import {
  Rng,
  SamplingError,
  logSoftmax,
  logSumExp,
  logprobOf,
  pickToken,
  topAlternatives,
} from '../../../electron/engine/generate/sample';
import { createStepper } from '../../../electron/engine/generate/step';
import { validateParams } from '../../../electron/engine/generate/params';

const logitsOf = (probs: number[]) => Float32Array.from(probs, Math.log);

describe('Rng', () => {
  it('repeats its sequence for the same seed and differs for another', () => {
    const a = new Rng(42);
    const b = new Rng(42);
    const c = new Rng(43);
    const seqA = Array.from({ length: 100 }, () => a.nextUint32());
    const seqB = Array.from({ length: 100 }, () => b.nextUint32());
    const seqC = Array.from({ length: 100 }, () => c.nextUint32());
    expect(seqA).toEqual(seqB);
    expect(seqA.filter((x, i) => x === seqC[i]).length).toBeLessThan(2);
  });

  it('exposes the seed it drew when given none, and that seed reproduces it', () => {
    const r = new Rng(null);
    expect(Number.isInteger(r.seed)).toBe(true);
    expect(r.seed).toBeGreaterThanOrEqual(0);
    expect(r.seed).toBeLessThanOrEqual(0xffffffff);
    const again = new Rng(r.seed);
    expect(again.nextUint32()).toBe(r.nextUint32());
  });

  it('draws uniformly in [0, 1)', () => {
    const r = new Rng(0);
    let sum = 0;
    const buckets = new Array(10).fill(0);
    let outside = 0;
    for (let i = 0; i < 20000; i++) {
      const x = r.next();
      if (!(x >= 0 && x < 1)) outside++;
      sum += x;
      buckets[Math.floor(x * 10)]++;
    }
    expect(outside).toBe(0);
    expect(Math.abs(sum / 20000 - 0.5)).toBeLessThan(0.01);
    for (const b of buckets) expect(Math.abs(b - 2000)).toBeLessThan(200);
  });

  it('split gives deterministic independent streams, and bad seeds are refused', () => {
    const s1 = new Rng(5).split();
    const s2 = new Rng(5).split();
    expect(s1.seed).toBe(s2.seed);
    expect(s1.nextUint32()).toBe(s2.nextUint32());
    expect(() => new Rng(-1)).toThrow(/seed/);
    expect(() => new Rng(1.5)).toThrow(/seed/);
    expect(() => new Rng(2 ** 32)).toThrow(/seed/);
  });
});

describe('pickToken', () => {
  it('is argmax at temperature 0, lowest id on ties', () => {
    const rng = new Rng(1);
    expect(pickToken(Float32Array.of(1, 3, 3, 2), { temperature: 0 }, rng)).toBe(1);
    expect(pickToken(Float32Array.of(-Infinity, -5, -Infinity), { temperature: 0 }, rng)).toBe(1);
  });

  it('never picks a removed token and throws when nothing is left', () => {
    const rng = new Rng(9);
    const l = Float32Array.of(0, -Infinity, 0);
    for (let i = 0; i < 500; i++) expect(pickToken(l, { temperature: 1 }, rng)).not.toBe(1);
    const none = Float32Array.of(-Infinity, -Infinity);
    expect(() => pickToken(none, { temperature: 1 }, rng)).toThrow(SamplingError);
    expect(() => pickToken(none, { temperature: 0 }, rng)).toThrow(/every token was banned/);
  });

  it('samples according to softmax (chi-square bound, fixed seed)', () => {
    const probs = [0.5, 0.3, 0.15, 0.05];
    const l = logitsOf(probs);
    const rng = new Rng(1234);
    const draws = 20000;
    const counts = [0, 0, 0, 0];
    for (let i = 0; i < draws; i++) counts[pickToken(l, { temperature: 1 }, rng)]++;
    const chi2 = probs.reduce((acc, p, i) => acc + (counts[i] - p * draws) ** 2 / (p * draws), 0);
    // 3 degrees of freedom: P(χ² > 16.27) = 0.001 for a correct sampler.
    expect(chi2).toBeLessThan(16.27);
  });

  it('same seed and logits give the same choices; different seeds give different ones', () => {
    const l = new Float32Array(1000); // uniform: every draw is informative
    const run = (seed: number) => {
      const rng = new Rng(seed);
      return Array.from({ length: 50 }, () => pickToken(l, { temperature: 1 }, rng));
    };
    expect(run(7)).toEqual(run(7));
    expect(run(7)).not.toEqual(run(8));
  });
});

describe('log-probabilities', () => {
  it('logSoftmax, logSumExp and logprobOf agree with the definition', () => {
    const probs = [0.5, 0.3, 0.15, 0.05];
    const l = Float32Array.from(probs, (p) => Math.log(p) + 3); // shift: softmax is shift-invariant
    expect(logSumExp(l)).toBeCloseTo(3, 6);
    const ls = logSoftmax(l);
    probs.forEach((p, i) => expect(ls[i]).toBeCloseTo(Math.log(p), 6));
    expect(logprobOf(l, 2)).toBeCloseTo(Math.log(0.15), 6);
    expect(() => logprobOf(l, 4)).toThrow(/token id/);
  });

  it('topAlternatives lists the n most likely tokens, most likely first, ties by id', () => {
    const l = logitsOf([0.1, 0.4, 0.1, 0.4]);
    const top = topAlternatives(l, 3);
    expect(top.map((t) => t.id)).toEqual([1, 3, 0]);
    expect(top[0].logprob).toBeCloseTo(Math.log(0.4), 6);
    expect(top[2].logprob).toBeCloseTo(Math.log(0.1), 6);
  });
});

describe('createStepper', () => {
  it('chooses from processed logits but reports log-probs of the unmodified ones', () => {
    const params = validateParams({ temperature: 0, logitBias: { 0: '-inf' } });
    const step = createStepper(params, [], 2);
    const l = logitsOf([0.6, 0.3, 0.1]);
    const before = [...l];
    const choice = step(l, [2], 1, new Rng(1));
    expect(choice.id).toBe(1);
    expect(choice.logprob).toBeCloseTo(Math.log(0.3), 6);
    expect(choice.top?.map((t) => t.id)).toEqual([0, 1]);
    expect([...l]).toEqual(before); // the caller's logits are not modified
  });

  it('is reproducible with a seed across a whole sequence', () => {
    const params = validateParams({ temperature: 1.2, topK: 50, topP: 0.9, seed: 99 });
    const decode = (seed: number) => {
      const step = createStepper(params);
      const rng = new Rng(seed);
      const history: number[] = [1, 2, 3];
      const src = new Rng(2024); // the same "model output" each run
      for (let i = 0; i < 30; i++) {
        const logits = Float32Array.from({ length: 500 }, () => src.next() * 4);
        history.push(step(logits, history, 3, rng).id);
      }
      return history;
    };
    expect(decode(99)).toEqual(decode(99));
    expect(decode(99)).not.toEqual(decode(100));
  });
});
