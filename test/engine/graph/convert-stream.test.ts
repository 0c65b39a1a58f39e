/**
 * Streaming conversion: the converter reads each checkpoint tensor in pieces of rows (never a whole
 * fp32 copy of a large tensor) and quantizes piece by piece. Its output must be byte-identical to
 * building from whole tensors (the previous converter's data path; quantize-stream.test.ts holds
 * the quantizer itself to the previous one byte for byte). Tiny pieces force many of them.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import { convertCheckpoint } from '../../../electron/engine/convert';
import { buildGraph } from '../../../electron/engine/graph';
import { STREAMING } from '../../../electron/engine/graph/params';
import { loadCheckpoint, makeTestModel } from '../../../electron/engine/weights';
import type { Gpt2Weights } from '../../../electron/engine/weights/types';

let root = '';
let ckpt = '';
beforeAll(async () => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'inkling-stream-'));
  ckpt = path.join(root, 'ckpt');
  await makeTestModel({ outDir: ckpt, layers: 2, embd: 64, heads: 4, positions: 64, seed: 7 });
});
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));
const saved = STREAMING.pieceValues;
afterEach(() => {
  STREAMING.pieceValues = saved;
});

describe('streaming conversion', () => {
  for (const precision of ['fp32', 'fp16', 'int8', 'int4'] as const) {
    test(`${precision}: pieces give the same graph and data file as whole tensors`, async () => {
      STREAMING.pieceValues = 3000; // wte [50257, 64] in 1,071 pieces; c_fc [64, 256] in 2
      const weights = await loadCheckpoint(ckpt);
      let pieces = 0;
      const counted: Gpt2Weights = {
        config: weights.config,
        get: (n) => weights.get(n),
        rows: (n, r, c) => (pieces++, weights.rows!(n, r, c)),
      };
      const whole: Gpt2Weights = { config: weights.config, get: (n) => weights.get(n) }; // no rows(): whole tensors
      try {
        const a = await buildGraph(
          counted,
          { layout: 'inkling', precision },
          path.join(root, `${precision}-stream`, 'model.onnx'),
        );
        const b = await buildGraph(
          whole,
          { layout: 'inkling', precision },
          path.join(root, `${precision}-whole`, 'model.onnx'),
        );
        expect(pieces).toBeGreaterThan(1000);
        expect(fs.readFileSync(a.dataPath).equals(fs.readFileSync(b.dataPath))).toBe(true);
        expect(fs.readFileSync(a.onnxPath).equals(fs.readFileSync(b.onnxPath))).toBe(true);
      } finally {
        weights.close();
      }
    });
  }

  test('a non-finite value is still refused, naming the tensor and the element, with no model left behind', async () => {
    const bad = path.join(root, 'bad');
    fs.cpSync(ckpt, bad, { recursive: true });
    // Put a NaN in wte row 40000 (far into the tensor: found only when that piece is read).
    const file = path.join(bad, 'model.safetensors');
    const buf = fs.readFileSync(file);
    const headerLen = Number(buf.readBigUInt64LE(0));
    const header = JSON.parse(buf.subarray(8, 8 + headerLen).toString('utf8')) as Record<
      string,
      { data_offsets: [number, number] }
    >;
    const key = Object.keys(header).find((k) => k.endsWith('wte.weight'))!;
    buf.writeFloatLE(Number.NaN, 8 + headerLen + header[key].data_offsets[0] + (40000 * 64 + 3) * 4);
    fs.writeFileSync(file, buf);
    const out = path.join(root, 'bad-out');
    await expect(convertCheckpoint(bad, out, { precision: 'int4', qualityReport: false })).rejects.toThrow(
      /wte\.weight.*non-finite.*\[40000, 3\]/,
    );
    expect(fs.existsSync(path.join(out, 'inkling.json'))).toBe(false);
  });
});
