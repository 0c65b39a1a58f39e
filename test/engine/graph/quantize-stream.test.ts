/**
 * The streaming quantizer (graph/quantize.ts: quantizeInto over pieces, tiled transposes) against
 * the quantizer it replaced, kept here verbatim as the reference: byte-identical codes, scales and
 * zero points for both source layouts, both widths, several shapes and pieces in any order.
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { Worker } from 'node:worker_threads';
import { describe, expect, test, vi } from 'vitest';
import {
  allocateQuantized,
  quantizeBlockwise,
  quantizeInto,
  transposePiece,
  type BlockQuantized,
  type QuantBits,
  type SourceLayout,
} from '../../../electron/engine/graph/quantize';
import {
  allocateShared,
  QUANTIZE_POOL,
  quantizeIntoParallel,
  stopQuantizeWorkers,
} from '../../../electron/engine/graph/quantizePool';
import { quantizeStreaming, STREAMING } from '../../../electron/engine/graph/params';
import type { Gpt2Weights } from '../../../electron/engine/weights/types';

// ── the previous converter's quantizer (commit 226c1fa), unchanged ──────────────────────────────
const SHRINK = [1, 0.95, 0.9, 0.85, 0.8, 0.75];
function previousBestRange(
  block: Float32Array,
  lo: number,
  hi: number,
  maxCode: number,
): { scale: number; zp: number } {
  if (!(hi > lo)) return { scale: 1, zp: Math.min(maxCode, Math.max(0, Math.round(-lo))) };
  let best = { scale: 1, zp: 0 };
  let bestErr = Infinity;
  for (const f of SHRINK) {
    const scale = Math.fround(((hi - lo) * f) / maxCode);
    const zp = Math.min(maxCode, Math.max(0, Math.round((-lo * f) / scale)));
    let err = 0;
    for (let j = 0; j < block.length; j++) {
      const q = Math.min(maxCode, Math.max(0, Math.round(block[j] / scale) + zp));
      const d = (q - zp) * scale - block[j];
      err += d * d;
    }
    if (err < bestErr) {
      bestErr = err;
      best = { scale, zp };
    }
  }
  return best;
}
function previousQuantize(
  src: Float32Array,
  rows: number,
  cols: number,
  layout: SourceLayout,
  bits: QuantBits,
  blockSize = 32,
): BlockQuantized {
  const maxCode = (1 << bits) - 1;
  const blocks = cols / blockSize;
  const codeBytesPerRow = (cols * bits) / 8;
  const zpBytesPerRow = Math.ceil((blocks * bits) / 8);
  const codes = new Uint8Array(rows * codeBytesPerRow);
  const scales = new Float32Array(rows * blocks);
  const zeroPoints = new Uint8Array(rows * zpBytesPerRow);
  const block = new Float32Array(blockSize);
  for (let n = 0; n < rows; n++) {
    for (let b = 0; b < blocks; b++) {
      let lo = 0;
      let hi = 0;
      for (let j = 0; j < blockSize; j++) {
        const k = b * blockSize + j;
        const x = layout === 'rows' ? src[n * cols + k] : src[k * rows + n];
        block[j] = x;
        if (x < lo) lo = x;
        if (x > hi) hi = x;
      }
      const { scale, zp } = previousBestRange(block, lo, hi, maxCode);
      scales[n * blocks + b] = scale;
      const s = scales[n * blocks + b];
      for (let j = 0; j < blockSize; j++) {
        const q = Math.min(maxCode, Math.max(0, Math.round(block[j] / s) + zp));
        const k = b * blockSize + j;
        if (bits === 8) codes[n * codeBytesPerRow + k] = q;
        else codes[n * codeBytesPerRow + (k >> 1)] |= (k & 1) === 0 ? q : q << 4;
      }
      if (bits === 8) zeroPoints[n * zpBytesPerRow + b] = zp;
      else zeroPoints[n * zpBytesPerRow + (b >> 1)] |= (b & 1) === 0 ? zp : zp << 4;
    }
  }
  return { bits, blockSize, rows, cols, codes, scales, zeroPoints };
}
// ─────────────────────────────────────────────────────────────────────────────────────────────────

/** Normal-ish values with a few outliers and constant blocks (the edge cases of the range search). */
function matrix(n: number, seed: number): Float32Array {
  let x = seed;
  const u = () => (x = (Math.imul(x, 1103515245) + 12345) >>> 0) / 4294967296;
  const out = Float32Array.from({ length: n }, () => (u() + u() + u() - 1.5) * 0.1);
  for (let i = 0; i < n; i += 997) out[i] *= 40; // outliers
  out.fill(0, 64, 96); // an all-zero block
  out.fill(0.25, 128, 160); // a constant positive block
  return out;
}

function expectSame(a: BlockQuantized, b: BlockQuantized): void {
  expect(Buffer.from(a.codes).equals(Buffer.from(b.codes))).toBe(true);
  expect(
    Buffer.from(a.scales.buffer, a.scales.byteOffset, a.scales.byteLength).equals(
      Buffer.from(b.scales.buffer, b.scales.byteOffset, b.scales.byteLength),
    ),
  ).toBe(true);
  expect(Buffer.from(a.zeroPoints).equals(Buffer.from(b.zeroPoints))).toBe(true);
}

describe('streaming quantizer equals the previous one', () => {
  const shapes: Array<[number, number]> = [
    [7, 64],
    [48, 96],
    [300, 544],
    [130, 320],
  ];
  for (const bits of [4, 8] as const) {
    for (const layout of ['rows', 'cols'] as const) {
      test.each(shapes)(`${bits}-bit, ${layout}: %i × %i byte for byte`, (n, k) => {
        const src = matrix(n * k, n * 31 + k + bits);
        expectSame(quantizeBlockwise(src, n, k, layout, bits), previousQuantize(src, n, k, layout, bits));
      });
    }
  }

  test('pieces quantized in any order give the same bytes as the whole matrix', () => {
    const [n, k] = [40, 320];
    const kn = matrix(n * k, 5); // a Conv1D weight [K, N]
    const whole = previousQuantize(kn, n, k, 'cols', 4);
    const q = allocateQuantized(n, k, 4);
    // Pieces of 64 and 32 rows of K, last first.
    const cuts = [0, 64, 96, 160, 224, 288, 320];
    for (let i = cuts.length - 2; i >= 0; i--) {
      const [k0, k1] = [cuts[i], cuts[i + 1]];
      const piece = new Float32Array(n * (k1 - k0));
      transposePiece(kn.subarray(k0 * n, k1 * n), k1 - k0, n, piece);
      quantizeInto(q, piece, k1 - k0, 0, n, k0, k1 - k0);
    }
    expectSame(q, whole);
  });

  test('a piece that does not fit the matrix or the blocks is refused', () => {
    const q = allocateQuantized(4, 64, 8);
    expect(() => quantizeInto(q, new Float32Array(64), 16, 0, 4, 16, 16)).toThrow(/does not fit/);
    expect(() => quantizeInto(q, new Float32Array(256), 64, 2, 4, 0, 64)).toThrow(/does not fit/);
  });
});

/**
 * Blocks built to hit every shortcut of the fast range search (quantize.ts): values that are exact
 * half-steps of a candidate scale (ties, which must round up), heavy tails, tiny and subnormal
 * values, huge ranges whose scale overflows or underflows, NaN and ±Infinity, constant blocks.
 */
function adversarial(blocks: number, seed: number): Float32Array {
  let x = seed;
  const u = () => (x = (Math.imul(x, 1103515245) + 12345) >>> 0) / 4294967296;
  const out = new Float32Array(blocks * 32);
  for (let b = 0; b < blocks; b++) {
    const block = out.subarray(b * 32, b * 32 + 32);
    const kind = b % 10;
    const steps = [15, 255][b % 2];
    for (let j = 0; j < 32; j++) {
      const g = u() + u() + u() - 1.5;
      if (kind === 0) {
        // Range [lo, hi] with values on half-steps of the f = 1 scale (and of others by chance).
        const scale = Math.fround((3 + (b % 7)) / 7);
        block[j] = Math.fround(scale * (Math.floor(u() * 2 * steps) / 2 - steps / 3));
      } else if (kind === 1)
        block[j] = g * 0.02 * (u() < 0.05 ? 60 : 1); // heavy tails
      else if (kind === 2)
        block[j] = g * 1e-40; // subnormal float32
      else if (kind === 3)
        block[j] = g * 3e38; // the range overflows float32
      else if (kind === 4) block[j] = u() < 0.1 ? NaN : g;
      else if (kind === 5) block[j] = u() < 0.1 ? (u() < 0.5 ? Infinity : -Infinity) : g;
      else if (kind === 6)
        block[j] = -0.5; // constant negative
      else if (kind === 7) block[j] = u() < 0.5 ? 0 : -0;
      else if (kind === 8)
        block[j] = Math.fround(Math.round(g * 60) / 4); // quarter steps
      else block[j] = g * 1e-3 + (j === 5 ? 0.2 : 0); // one outlier
    }
  }
  return out;
}

describe('the fast range search equals the plain one on adversarial blocks', () => {
  for (const bits of [4, 8] as const) {
    test.each([1, 2, 3])(`${bits}-bit, seed %i`, (seed) => {
      const [n, k] = [40, 320];
      const src = adversarial((n * k) / 32, seed * 7 + bits);
      expectSame(quantizeBlockwise(src, n, k, 'rows', bits), previousQuantize(src, n, k, 'rows', bits));
    });
  }

  test('values exactly half a step from a code round up, as Math.round does', () => {
    // One block per scale: 0 and 15 steps of s (so f = 1 picks exactly s), plus every half step.
    const scales = Array.from({ length: 200 }, (_, i) => Math.fround((i + 1) / 37));
    const src = new Float32Array(scales.length * 32);
    scales.forEach((s, b) => {
      for (let j = 0; j < 32; j++) src[b * 32 + j] = Math.fround(s * (j === 0 ? 0 : j === 1 ? 15 : (j % 30) / 2));
    });
    const want = previousQuantize(src, scales.length, 32, 'rows', 4);
    expectSame(quantizeBlockwise(src, scales.length, 32, 'rows', 4), want);
  });
});

describe('quantization on several threads', () => {
  test.each([2, 3])('%i threads write the same bytes as one, for both widths', async (threads) => {
    for (const bits of [4, 8] as const) {
      const [n, k] = [700, 96];
      const src = new Float32Array(new SharedArrayBuffer(n * k * 4));
      src.set(matrix(n * k, 11 + bits));
      const q = allocateShared(n, k, bits, 32);
      await quantizeIntoParallel(q, src, k, 0, n, 0, k, threads);
      expectSame(q, previousQuantize(src, n, k, 'rows', bits));
    }
    stopQuantizeWorkers();
  });

  test('workers are never stopped for idleness while they quantize (pieces one after another)', async () => {
    // The idle stop used to be armed when a job started: a share longer than the idle time was
    // cut off and the conversion waited forever. With no idle time at all, every job must finish.
    QUANTIZE_POOL.idleMs = 0;
    try {
      const [n, k] = [1500, 512];
      const src = new Float32Array(new SharedArrayBuffer(n * k * 4));
      src.set(matrix(n * k, 3));
      const want = previousQuantize(src, n, k, 'rows', 4);
      for (let piece = 0; piece < 3; piece++) {
        const q = allocateShared(n, k, 4, 32);
        await quantizeIntoParallel(q, src, k, 0, n, 0, k, 2);
        expectSame(q, want);
      }
    } finally {
      QUANTIZE_POOL.idleMs = 1000;
      stopQuantizeWorkers();
    }
  }, 60_000);

  test('the workers run the function as tsx compiles it (the CLI and the engine host run through tsx)', async () => {
    // tsx (esbuild) may wrap inner functions in a `__name` helper that exists only in the module:
    // the worker, which runs the function's source on its own, failed with "__name is not defined".
    const pool = path.resolve('electron/engine/graph/quantizePool.ts');
    const script = `
      import { createHash } from 'node:crypto';
      import { allocateShared, quantizeIntoParallel } from ${JSON.stringify(pool)};
      const [n, k] = [600, 64];
      const src = new Float32Array(new SharedArrayBuffer(n * k * 4));
      for (let i = 0; i < src.length; i++) src[i] = Math.sin(i * 0.37) * (i % 97 === 0 ? 9 : 1);
      const q = allocateShared(n, k, 4, 32);
      await quantizeIntoParallel(q, src, k, 0, n, 0, k, 2);
      const h = createHash('sha256');
      for (const a of [q.codes, q.scales, q.zeroPoints]) h.update(new Uint8Array(a.buffer.slice(0)));
      console.log(h.digest('hex'));
      process.exit(0);
    `;
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'inkling-quant-'));
    let stdout = '';
    try {
      fs.writeFileSync(path.join(dir, 'run.mjs'), script);
      ({ stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', path.join(dir, 'run.mjs')], {
        cwd: path.resolve('.'),
      }));
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
    const [n, k] = [600, 64];
    const src = new Float32Array(n * k);
    for (let i = 0; i < src.length; i++) src[i] = Math.sin(i * 0.37) * (i % 97 === 0 ? 9 : 1);
    const want = previousQuantize(src, n, k, 'rows', 4);
    const h = createHash('sha256');
    for (const a of [want.codes, want.scales, want.zeroPoints]) h.update(new Uint8Array(a.buffer.slice(0)));
    expect(stdout.trim()).toBe(h.digest('hex'));
  }, 60_000);

  /** A checkpoint holding one stored matrix, read through `rows` only (as the converter reads). */
  function streamed(stored: Float32Array, width: number, failAtRow = Infinity): Gpt2Weights {
    return {
      config: {} as Gpt2Weights['config'],
      get: () => {
        throw new Error('the converter must stream, not read the whole tensor');
      },
      rows: (_name, row0, count) => {
        if (row0 + count > failAtRow) throw new Error(`cannot read rows ${row0}..${row0 + count}`);
        return stored.slice(row0 * width, (row0 + count) * width);
      },
    };
  }

  test.each([
    ['cols', 4],
    ['cols', 8],
    ['rows', 4],
    ['rows', 8],
  ] as const)(
    'streaming a %s-stored matrix in pieces on 2 threads, reading the next piece meanwhile, gives the same %i-bit bytes',
    async (layout, bits) => {
      const [n, k] = [700, 320]; // 22 chunks of 32 rows of N; pieces of 96 rows of K or 300 rows of N
      const stored = matrix(n * k, 17 + bits);
      const saved = { ...QUANTIZE_POOL, pieceValues: STREAMING.pieceValues };
      QUANTIZE_POOL.threads = 2;
      STREAMING.pieceValues = layout === 'cols' ? 96 * n : 300 * k;
      try {
        const q = await quantizeStreaming(streamed(stored, layout === 'cols' ? n : k), 'w', n, k, layout, bits);
        expectSame(q, previousQuantize(stored, n, k, layout, bits));
      } finally {
        QUANTIZE_POOL.threads = saved.threads;
        STREAMING.pieceValues = saved.pieceValues;
        stopQuantizeWorkers();
      }
    },
    60_000,
  );

  test('streamed matrices reuse the same few shared buffers (a worker keeps every buffer it was sent until it collects garbage)', async () => {
    // Fresh shared buffers per piece and per result held ~3 GB while converting GPT-2 XL to int4.
    const sent = new Set<SharedArrayBuffer>();
    const original = Worker.prototype.postMessage;
    const spy = vi.spyOn(Worker.prototype, 'postMessage').mockImplementation(function (this: Worker, m: unknown) {
      const msg = m as { src: SharedArrayBuffer; codes: [SharedArrayBuffer]; scales: [SharedArrayBuffer] };
      for (const b of [msg.src, msg.codes[0], msg.scales[0]]) sent.add(b);
      original.call(this, m);
    });
    const [n, k] = [700, 320];
    const saved = { ...QUANTIZE_POOL, pieceValues: STREAMING.pieceValues };
    QUANTIZE_POOL.threads = 2;
    STREAMING.pieceValues = 96 * n;
    try {
      for (let i = 0; i < 4; i++) {
        const stored = matrix(n * k, 40 + i);
        const q = await quantizeStreaming(streamed(stored, n), 'w', n, k, 'cols', 4);
        expectSame(q, previousQuantize(stored, n, k, 'cols', 4));
        expect(q.codes.buffer).not.toBeInstanceOf(SharedArrayBuffer); // copied out of the reused memory
      }
      expect(spy).toHaveBeenCalled();
      expect(sent.size).toBeLessThanOrEqual(3); // two piece buffers and one result, for all four
    } finally {
      spy.mockRestore();
      QUANTIZE_POOL.threads = saved.threads;
      STREAMING.pieceValues = saved.pieceValues;
      stopQuantizeWorkers();
    }
  }, 60_000);

  test('a read that fails while the threads quantize the previous piece rejects with its message', async () => {
    const [n, k] = [700, 320];
    const saved = { ...QUANTIZE_POOL, pieceValues: STREAMING.pieceValues };
    QUANTIZE_POOL.threads = 2;
    STREAMING.pieceValues = 96 * n;
    try {
      const weights = streamed(matrix(n * k, 3), n, 200);
      await expect(quantizeStreaming(weights, 'w', n, k, 'cols', 4)).rejects.toThrow('cannot read rows 192..288');
    } finally {
      QUANTIZE_POOL.threads = saved.threads;
      STREAMING.pieceValues = saved.pieceValues;
      stopQuantizeWorkers();
    }
  });

  test('a worker that fails rejects with its message', async () => {
    const [n, k] = [600, 64];
    const src = new Float32Array(new SharedArrayBuffer(n * k * 4));
    const q = allocateShared(n, k, 4, 32);
    // Columns 32..96 do not exist in a 64-column matrix: every thread refuses its share.
    await expect(quantizeIntoParallel(q, src, k, 0, n, 32, 64, 2)).rejects.toThrow(/does not fit/);
    stopQuantizeWorkers();
  });
});
