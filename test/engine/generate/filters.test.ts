import { describe, expect, it } from 'vitest';
import { minP, temperature, topK, topP, typicalP } from '../../../electron/engine/generate/samplers';
import { Rng } from '../../../electron/engine/generate/sample';
import { selectTop } from '../../../electron/engine/generate/select';

const logitsOf = (probs: number[]) => Float32Array.from(probs, Math.log);
const kept = (l: Float32Array) => [...l.keys()].filter((i) => l[i] > -Infinity);

/** Random logits, quantised so that ties are common. */
function randomLogits(n: number, seed: number, levels = 64): Float32Array {
  const rng = new Rng(seed);
  return Float32Array.from({ length: n }, () => Math.round(rng.next() * levels) / 8 - 4);
}

/** Reference: full sort by (logit desc, id asc). */
function fullOrder(l: Float32Array): number[] {
  return [...l.keys()].filter((i) => l[i] > -Infinity).sort((a, b) => l[b] - l[a] || a - b);
}

function naiveMassFilter(l: Float32Array, p: number, key: (i: number, probs: number[]) => number): number[] {
  const max = Math.max(...l);
  const exps = Array.from(l, (v) => Math.exp(v - max));
  const sum = exps.reduce((a, b) => a + b, 0);
  const probs = exps.map((e) => e / sum);
  const order = [...l.keys()].sort((a, b) => key(a, probs) - key(b, probs) || a - b);
  const out: number[] = [];
  let cum = 0;
  for (const i of order) {
    out.push(i);
    cum += probs[i];
    if (cum >= p - 1e-6) break;
  }
  return out.sort((a, b) => a - b);
}

describe('temperature', () => {
  it('divides logits by t and leaves t=0 and t=1 alone', () => {
    const l = Float32Array.of(2, -1, 0.5);
    temperature(l, 0.5);
    expect([...l]).toEqual([4, -2, 1]);
    temperature(l, 0);
    temperature(l, 1);
    expect([...l]).toEqual([4, -2, 1]);
  });
});

describe('topK', () => {
  it('keeps exactly k finite logits, the highest', () => {
    const l = Float32Array.of(0.1, 2, -1, 3, 0.5);
    topK(l, 2);
    expect(kept(l)).toEqual([1, 3]);
    expect(l[3]).toBe(3);
    expect(l[1]).toBe(2);
  });

  it('breaks ties towards the lowest token id', () => {
    const l = Float32Array.of(1, 3, 3, 3, 0);
    topK(l, 2);
    expect(kept(l)).toEqual([1, 2]);
  });

  it('is off for k = 0 and k ≥ vocab', () => {
    const l = Float32Array.of(1, 2, 3);
    topK(l, 0);
    topK(l, 3);
    expect(kept(l)).toEqual([0, 1, 2]);
  });

  it('matches a full sort on a GPT-2-sized vocabulary with many ties', () => {
    const l = randomLogits(50257, 7);
    const expected = fullOrder(l)
      .slice(0, 40)
      .sort((a, b) => a - b);
    topK(l, 40);
    expect(kept(l)).toEqual(expected);
  });
});

describe('selectTop', () => {
  it('returns the k best ids, best first, lowest id on ties', () => {
    const l = randomLogits(5000, 3, 16);
    expect([...selectTop(l, 25)]).toEqual(fullOrder(l).slice(0, 25));
    expect([...selectTop(Float32Array.of(1, 2), 5)]).toEqual([1, 0]);
  });
});

describe('topP', () => {
  it('keeps the smallest set whose mass reaches p (boundary inclusive)', () => {
    const cases: [number, number[]][] = [
      [0.8, [0, 1]],
      [0.81, [0, 1, 2]],
      [0.5, [0]],
      [0.01, [0]],
    ];
    for (const [p, expected] of cases) {
      const l = logitsOf([0.5, 0.3, 0.2]);
      topP(l, p);
      expect(kept(l), `p=${p}`).toEqual(expected);
    }
  });

  it('always keeps at least one token and is off at p = 1', () => {
    const l = logitsOf([0.97, 0.01, 0.01, 0.01]);
    topP(l, 1e-9);
    expect(kept(l)).toEqual([0]);
    const m = logitsOf([0.25, 0.25, 0.5]);
    topP(m, 1);
    expect(kept(m)).toEqual([0, 1, 2]);
  });

  it('breaks ties towards the lowest id', () => {
    const l = Float32Array.of(2, 2, 2, 2);
    topP(l, 0.5);
    expect(kept(l)).toEqual([0, 1]);
  });

  it('ignores tokens already removed', () => {
    const l = Float32Array.of(Math.log(0.5), -Infinity, Math.log(0.5));
    topP(l, 0.6);
    expect(kept(l)).toEqual([0, 2]);
  });

  it('matches a full-sort reference on a large vocabulary', () => {
    for (const [seed, p] of [
      [1, 0.9],
      [2, 0.5],
      [3, 0.99],
    ] as const) {
      const l = randomLogits(50257, seed);
      const expected = naiveMassFilter(l, p, (i) => -l[i]);
      topP(l, p);
      expect(kept(l)).toEqual(expected);
    }
  });
});

describe('typicalP', () => {
  // probs 1/2, 1/4, 1/8, 1/8: entropy 1.75 bits; surprises 1, 2, 3, 3 bits.
  // Distance from the entropy: token 1 (0.25 bits) < token 0 (0.75) < tokens 2, 3 (1.25).
  const probs = [0.5, 0.25, 0.125, 0.125];

  it('keeps the tokens closest to the average surprise, which may exclude the most likely one', () => {
    const cases: [number, number[]][] = [
      [0.2, [1]],
      [0.5, [0, 1]],
      [0.8, [0, 1, 2]],
      [1, [0, 1, 2, 3]],
    ];
    for (const [p, expected] of cases) {
      const l = logitsOf(probs);
      typicalP(l, p);
      expect(kept(l), `p=${p}`).toEqual(expected);
    }
  });

  it('matches a full-sort reference on a large vocabulary', () => {
    const l = randomLogits(20000, 11);
    const max = Math.max(...l);
    const lse = max + Math.log(Array.from(l, (v) => Math.exp(v - max)).reduce((a, b) => a + b, 0));
    const entropy = -Array.from(l, (v) => Math.exp(v - lse) * (v - lse)).reduce((a, b) => a + b, 0);
    const expected = naiveMassFilter(l, 0.7, (i) => Math.abs(lse - l[i] - entropy));
    typicalP(l, 0.7);
    expect(kept(l)).toEqual(expected);
  });
});

describe('minP', () => {
  it('keeps tokens at least m times as likely as the best one', () => {
    const l = logitsOf([0.5, 0.3, 0.15, 0.05]);
    minP(l, 0.25); // threshold 0.125
    expect(kept(l)).toEqual([0, 1, 2]);
    const m = logitsOf([0.5, 0.3, 0.15, 0.05]);
    minP(m, 0.4); // threshold 0.2
    expect(kept(m)).toEqual([0, 1]);
  });

  it('is off at 0 and keeps every tie of the best at 1', () => {
    const l = Float32Array.of(1, 3, 3, -2);
    minP(l, 0);
    expect(kept(l)).toEqual([0, 1, 2, 3]);
    minP(l, 1);
    expect(kept(l)).toEqual([1, 2]);
  });
});
