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
 * representable) and may be narrowed when that lowers the block's squared error (bestRange). Every
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

export function quantizeBlockwise(src: Float32Array, rows: number, cols: number, layout: SourceLayout, bits: QuantBits, blockSize = 32): BlockQuantized {
  if (bits !== 4 && bits !== 8) throw new Error(`quantization: bits must be 4 or 8, got ${bits}`);
  if (!Number.isInteger(blockSize) || blockSize < 16 || (blockSize & (blockSize - 1)) !== 0) {
    throw new Error(`quantization: block size must be a power of two ≥ 16, got ${blockSize}`);
  }
  if (cols % blockSize !== 0) throw new Error(`quantization: K = ${cols} is not a multiple of the block size ${blockSize}`);
  if (src.length !== rows * cols) throw new Error(`quantization: expected ${rows}×${cols} = ${rows * cols} values, got ${src.length}`);
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
      // Gather the block (a strided read when the source is [K, N]).
      let lo = 0;
      let hi = 0;
      for (let j = 0; j < blockSize; j++) {
        const k = b * blockSize + j;
        const x = layout === 'rows' ? src[n * cols + k] : src[k * rows + n];
        block[j] = x;
        if (x < lo) lo = x;
        if (x > hi) hi = x;
      }
      const { scale, zp } = bestRange(block, lo, hi, maxCode);
      scales[n * blocks + b] = scale;
      // fp32 rounding of the stored scale is what the runtime will use: quantize against it.
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

/**
 * The block's range: its min/max, or a slightly narrower one when that lowers the squared rounding
 * error (clipping a rare extreme value buys a finer step for all the others). A handful of
 * candidates is enough to capture most of the gain of a full search.
 */
const SHRINK = [1, 0.95, 0.9, 0.85, 0.8, 0.75];

function bestRange(block: Float32Array, lo: number, hi: number, maxCode: number): { scale: number; zp: number } {
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
