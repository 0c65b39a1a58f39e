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

/** An empty (all-zero) quantized matrix of N rows × K columns, filled piece by piece by `quantizeInto`. */
export function allocateQuantized(rows: number, cols: number, bits: QuantBits, blockSize = 32): BlockQuantized {
  checkArgs(rows, cols, bits, blockSize);
  const blocks = cols / blockSize;
  return {
    bits,
    blockSize,
    rows,
    cols,
    codes: new Uint8Array((rows * cols * bits) / 8),
    scales: new Float32Array(rows * blocks),
    zeroPoints: new Uint8Array(rows * Math.ceil((blocks * bits) / 8)),
  };
}

/**
 * Quantizes the piece of the matrix made of rows [n0, n0 + nCount) and columns [k0, k0 + kLen)
 * into `q` (k0 and kLen multiples of the block size). `src` holds the piece row-major: value (n, k)
 * at src[(n - n0) · srcStride + (k - k0)]. Pieces may come in any order; each is written once.
 * Self-contained (no module-level names), so worker threads run its very source (quantizePool.ts).
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
  // The candidate ranges: the block's min/max, or a narrower one when that lowers its squared
  // rounding error (clipping a rare extreme value buys a finer step for all the others). A handful
  // of candidates captures most of the gain of a full search.
  const SHRINK = [1, 0.95, 0.9, 0.85, 0.8, 0.75];
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
  for (let i = 0; i < nCount; i++) {
    const n = n0 + i;
    const rowStart = i * srcStride;
    for (let b = k0 / bs, end = (k0 + kLen) / bs; b < end; b++) {
      const at = rowStart + b * bs - k0;
      let lo = 0;
      let hi = 0;
      for (let j = 0; j < bs; j++) {
        const x = src[at + j];
        if (x < lo) lo = x;
        if (x > hi) hi = x;
      }
      // The block's range: min/max, or a narrower one (SHRINK) when that lowers its squared error.
      let scale = 1;
      let zp = 0;
      if (!(hi > lo)) {
        zp = Math.min(maxCode, Math.max(0, Math.round(-lo)));
      } else {
        let bestErr = Infinity;
        for (let c = 0; c < SHRINK.length; c++) {
          const f = SHRINK[c];
          const sc = Math.fround(((hi - lo) * f) / maxCode);
          const z = Math.min(maxCode, Math.max(0, Math.round((-lo * f) / sc)));
          let err = 0;
          for (let j = 0; j < bs; j++) {
            const x = src[at + j];
            const qq = Math.min(maxCode, Math.max(0, Math.round(x / sc) + z));
            const d = (qq - z) * sc - x;
            err += d * d;
          }
          if (err < bestErr) {
            bestErr = err;
            scale = sc;
            zp = z;
          }
        }
      }
      scales[n * blocks + b] = scale;
      const s = scales[n * blocks + b];
      const codeRow = n * codeBytesPerRow;
      for (let j = 0; j < bs; j++) {
        const v = Math.min(maxCode, Math.max(0, Math.round(src[at + j] / s) + zp));
        const k = b * bs + j;
        if (bits === 8) codes[codeRow + k] = v;
        else codes[codeRow + (k >> 1)] |= (k & 1) === 0 ? v : v << 4;
      }
      if (bits === 8) zeroPoints[n * zpBytesPerRow + b] = zp;
      else zeroPoints[n * zpBytesPerRow + (b >> 1)] |= (b & 1) === 0 ? zp : zp << 4;
    }
  }
}

/**
 * Transposes rows [k0, k0 + kLen) of a row-major [K, N] matrix (given as `src`, those rows only,
 * N values each) into `out` as [N, kLen], in tiles so both sides stay in cache. Self-contained.
 */
export function transposePiece(src: Float32Array, kLen: number, n: number, out: Float32Array): void {
  const T = 64;
  for (let kt = 0; kt < kLen; kt += T) {
    const kEnd = Math.min(kLen, kt + T);
    for (let nt = 0; nt < n; nt += T) {
      const nEnd = Math.min(n, nt + T);
      for (let k = kt; k < kEnd; k++) {
        const row = k * n;
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
