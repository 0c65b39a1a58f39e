/**
 * make-test-model: a random-weight GPT-2 checkpoint in the Hugging Face layout (config.json,
 * generation_config.json, model.safetensors, vocab.json, merges.txt), for tests and benchmarks
 * where real weights cannot be downloaded. Shapes, not values, set the speed, so a random model of
 * GPT-2 124M shape is a fair benchmark subject.
 *
 * Values follow GPT-2's initialisation, with two changes so that bugs show in tests: biases are
 * small random values instead of zero, and LayerNorm gains/biases are perturbed away from 1/0.
 * Every tensor is drawn from its own stream keyed by (seed, name), so output is byte-identical for
 * the same options. Tensors are generated one at a time while writing (never all in memory).
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Gpt2Config } from './types';
import { GPT2_EOS_TOKEN_ID, toHfConfig } from './config';
import { HF_PREFIX, gpt2TensorShapes } from './layout';
import { fillNormal } from './random';
import { writeSafetensors, type TensorToWrite, type WritableDtype } from './safetensorsWriter';

export interface MakeTestModelOptions {
  outDir: string;
  layers?: number;
  embd?: number;
  heads?: number;
  positions?: number;
  vocabSize?: number;
  seed?: number;
  dtype?: WritableDtype;
  /** Write keys as `transformer.h.0...` (as some checkpoints do) instead of `h.0...`. */
  prefix?: boolean;
}

/** The Gpt2Config makeTestModel writes for these options (validated). */
export function testModelConfig(opts: Omit<MakeTestModelOptions, 'outDir'>): Gpt2Config {
  const { layers = 2, embd = 64, heads = 4, positions = 1024, vocabSize = 50257 } = opts;
  for (const [name, v] of Object.entries({ layers, embd, heads, positions, vocabSize })) {
    if (!Number.isSafeInteger(v) || v < 1)
      throw new Error(`make-test-model: ${name} must be a positive integer, got ${v}`);
  }
  if (embd % heads !== 0) throw new Error(`make-test-model: embd ${embd} is not divisible by heads ${heads}`);
  // GPT-2's <|endoftext|> when the vocabulary has it, else the last token.
  const eos = vocabSize > GPT2_EOS_TOKEN_ID ? GPT2_EOS_TOKEN_ID : vocabSize - 1;
  return {
    vocabSize,
    nPositions: positions,
    nEmbd: embd,
    nLayer: layers,
    nHead: heads,
    layerNormEpsilon: 1e-5,
    bosTokenId: eos,
    eosTokenId: eos,
  };
}

export async function makeTestModel(opts: MakeTestModelOptions): Promise<void> {
  const config = testModelConfig(opts);
  const { seed = 1, dtype = 'F32', prefix = false } = opts;
  if (!Number.isSafeInteger(seed)) throw new Error(`make-test-model: seed must be an integer, got ${seed}`);
  if (!['F32', 'F16', 'BF16'].includes(dtype))
    throw new Error(`make-test-model: dtype must be F32, F16 or BF16, got ${dtype}`);

  await fs.promises.mkdir(opts.outDir, { recursive: true });
  const tensors: TensorToWrite[] = [];
  for (const [name, shape] of gpt2TensorShapes(config)) {
    tensors.push({
      name: prefix ? HF_PREFIX + name : name,
      dtype,
      shape,
      data: () => initTensor(name, shape, seed, config.nLayer),
    });
  }
  await writeSafetensors(path.join(opts.outDir, 'model.safetensors'), tensors, { format: 'pt' });
  await writeJson(path.join(opts.outDir, 'config.json'), toHfConfig(config));
  await writeJson(path.join(opts.outDir, 'generation_config.json'), {
    _from_model_config: true,
    bos_token_id: config.bosTokenId,
    eos_token_id: config.eosTokenId,
  });
  const tokenizerDir = findTokenizerDir();
  for (const f of ['vocab.json', 'merges.txt'])
    await fs.promises.copyFile(path.join(tokenizerDir, f), path.join(opts.outDir, f));
}

/** One tensor's initial values, by its canonical name. */
function initTensor(name: string, shape: number[], seed: number, layers: number): Float32Array {
  const out = new Float32Array(shape.reduce((a, b) => a * b, 1));
  const key = `${seed}:${name}`;
  if (/ln_(1|2|f)\.weight$/.test(name)) return fillNormal(out, key, 1, 0.1);
  if (name.endsWith('.bias')) return fillNormal(out, key, 0, 0.02);
  // GPT-2 scales the residual projections by 1/sqrt(2 × layers) to keep the residual stream's variance in check.
  if (name.endsWith('c_proj.weight')) return fillNormal(out, key, 0, 0.02 / Math.sqrt(2 * layers));
  return fillNormal(out, key, 0, 0.02);
}

async function writeJson(file: string, value: unknown): Promise<void> {
  await fs.promises.writeFile(file, `${JSON.stringify(value, null, 2)}\n`);
}

/** `models/gpt2/` of the repository: searched upward from this file so it works from source or a build. */
function findTokenizerDir(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const candidate = path.join(dir, 'models', 'gpt2');
    if (fs.existsSync(path.join(candidate, 'vocab.json')) && fs.existsSync(path.join(candidate, 'merges.txt')))
      return candidate;
    const parent = path.dirname(dir);
    if (parent === dir)
      throw new Error(
        'make-test-model: cannot find models/gpt2/vocab.json and merges.txt above ' + fileURLToPath(import.meta.url),
      );
    dir = parent;
  }
}
