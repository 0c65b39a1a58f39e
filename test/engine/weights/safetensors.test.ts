import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MAX_HEADER_BYTES, openSafetensors } from '../../../electron/engine/weights/safetensors';
import { writeSafetensors } from '../../../electron/engine/weights/safetensorsWriter';
import { WeightsError } from '../../../electron/engine/weights/errors';

let dir: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'inkling-st-'));
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

/** Writes a hand-made safetensors file: 8-byte length, header text, then `data` bytes. */
function rawFile(header: unknown, data: number | Uint8Array, lengthField?: bigint): string {
  const headerBytes =
    header instanceof Uint8Array
      ? header
      : Buffer.from(typeof header === 'string' ? header : JSON.stringify(header), 'utf8');
  const prefix = Buffer.alloc(8);
  prefix.writeBigUInt64LE(lengthField ?? BigInt(headerBytes.length));
  const body = typeof data === 'number' ? new Uint8Array(data) : data;
  const file = path.join(dir, 'model.safetensors');
  fs.writeFileSync(file, Buffer.concat([prefix, headerBytes, body]));
  return file;
}

function openError(file: string): WeightsError {
  try {
    openSafetensors(file).close();
  } catch (e) {
    expect(e).toBeInstanceOf(WeightsError);
    return e as WeightsError;
  }
  throw new Error('expected openSafetensors to fail');
}

const f32 = (shape: number[], begin: number) => ({
  dtype: 'F32',
  shape,
  data_offsets: [begin, begin + 4 * shape.reduce((a, b) => a * b, 1)],
});

describe('safetensors writer + reader round trip', () => {
  const values = new Float32Array([
    0,
    -0,
    1,
    -2.5,
    0.1,
    1e-6,
    65504,
    70000,
    2 ** -24,
    2 ** -25,
    Infinity,
    -Infinity,
    NaN,
    1 + 2 ** -11,
  ]);

  it('F32 keeps every value exactly, with metadata and an 8-byte aligned data section', async () => {
    const file = path.join(dir, 'model.safetensors');
    await writeSafetensors(
      file,
      [
        { name: 'a', dtype: 'F32', shape: [2, 7], data: values },
        { name: 'b.bias', dtype: 'F32', shape: [3], data: () => new Float32Array([1, 2, 3]) },
        { name: 'empty', dtype: 'F32', shape: [0, 4], data: new Float32Array(0) },
      ],
      { format: 'pt' },
    );
    const st = openSafetensors(file);
    try {
      expect(st.metadata).toEqual({ format: 'pt' });
      expect((8 + st.headerLength) % 8).toBe(0);
      expect(fs.statSync(file).size).toBe(8 + st.headerLength + (14 + 3) * 4);
      expect(st.info('a')).toMatchObject({ dtype: 'F32', shape: [2, 7], begin: 0, end: 56 });
      expect(Array.from(st.read('a'))).toEqual(Array.from(values));
      expect(Array.from(st.read('b.bias'))).toEqual([1, 2, 3]);
      expect(st.read('empty').length).toBe(0);
      expect(fs.readdirSync(dir)).toEqual(['model.safetensors']); // no temporary file left behind
    } finally {
      st.close();
    }
  });

  it('readRange into an array writes the values there (F32 straight from the file, F16 converted)', async () => {
    const file = path.join(dir, 'model.safetensors');
    await writeSafetensors(file, [
      { name: 'a', dtype: 'F32', shape: [2, 7], data: values },
      { name: 'h', dtype: 'F16', shape: [4], data: new Float32Array([1, -2, 0.5, 3]) },
    ]);
    const st = openSafetensors(file);
    try {
      const into = new Float32Array(new SharedArrayBuffer(40), 4, 8).fill(7);
      const got = st.readRange('a', 3, 5, into);
      expect(got.buffer).toBe(into.buffer);
      expect(got.byteOffset).toBe(4);
      expect(Array.from(got)).toEqual(Array.from(values.subarray(3, 8)));
      expect(Array.from(into.subarray(5))).toEqual([7, 7, 7]); // past `count`: untouched
      expect(Array.from(st.readRange('h', 1, 3, into))).toEqual([-2, 0.5, 3]);
      expect(Array.from(into.subarray(0, 3))).toEqual([-2, 0.5, 3]);
      expect(() => st.readRange('a', 0, 9, into)).toThrow(/cannot read 9 values into an array of 8/);
    } finally {
      st.close();
    }
  });

  it('F16 stores the round-to-nearest-even fp16 value of each number', async () => {
    const file = path.join(dir, 'model.safetensors');
    await writeSafetensors(file, [{ name: 'w', dtype: 'F16', shape: [14], data: values }]);
    const st = openSafetensors(file);
    expect(fs.statSync(file).size).toBe(8 + st.headerLength + 28);
    const back = Array.from(st.read('w'));
    st.close();
    // Hand-computed fp16 values: 0.1 -> 0x2E66, 1e-6 -> 17 * 2^-24 (subnormal), 70000 -> inf,
    // 2^-25 ties to 0, 1 + 2^-11 ties to 1.
    expect(back).toEqual([
      0,
      -0,
      1,
      -2.5,
      0.0999755859375,
      17 * 2 ** -24,
      65504,
      Infinity,
      2 ** -24,
      0,
      Infinity,
      -Infinity,
      NaN,
      1,
    ]);
  });

  it('BF16 stores the round-to-nearest-even bf16 value of each number', async () => {
    const file = path.join(dir, 'model.safetensors');
    await writeSafetensors(file, [{ name: 'w', dtype: 'BF16', shape: [14], data: values }]);
    const st = openSafetensors(file);
    const back = Array.from(st.read('w'));
    st.close();
    // 0.1 -> 0x3DCD; 1e-6 (0x358637BD) -> 0x3586 = 9.98377799987793e-7; 65504 -> 0x4780 = 65536;
    // 70000 (0x4788B800) -> 0x4789 = 70144; 1 + 2^-11 -> 1.
    expect(back).toEqual([
      0,
      -0,
      1,
      -2.5,
      0.10009765625,
      9.98377799987793e-7,
      65536,
      70144,
      2 ** -24,
      2 ** -25,
      Infinity,
      -Infinity,
      NaN,
      1,
    ]);
  });

  it('reads F64 tensors by converting to float32', () => {
    const data = new Float64Array([1.5, -0.1, 1e300]);
    const file = rawFile({ x: { dtype: 'F64', shape: [3], data_offsets: [0, 24] } }, new Uint8Array(data.buffer));
    const st = openSafetensors(file);
    expect(Array.from(st.read('x'))).toEqual([1.5, Math.fround(-0.1), Infinity]);
    st.close();
  });

  it('reads header fields without the data: tensors are read only when asked', () => {
    const file = rawFile(
      { __metadata__: { format: 'pt' }, b: f32([2], 8), a: f32([2], 0) },
      new Uint8Array(new Float32Array([1, 2, 3, 4]).buffer),
    );
    const st = openSafetensors(file);
    expect(st.names()).toEqual(['a', 'b']); // in data order
    expect(Array.from(st.read('b'))).toEqual([3, 4]);
    st.close();
    expect(() => st.read('a')).toThrow(/already closed/);
  });

  it('rejects data whose length does not match the shape, naming the tensor, and leaves no file', async () => {
    const file = path.join(dir, 'model.safetensors');
    await expect(
      writeSafetensors(file, [{ name: 'h.0.mlp.c_fc.bias', dtype: 'F32', shape: [4], data: new Float32Array(3) }]),
    ).rejects.toThrow('model.safetensors: tensor h.0.mlp.c_fc.bias: shape [4] needs 4 values but 3 were given');
    expect(fs.readdirSync(dir)).toEqual([]);
  });
});

describe('safetensors validation', () => {
  it('rejects a file shorter than the 8-byte length', () => {
    fs.writeFileSync(path.join(dir, 'model.safetensors'), Buffer.from([1, 2, 3]));
    expect(openError(path.join(dir, 'model.safetensors')).message).toMatch(
      /^model\.safetensors: file is 3 bytes, too short/,
    );
  });

  it('rejects a header length over the 100 MB limit without reading it', () => {
    const e = openError(rawFile({}, 0, BigInt(MAX_HEADER_BYTES + 1)));
    expect(e.message).toMatch(/header length 100000001 is larger than the 100000000-byte limit/);
  });

  it('rejects a header length past the end of the file', () => {
    const e = openError(rawFile({ a: f32([1], 0) }, 4, 5000n));
    expect(e.message).toMatch(/header length 5000 runs past the end of the \d+-byte file/);
  });

  it('rejects a header that is not JSON, not UTF-8, or not an object', () => {
    expect(openError(rawFile('{"a": {', 0)).message).toMatch(/^model\.safetensors: header is not valid JSON/);
    expect(openError(rawFile(Buffer.from('{"\xff": 1}', 'latin1'), 0)).message).toMatch(
      /^model\.safetensors: header is not valid UTF-8/,
    );
    expect(openError(rawFile('[1, 2]', 0)).message).toMatch(/header must be a JSON object/);
  });

  it('rejects __metadata__ values that are not strings', () => {
    expect(openError(rawFile({ __metadata__: { format: 1 } }, 0)).message).toMatch(
      /__metadata__\.format must be a string/,
    );
  });

  it('rejects offsets out of range (file too short), naming the tensor', () => {
    const e = openError(rawFile({ 'h.0.ln_1.weight': f32([4], 0) }, 12));
    expect(e.tensor).toBe('h.0.ln_1.weight');
    expect(e.message).toBe(
      'model.safetensors: tensor h.0.ln_1.weight: data_offsets [0, 16] are out of range: the data section is only 12 bytes (file truncated?)',
    );
  });

  it('rejects overlapping tensors, naming both', () => {
    const e = openError(rawFile({ 'h.3.attn.c_attn.bias': f32([4], 0), 'h.3.attn.c_attn.weight': f32([4], 8) }, 24));
    expect(e.message).toBe(
      'model.safetensors: tensor h.3.attn.c_attn.weight: data_offsets [8, 24] overlap h.3.attn.c_attn.bias [0, 16]',
    );
  });

  it('rejects a gap between tensors and a gap at the start', () => {
    expect(openError(rawFile({ a: f32([4], 0), b: f32([4], 20) }, 36)).message).toBe(
      'model.safetensors: tensor b: data_offsets [20, 36] leave a gap of 4 bytes after a (bytes 16..20 belong to no tensor)',
    );
    expect(openError(rawFile({ a: f32([1], 4) }, 8)).message).toMatch(
      /tensor a: .* gap of 4 bytes at the start of the data section/,
    );
  });

  it('rejects a byte length that is not shape × dtype size, naming the tensor', () => {
    const e = openError(rawFile({ 'wte.weight': { dtype: 'F16', shape: [2, 3], data_offsets: [0, 16] } }, 16));
    expect(e.message).toBe(
      'model.safetensors: tensor wte.weight: shape [2, 3] × F16 (2 bytes) needs 12 bytes but data_offsets [0, 16] span 16',
    );
  });

  it('rejects bytes after the last tensor (file too long)', () => {
    expect(openError(rawFile({ a: f32([4], 0) }, 20)).message).toBe(
      'model.safetensors: the data section is 20 bytes but the last tensor (a) ends at byte 16: the file is 4 bytes too long',
    );
  });

  it('rejects malformed entries, naming the tensor', () => {
    expect(openError(rawFile({ x: { dtype: 'Q4', shape: [1], data_offsets: [0, 1] } }, 1)).message).toMatch(
      /^model\.safetensors: tensor x: unknown dtype "Q4"/,
    );
    expect(openError(rawFile({ x: { dtype: 'F32', shape: [-1], data_offsets: [0, 4] } }, 4)).message).toMatch(
      /tensor x: shape must be an array of non-negative integers/,
    );
    expect(openError(rawFile({ x: { dtype: 'F32', shape: [1], data_offsets: [4] } }, 4)).message).toMatch(
      /tensor x: data_offsets must be two non-negative integers/,
    );
    expect(openError(rawFile({ x: { dtype: 'F32', shape: [0], data_offsets: [4, 0] } }, 4)).message).toMatch(
      /tensor x: data_offsets \[4, 0\] end before they begin/,
    );
    expect(openError(rawFile({ x: 5 }, 0)).message).toMatch(/tensor x: header entry must be an object/);
  });

  it('opens files with integer dtypes but refuses to read them as floats, naming the tensor', () => {
    const file = rawFile({ 'h.0.attn.bias': { dtype: 'I64', shape: [2], data_offsets: [0, 16] } }, 16);
    const st = openSafetensors(file);
    expect(() => st.read('h.0.attn.bias')).toThrow(
      'model.safetensors: tensor h.0.attn.bias: dtype I64 is not supported (expected one of F32, F16, BF16, F64)',
    );
    expect(() => st.read('nope')).toThrow('model.safetensors: tensor nope: no such tensor in this file');
    st.close();
  });
});
