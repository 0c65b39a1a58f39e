/**
 * Block-wise weight quantization in the layout of onnxruntime's `MatMulNBits` and
 * `GatherBlockQuantized` (com.microsoft):
 *
 *   a matrix of N rows × K columns (rows = output features for MatMulNBits, vocabulary entries for
 *   the embedding) is cut along K into blocks of `blockSize` values; each block stores one float
 *   scale and one unsigned zero point, and each value the code q = clamp(round(x / scale) + zp)
 *   in [0, 2^bits - 1]; it is read back as x̂ = (q - zp) · scale.
 *
 *   codes        uint8 [N, K·bits/8]        4-bit codes packed two per byte, the lower-K one in the
 *                                           low nibble (MatMulNBits views this as [N, K/bs, bs·bits/8])
 *   scales       float [N, K/bs]
 *   zeroPoints   uint8 [N, ceil(K/bs · bits/8)]  packed like the codes (4-bit: two per byte)
 *
 * Asymmetric blocks: the range of each block starts from [min(x, 0), max(x, 0)] (so 0 is exactly
 * representable) and may be narrowed when that lowers the block's squared error (SHRINK). Every
 * value inside the chosen range is off by at most scale/2.
 */

export type QuantBits = 4 | 8;

export interface BlockQuantized {
  bits: QuantBits;
  blockSize: number;
  rows: number;
  cols: number;
  codes: Uint8Array;
  scales: Float32Array;
  zeroPoints: Uint8Array;
}

/**
 * How the source matrix is stored: 'rows' = row-major [N, K] (the embedding wte [V, C]);
 * 'cols' = row-major [K, N] (a Conv1D weight [in, out]), read transposed.
 */
export type SourceLayout = 'rows' | 'cols';

function checkArgs(rows: number, cols: number, bits: QuantBits, blockSize: number): void {
  if (bits !== 4 && bits !== 8) throw new Error(`quantization: bits must be 4 or 8, got ${bits}`);
  if (!Number.isInteger(blockSize) || blockSize < 16 || (blockSize & (blockSize - 1)) !== 0) {
    throw new Error(`quantization: block size must be a power of two ≥ 16, got ${blockSize}`);
  }
  if (cols % blockSize !== 0)
    throw new Error(`quantization: K = ${cols} is not a multiple of the block size ${blockSize}`);
  if (!Number.isInteger(rows) || rows <= 0) throw new Error(`quantization: N must be a positive integer, got ${rows}`);
}

/** Byte sizes of a quantized matrix's three arrays (checks the arguments). */
export function quantizedSizes(
  rows: number,
  cols: number,
  bits: QuantBits,
  blockSize = 32,
): { codes: number; scales: number; zeroPoints: number } {
  checkArgs(rows, cols, bits, blockSize);
  const blocks = cols / blockSize;
  return {
    codes: (rows * cols * bits) / 8,
    scales: rows * blocks * 4,
    zeroPoints: rows * Math.ceil((blocks * bits) / 8),
  };
}

/** An empty (all-zero) quantized matrix of N rows × K columns, filled piece by piece by `quantizeInto`. */
export function allocateQuantized(rows: number, cols: number, bits: QuantBits, blockSize = 32): BlockQuantized {
  const size = quantizedSizes(rows, cols, bits, blockSize);
  return {
    bits,
    blockSize,
    rows,
    cols,
    codes: new Uint8Array(size.codes),
    scales: new Float32Array(size.scales / 4),
    zeroPoints: new Uint8Array(size.zeroPoints),
  };
}

/**
 * Quantizes the piece of the matrix made of rows [n0, n0 + nCount) and columns [k0, k0 + kLen)
 * into `q` (k0 and kLen multiples of the block size). `src` holds the piece row-major: value (n, k)
 * at src[(n - n0) · srcStride + (k - k0)]. Pieces may come in any order; each is written once.
 * Self-contained (no module-level names, and no inner functions: tsx and esbuild wrap those in a
 * `__name` helper the worker does not have), so worker threads run its very source (quantizePool.ts).
 *
 * The range search: each block tries six ranges, its min/max scaled by SHRINK = 1, 0.95, 0.9,
 * 0.85, 0.8, 0.75 (clipping a rare extreme value buys a finer step for all the others; a handful of
 * candidates captures most of the gain of a full search), and keeps the first with the lowest
 * squared rounding error. A value's code under (scale s, zero point z) is
 * clamp(round(x / s) + z, 0, maxCode).
 *
 * Written for speed, with the same bytes as that plain search (the previous quantizer, kept as the
 * reference in test/engine/graph/quantize-stream.test.ts and compared byte for byte, including
 * ties, NaN, ±Infinity and subnormal blocks). The plain form ran ~140 ns a weight; this ~25 (one
 * thread, docs/BENCHMARKS.md). What changed:
 *   - the six candidates are scored in one pass over the block: six independent sums instead of one
 *     long dependency chain, each value read once;
 *   - Math.min/Math.max/Math.round, several times slower in V8 than the arithmetic around them,
 *     become comparisons and Math.floor: clamp(round(v) + z, 0, maxCode) - z equals
 *     round(clamp(v, -z, maxCode - z)) since the bounds are integers and round is monotone;
 *   - round(x / s) (ties up) is computed as floor(x · (1 / s) + 0.5 + 2^-40). x and s are float32
 *     (24-bit significands), so x / s is either exactly a half-integer h or at least |h| · 2^-24
 *     away from one; x · (1 / s) is within |x / s| · 2^-52 of x / s, under 2^-43 where it matters
 *     (|x / s| ≤ 256 near the clamp bounds); and the 2^-40 nudge sends exact half-integers up. So
 *     the floor lands on the same integer. (s = 0 or ∞ give the same ±∞, 0 and NaN either way.)
 */
export function quantizeInto(
  q: BlockQuantized,
  src: Float32Array,
  srcStride: number,
  n0: number,
  nCount: number,
  k0: number,
  kLen: number,
): void {
  const { bits, blockSize: bs, cols } = q;
  if (k0 % bs !== 0 || kLen % bs !== 0 || k0 + kLen > cols || n0 + nCount > q.rows) {
    throw new Error(
      `quantization: piece rows ${n0}+${nCount}, columns ${k0}+${kLen} does not fit ${q.rows}×${cols} in blocks of ${bs}`,
    );
  }
  const maxCode = (1 << bits) - 1;
  const blocks = cols / bs;
  const codeBytesPerRow = (cols * bits) / 8;
  const zpBytesPerRow = Math.ceil((blocks * bits) / 8);
  const { codes, scales, zeroPoints } = q;
  // Rounds x · (1 / s) as round(x / s) would: see above.
  const HALF = 0.5 + 2 ** -40;
  for (let i = 0; i < nCount; i++) {
    const n = n0 + i;
    const rowStart = i * srcStride;
    const codeRow = n * codeBytesPerRow;
    for (let b = k0 / bs, end = (k0 + kLen) / bs; b < end; b++) {
      const at = rowStart + b * bs - k0;
      let lo = 0;
      let hi = 0;
      for (let j = 0; j < bs; j++) {
        const x = src[at + j];
        if (x < lo) lo = x;
        if (x > hi) hi = x;
      }
      let scale = 1;
      let zp = 0;
      const range = hi - lo;
      if (!(hi > lo)) {
        zp = Math.min(maxCode, Math.max(0, Math.round(-lo)));
      } else {
        const s0 = Math.fround(range / maxCode);
        const s5 = Math.fround((range * 0.75) / maxCode);
        const s1 = Math.fround((range * 0.95) / maxCode);
        const s2 = Math.fround((range * 0.9) / maxCode);
        const s3 = Math.fround((range * 0.85) / maxCode);
        const s4 = Math.fround((range * 0.8) / maxCode);
        const i0 = 1 / s0;
        const i1 = 1 / s1;
        const i2 = 1 / s2;
        const i3 = 1 / s3;
        const i4 = 1 / s4;
        const i5 = 1 / s5;
        const z0 = Math.min(maxCode, Math.max(0, Math.round((-lo * 1) / s0)));
        const z1 = Math.min(maxCode, Math.max(0, Math.round((-lo * 0.95) / s1)));
        const z2 = Math.min(maxCode, Math.max(0, Math.round((-lo * 0.9) / s2)));
        const z3 = Math.min(maxCode, Math.max(0, Math.round((-lo * 0.85) / s3)));
        const z4 = Math.min(maxCode, Math.max(0, Math.round((-lo * 0.8) / s4)));
        const z5 = Math.min(maxCode, Math.max(0, Math.round((-lo * 0.75) / s5)));
        // x / s clamped to [a, b] = [-z, maxCode - z], then rounded: the code minus z.
        const a0 = -z0,
          a1 = -z1,
          a2 = -z2,
          a3 = -z3,
          a4 = -z4,
          a5 = -z5;
        const b0 = maxCode - z0,
          b1 = maxCode - z1,
          b2 = maxCode - z2;
        const b3 = maxCode - z3,
          b4 = maxCode - z4,
          b5 = maxCode - z5;
        let e0 = 0,
          e1 = 0,
          e2 = 0,
          e3 = 0,
          e4 = 0,
          e5 = 0;
        for (let j = 0; j < bs; j++) {
          const x = src[at + j];
          let v = x * i0;
          let d = Math.floor((v < a0 ? a0 : v > b0 ? b0 : v) + HALF) * s0 - x;
          e0 += d * d;
          v = x * i1;
          d = Math.floor((v < a1 ? a1 : v > b1 ? b1 : v) + HALF) * s1 - x;
          e1 += d * d;
          v = x * i2;
          d = Math.floor((v < a2 ? a2 : v > b2 ? b2 : v) + HALF) * s2 - x;
          e2 += d * d;
          v = x * i3;
          d = Math.floor((v < a3 ? a3 : v > b3 ? b3 : v) + HALF) * s3 - x;
          e3 += d * d;
          v = x * i4;
          d = Math.floor((v < a4 ? a4 : v > b4 ? b4 : v) + HALF) * s4 - x;
          e4 += d * d;
          v = x * i5;
          d = Math.floor((v < a5 ? a5 : v > b5 ? b5 : v) + HALF) * s5 - x;
          e5 += d * d;
        }
        // The first lowest error wins; a NaN error (a NaN value) never does, as in the plain form.
        let best = Infinity;
        if (e0 < best) {
          best = e0;
          scale = s0;
          zp = z0;
        }
        if (e1 < best) {
          best = e1;
          scale = s1;
          zp = z1;
        }
        if (e2 < best) {
          best = e2;
          scale = s2;
          zp = z2;
        }
        if (e3 < best) {
          best = e3;
          scale = s3;
          zp = z3;
        }
        if (e4 < best) {
          best = e4;
          scale = s4;
          zp = z4;
        }
        if (e5 < best) {
          scale = s5;
          zp = z5;
        }
      }
      scales[n * blocks + b] = scale;
      const inv = 1 / scales[n * blocks + b];
      const lowest = -zp;
      const highest = maxCode - zp;
      if (bits === 8) {
        for (let j = 0; j < bs; j++) {
          const v = src[at + j] * inv;
          codes[codeRow + b * bs + j] = Math.floor((v < lowest ? lowest : v > highest ? highest : v) + HALF) + zp;
        }
        zeroPoints[n * zpBytesPerRow + b] = zp;
      } else {
        // Two codes a byte, the lower k in the low nibble (bs is even, so blocks start on a byte).
        const byte0 = codeRow + ((b * bs) >> 1);
        for (let j = 0; j < bs; j += 2) {
          const v = src[at + j] * inv;
          const w = src[at + j + 1] * inv;
          const c0 = Math.floor((v < lowest ? lowest : v > highest ? highest : v) + HALF) + zp;
          const c1 = Math.floor((w < lowest ? lowest : w > highest ? highest : w) + HALF) + zp;
          codes[byte0 + (j >> 1)] = c0 | (c1 << 4);
        }
        zeroPoints[n * zpBytesPerRow + (b >> 1)] |= (b & 1) === 0 ? zp : zp << 4;
      }
    }
  }
}

/**
 * Transposes rows [k0, k0 + kLen) of a row-major [K, N] matrix (given as `src`, those rows only,
 * N values each) into `out` as [N, kLen], in tiles so both sides stay in cache; or only its columns
 * [j0, j0 + jCount) into `out` as [jCount, kLen]. Self-contained.
 */
export function transposePiece(
  src: Float32Array,
  kLen: number,
  n: number,
  out: Float32Array,
  j0 = 0,
  jCount = n - j0,
): void {
  const T = 64;
  for (let kt = 0; kt < kLen; kt += T) {
    const kEnd = Math.min(kLen, kt + T);
    for (let nt = 0; nt < jCount; nt += T) {
      const nEnd = Math.min(jCount, nt + T);
      for (let k = kt; k < kEnd; k++) {
        const row = k * n + j0;
        for (let j = nt; j < nEnd; j++) out[j * kLen + k] = src[row + j];
      }
    }
  }
}

/** Rows of a [K, N] source transposed per piece (a multiple of every block size in use). */
export const TRANSPOSE_ROWS = 256;

export function quantizeBlockwise(
  src: Float32Array,
  rows: number,
  cols: number,
  layout: SourceLayout,
  bits: QuantBits,
  blockSize = 32,
): BlockQuantized {
  checkArgs(rows, cols, bits, blockSize);
  if (src.length !== rows * cols)
    throw new Error(`quantization: expected ${rows}×${cols} = ${rows * cols} values, got ${src.length}`);
  const q = allocateQuantized(rows, cols, bits, blockSize);
  if (layout === 'rows') {
    quantizeInto(q, src, cols, 0, rows, 0, cols);
    return q;
  }
  // [K, N] stored: transpose a few block-rows of K at a time into [N, piece] and quantize that.
  const step = Math.max(blockSize, Math.floor(TRANSPOSE_ROWS / blockSize) * blockSize);
  const scratch = new Float32Array(rows * step);
  for (let k0 = 0; k0 < cols; k0 += step) {
    const kLen = Math.min(step, cols - k0);
    transposePiece(src.subarray(k0 * rows, (k0 + kLen) * rows), kLen, rows, scratch);
    quantizeInto(q, scratch, kLen, 0, rows, k0, kLen);
  }
  return q;
}

/** Value (n, k) as the runtime reads it back: (code - zero point) · scale. */
export function dequantizedAt(q: BlockQuantized, n: number, k: number): number {
  const blocks = q.cols / q.blockSize;
  const b = Math.floor(k / q.blockSize);
  let code: number;
  let zp: number;
  if (q.bits === 8) {
    code = q.codes[n * q.cols + k];
    zp = q.zeroPoints[n * blocks + b];
  } else {
    const byte = q.codes[n * (q.cols / 2) + (k >> 1)];
    code = (k & 1) === 0 ? byte & 15 : byte >> 4;
    const zpByte = q.zeroPoints[n * Math.ceil(blocks / 2) + (b >> 1)];
    zp = (b & 1) === 0 ? zpByte & 15 : zpByte >> 4;
  }
  return (code - zp) * q.scales[n * blocks + b];
}

/** Bytes the quantized matrix occupies (codes + scales + zero points). */
export function quantizedBytes(q: BlockQuantized): number {
  return q.codes.byteLength + q.scales.byteLength + q.zeroPoints.byteLength;
}
