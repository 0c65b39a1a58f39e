import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  loadCheckpoint,
  validateCheckpointDir,
  type LoadedCheckpoint,
} from '../../../electron/engine/weights/checkpoint';
import { openSafetensors } from '../../../electron/engine/weights/safetensors';
import { writeSafetensors, type TensorToWrite } from '../../../electron/engine/weights/safetensorsWriter';
import {
  bf16BitsToNumber,
  f16BitsToNumber,
  numberToBf16Bits,
  numberToF16Bits,
} from '../../../electron/engine/weights/half';
import { tinyModelDir } from '../../helpers/models';

/** A small shape so each variant is a few KB: C = 16, 2 layers, 300-token vocabulary, 32 positions. */
const SMALL = { layers: 2, embd: 16, heads: 2, positions: 32, vocabSize: 300 };
const C = SMALL.embd;

const tempDirs: string[] = [];
afterAll(() => tempDirs.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));
function tempDir(): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'inkling-ckpt-'));
  tempDirs.push(d);
  return d;
}

/** All tensors of a model file as writable entries (F32), keyed as in the file. */
function readAll(dir: string, file = 'model.safetensors'): TensorToWrite[] {
  const st = openSafetensors(path.join(dir, file));
  try {
    return st.names().map((name) => ({ name, dtype: 'F32' as const, shape: st.info(name).shape, data: st.read(name) }));
  } finally {
    st.close();
  }
}

/** A copy of the small test model whose model.safetensors is rewritten after `mutate`. */
async function variant(mutate: (tensors: TensorToWrite[]) => TensorToWrite[]): Promise<string> {
  const base = await tinyModelDir(SMALL);
  const out = tempDir();
  for (const f of fs.readdirSync(base))
    if (f !== 'model.safetensors') fs.copyFileSync(path.join(base, f), path.join(out, f));
  await writeSafetensors(path.join(out, 'model.safetensors'), mutate(readAll(base)), { format: 'pt' });
  return out;
}

function set(tensors: TensorToWrite[], name: string, change: (data: Float32Array) => void): TensorToWrite[] {
  const t = tensors.find((x) => x.name === name)!;
  change(t.data as Float32Array);
  return tensors;
}

async function loadError(dir: string): Promise<string> {
  try {
    (await loadCheckpoint(dir)).close();
  } catch (e) {
    return (e as Error).message;
  }
  throw new Error(`expected loading ${dir} to fail`);
}

function allTensors(ck: LoadedCheckpoint): Map<string, Float32Array> {
  return new Map(ck.names().map((n) => [n, ck.get(n).data]));
}

describe('loadCheckpoint', () => {
  it('loads a checkpoint: config, every tensor with its canonical shape, and the source dtype', async () => {
    const ck = await loadCheckpoint(await tinyModelDir(SMALL));
    try {
      expect(ck.config).toEqual({
        vocabSize: 300,
        nPositions: 32,
        nEmbd: 16,
        nLayer: 2,
        nHead: 2,
        layerNormEpsilon: 1e-5,
        bosTokenId: 299,
        eosTokenId: 299,
      });
      expect(ck.sourceDtype).toBe('F32');
      expect(ck.names()).toHaveLength(2 + 12 * 2 + 2);
      expect(ck.get('wte.weight').shape).toEqual([300, C]);
      expect(ck.get('h.1.attn.c_attn.weight').shape).toEqual([C, 3 * C]);
      expect(ck.get('h.1.mlp.c_proj.weight').data).toHaveLength(4 * C * C);
      expect(() => ck.get('h.2.ln_1.weight')).toThrow(/no GPT-2 tensor named h\.2\.ln_1\.weight/);
    } finally {
      ck.close();
    }
    expect(() => ck.get('wte.weight')).toThrow(/already closed/);
  });

  it('loads the same weights whether keys carry the transformer. prefix or not', async () => {
    const prefixedDir = await tinyModelDir({ ...SMALL, prefix: true });
    expect(readAll(prefixedDir).every((t) => t.name.startsWith('transformer.'))).toBe(true);
    const plain = await loadCheckpoint(await tinyModelDir(SMALL));
    const prefixed = await loadCheckpoint(prefixedDir);
    expect(allTensors(prefixed)).toEqual(allTensors(plain));
    plain.close();
    prefixed.close();
  });

  it.each([
    ['F16', numberToF16Bits, f16BitsToNumber],
    ['BF16', numberToBf16Bits, bf16BitsToNumber],
  ] as const)('loads %s checkpoints as the rounded float32 weights', async (dtype, encode, decode) => {
    const ck = await loadCheckpoint(await tinyModelDir({ ...SMALL, dtype }));
    const ref = await loadCheckpoint(await tinyModelDir(SMALL));
    expect(ck.sourceDtype).toBe(dtype);
    for (const name of ['wte.weight', 'h.0.ln_1.weight', 'h.1.mlp.c_fc.bias']) {
      const expected = Array.from(ref.get(name).data, (v) => decode(encode(v)));
      expect(Array.from(ck.get(name).data)).toEqual(expected);
    }
    ck.close();
    ref.close();
  });

  it('reports a mixed-dtype checkpoint as such', async () => {
    const dir = await variant((ts) => ts.map((t) => (t.name.includes('ln_') ? { ...t, dtype: 'F16' } : t)));
    const ck = await loadCheckpoint(dir);
    expect(ck.sourceDtype).toBe('F16+F32');
    ck.close();
  });

  it('rejects a missing tensor by name', async () => {
    const dir = await variant((ts) => ts.filter((t) => t.name !== 'h.1.mlp.c_fc.bias'));
    expect(await loadError(dir)).toBe(
      `Cannot load the GPT-2 checkpoint in ${dir}: model.safetensors: missing tensor h.1.mlp.c_fc.bias; config.json describes a GPT-2 with n_layer 2, n_embd 16, vocab_size 300, n_positions 32`,
    );
  });

  it('rejects a misshaped tensor, naming expected and found shapes', async () => {
    const dir = await variant((ts) =>
      ts.map((t) => (t.name === 'h.0.attn.c_attn.weight' ? { ...t, shape: [3 * C, C] } : t)),
    );
    expect(await loadError(dir)).toMatch(
      /model\.safetensors: tensor h\.0\.attn\.c_attn\.weight: shape \[48, 16\], expected \[16, 48\] .*\(stored transposed\? GPT-2 Conv1D weights are \[in, out\]\)/,
    );
  });

  it('rejects unknown tensors by name, listing every problem', async () => {
    const dir = await variant((ts) => [
      ...ts.filter((t) => t.name !== 'ln_f.bias'),
      { name: 'h.0.attn.rotary.weight', dtype: 'F32', shape: [2], data: new Float32Array(2) },
      { name: 'score.weight', dtype: 'F32', shape: [2, C], data: new Float32Array(2 * C) },
    ]);
    const message = await loadError(dir);
    expect(message).toContain('\n  - model.safetensors: missing tensor ln_f.bias;');
    expect(message).toContain(
      '\n  - model.safetensors: tensor h.0.attn.rotary.weight: unknown tensor, not part of a GPT-2',
    );
    expect(message).toContain('\n  - model.safetensors: tensor score.weight: unknown tensor');
  });

  it('rejects NaN and Inf weights, naming the tensor and the position', async () => {
    const nan = await variant((ts) => set(ts, 'h.1.ln_2.weight', (d) => (d[3] = NaN)));
    expect(await loadError(nan)).toBe(
      'model.safetensors: tensor h.1.ln_2.weight: contains 1 non-finite value (first: NaN at [3]); the checkpoint is corrupted or was saved from a diverged training run',
    );
    const inf = await variant((ts) => set(ts, 'wte.weight', (d) => ((d[5 * C + 2] = Infinity), (d[7] = -Infinity))));
    expect(await loadError(inf)).toMatch(
      /^model\.safetensors: tensor wte\.weight: contains 2 non-finite values \(first: -Infinity at \[0, 7\]\)/,
    );
  });

  it('with verifyValues off, loads but still refuses a non-finite tensor when it is read', async () => {
    const dir = await variant((ts) => set(ts, 'h.0.mlp.c_fc.weight', (d) => (d[C * 4 + 1] = NaN)));
    const ck = await loadCheckpoint(dir, { verifyValues: false });
    expect(ck.get('h.0.ln_1.weight').shape).toEqual([C]);
    expect(() => ck.get('h.0.mlp.c_fc.weight')).toThrow(
      /tensor h\.0\.mlp\.c_fc\.weight: contains 1 non-finite value \(first: NaN at \[1, 1\]\)/,
    );
    ck.close();
  });

  it('ignores the attention-mask buffers PyTorch checkpoints carry', async () => {
    const dir = await variant((ts) => [
      ...ts,
      { name: 'h.0.attn.bias', dtype: 'F32', shape: [1, 1, 32, 32], data: new Float32Array(1024) },
      { name: 'h.1.attn.masked_bias', dtype: 'F32', shape: [], data: new Float32Array([-1e4]) },
    ]);
    const ck = await loadCheckpoint(dir);
    expect(ck.names()).not.toContain('h.0.attn.bias');
    ck.close();
  });

  it('accepts an lm_head.weight equal to wte and rejects one that differs', async () => {
    const withHead = (change?: (d: Float32Array) => void) => (ts: TensorToWrite[]) => {
      const wte = ts.find((t) => t.name === 'wte.weight')!;
      const head = new Float32Array(wte.data as Float32Array);
      change?.(head);
      return [...ts, { name: 'lm_head.weight', dtype: 'F32' as const, shape: wte.shape, data: head }];
    };
    const tied = await loadCheckpoint(await variant(withHead()));
    tied.close();
    const untied = await variant(withHead((d) => (d[2 * C + 5] += 0.5)));
    expect(await loadError(untied)).toMatch(
      /^model\.safetensors: tensor lm_head\.weight: differs from wte\.weight \(first at \[2, 5\]: .*\); Inkling ties the output head to the token embedding/,
    );
  });

  it('rejects a tensor present both with and without the prefix', async () => {
    const dir = await variant((ts) => [
      ...ts,
      { ...ts.find((t) => t.name === 'ln_f.bias')!, name: 'transformer.ln_f.bias' },
    ]);
    expect(await loadError(dir)).toMatch(/tensor transformer\.ln_f\.bias: duplicates ln_f\.bias/);
  });

  it('loads sharded checkpoints through model.safetensors.index.json', async () => {
    const base = await tinyModelDir(SMALL);
    const dir = tempDir();
    for (const f of ['config.json', 'vocab.json', 'merges.txt']) fs.copyFileSync(path.join(base, f), path.join(dir, f));
    const all = readAll(base);
    const shards = [all.slice(0, 10), all.slice(10)];
    const weightMap: Record<string, string> = {};
    for (const [i, shard] of shards.entries()) {
      const name = `model-0000${i + 1}-of-00002.safetensors`;
      await writeSafetensors(path.join(dir, name), shard);
      for (const t of shard) weightMap[t.name] = name;
    }
    fs.writeFileSync(
      path.join(dir, 'model.safetensors.index.json'),
      JSON.stringify({ metadata: {}, weight_map: weightMap }),
    );
    const sharded = await loadCheckpoint(dir);
    const single = await loadCheckpoint(base);
    expect(allTensors(sharded)).toEqual(allTensors(single));
    sharded.close();
    single.close();
  });

  it('explains that PyTorch .bin checkpoints are not supported', async () => {
    const dir = tempDir();
    fs.copyFileSync(path.join(await tinyModelDir(SMALL), 'config.json'), path.join(dir, 'config.json'));
    fs.writeFileSync(path.join(dir, 'pytorch_model.bin'), 'not really');
    expect(await loadError(dir)).toContain(
      'PyTorch .bin checkpoints are not supported; use a repository revision with model.safetensors',
    );
    fs.rmSync(path.join(dir, 'pytorch_model.bin'));
    expect(await loadError(dir)).toContain(`model.safetensors is missing from ${dir}`);
  });

  it('passes on a corrupt safetensors header as the reason', async () => {
    const dir = await variant((ts) => ts);
    fs.truncateSync(path.join(dir, 'model.safetensors'), fs.statSync(path.join(dir, 'model.safetensors')).size - 4);
    expect(await loadError(dir)).toMatch(/model\.safetensors: tensor .*: data_offsets .* are out of range/);
  });
});

describe('validateCheckpointDir', () => {
  it('reports a good checkpoint with its config, dtype and parameter count', async () => {
    const report = await validateCheckpointDir(await tinyModelDir(SMALL));
    const { vocabSize: V, positions: P, layers: L } = SMALL;
    expect(report).toEqual({
      ok: true,
      problems: [],
      warnings: [],
      config: expect.objectContaining({ nLayer: 2, nEmbd: 16 }),
      sourceDtype: 'F32',
      parameterCount: V * C + P * C + L * (12 * C * C + 13 * C) + 2 * C,
    });
  });

  it('lists problems without throwing or reading weights', async () => {
    const dir = await variant((ts) => [
      ...ts.filter((t) => t.name !== 'wpe.weight'),
      { name: 'extra', dtype: 'F32', shape: [1], data: new Float32Array([NaN]) },
    ]);
    fs.rmSync(path.join(dir, 'vocab.json'));
    const report = await validateCheckpointDir(dir);
    expect(report.ok).toBe(false);
    expect(report.problems).toEqual([
      expect.stringMatching(/^model\.safetensors: missing tensor wpe\.weight;/),
      expect.stringMatching(/^model\.safetensors: tensor extra: unknown tensor/),
    ]);
    expect(report.warnings).toEqual([`vocab.json is missing from ${dir}`]);
  });

  it('reports a missing or invalid config.json', async () => {
    const dir = await variant((ts) => ts);
    fs.rmSync(path.join(dir, 'config.json'));
    expect((await validateCheckpointDir(dir)).problems).toEqual([`config.json is missing in ${dir}`]);
    fs.writeFileSync(path.join(dir, 'config.json'), JSON.stringify({ model_type: 'bert' }));
    expect((await validateCheckpointDir(dir)).problems).toEqual([
      'config.json: model_type is "bert" but Inkling only runs GPT-2 models (model_type "gpt2")',
    ]);
    expect((await validateCheckpointDir(path.join(dir, 'nope'))).problems).toEqual([
      `${path.join(dir, 'nope')} is not a folder`,
    ]);
  });
});
