/**
 * Test fixtures for the graph builder: a small random GPT-2 held in memory (scaled so that graph
 * bugs show clearly) and helpers to feed onnxruntime-node sessions. The float64 yardstick is
 * electron/engine/reference's referenceForward.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as ort from 'onnxruntime-node';
import { inMemoryWeights } from '../../../electron/engine/weights/layout';
import type { Gpt2Config, Gpt2Weights, Tensor32 } from '../../../electron/engine/weights/types';

export const TINY: Gpt2Config = {
  vocabSize: 50257,
  nPositions: 64,
  nEmbd: 64,
  nLayer: 2,
  nHead: 4,
  layerNormEpsilon: 1e-5,
  bosTokenId: 50256,
  eosTokenId: 50256,
};

/** Deterministic normal(0, 1) samples (mulberry32 + Box–Muller). */
function gaussian(seed: number): () => number {
  let a = seed >>> 0;
  const uniform = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return () => Math.sqrt(-2 * Math.log(uniform() + 1e-12)) * Math.cos(2 * Math.PI * uniform());
}

/**
 * Random weights, scaled so attention is far from uniform and logits spread over a few units.
 * (make-test-model follows GPT-2's 0.02 initialisation, under which attention is nearly uniform and
 * an off-by-one in the causal mask moves logits by only ~1e-3; these weights make it move by ~1.)
 */
export function randomWeights(cfg: Gpt2Config = TINY, seed = 1): Gpt2Weights {
  const rnd = gaussian(seed);
  const C = cfg.nEmbd;
  const tensors = new Map<string, Tensor32>();
  const make = (name: string, shape: number[], std: number, mean = 0) => {
    const n = shape.reduce((x, y) => x * y, 1);
    const data = new Float32Array(n);
    for (let i = 0; i < n; i++) data[i] = mean + std * rnd();
    tensors.set(name, { shape, data });
  };
  make('wte.weight', [cfg.vocabSize, C], 0.1);
  make('wpe.weight', [cfg.nPositions, C], 0.1);
  for (let i = 0; i < cfg.nLayer; i++) {
    const h = `h.${i}.`;
    make(`${h}ln_1.weight`, [C], 0.1, 1);
    make(`${h}ln_1.bias`, [C], 0.1);
    make(`${h}attn.c_attn.weight`, [C, 3 * C], 0.15);
    make(`${h}attn.c_attn.bias`, [3 * C], 0.1);
    make(`${h}attn.c_proj.weight`, [C, C], 0.1);
    make(`${h}attn.c_proj.bias`, [C], 0.1);
    make(`${h}ln_2.weight`, [C], 0.1, 1);
    make(`${h}ln_2.bias`, [C], 0.1);
    make(`${h}mlp.c_fc.weight`, [C, 4 * C], 0.15);
    make(`${h}mlp.c_fc.bias`, [4 * C], 0.1);
    make(`${h}mlp.c_proj.weight`, [4 * C, C], 0.1);
    make(`${h}mlp.c_proj.bias`, [C], 0.1);
  }
  make('ln_f.weight', [C], 0.1, 1);
  make('ln_f.bias', [C], 0.1);
  return inMemoryWeights(cfg, tensors);
}

export function tempDir(tag: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), `inkling-graph-${tag}-`));
}

export function i64(values: number[], dims: number[]): ort.Tensor {
  return new ort.Tensor('int64', BigInt64Array.from(values.map(BigInt)), dims);
}

export function f32(data: Float32Array, dims: number[]): ort.Tensor {
  return new ort.Tensor('float32', data, dims);
}

/** Largest |a[i] - b[i]|. */
export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`length mismatch: ${a.length} vs ${b.length}`);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

/** Row r (length `width`) of a flat float tensor. */
export function row(t: ort.Tensor, r: number, width: number): Float32Array {
  return (t.data as Float32Array).subarray(r * width, (r + 1) * width);
}

/** Token ids spread over the vocabulary (including <|endoftext|>), deterministic. */
export function tokens(n: number, seed: number): number[] {
  const out: number[] = [];
  let x = seed * 7919 + 13;
  for (let i = 0; i < n; i++) {
    x = (x * 1103515245 + 12345) % 2147483648;
    out.push(i % 7 === 6 ? 50256 : x % 50257);
  }
  return out;
}

/** Argmax of a logits row. */
export function argmax(a: ArrayLike<number>): number {
  let best = 0;
  for (let i = 1; i < a.length; i++) if (a[i] > a[best]) best = i;
  return best;
}

/**
 * [B, P, C] ++ [B, S, C] → [B, P + S, C]: what the engine does with the inkling graph's new K/V rows.
 */
export function appendRows(
  old: Float32Array,
  fresh: Float32Array,
  B: number,
  P: number,
  S: number,
  C: number,
): Float32Array {
  const out = new Float32Array(B * (P + S) * C);
  for (let b = 0; b < B; b++) {
    out.set(old.subarray(b * P * C, (b + 1) * P * C), b * (P + S) * C);
    out.set(fresh.subarray(b * S * C, (b + 1) * S * C), b * (P + S) * C + P * C);
  }
  return out;
}
