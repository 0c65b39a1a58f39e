/**
 * 16-bit float conversions, done on bit patterns so rounding is exactly IEEE 754's
 * round-to-nearest-even (what PyTorch's `.half()` / `.bfloat16()` do).
 *
 *   fp16: 1 sign | 5 exponent (bias 15) | 10 mantissa  — max 65504, smallest subnormal 2^-24
 *   bf16: 1 sign | 8 exponent (bias 127) | 7 mantissa  — the top half of an fp32
 */

// One scratch word to move between a float32 and its bits.
const scratchF32 = new Float32Array(1);
const scratchU32 = new Uint32Array(scratchF32.buffer);

/** fp32 bits -> fp16 bits, round to nearest, ties to even; overflow -> inf; NaN stays NaN. */
export function f32BitsToF16Bits(x: number): number {
  const sign = (x >>> 16) & 0x8000;
  const exp = (x >>> 23) & 0xff;
  const mant = x & 0x7fffff;

  if (exp === 0xff) {
    // inf stays inf; NaN keeps its top payload bits and is forced quiet so it cannot become inf.
    return mant === 0 ? sign | 0x7c00 : sign | 0x7e00 | (mant >>> 13);
  }
  const e = exp - 127 + 15; // exponent re-biased for fp16
  if (e >= 0x1f) return sign | 0x7c00; // too large even before rounding

  if (e <= 0) {
    // Result is an fp16 subnormal (or zero): value = m * 2^-24 with m < 1024.
    // Anything below 2^-25 (half the smallest subnormal) rounds to zero; exactly 2^-25 ties to 0.
    if (e < -10) return sign;
    const full = mant | 0x800000; // restore the implicit 1: value = full * 2^(exp-127-23)
    const shift = 14 - e; // 14..24
    let half = full >>> shift;
    const rem = full & ((1 << shift) - 1);
    const halfway = 1 << (shift - 1);
    if (rem > halfway || (rem === halfway && (half & 1) === 1)) half += 1; // may carry into the exponent: still correct
    return sign | half;
  }

  let half = (e << 10) | (mant >>> 13);
  const rem = mant & 0x1fff;
  if (rem > 0x1000 || (rem === 0x1000 && (half & 1) === 1)) half += 1; // a carry into 0x7c00 is the correct overflow to inf
  return sign | half;
}

/** fp16 bits -> the exact value as a JS number (every fp16 is exactly representable). */
export function f16BitsToNumber(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exp = (h >>> 10) & 0x1f;
  const mant = h & 0x3ff;
  if (exp === 0) return sign * mant * 2 ** -24; // zero or subnormal
  if (exp === 0x1f) return mant === 0 ? sign * Infinity : NaN;
  return sign * (1 + mant / 1024) * 2 ** (exp - 15);
}

/** fp32 bits -> bf16 bits, round to nearest, ties to even; NaN stays (quiet) NaN. */
export function f32BitsToBf16Bits(x: number): number {
  if ((x & 0x7fffffff) > 0x7f800000) return ((x >>> 16) | 0x0040) & 0xffff; // NaN: truncating could give inf
  const lsb = (x >>> 16) & 1;
  return ((x >>> 0) + 0x7fff + lsb) >>> 16; // values near max round up to inf, as they should
}

/** A single number -> fp16 bits (via its fp32 rounding first, as a Float32Array holds it). */
export function numberToF16Bits(v: number): number {
  scratchF32[0] = v;
  return f32BitsToF16Bits(scratchU32[0]);
}

/** A single number -> bf16 bits (via its fp32 rounding first). */
export function numberToBf16Bits(v: number): number {
  scratchF32[0] = v;
  return f32BitsToBf16Bits(scratchU32[0]);
}

export function bf16BitsToNumber(b: number): number {
  scratchU32[0] = (b & 0xffff) << 16;
  return scratchF32[0];
}

export function f32ToF16Array(src: Float32Array): Uint16Array {
  const bits = new Uint32Array(src.buffer, src.byteOffset, src.length);
  const out = new Uint16Array(src.length);
  for (let i = 0; i < bits.length; i++) out[i] = f32BitsToF16Bits(bits[i]);
  return out;
}

export function f32ToBf16Array(src: Float32Array): Uint16Array {
  const bits = new Uint32Array(src.buffer, src.byteOffset, src.length);
  const out = new Uint16Array(src.length);
  for (let i = 0; i < bits.length; i++) out[i] = f32BitsToBf16Bits(bits[i]);
  return out;
}

// All 65536 fp16 values as fp32, built on first use (256 KB) so bulk decoding is one lookup each.
let f16Table: Float32Array | undefined;

export function f16ToF32Array(src: Uint16Array): Float32Array {
  if (!f16Table) {
    f16Table = new Float32Array(65536);
    for (let h = 0; h < 65536; h++) f16Table[h] = f16BitsToNumber(h);
  }
  const table = f16Table;
  const out = new Float32Array(src.length);
  for (let i = 0; i < src.length; i++) out[i] = table[src[i]];
  return out;
}

export function bf16ToF32Array(src: Uint16Array): Float32Array {
  const out = new Float32Array(src.length);
  const bits = new Uint32Array(out.buffer);
  for (let i = 0; i < src.length; i++) bits[i] = src[i] << 16;
  return out;
}
