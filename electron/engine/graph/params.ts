/**
 * GPT-2 parameters as ONNX initializers: each canonical tensor is registered with the shape the
 * config implies and streamed from `Gpt2Weights` only when the data file is written.
 */
import type { Gpt2Config, Gpt2Weights } from '../weights/types';
import type { GraphBuilder } from './builder';
import { f32ToF16Array } from '../weights/half';
import { gpt2TensorShapes } from '../weights/layout';
import { DataType } from './onnx';
import { quantizePieceParallel, scratchResult, withSharedScratch } from './quantizePool';
import { quantizeBlockwise, type BlockQuantized, type QuantBits, type SourceLayout } from './quantize';

/** Checks the config describes a GPT-2 the graph can be built for. */
export function checkConfig(cfg: Gpt2Config): void {
  const positive = ['vocabSize', 'nPositions', 'nEmbd', 'nLayer', 'nHead'] as const;
  for (const k of positive) {
    if (!Number.isInteger(cfg[k]) || cfg[k] <= 0)
      throw new Error(`GPT-2 config: ${k} must be a positive integer, got ${cfg[k]}`);
  }
  if (cfg.nEmbd % cfg.nHead !== 0) {
    throw new Error(`GPT-2 config: n_embd (${cfg.nEmbd}) must be divisible by n_head (${cfg.nHead})`);
  }
  if (!(cfg.layerNormEpsilon > 0))
    throw new Error(`GPT-2 config: layer_norm_epsilon must be > 0, got ${cfg.layerNormEpsilon}`);
}

/**
 * Returns a function that registers a canonical tensor (once) and gives its value name. The bytes
 * are a view of the weights' own Float32Array: nothing is copied on the way to disk.
 */
export function paramRegistry(g: GraphBuilder, weights: Gpt2Weights): (name: string) => string {
  const seen = new Map<string, string>();
  const shapes = gpt2TensorShapes(weights.config);
  return (name) => {
    const known = seen.get(name);
    if (known) return known;
    const dims = shapes.get(name);
    if (!dims)
      throw new Error(`graph builder: unknown GPT-2 tensor "${name}" (config has ${weights.config.nLayer} layers)`);
    const ext = weights.external?.(name);
    const value = g.weight({
      name,
      dataType: DataType.FLOAT,
      dims,
      ...(ext ? { external: ext } : {}),
      ...(weights.rows ? { pieces: () => mapPieces(weights, name, dims, (x) => x) } : {}),
      bytes: () => {
        const t = weights.get(name);
        if (t.shape.length !== dims.length || t.shape.some((d, i) => d !== dims[i])) {
          throw new Error(`weight "${name}": expected shape [${dims.join(', ')}], found [${t.shape.join(', ')}]`);
        }
        return new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength);
      },
    });
    seen.set(name, value);
    return value;
  };
}

/** Value names of one block-quantized matrix (see quantize.ts for the layouts). */
export interface QuantizedParam {
  codes: string;
  scales: string;
  zeroPoints: string;
  /** The matrix is N rows (outputs / vocabulary entries) × K columns (the reduced dimension). */
  n: number;
  k: number;
  /** Weights per quantization block along K (the `block_size` attribute of the ops that read it). */
  blockSize: QuantBlockSize;
}

/** How a quantized matrix is consumed: its initializers' shapes differ (the bytes do not). */
export type QuantUse = 'matmul' | 'gather';

export interface Params {
  /** A canonical tensor in fp32, exactly the checkpoint's values. */
  f32(name: string): string;
  /** A canonical tensor stored as fp16 (the raw FLOAT16 initializer). */
  f16Raw(name: string): string;
  /** A canonical tensor stored as fp16 and cast to fp32 when the session loads (constant-folded). */
  f16AsF32(name: string): string;
  /**
   * A canonical matrix block-quantized for MatMulNBits (B as [N, K/bs, bs·bits/8]) or
   * GatherBlockQuantized (data as [N, K·bits/8]). `layout` says how the checkpoint stores it.
   */
  quantized(name: string, layout: SourceLayout, bits: QuantBits, use: QuantUse): QuantizedParam;
}

/**
 * Weights per block of int8/int4 quantization (one scale and zero point each). 32 is the default;
 * 64 and 128 are faster (fewer scales to read and apply: XL int4 decode +13% with 64, 124M int8
 * +20% with 128, docs/BENCHMARKS.md) but coarser, and their cost on real GPT-2 weights, which have
 * outlier dimensions random weights lack, is for `inkling eval` to measure: an opt-in of
 * `inkling convert --block-size`, not the app's default.
 */
export const QUANT_BLOCK_SIZES = [32, 64, 128] as const;
export type QuantBlockSize = (typeof QUANT_BLOCK_SIZES)[number];
export const QUANT_BLOCK_SIZE: QuantBlockSize = 32;

/**
 * All the ways the graph can hold GPT-2's weights. Every derived form (fp16, quantized) is computed
 * only while the data file is written, one tensor at a time, so converting never holds a second copy
 * of the model in memory.
 */
export function params(g: GraphBuilder, weights: Gpt2Weights, blockSize: QuantBlockSize = QUANT_BLOCK_SIZE): Params {
  const f32 = paramRegistry(g, weights);
  const shapes = gpt2TensorShapes(weights.config);
  const seen = new Map<string, string>();
  const seenQ = new Map<string, QuantizedParam>();
  // A quantization is shared by the initializers made from it and dropped once they are all written.
  const memo = new Map<string, { q: Promise<BlockQuantized>; pending: number }>();
  // How many initializers will read each quantization (counted while the graph is defined).
  const pendingParts = new Map<string, number>();

  const dimsOf = (name: string): number[] => {
    const dims = shapes.get(name);
    if (!dims)
      throw new Error(`graph builder: unknown GPT-2 tensor "${name}" (config has ${weights.config.nLayer} layers)`);
    return dims;
  };

  const f16Raw = (name: string): string => {
    const key = `f16raw:${name}`;
    const known = seen.get(key);
    if (known) return known;
    const half = g.weight({
      name: `${name}.fp16`,
      dataType: DataType.FLOAT16,
      dims: dimsOf(name),
      ...(weights.rows ? { pieces: () => mapPieces(weights, name, dimsOf(name), f32ToF16Array) } : {}),
      bytes: () => {
        const h = f32ToF16Array(weights.get(name).data);
        return new Uint8Array(h.buffer, h.byteOffset, h.byteLength);
      },
    });
    seen.set(key, half);
    return half;
  };

  return {
    f32,
    f16Raw,
    f16AsF32(name) {
      const key = `f16:${name}`;
      const known = seen.get(key);
      if (known) return known;
      const value = g.op('Cast', [f16Raw(name)], { to: DataType.FLOAT }, `${name}.fp16_as_fp32`);
      seen.set(key, value);
      return value;
    },
    quantized(name, layout, bits, use) {
      const key = `${name}:${layout}:${bits}:${use}`;
      const known = seenQ.get(key);
      if (known) return known;
      const dims = dimsOf(name);
      if (dims.length !== 2) throw new Error(`graph builder: cannot quantize "${name}": it is not a matrix`);
      const [n, k] = layout === 'rows' ? dims : [dims[1], dims[0]];
      const blocks = k / blockSize;
      const memoKey = `${name}:${layout}:${bits}`;
      const part = (pick: (q: BlockQuantized) => ArrayBufferView) => async () => {
        let m = memo.get(memoKey);
        if (!m) {
          m = { q: quantizeStreaming(weights, name, n, k, layout, bits, blockSize), pending: 0 };
          m.pending = pendingParts.get(memoKey) ?? 0;
          memo.set(memoKey, m);
        }
        if (--m.pending <= 0) memo.delete(memoKey);
        const view = pick(await m.q);
        return new Uint8Array(view.buffer, view.byteOffset, view.byteLength);
      };
      pendingParts.set(memoKey, (pendingParts.get(memoKey) ?? 0) + 3);
      const tag = `${name}.q${bits}${use === 'gather' ? '.gather' : ''}`;
      const zpBytes = Math.ceil((blocks * bits) / 8);
      const codes = g.weight({
        name: `${tag}.codes`,
        dataType: DataType.UINT8,
        dims: use === 'matmul' ? [n, blocks, (blockSize * bits) / 8] : [n, (k * bits) / 8],
        bytes: part((q) => q.codes),
      });
      const scales = g.weight({
        name: `${tag}.scales`,
        dataType: DataType.FLOAT,
        dims: use === 'matmul' ? [n * blocks] : [n, blocks],
        bytes: part((q) => q.scales),
      });
      const zeroPoints = g.weight({
        name: `${tag}.zero_points`,
        dataType: DataType.UINT8,
        dims: use === 'matmul' ? [n * zpBytes] : [n, zpBytes],
        bytes: part((q) => q.zeroPoints),
      });
      const out = { codes, scales, zeroPoints, n, k, blockSize };
      seenQ.set(key, out);
      return out;
    },
  };
}

/**
 * Values per piece when a tensor is streamed (16 MB of fp32): large enough for fast reads, small
 * enough to never matter. A field, so tests can cut tiny models into many pieces.
 */
export const STREAMING = { pieceValues: 1 << 22 };

/** Whole rows (first dimension) per piece for a tensor of these dims, a multiple of `multiple`. */
function rowsPerPiece(dims: number[], multiple = 1): number {
  const width = dims.slice(1).reduce((a, b) => a * b, 1);
  const rows = Math.max(1, Math.floor(STREAMING.pieceValues / width));
  return Math.max(multiple, Math.floor(rows / multiple) * multiple);
}

/** The tensor's bytes piece by piece (rows read from the checkpoint, converted by `map`). */
function* mapPieces(
  weights: Gpt2Weights,
  name: string,
  dims: number[],
  map: (x: Float32Array) => Float32Array | Uint16Array,
): Generator<Uint8Array> {
  const step = rowsPerPiece(dims);
  for (let r = 0; r < dims[0]; r += step) {
    const v = map(weights.rows!(name, r, Math.min(step, dims[0] - r)));
    yield new Uint8Array(v.buffer, v.byteOffset, v.byteLength);
  }
}

/**
 * Block-quantizes a checkpoint matrix reading it in pieces of rows, so no fp32 copy of the whole
 * tensor is ever held: 'rows' ([N, K]: pieces of N rows) or 'cols' ([K, N]: pieces of K rows, each
 * thread transposing its own columns in tiles). Each piece is quantized on every core
 * (quantizePool.ts) while the calling thread reads the next one into the other of two buffers.
 * Byte-identical to quantizeBlockwise on the whole tensor (tested).
 */
export async function quantizeStreaming(
  weights: Gpt2Weights,
  name: string,
  n: number,
  k: number,
  layout: SourceLayout,
  bits: QuantBits,
  blockSize: QuantBlockSize = QUANT_BLOCK_SIZE,
): Promise<BlockQuantized> {
  if (!weights.rows) return quantizeBlockwise(weights.get(name).data, n, k, layout, bits, blockSize);
  const rows = weights.rows.bind(weights);
  return withSharedScratch(async (take) => {
    const q = scratchResult(take, n, k, bits, blockSize);
    // The stored tensor is [total, width]; a piece is `step` of its rows.
    const [total, width] = layout === 'rows' ? [n, k] : [k, n];
    const step = layout === 'rows' ? rowsPerPiece([n, k]) : Math.min(rowsPerPiece([k, n], blockSize), k);
    const values = Math.min(step, total) * width;
    const buffers = ['piece0', 'piece1'].map((slot) => new Float32Array(take(slot, values * 4), 0, values));
    const read = (r0: number, into: Float32Array) => {
      const got = rows(name, r0, Math.min(step, total - r0), into);
      if (got.buffer !== into.buffer || got.byteOffset !== into.byteOffset) into.set(got);
    };
    read(0, buffers[0]);
    for (let r0 = 0, i = 0; r0 < total; r0 += step, i++) {
      const count = Math.min(step, total - r0);
      const src = buffers[i % 2];
      const next = r0 + step;
      const meanwhile = next < total ? () => read(next, buffers[(i + 1) % 2]) : undefined;
      await quantizePieceParallel(
        q,
        layout === 'rows'
          ? { layout, src, srcStride: k, n0: r0, nCount: count, k0: 0, kLen: k }
          : { layout, src, srcStride: n, n0: 0, nCount: n, k0: r0, kLen: count },
        { meanwhile },
      );
    }
    // Out of the shared buffers, which the next matrix reuses.
    return { ...q, codes: q.codes.slice(), scales: q.scales.slice(), zeroPoints: q.zeroPoints.slice() };
  });
}
