import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { makeTestModel } from '../../../electron/engine/weights/testModel';
import { loadCheckpoint } from '../../../electron/engine/weights/checkpoint';
import { openSafetensors } from '../../../electron/engine/weights/safetensors';
import { readGpt2Config } from '../../../electron/engine/weights/config';

const tempDirs: string[] = [];
afterAll(() => tempDirs.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));
function tempDir(): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'inkling-make-'));
  tempDirs.push(d);
  return d;
}

const SMALL = { layers: 3, embd: 24, heads: 3, positions: 40, vocabSize: 500 };
const repoTokenizer = path.resolve(import.meta.dirname, '../../../models/gpt2');

async function make(opts: Record<string, unknown> = {}): Promise<string> {
  const outDir = path.join(tempDir(), 'model'); // not yet existing: makeTestModel creates it
  await makeTestModel({ ...SMALL, ...opts, outDir });
  return outDir;
}

const bytes = (dir: string, f: string) => fs.readFileSync(path.join(dir, f));

function stats(d: Float32Array): { mean: number; std: number } {
  let mean = 0;
  for (const v of d) mean += v;
  mean /= d.length;
  let variance = 0;
  for (const v of d) variance += (v - mean) ** 2;
  return { mean, std: Math.sqrt(variance / d.length) };
}

describe('makeTestModel', () => {
  it('writes a Hugging Face GPT-2 folder that loads with the requested shape', async () => {
    const dir = await make();
    expect(fs.readdirSync(dir).sort()).toEqual([
      'config.json',
      'generation_config.json',
      'merges.txt',
      'model.safetensors',
      'vocab.json',
    ]);
    expect(readGpt2Config(dir)).toEqual({
      vocabSize: 500,
      nPositions: 40,
      nEmbd: 24,
      nLayer: 3,
      nHead: 3,
      layerNormEpsilon: 1e-5,
      bosTokenId: 499,
      eosTokenId: 499,
    });
    expect(JSON.parse(bytes(dir, 'generation_config.json').toString())).toMatchObject({
      bos_token_id: 499,
      eos_token_id: 499,
    });
    expect(bytes(dir, 'vocab.json').equals(fs.readFileSync(path.join(repoTokenizer, 'vocab.json')))).toBe(true);
    expect(bytes(dir, 'merges.txt').equals(fs.readFileSync(path.join(repoTokenizer, 'merges.txt')))).toBe(true);
    const st = openSafetensors(path.join(dir, 'model.safetensors'));
    expect(st.metadata).toEqual({ format: 'pt' }); // transformers refuses safetensors without it
    expect(st.names()[0]).toBe('wte.weight');
    st.close();
    const ck = await loadCheckpoint(dir);
    expect(ck.get('h.2.mlp.c_fc.weight').shape).toEqual([24, 96]);
    ck.close();
  });

  it('uses the full GPT-2 vocabulary and <|endoftext|> by default', async () => {
    const dir = path.join(tempDir(), 'm');
    await makeTestModel({ outDir: dir, layers: 1, embd: 8, heads: 2, positions: 16 });
    expect(readGpt2Config(dir)).toMatchObject({ vocabSize: 50257, eosTokenId: 50256, bosTokenId: 50256 });
  });

  it('is deterministic by seed: same bytes twice, different weights for another seed', async () => {
    const a = await make({ seed: 7 });
    const b = await make({ seed: 7 });
    const c = await make({ seed: 8 });
    expect(bytes(a, 'model.safetensors').equals(bytes(b, 'model.safetensors'))).toBe(true);
    expect(bytes(a, 'config.json').equals(bytes(b, 'config.json'))).toBe(true);
    expect(bytes(a, 'model.safetensors').length).toBe(bytes(c, 'model.safetensors').length);
    const ckA = await loadCheckpoint(a);
    const ckC = await loadCheckpoint(c);
    for (const name of ckA.names()) expect(ckA.get(name).data, name).not.toEqual(ckC.get(name).data);
    ckA.close();
    ckC.close();
  });

  it("follows GPT-2's initialisation, with random biases and perturbed LayerNorms", async () => {
    const dir = await make({ vocabSize: 2000, embd: 48, heads: 4, layers: 2 });
    const ck = await loadCheckpoint(dir);
    // Bounds of 5 standard errors: the sample mean's is std/√n, the sample std's is about std/√(2n).
    const check = (name: string, mean: number, std: number) => {
      const data = ck.get(name).data;
      const s = stats(data);
      expect(Math.abs(s.mean - mean), `${name} mean ${s.mean}`).toBeLessThan((5 * std) / Math.sqrt(data.length));
      expect(Math.abs(s.std / std - 1), `${name} std ${s.std}`).toBeLessThan(5 / Math.sqrt(2 * data.length));
    };
    check('wte.weight', 0, 0.02);
    check('wpe.weight', 0, 0.02);
    check('h.0.attn.c_attn.weight', 0, 0.02);
    check('h.1.mlp.c_fc.weight', 0, 0.02);
    check('h.0.attn.c_proj.weight', 0, 0.02 / Math.sqrt(4));
    check('h.1.mlp.c_proj.weight', 0, 0.02 / Math.sqrt(4));
    check('h.0.mlp.c_fc.bias', 0, 0.02);
    check('h.1.ln_1.weight', 1, 0.1);
    check('ln_f.bias', 0, 0.02);
    // Tensors are independent streams: same-shaped tensors do not repeat each other.
    expect(ck.get('h.0.ln_1.bias').data).not.toEqual(ck.get('h.0.ln_2.bias').data);
    ck.close();
  });

  it('writes transformer.-prefixed keys and F16/BF16 data when asked', async () => {
    const dir = await make({ prefix: true, dtype: 'BF16' });
    const st = openSafetensors(path.join(dir, 'model.safetensors'));
    expect(st.info('transformer.h.0.attn.c_attn.weight')).toMatchObject({ dtype: 'BF16', shape: [24, 72] });
    st.close();
    const f16 = await make({ dtype: 'F16' });
    const f32Size = bytes(await make(), 'model.safetensors').length;
    expect(bytes(f16, 'model.safetensors').length).toBeLessThan(f32Size * 0.55);
  });

  it('rejects shapes that cannot be a GPT-2', async () => {
    await expect(make({ embd: 10, heads: 4 })).rejects.toThrow('make-test-model: embd 10 is not divisible by heads 4');
    await expect(make({ layers: 0 })).rejects.toThrow('make-test-model: layers must be a positive integer, got 0');
    await expect(make({ dtype: 'I8' })).rejects.toThrow(/dtype must be F32, F16 or BF16/);
  });
});
