/**
 * The "inkling" graph (contract.ts) on a real onnxruntime-node session, against the float64
 * reference forward pass on the same random weights.
 *
 * Tolerance: 1e-4 absolute on logits. The graph computes in float32 (relative rounding ~1e-7 per
 * op, a few hundred ops deep on logits of magnitude ~1-5), so a correct graph lands around 1e-6;
 * any real mistake (mask off by one, wrong head split, wrong position) moves logits by >1e-2.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import fs from 'node:fs';
import * as ort from 'onnxruntime-node';
import { buildGraph } from '../../../electron/engine/graph';
import { INKLING_INPUTS as I, INKLING_OUTPUTS as O } from '../../../electron/engine/graph/contract';
import { logSumExp } from '../../../electron/engine/generate/sample';
import { referenceForward } from '../../../electron/engine/reference';
import { TINY, appendRows, argmax, f32, i64, maxAbsDiff, randomWeights, row, tempDir, tokens } from './fixtures';

const TOL = 1e-4;
/** float32 accumulation over the vocabulary, relative to the value. */
const LSE_TOL = 1e-5;
const { vocabSize: V, nEmbd: C, nLayer: L } = TINY;

/** The engine's side of the contract: it owns the K/V cache and appends each step's new rows. */
class KvCache {
  P = 0;
  private keys: Float32Array[] = Array.from({ length: L }, () => new Float32Array(0));
  private values: Float32Array[] = Array.from({ length: L }, () => new Float32Array(0));
  /** asShared: feed the rows as `shared_key/value` with an empty past (what the decoder does for batch 1). */
  constructor(
    readonly B: number,
    readonly asShared = false,
  ) {}

  feeds(): Record<string, ort.Tensor> {
    const f: Record<string, ort.Tensor> = {};
    for (let i = 0; i < L; i++) {
      if (this.asShared) {
        expect(this.B).toBe(1);
        f[I.sharedKey(i)] = f32(this.keys[i], [1, this.P, C]);
        f[I.sharedValue(i)] = f32(this.values[i], [1, this.P, C]);
        f[I.pastKey(i)] = f32(new Float32Array(0), [1, 0, C]);
        f[I.pastValue(i)] = f32(new Float32Array(0), [1, 0, C]);
        continue;
      }
      f[I.sharedKey(i)] = f32(new Float32Array(0), [1, 0, C]);
      f[I.sharedValue(i)] = f32(new Float32Array(0), [1, 0, C]);
      f[I.pastKey(i)] = f32(this.keys[i], [this.B, this.P, C]);
      f[I.pastValue(i)] = f32(this.values[i], [this.B, this.P, C]);
    }
    return f;
  }

  append(out: ort.InferenceSession.ReturnType, S: number): void {
    for (let i = 0; i < L; i++) {
      expect(out[O.newKey(i)].dims).toEqual([this.B, S, C]);
      this.keys[i] = appendRows(this.keys[i], out[O.newKey(i)].data as Float32Array, this.B, this.P, S, C);
      this.values[i] = appendRows(this.values[i], out[O.newValue(i)].data as Float32Array, this.B, this.P, S, C);
    }
    this.P += S;
  }

  key(i: number): Float32Array {
    return this.keys[i];
  }

  value(i: number): Float32Array {
    return this.values[i];
  }
}

let dir: string;
let session: ort.InferenceSession;
const weights = randomWeights(TINY, 7);

/** One run: ids/positions [B][S], mask [B][P+S]; appends the new K/V rows to `kv`; returns logits [N, V]. */
async function step(
  kv: KvCache,
  ids: number[][],
  positions: number[][],
  mask: number[][],
  logitsIndex: number[],
  extra: Record<string, ort.Tensor> = {},
): Promise<ort.Tensor> {
  const B = ids.length;
  const S = ids[0].length;
  const out = await session.run({
    [I.inputIds]: i64(ids.flat(), [B, S]),
    [I.positionIds]: i64(positions.flat(), [B, S]),
    [I.attentionMask]: i64(mask.flat(), [B, mask[0].length]),
    [I.logitsIndex]: i64(logitsIndex, [logitsIndex.length]),
    ...kv.feeds(),
    ...extra,
  });
  expect(out[O.logits].dims).toEqual([logitsIndex.length, V]);
  // Every returned row comes with its log-sum-exp, equal to the one computed here in float64.
  expect(out[O.logSumExp].dims).toEqual([logitsIndex.length]);
  for (let n = 0; n < logitsIndex.length; n++) {
    const r = row(out[O.logits], n, V);
    expect(Math.abs((out[O.logSumExp].data as Float32Array)[n] - logSumExp(r))).toBeLessThan(
      LSE_TOL * Math.max(1, Math.abs(logSumExp(r))),
    );
  }
  kv.append(out, S);
  return out[O.logits];
}

const range = (a: number, b: number) => Array.from({ length: b - a }, (_, i) => a + i);
const ones = (n: number) => new Array<number>(n).fill(1);

beforeAll(async () => {
  dir = tempDir('inkling');
  const saved = await buildGraph(weights, { layout: 'inkling' }, `${dir}/model.onnx`);
  session = await ort.InferenceSession.create(saved.onnxPath);
});

afterAll(async () => {
  await session?.release();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('inkling graph vs float64 reference', () => {
  test('exposes exactly the contract inputs and outputs', () => {
    expect(session.inputNames).toEqual([
      I.inputIds,
      I.positionIds,
      I.attentionMask,
      I.logitsIndex,
      ...range(0, L).flatMap((i) => [I.sharedKey(i), I.sharedValue(i), I.pastKey(i), I.pastValue(i)]),
    ]);
    expect(session.outputNames).toEqual([
      O.logits,
      O.logSumExp,
      ...range(0, L).flatMap((i) => [O.newKey(i), O.newValue(i)]),
    ]);
  });

  test('(a) one pass over the whole sequence, empty past [1, 0, C]', async () => {
    const ids = tokens(12, 1);
    const ref = referenceForward(weights, ids);
    const logits = await step(new KvCache(1), [ids], [range(0, 12)], [ones(12)], range(0, 12));
    for (let s = 0; s < 12; s++) expect(maxAbsDiff(row(logits, s, V), ref[s])).toBeLessThan(TOL);
  });

  test('(b) prefill then token-by-token through the K/V cache the caller owns', async () => {
    const ids = tokens(12, 2);
    const ref = referenceForward(weights, ids);
    const kv = new KvCache(1);
    // Prefill 5 tokens, asking only for the last position's logits (what the engine does).
    let logits = await step(kv, [ids.slice(0, 5)], [range(0, 5)], [ones(5)], [4]);
    expect(maxAbsDiff(row(logits, 0, V), ref[4])).toBeLessThan(TOL);
    for (let s = 5; s < 12; s++) {
      logits = await step(kv, [[ids[s]]], [[s]], [ones(s + 1)], [0]);
      expect(maxAbsDiff(row(logits, 0, V), ref[s])).toBeLessThan(TOL);
    }
    // The cache built step by step equals the one a single pass produces.
    const full = new KvCache(1);
    await step(full, [ids], [range(0, 12)], [ones(12)], [11]);
    expect(kv.P).toBe(12);
    for (let i = 0; i < L; i++) expect(maxAbsDiff(kv.key(i), full.key(i))).toBeLessThan(1e-5);
  });

  test('(b2) token-by-token with the cached rows fed as shared rows: the per-head decode path', async () => {
    const ids = tokens(12, 3);
    const ref = referenceForward(weights, ids);
    const shared = new KvCache(1, true);
    await step(shared, [ids.slice(0, 4)], [range(0, 4)], [ones(4)], [3]);
    for (let s = 4; s < 12; s++) {
      const logits = await step(shared, [[ids[s]]], [[s]], [ones(s + 1)], [0]);
      expect(maxAbsDiff(row(logits, 0, V), ref[s])).toBeLessThan(TOL);
    }
  });

  test('(c) batch of 2 with left padding, then batched decode steps', async () => {
    const a = tokens(10, 3);
    const b = tokens(6, 4);
    const pad = 10 - b.length;
    const PAD = 50256;
    const kv = new KvCache(2);
    const logits = await step(
      kv,
      [a, [...new Array<number>(pad).fill(PAD), ...b]],
      [range(0, 10), [...new Array<number>(pad).fill(0), ...range(0, b.length)]],
      [ones(10), [...new Array<number>(pad).fill(0), ...ones(b.length)]],
      range(0, 20),
    );
    // Fully masked (padding) query rows must still be finite: the engine may read them by accident.
    expect((logits.data as Float32Array).every(Number.isFinite)).toBe(true);
    const refA = referenceForward(weights, a);
    const refB = referenceForward(weights, b);
    for (let s = 0; s < 10; s++) expect(maxAbsDiff(row(logits, s, V), refA[s])).toBeLessThan(TOL);
    for (let s = 0; s < b.length; s++) expect(maxAbsDiff(row(logits, 10 + pad + s, V), refB[s])).toBeLessThan(TOL);

    // Two greedy decode steps for both rows at once; the padding stays masked in the cache.
    const seqA = [...a];
    const seqB = [...b];
    let last = [row(logits, 9, V), row(logits, 19, V)];
    for (let t = 0; t < 2; t++) {
      seqA.push(argmax(last[0]));
      seqB.push(argmax(last[1]));
      const T = kv.P + 1;
      const out = await step(
        kv,
        [[seqA[seqA.length - 1]], [seqB[seqB.length - 1]]],
        [[seqA.length - 1], [seqB.length - 1]],
        [ones(T), [...new Array<number>(pad).fill(0), ...ones(T - pad)]],
        [0, 1],
      );
      expect(maxAbsDiff(row(out, 0, V), referenceForward(weights, seqA)[seqA.length - 1])).toBeLessThan(TOL);
      expect(maxAbsDiff(row(out, 1, V), referenceForward(weights, seqB)[seqB.length - 1])).toBeLessThan(TOL);
      last = [row(out, 0, V), row(out, 1, V)];
    }
  });

  test('(d) logits_index selects rows of the flattened [B*S] positions, in the order given', async () => {
    const a = tokens(8, 5);
    const b = tokens(8, 6);
    const refA = referenceForward(weights, a);
    const refB = referenceForward(weights, b);
    const index = [15, 2, 7, 8];
    const logits = await step(new KvCache(2), [a, b], [range(0, 8), range(0, 8)], [ones(8), ones(8)], index);
    expect(maxAbsDiff(row(logits, 0, V), refB[7])).toBeLessThan(TOL);
    expect(maxAbsDiff(row(logits, 1, V), refA[2])).toBeLessThan(TOL);
    expect(maxAbsDiff(row(logits, 2, V), refA[7])).toBeLessThan(TOL);
    expect(maxAbsDiff(row(logits, 3, V), refB[0])).toBeLessThan(TOL);
  });

  test('(d2) an empty logits_index: no logits rows, and the K/V rows still equal a full pass', async () => {
    const ids = tokens(6, 4);
    const none = new KvCache(1);
    await step(none, [ids], [range(0, 6)], [ones(6)], []);
    const full = new KvCache(1);
    await step(full, [ids], [range(0, 6)], [ones(6)], [5]);
    for (let i = 0; i < L; i++) expect(maxAbsDiff(none.key(i), full.key(i))).toBe(0);
  });

  test('(e) one token with nothing cached (no shared rows: the plain path, not the decode path)', async () => {
    const ids = tokens(1, 8);
    const logits = await step(new KvCache(1), [ids], [[0]], [[1]], [0]);
    expect(maxAbsDiff(row(logits, 0, V), referenceForward(weights, ids)[0])).toBeLessThan(TOL);
  });

  test('(f) alternatives read a shared prompt once: shared rows + per-sequence rows (some unused, masked)', async () => {
    const prompt = tokens(9, 9);
    const pkv = new KvCache(1);
    let logits = await step(pkv, [prompt], [range(0, 9)], [ones(9)], [8]);
    // The prompt's rows are shared by both sequences; each sequence's own buffer has room for 4 rows.
    const shared: Record<string, ort.Tensor> = {};
    for (let i = 0; i < L; i++) {
      shared[I.sharedKey(i)] = f32(pkv.key(i), [1, 9, C]);
      shared[I.sharedValue(i)] = f32(pkv.value(i), [1, 9, C]);
    }
    const cap = 4;
    const own = {
      k: range(0, L).map(() => new Float32Array(2 * cap * C).fill(7)),
      v: range(0, L).map(() => new Float32Array(2 * cap * C).fill(-7)),
    };
    const seqs = [[...prompt], [...prompt]];
    let last = [row(logits, 0, V), row(logits, 0, V)];
    for (let t = 0; t < 3; t++) {
      // Different continuations: the first sequence greedy, the second its runner-up.
      const top = argmax(last[1]);
      const second = argmax(last[1].map((x, j) => (j === top ? -Infinity : x)));
      seqs[0].push(argmax(last[0]));
      seqs[1].push(second);
      const feeds: Record<string, ort.Tensor> = { ...shared };
      for (let i = 0; i < L; i++) {
        feeds[I.pastKey(i)] = f32(own.k[i], [2, cap, C]);
        feeds[I.pastValue(i)] = f32(own.v[i], [2, cap, C]);
      }
      const rowMask = [...ones(9), ...range(0, cap).map((r) => (r < t ? 1 : 0)), 1];
      const out = await session.run({
        [I.inputIds]: i64([seqs[0][9 + t], seqs[1][9 + t]], [2, 1]),
        [I.positionIds]: i64([9 + t, 9 + t], [2, 1]),
        [I.attentionMask]: i64([...rowMask, ...rowMask], [2, 9 + cap + 1]),
        [I.logitsIndex]: i64([0, 1], [2]),
        ...feeds,
      });
      for (let b = 0; b < 2; b++) {
        const ref = referenceForward(weights, seqs[b]);
        expect(maxAbsDiff(row(out[O.logits], b, V), ref[ref.length - 1])).toBeLessThan(TOL);
        for (let i = 0; i < L; i++) {
          own.k[i].set((out[O.newKey(i)].data as Float32Array).subarray(b * C, (b + 1) * C), (b * cap + t) * C);
          own.v[i].set((out[O.newValue(i)].data as Float32Array).subarray(b * C, (b + 1) * C), (b * cap + t) * C);
        }
      }
      last = [row(out[O.logits], 0, V), row(out[O.logits], 1, V)];
    }
    expect(seqs[0].slice(9)).not.toEqual(seqs[1].slice(9));
    // A prompt step (S > 1) over shared rows takes the other attention path: same logits.
    const two = [seqs[0].slice(9, 11), seqs[1].slice(9, 11)];
    const feeds: Record<string, ort.Tensor> = { ...shared };
    for (let i = 0; i < L; i++) {
      feeds[I.pastKey(i)] = f32(new Float32Array(0), [2, 0, C]);
      feeds[I.pastValue(i)] = f32(new Float32Array(0), [2, 0, C]);
    }
    const out = await session.run({
      [I.inputIds]: i64(two.flat(), [2, 2]),
      [I.positionIds]: i64([9, 10, 9, 10], [2, 2]),
      [I.attentionMask]: i64([...ones(11), ...ones(11)], [2, 11]),
      [I.logitsIndex]: i64([1, 3], [2]),
      ...feeds,
    });
    for (let b = 0; b < 2; b++) {
      const ref = referenceForward(weights, seqs[b].slice(0, 11));
      expect(maxAbsDiff(row(out[O.logits], b, V), ref[10])).toBeLessThan(TOL);
    }
    logits = out[O.logits];
    expect(logits.dims).toEqual([2, V]);
  });

  test('an out-of-vocabulary token id is rejected by the session, not silently read', async () => {
    await expect(step(new KvCache(1), [[V]], [[0]], [[1]], [0])).rejects.toThrow();
  });
});
