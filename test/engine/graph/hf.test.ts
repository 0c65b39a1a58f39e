/**
 * The "hf" graph (Hugging Face / transformers.js I/O names and shapes) on a real onnxruntime-node
 * session, against the float64 reference. Tolerance 1e-4 absolute on logits, as in
 * inkling.test.ts (float32 graph vs float64 reference; correct graphs land near 1e-6).
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import fs from 'node:fs';
import * as ort from 'onnxruntime-node';
import { buildGraph } from '../../../electron/engine/graph';
import { HF_NAMES } from '../../../electron/engine/graph/contract';
import { referenceForward } from '../../../electron/engine/reference';
import { TINY, argmax, f32, i64, maxAbsDiff, randomWeights, row, tempDir, tokens } from './fixtures';

const TOL = 1e-4;
const { vocabSize: V, nEmbd: C, nLayer: L, nHead: H } = TINY;
const D = C / H;

let dir: string;
let session: ort.InferenceSession;
const weights = randomWeights(TINY, 11);

type Past = Record<string, ort.Tensor>;

function emptyPast(B: number): Past {
  const p: Past = {};
  for (let i = 0; i < L; i++) {
    p[HF_NAMES.pastKey(i)] = f32(new Float32Array(0), [B, H, 0, D]);
    p[HF_NAMES.pastValue(i)] = f32(new Float32Array(0), [B, H, 0, D]);
  }
  return p;
}

/** One run; returns logits [B,S,V] and the presents renamed as the next step's past. */
async function run(
  past: Past,
  ids: number[][],
  positions: number[][],
  mask: number[][],
): Promise<{ logits: ort.Tensor; past: Past }> {
  const B = ids.length;
  const S = ids[0].length;
  const T = mask[0].length;
  const out = await session.run({
    input_ids: i64(ids.flat(), [B, S]),
    attention_mask: i64(mask.flat(), [B, T]),
    position_ids: i64(positions.flat(), [B, S]),
    ...past,
  });
  expect(out.logits.dims).toEqual([B, S, V]);
  const next: Past = {};
  for (let i = 0; i < L; i++) {
    expect(out[HF_NAMES.presentKey(i)].dims).toEqual([B, H, T, D]);
    next[HF_NAMES.pastKey(i)] = out[HF_NAMES.presentKey(i)];
    next[HF_NAMES.pastValue(i)] = out[HF_NAMES.presentValue(i)];
  }
  return { logits: out.logits, past: next };
}

const range = (a: number, b: number) => Array.from({ length: b - a }, (_, i) => a + i);
const ones = (n: number) => new Array<number>(n).fill(1);

beforeAll(async () => {
  dir = tempDir('hf');
  const saved = await buildGraph(weights, { layout: 'hf' }, `${dir}/model.onnx`);
  session = await ort.InferenceSession.create(saved.onnxPath);
});

afterAll(async () => {
  await session?.release();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('hf graph vs float64 reference', () => {
  test('uses the transformers.js names', () => {
    expect(session.inputNames).toEqual([
      'input_ids',
      'attention_mask',
      'position_ids',
      ...range(0, L).flatMap((i) => [HF_NAMES.pastKey(i), HF_NAMES.pastValue(i)]),
    ]);
    expect(session.outputNames).toEqual([
      'logits',
      ...range(0, L).flatMap((i) => [HF_NAMES.presentKey(i), HF_NAMES.presentValue(i)]),
    ]);
  });

  test('one pass: logits at every position', async () => {
    const ids = tokens(10, 21);
    const ref = referenceForward(weights, ids);
    const { logits } = await run(emptyPast(1), [ids], [range(0, 10)], [ones(10)]);
    for (let s = 0; s < 10; s++) expect(maxAbsDiff(row(logits, s, V), ref[s])).toBeLessThan(TOL);
  });

  test('prefill then token by token through past_key_values / present', async () => {
    const ids = tokens(10, 22);
    const ref = referenceForward(weights, ids);
    let { logits, past } = await run(emptyPast(1), [ids.slice(0, 4)], [range(0, 4)], [ones(4)]);
    for (let s = 0; s < 4; s++) expect(maxAbsDiff(row(logits, s, V), ref[s])).toBeLessThan(TOL);
    for (let s = 4; s < 10; s++) {
      ({ logits, past } = await run(past, [[ids[s]]], [[s]], [ones(s + 1)]));
      expect(maxAbsDiff(row(logits, 0, V), ref[s])).toBeLessThan(TOL);
    }
  });

  test('batch of 2 with left padding, then a batched decode step', async () => {
    const a = tokens(9, 23);
    const b = tokens(5, 24);
    const pad = a.length - b.length;
    const padMask = [...new Array<number>(pad).fill(0), ...ones(b.length)];
    const { logits, past } = await run(
      emptyPast(2),
      [a, [...new Array<number>(pad).fill(50256), ...b]],
      [range(0, 9), [...new Array<number>(pad).fill(1), ...range(0, b.length)]],
      [ones(9), padMask],
    );
    expect((logits.data as Float32Array).every(Number.isFinite)).toBe(true);
    const refA = referenceForward(weights, a);
    const refB = referenceForward(weights, b);
    for (let s = 0; s < 9; s++) expect(maxAbsDiff(row(logits, s, V), refA[s])).toBeLessThan(TOL);
    for (let s = 0; s < b.length; s++) expect(maxAbsDiff(row(logits, 9 + pad + s, V), refB[s])).toBeLessThan(TOL);

    const nextA = [...a, argmax(row(logits, 8, V))];
    const nextB = [...b, argmax(row(logits, 17, V))];
    const step = await run(past, [[nextA[9]], [nextB[5]]], [[9], [5]], [ones(10), [...padMask, 1]]);
    expect(maxAbsDiff(row(step.logits, 0, V), referenceForward(weights, nextA)[9])).toBeLessThan(TOL);
    expect(maxAbsDiff(row(step.logits, 1, V), referenceForward(weights, nextB)[5])).toBeLessThan(TOL);
  });
});
