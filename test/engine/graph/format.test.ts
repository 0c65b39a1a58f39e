/**
 * What the writer puts on disk: protobuf encoding, the .onnx / .onnx_data split, 64-byte aligned
 * external tensors holding exactly the checkpoint's bytes, user-facing errors, and the end-to-end
 * path from a make-test-model checkpoint on disk.
 */
import { afterAll, describe, expect, test } from 'vitest';
import fs from 'node:fs';
import path from 'node:path';
import * as ort from 'onnxruntime-node';
import { buildGraph } from '../../../electron/engine/graph';
import { GraphBuilder } from '../../../electron/engine/graph/builder';
import { DataType } from '../../../electron/engine/graph/onnx';
import { ProtoWriter } from '../../../electron/engine/graph/proto';
import { referenceForward } from '../../../electron/engine/reference';
import { gpt2ParameterCount, gpt2TensorShapes, loadCheckpoint, makeTestModel } from '../../../electron/engine/weights';
import type { Gpt2Weights, Tensor32 } from '../../../electron/engine/weights/types';
import { TINY, i64, f32, maxAbsDiff, randomWeights, row, tempDir, tokens } from './fixtures';
import { bytesOf, decodeMessage, ints, messages, strings } from './protoReader';

const dirs: string[] = [];
function fresh(tag: string): string {
  const d = tempDir(tag);
  dirs.push(d);
  return d;
}
afterAll(() => dirs.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

const hex = (u: Uint8Array) => Buffer.from(u).toString('hex');

describe('ProtoWriter', () => {
  test('encodes varints, negative int64, floats, strings and nested messages per the wire format', () => {
    expect(hex(new ProtoWriter().int(1, 300).finish())).toBe('08ac02');
    expect(hex(new ProtoWriter().int(3, -1n).finish())).toBe('18ffffffffffffffffff01');
    expect(hex(new ProtoWriter().int(1, 2 ** 40).finish())).toBe('08808080808020');
    expect(hex(new ProtoWriter().float(2, 1.5).finish())).toBe('150000c03f');
    expect(hex(new ProtoWriter().string(1, 'hi').finish())).toBe('0a026869');
    expect(hex(new ProtoWriter().message(7, new ProtoWriter().int(1, 1)).finish())).toBe('3a020801');
    const big = new Uint8Array(100_000).fill(7);
    const out = new ProtoWriter().int(1, 1).bytes(2, big).int(3, 2).finish();
    expect(out.length).toBe(2 + 1 + 3 + 100_000 + 2);
    expect(decodeMessage(out).get(2)?.[0]).toMatchObject({ wire: 2 });
  });
});

describe('GraphBuilder', () => {
  test('tensor, floats, string and int attributes survive the round trip through onnxruntime', async () => {
    const g = new GraphBuilder('attrs');
    const x = g.input('x', DataType.FLOAT, ['rows', 2]);
    const t = new Float32Array([10, 20]);
    const c1 = g.op('Constant', [], {
      value: { tensor: { name: 'c1', dataType: DataType.FLOAT, dims: [1, 2], raw: new Uint8Array(t.buffer) } },
    });
    const c2 = g.op('Constant', [], { value_floats: { floats: [0.5, 0.25] } });
    g.op('Add', [x, c1], {}, 'a');
    g.op('Mul', [x, c2], {}, 'b');
    g.op('Pad', [x, g.constI64([0, 1, 0, 1])], { mode: 'reflect' }, 'c');
    g.op('LeakyRelu', [x], { alpha: { float: 0.5 } }, 'd');
    for (const name of ['a', 'b', 'c', 'd']) g.output(name, DataType.FLOAT, ['rows', name === 'c' ? 4 : 2]);
    const saved = await g.save(path.join(fresh('attrs'), 'm.onnx'));
    expect(fs.statSync(saved.dataPath).size).toBe(0);

    const session = await ort.InferenceSession.create(saved.onnxPath);
    const out = await session.run({ x: f32(new Float32Array([1, -2, 3, 4]), [2, 2]) });
    await session.release();
    expect(Array.from(out.a.data as Float32Array)).toEqual([11, 18, 13, 24]);
    expect(Array.from(out.b.data as Float32Array)).toEqual([0.5, -0.5, 1.5, 1]);
    expect(Array.from(out.c.data as Float32Array)).toEqual([-2, 1, -2, 1, 4, 3, 4, 3]);
    expect(Array.from(out.d.data as Float32Array)).toEqual([1, -1, 3, 4]);
  });

  test('wiring mistakes fail at build time, naming the value', () => {
    const g = new GraphBuilder('wiring');
    const x = g.input('x', DataType.FLOAT, [1]);
    expect(() => g.op('Relu', ['y'])).toThrow('Relu input "y" is not defined yet');
    expect(() => g.input('x', DataType.FLOAT, [1])).toThrow('duplicate value name "x"');
    expect(() => g.output('z', DataType.FLOAT, [1])).toThrow('output "z" is never produced');
    expect(() => g.op('Elu', [x], { alpha: 0.5 })).toThrow('wrap floats as { float: x }');
  });
});

describe('model files', () => {
  test('.onnx holds the structure, .onnx_data every weight once, 64-byte aligned, byte-identical', async () => {
    const weights = randomWeights(TINY, 3);
    const dir = fresh('format');
    const saved = await buildGraph(weights, { layout: 'inkling' }, path.join(dir, 'model.onnx'));
    expect(saved.dataPath).toBe(path.join(dir, 'model.onnx_data'));
    expect(fs.readdirSync(dir).sort()).toEqual(['model.onnx', 'model.onnx_data']); // no .tmp left behind

    const onnxBytes = fs.readFileSync(saved.onnxPath);
    const dataSize = fs.statSync(saved.dataPath).size;
    const paramBytes = gpt2ParameterCount(TINY) * 4;
    expect(onnxBytes.length).toBeLessThan(64 * 1024);
    expect(dataSize).toBeGreaterThanOrEqual(paramBytes);
    expect(dataSize).toBeLessThan(paramBytes + 64 * gpt2TensorShapes(TINY).size);
    expect(saved.bytes).toBe(onnxBytes.length + dataSize);

    const model = decodeMessage(onnxBytes);
    expect(ints(model, 1)).toEqual([8n]); // ir_version
    const opsets = messages(model, 8).map((o) => [strings(o, 1)[0] ?? '', Number(ints(o, 2)[0])]);
    expect(opsets).toEqual([
      ['', 17],
      ['com.microsoft', 1],
    ]);
    const graph = messages(model, 7)[0];

    const fd = fs.openSync(saved.dataPath, 'r');
    const external = new Map<string, { offset: number; length: number }>();
    try {
      for (const t of messages(graph, 5)) {
        const name = strings(t, 8)[0];
        const entries = Object.fromEntries(messages(t, 13).map((e) => [strings(e, 1)[0], strings(e, 2)[0]]));
        if (ints(t, 14)[0] !== 1n) {
          // Inline constants (shapes, scalars) are tiny.
          expect(bytesOf(t, 9)?.length ?? 0).toBeLessThan(256);
          continue;
        }
        expect(entries.location).toBe('model.onnx_data');
        const offset = Number(entries.offset);
        const length = Number(entries.length);
        expect(offset % 64).toBe(0);
        expect(ints(t, 1).map(Number)).toEqual(gpt2TensorShapes(TINY).get(name));
        const onDisk = Buffer.alloc(length);
        fs.readSync(fd, onDisk, 0, length, offset);
        const w = weights.get(name).data;
        expect(onDisk.equals(Buffer.from(w.buffer, w.byteOffset, w.byteLength)), name).toBe(true);
        expect(external.has(name), `${name} stored twice`).toBe(false);
        external.set(name, { offset, length });
      }
    } finally {
      fs.closeSync(fd);
    }
    // Every canonical tensor, each once: the head reads wte in place (no transposed copy).
    expect([...external.keys()].sort()).toEqual([...gpt2TensorShapes(TINY).keys()].sort());

    // Symbolic dims on the graph inputs.
    const pastKey = messages(graph, 11).find((v) => strings(v, 1)[0] === 'past_key.0');
    expect(pastKey).toBeDefined();
    const dims = messages(messages(messages(messages(pastKey!, 2)[0], 1)[0], 2)[0], 1);
    expect(dims.map((d) => strings(d, 2)[0] ?? Number(ints(d, 1)[0]))).toEqual(['batch', 'past_sequence', 64]);
  });

  test('a weight of the wrong shape is rejected naming the tensor, the expected and the found shape', async () => {
    const good = randomWeights(TINY, 4);
    const bad: Gpt2Weights = {
      config: TINY,
      get(name: string): Tensor32 {
        const t = good.get(name);
        return name === 'h.1.mlp.c_fc.weight' ? { shape: [4 * 64, 64], data: t.data } : t;
      },
    };
    await expect(buildGraph(bad, { layout: 'inkling' }, path.join(fresh('bad'), 'model.onnx'))).rejects.toThrow(
      'weight "h.1.mlp.c_fc.weight": expected shape [64, 256], found [256, 64]',
    );
  });

  test('configs the graph cannot express are rejected before anything is written', async () => {
    const dir = fresh('badcfg');
    const weights = randomWeights(TINY, 5);
    const odd: Gpt2Weights = {
      config: { ...TINY, nHead: 5 },
      get: (name) => {
        throw new Error(`not expected to read ${name}`);
      },
    };
    await expect(buildGraph(odd, { layout: 'inkling' }, path.join(dir, 'a.onnx'))).rejects.toThrow(
      /divisible by n_head/,
    );
    // A precision outside the option's type, as a caller from JS might pass it.
    const int3 = { layout: 'inkling', precision: 'int3' } as unknown as Parameters<typeof buildGraph>[1];
    await expect(buildGraph(weights, int3, path.join(dir, 'b.onnx'))).rejects.toThrow(/precision "int3"/);
    // @ts-expect-error: unknown layout.
    await expect(buildGraph(weights, { layout: 'llama' }, path.join(dir, 'c.onnx'))).rejects.toThrow(/layout "llama"/);
    expect(fs.readdirSync(dir)).toEqual([]);
  });
});

describe('from a checkpoint on disk', () => {
  test('make-test-model (F16, transformer.-prefixed) → loadCheckpoint → inkling graph matches the reference', async () => {
    const ckpt = fresh('ckpt');
    await makeTestModel({
      outDir: ckpt,
      layers: 2,
      embd: 64,
      heads: 4,
      positions: 128,
      seed: 9,
      dtype: 'F16',
      prefix: true,
    });
    const weights = await loadCheckpoint(ckpt);
    try {
      const saved = await buildGraph(weights, { layout: 'inkling' }, path.join(fresh('ckpt-onnx'), 'model.onnx'));
      const session = await ort.InferenceSession.create(saved.onnxPath);
      const ids = tokens(7, 31);
      const C = weights.config.nEmbd;
      const feeds: Record<string, ort.Tensor> = {
        input_ids: i64(ids, [1, 7]),
        position_ids: i64([0, 1, 2, 3, 4, 5, 6], [1, 7]),
        attention_mask: i64(new Array(7).fill(1), [1, 7]),
        logits_index: i64([0, 3, 6], [3]),
      };
      for (let i = 0; i < weights.config.nLayer; i++) {
        for (const name of [`shared_key.${i}`, `shared_value.${i}`, `past_key.${i}`, `past_value.${i}`])
          feeds[name] = f32(new Float32Array(0), [1, 0, C]);
      }
      const out = await session.run(feeds);
      await session.release();
      const ref = referenceForward(weights, ids);
      const V = weights.config.vocabSize;
      [0, 3, 6].forEach((s, n) => expect(maxAbsDiff(row(out.logits, n, V), ref[s])).toBeLessThan(1e-4));
    } finally {
      weights.close();
    }
  });
});
