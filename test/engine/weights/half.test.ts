import { describe, expect, it } from 'vitest';
import {
  bf16BitsToNumber,
  bf16ToF32Array,
  f16BitsToNumber,
  f16ToF32Array,
  f32BitsToBf16Bits,
  f32ToBf16Array,
  f32ToF16Array,
  numberToBf16Bits,
  numberToF16Bits,
} from '../../../electron/engine/weights/half';

/** The float32 whose bit pattern is `bits`. */
function fromBits(bits: number): number {
  const u = new Uint32Array([bits]);
  return new Float32Array(u.buffer)[0];
}

describe('fp32 -> fp16 (round to nearest even)', () => {
  it.each([
    ['1', 1, 0x3c00],
    ['-2', -2, 0xc000],
    ['0.1 (0x2E66)', 0.1, 0x2e66],
    ['1/3 (0x3555)', 1 / 3, 0x3555],
    ['+0', 0, 0x0000],
    ['-0', -0, 0x8000],
    ['max 65504', 65504, 0x7bff],
    ['65519 rounds down to 65504', 65519, 0x7bff],
    ['65520 is a tie with 65536 (even) -> inf', 65520, 0x7c00],
    ['1e6 overflows to inf', 1e6, 0x7c00],
    ['-1e6 overflows to -inf', -1e6, 0xfc00],
    ['+inf', Infinity, 0x7c00],
    ['-inf', -Infinity, 0xfc00],
    ['smallest subnormal 2^-24', 2 ** -24, 0x0001],
    ['2^-25 is a tie between 0 and 2^-24 -> 0 (even)', 2 ** -25, 0x0000],
    ['just above 2^-25 -> 2^-24', 2 ** -25 * (1 + 2 ** -10), 0x0001],
    ['1.5 * 2^-24 ties to 2 * 2^-24 (even)', 1.5 * 2 ** -24, 0x0002],
    ['2.5 * 2^-24 ties to 2 * 2^-24 (even)', 2.5 * 2 ** -24, 0x0002],
    ['largest subnormal 1023 * 2^-24', 1023 * 2 ** -24, 0x03ff],
    ['just below the smallest normal rounds up into it', 2 ** -14 - 2 ** -26, 0x0400],
    ['smallest normal 2^-14', 2 ** -14, 0x0400],
    ['1e-8 underflows to 0', 1e-8, 0x0000],
    ['-1e-8 underflows to -0', -1e-8, 0x8000],
    ['1 + 2^-11 ties to 1 (even)', 1 + 2 ** -11, 0x3c00],
    ['1 + 3 * 2^-11 ties to 1 + 2^-9 (even)', 1 + 3 * 2 ** -11, 0x3c02],
    ['1 + 2^-11 + 2^-20 rounds up', 1 + 2 ** -11 + 2 ** -20, 0x3c01],
  ])('%s', (_label, value, bits) => {
    expect(numberToF16Bits(value)).toBe(bits);
  });

  it('keeps NaN a NaN, including NaNs whose payload is only in the low bits', () => {
    for (const bits of [0x7fc00000, 0x7f800001, 0xff800001, 0x7fffffff]) {
      const h = numberToF16Bits(fromBits(bits));
      expect(h & 0x7c00).toBe(0x7c00);
      expect(h & 0x03ff).not.toBe(0);
    }
  });
});

describe('fp16 -> number', () => {
  it.each([
    [0x0001, 2 ** -24],
    [0x03ff, 1023 * 2 ** -24],
    [0x0400, 2 ** -14],
    [0x3c00, 1],
    [0x3555, 0.333251953125],
    [0x2e66, 0.0999755859375],
    [0x7bff, 65504],
    [0xc000, -2],
    [0x7c00, Infinity],
    [0xfc00, -Infinity],
  ])('bits %i decodes to %s', (bits, value) => {
    expect(f16BitsToNumber(bits)).toBe(value);
  });

  it('decodes NaN and negative zero', () => {
    expect(f16BitsToNumber(0x7e00)).toBeNaN();
    expect(Object.is(f16BitsToNumber(0x8000), -0)).toBe(true);
  });

  it('round-trips every non-NaN fp16 bit pattern through fp32', () => {
    const all = new Uint16Array(65536).map((_, i) => i);
    const decoded = f16ToF32Array(all);
    const encoded = f32ToF16Array(decoded);
    const wrong: number[] = [];
    for (let h = 0; h < 65536; h++) {
      const isNaN = (h & 0x7c00) === 0x7c00 && (h & 0x3ff) !== 0;
      if (isNaN ? !Number.isNaN(decoded[h]) : encoded[h] !== h) wrong.push(h);
    }
    expect(wrong).toEqual([]);
  });
});

describe('fp32 -> bf16 (round to nearest even)', () => {
  it.each([
    ['1', 1, 0x3f80],
    ['-1', -1, 0xbf80],
    ['0.1 rounds up to 0x3DCD', 0.1, 0x3dcd],
    ['-0', -0, 0x8000],
    ['1 + 2^-8 ties to 1 (even)', 1 + 2 ** -8, 0x3f80],
    ['1 + 3 * 2^-8 ties to 1 + 2^-6 (even)', 1 + 3 * 2 ** -8, 0x3f82],
    ['1 + 2^-8 + 2^-20 rounds up', 1 + 2 ** -8 + 2 ** -20, 0x3f81],
    ['fp32 max rounds to inf', 3.4028234663852886e38, 0x7f80],
    ['-fp32 max rounds to -inf', -3.4028234663852886e38, 0xff80],
    ['+inf', Infinity, 0x7f80],
    ['-inf', -Infinity, 0xff80],
  ])('%s', (_label, value, bits) => {
    expect(numberToBf16Bits(value)).toBe(bits);
  });

  it('rounds fp32 subnormals with ties to even', () => {
    expect(f32BitsToBf16Bits(0x00000001)).toBe(0x0000); // 2^-149 is far below half a bf16 ulp there
    expect(f32BitsToBf16Bits(0x00008000)).toBe(0x0000); // exact tie, 0 is even
    expect(f32BitsToBf16Bits(0x00018000)).toBe(0x0002); // exact tie between 1 and 2 -> 2
    expect(f32BitsToBf16Bits(0x00010001)).toBe(0x0001);
  });

  it('keeps NaN a NaN when truncation alone would make it inf', () => {
    const b = f32BitsToBf16Bits(0x7f800001);
    expect(b & 0x7f80).toBe(0x7f80);
    expect(b & 0x007f).not.toBe(0);
    expect(bf16BitsToNumber(b)).toBeNaN();
  });

  it('decodes by placing the bits in the top half of an fp32', () => {
    expect(bf16BitsToNumber(0x3dcd)).toBe(0.10009765625);
    expect(bf16BitsToNumber(0xc040)).toBe(-3);
    expect(Array.from(bf16ToF32Array(new Uint16Array([0x3f80, 0x0001, 0xff80])))).toEqual([
      1,
      fromBits(0x00010000),
      -Infinity,
    ]);
  });

  it('bulk and scalar conversions agree', () => {
    const values = new Float32Array([0.1, -7.25, 1e-40, 3e38, 65520, 2 ** -25]);
    expect(Array.from(f32ToBf16Array(values))).toEqual(Array.from(values, numberToBf16Bits));
    expect(Array.from(f32ToF16Array(values))).toEqual(Array.from(values, numberToF16Bits));
  });
});
