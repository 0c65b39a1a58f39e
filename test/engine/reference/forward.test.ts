import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gelu, layerNorm, referenceForward } from '../../../electron/engine/reference/forward';
import { inMemoryWeights, gpt2TensorShapes } from '../../../electron/engine/weights/layout';
import { loadCheckpoint, type LoadedCheckpoint } from '../../../electron/engine/weights/checkpoint';
import type { Gpt2Config, Tensor32 } from '../../../electron/engine/weights/types';
import { tinyModelDir } from '../../helpers/models';

const config = (c: Partial<Gpt2Config>): Gpt2Config => ({
  vocabSize: 6,
  nPositions: 5,
  nEmbd: 4,
  nLayer: 1,
  nHead: 2,
  layerNormEpsilon: 1e-5,
  bosTokenId: 0,
  eosTokenId: 0,
  ...c,
});

/** Tensors for `cfg` from `value(name, index)`, as float32 like a checkpoint's. */
function tensorsFrom(cfg: Gpt2Config, value: (name: string, i: number) => number): Map<string, Tensor32> {
  const out = new Map<string, Tensor32>();
  for (const [name, shape] of gpt2TensorShapes(cfg)) {
    const data = new Float32Array(shape.reduce((a, b) => a * b, 1)).map((_, i) => value(name, i));
    out.set(name, { shape, data });
  }
  return out;
}

describe('reference building blocks', () => {
  it('gelu is the tanh approximation (gelu_new)', () => {
    // Published values of 0.5x(1 + tanh(√(2/π)(x + 0.044715x³))); exact GELU(1) would be 0.8413447.
    expect(gelu(1)).toBeCloseTo(0.8411919906, 9);
    expect(gelu(-1)).toBeCloseTo(-0.1588080094, 9);
    expect(gelu(0)).toBe(0);
  });

  it('layerNorm normalises with the biased variance, then scales and shifts', () => {
    const ones = new Float32Array([1, 1, 1, 1]);
    const zeros = new Float32Array(4);
    // mean 2.5, variance 1.25: (x - 2.5) / √1.25
    const y = layerNorm(Float64Array.from([1, 2, 3, 4]), ones, zeros, 0);
    expect(Array.from(y)).toEqual([-1.5, -0.5, 0.5, 1.5].map((v) => expect.closeTo(v / Math.sqrt(1.25), 14)));
    const z = layerNorm(
      Float64Array.from([1, 2, 3, 4]),
      new Float32Array([2, 2, 2, 2]),
      new Float32Array([1, 1, 1, 1]),
      0,
    );
    expect(z[0]).toBeCloseTo(1 - 3 / Math.sqrt(1.25), 14);
  });
});

describe('referenceForward on hand-made models', () => {
  it('with zero blocks reduces to ln_f(wte[id] + wpe[t]) · wteᵀ (tied head), computed by hand', () => {
    const cfg = config({ vocabSize: 3, nEmbd: 2, nHead: 1, nPositions: 2 });
    const wte = [1, 0, 0, 1, 2, 2];
    const wpe = [0, 0, 0, 3];
    const weights = inMemoryWeights(
      cfg,
      tensorsFrom(cfg, (name, i) => {
        if (name === 'wte.weight') return wte[i];
        if (name === 'wpe.weight') return wpe[i];
        if (name.endsWith('ln_f.weight')) return 1;
        return 0; // every block weight and bias: attn and mlp add nothing
      }),
    );
    const logits = referenceForward(weights, [0, 0]);
    // t=0: x = [1, 0], mean 0.5, var 0.25 -> LN -> ±0.5/√(0.25 + eps) = ±1/√(1 + 4eps)
    //      -> logits [1·1 + (-1)·0, 1·0 + (-1)·1, 1·2 + (-1)·2] = [1, -1, 0] × 1/√(1 + 4eps)
    // t=1: x = [1, 3], mean 2, var 1 -> LN -> [-1, 1] / √(1 + eps) -> logits [-1, 1, 0] × 1/√(1 + eps)
    const eps = cfg.layerNormEpsilon;
    expect(Array.from(logits[0])).toEqual([1, -1, 0].map((v) => expect.closeTo(v / Math.sqrt(1 + 4 * eps), 12)));
    expect(Array.from(logits[1])).toEqual([-1, 1, 0].map((v) => expect.closeTo(v / Math.sqrt(1 + eps), 12)));
  });

  it('matches an independent per-head computation (1 layer, embd 4, 2 heads, vocab 6)', () => {
    const cfg = config({});
    // Deterministic, varied weights of order 0.5 (LayerNorm gains near 1) so every part matters.
    const value = (name: string, i: number) => {
      const h = [...name].reduce((a, ch) => a * 31 + ch.charCodeAt(0), 7) % 1000;
      const v = Math.sin(h + i * 1.7) * 0.5;
      return name.includes('ln_') && name.endsWith('weight') ? 1 + v * 0.4 : v;
    };
    const tensors = tensorsFrom(cfg, value);
    const ids = [3, 1, 4, 1, 5];
    const got = referenceForward(inMemoryWeights(cfg, tensors), ids);
    const want = naiveGpt2(cfg, tensors, ids);
    for (let t = 0; t < ids.length; t++) {
      for (let v = 0; v < cfg.vocabSize; v++) expect(got[t][v], `logit [${t}][${v}]`).toBeCloseTo(want[t][v], 12);
    }
    // The case is not degenerate: logits vary across positions and tokens.
    expect(new Set(want.flat().map((x) => x.toFixed(6))).size).toBe(ids.length * cfg.vocabSize);
  });
});

/**
 * GPT-2 written a second way, for the test above: matrices as number[][] indexed [in][out],
 * variance as E[x²] − E[x]², each head's q/k/v sliced out explicitly, softmax without the max
 * shift, and GELU as x·sigmoid(2u) (equal to 0.5x(1 + tanh u)).
 */
function naiveGpt2(cfg: Gpt2Config, t: Map<string, Tensor32>, ids: number[]): number[][] {
  const C = cfg.nEmbd;
  const vec = (name: string) => Array.from(t.get(name)!.data);
  const mat = (name: string) => {
    const { shape, data } = t.get(name)!;
    return Array.from({ length: shape[0] }, (_, r) => Array.from(data.subarray(r * shape[1], (r + 1) * shape[1])));
  };
  const matvec = (x: number[], W: number[][], b: number[]) =>
    b.map((bj, j) => x.reduce((sum, xi, i) => sum + xi * W[i][j], bj));
  const ln = (x: number[], g: number[], b: number[]) => {
    const mean = x.reduce((a, v) => a + v, 0) / x.length;
    const meanSq = x.reduce((a, v) => a + v * v, 0) / x.length;
    const sd = Math.sqrt(meanSq - mean * mean + cfg.layerNormEpsilon);
    return x.map((v, i) => ((v - mean) / sd) * g[i] + b[i]);
  };
  const geluSigmoid = (x: number) => x / (1 + Math.exp(-2 * Math.sqrt(2 / Math.PI) * (x + 0.044715 * x * x * x)));

  const wte = mat('wte.weight');
  const wpe = mat('wpe.weight');
  let h = ids.map((id, pos) => wte[id].map((v, c) => v + wpe[pos][c]));
  for (let l = 0; l < cfg.nLayer; l++) {
    const p = `h.${l}.`;
    const a = h.map((x) => ln(x, vec(`${p}ln_1.weight`), vec(`${p}ln_1.bias`)));
    const qkv = a.map((x) => matvec(x, mat(`${p}attn.c_attn.weight`), vec(`${p}attn.c_attn.bias`)));
    const D = C / cfg.nHead;
    const context = h.map(() => new Array<number>(C).fill(0));
    for (let head = 0; head < cfg.nHead; head++) {
      const q = qkv.map((r) => r.slice(head * D, head * D + D));
      const k = qkv.map((r) => r.slice(C + head * D, C + head * D + D));
      const v = qkv.map((r) => r.slice(2 * C + head * D, 2 * C + head * D + D));
      for (let i = 0; i < ids.length; i++) {
        const e = k.slice(0, i + 1).map((kj) => Math.exp(kj.reduce((s, kd, d) => s + kd * q[i][d], 0) / Math.sqrt(D)));
        const total = e.reduce((s, x) => s + x, 0);
        for (let d = 0; d < D; d++) context[i][head * D + d] = e.reduce((s, ej, j) => s + (ej / total) * v[j][d], 0);
      }
    }
    h = h.map((x, i) =>
      matvec(context[i], mat(`${p}attn.c_proj.weight`), vec(`${p}attn.c_proj.bias`)).map((y, c) => y + x[c]),
    );
    h = h.map((x) => {
      const m = ln(x, vec(`${p}ln_2.weight`), vec(`${p}ln_2.bias`));
      const hidden = matvec(m, mat(`${p}mlp.c_fc.weight`), vec(`${p}mlp.c_fc.bias`)).map(geluSigmoid);
      return matvec(hidden, mat(`${p}mlp.c_proj.weight`), vec(`${p}mlp.c_proj.bias`)).map((y, c) => y + x[c]);
    });
  }
  return h.map((x) => {
    const f = ln(x, vec('ln_f.weight'), vec('ln_f.bias'));
    return wte.map((row) => row.reduce((s, w, c) => s + w * f[c], 0));
  });
}

describe('referenceForward on a random checkpoint', () => {
  let small: LoadedCheckpoint;
  beforeAll(async () => {
    small = await loadCheckpoint(await tinyModelDir({ vocabSize: 512, positions: 64 }));
  });
  afterAll(() => small.close());

  const ids = [10, 200, 33, 33, 7, 501, 0, 90, 12, 64];

  it('is causal: logits at position t depend only on tokens 0..t', () => {
    const base = referenceForward(small, ids);
    const changedTail = referenceForward(small, [...ids.slice(0, 6), 1, 2, 3, 4]);
    for (let t = 0; t < 6; t++) expect(changedTail[t]).toEqual(base[t]);
    for (let t = 6; t < 10; t++) expect(changedTail[t]).not.toEqual(base[t]);
    // ...and a change at position 2 reaches every later position.
    const changedMiddle = referenceForward(small, [10, 200, 34, ...ids.slice(3)]);
    expect(changedMiddle[1]).toEqual(base[1]);
    for (let t = 2; t < 10; t++) expect(changedMiddle[t]).not.toEqual(base[t]);
  });

  it('gives a prefix the same logits as the longer sequence it starts', () => {
    const base = referenceForward(small, ids);
    expect(referenceForward(small, ids.slice(0, 4))).toEqual(base.slice(0, 4));
  });

  it('uses position embeddings: the same token at two positions gives different logits', () => {
    const [a, b] = referenceForward(small, [42, 42]);
    expect(a).not.toEqual(b);
  });

  it('rejects ids outside the vocabulary or the context', () => {
    expect(() => referenceForward(small, [])).toThrow(/ids is empty/);
    expect(() => referenceForward(small, [1, 512])).toThrow(
      'referenceForward: ids[1] = 512 is not a token id in [0, 512)',
    );
    expect(() => referenceForward(small, [1.5])).toThrow(/ids\[0\] = 1.5/);
    expect(() => referenceForward(small, new Array(65).fill(1))).toThrow(
      'referenceForward: 65 tokens exceed the context of 64',
    );
  });

  it('runs 20 tokens through the full 50257-token vocabulary quickly', async () => {
    const ck = await loadCheckpoint(await tinyModelDir());
    const start = performance.now();
    const logits = referenceForward(
      ck,
      Array.from({ length: 20 }, (_, i) => i * 2500),
    );
    const ms = performance.now() - start;
    ck.close();
    expect(logits).toHaveLength(20);
    expect(logits[19]).toHaveLength(50257);
    expect(logits.every((row) => row.every(Number.isFinite))).toBe(true);
    // Typically ~0.3 s; the bound only catches an accidental blow-up on a busy shared machine.
    expect(ms).toBeLessThan(5000);
  });
});
