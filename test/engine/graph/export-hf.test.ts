/**
 * exportHf produces a folder @huggingface/transformers 4 loads offline: its model runs our graph
 * (logits within 1e-4 of the float64 reference, greedy generation through its own K/V cache
 * handling matches greedy decoding of the reference) and its tokenizer is GPT-2's.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import fs from 'node:fs';
import path from 'node:path';
import { AutoModelForCausalLM, AutoTokenizer, Tensor, env } from '@huggingface/transformers';
import { getEncoding } from 'js-tiktoken';
import { exportHf, type HfExport } from '../../../electron/engine/graph';
import { referenceForward } from '../../../electron/engine/reference';
import { TINY, argmax, maxAbsDiff, randomWeights, tempDir, tokens } from './fixtures';

const TOKENIZER_DIR = path.resolve(import.meta.dirname, '../../../models/gpt2');
const weights = randomWeights(TINY, 17);
let root: string;
let exported: HfExport;

beforeAll(async () => {
  root = tempDir('export');
  exported = await exportHf(weights, TOKENIZER_DIR, path.join(root, 'tiny-gpt2'));
  // Offline: resolve model ids as folders under `root`, never the network.
  env.allowRemoteModels = false;
  env.allowLocalModels = true;
  env.localModelPath = root;
});

afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

describe('exportHf', () => {
  test('writes the Hugging Face folder layout with external weights', () => {
    const files = fs.readdirSync(exported.dir).sort();
    expect(files).toEqual([
      'config.json',
      'generation_config.json',
      'merges.txt',
      'onnx',
      'tokenizer.json',
      'tokenizer_config.json',
      'vocab.json',
    ]);
    expect(fs.readdirSync(path.join(exported.dir, 'onnx')).sort()).toEqual(['model.onnx', 'model.onnx_data']);
    const config = JSON.parse(fs.readFileSync(path.join(exported.dir, 'config.json'), 'utf8'));
    expect(config).toMatchObject({ model_type: 'gpt2', n_layer: 2, n_embd: 64, n_head: 4, vocab_size: 50257 });
    expect(fs.statSync(exported.onnxPath).size).toBeLessThan(64 * 1024);
  });

  test('transformers.js loads the model and its logits match the reference', async () => {
    const model = await AutoModelForCausalLM.from_pretrained('tiny-gpt2', { dtype: 'fp32', device: 'cpu' });
    try {
      const ids = tokens(8, 41);
      const out = await model({
        input_ids: new Tensor('int64', BigInt64Array.from(ids.map(BigInt)), [1, 8]),
        attention_mask: new Tensor('int64', new BigInt64Array(8).fill(1n), [1, 8]),
      });
      const logits = out.logits as Tensor;
      expect(logits.dims).toEqual([1, 8, TINY.vocabSize]);
      const ref = referenceForward(weights, ids);
      const data = logits.data as Float32Array;
      for (let s = 0; s < 8; s++)
        expect(maxAbsDiff(data.subarray(s * TINY.vocabSize, (s + 1) * TINY.vocabSize), ref[s])).toBeLessThan(1e-4);

      // generate() drives past_key_values/present itself; greedy must follow the reference's argmax chain.
      const prompt = tokens(5, 42);
      const generated = (await model.generate({
        input_ids: new Tensor('int64', BigInt64Array.from(prompt.map(BigInt)), [1, 5]),
        attention_mask: new Tensor('int64', new BigInt64Array(5).fill(1n), [1, 5]),
        max_new_tokens: 4,
        min_new_tokens: 4,
        do_sample: false,
      })) as Tensor;
      const expected = [...prompt];
      for (let t = 0; t < 4; t++) expected.push(argmax(referenceForward(weights, expected)[expected.length - 1]));
      expect(Array.from(generated.data as BigInt64Array, Number)).toEqual(expected);
    } finally {
      await model.dispose();
    }
  });

  test("the exported tokenizer is GPT-2's (agrees with tiktoken's gpt2 encoding)", async () => {
    const tokenizer = await AutoTokenizer.from_pretrained('tiny-gpt2');
    const text = "Hello world! It's 2024 — naïve café, emojis 🙂 and  two  spaces.\n<|endoftext|>";
    const ours = tokenizer.encode(text);
    const tiktoken = getEncoding('gpt2').encode(text, 'all');
    expect(ours).toEqual(tiktoken);
    expect(tokenizer.decode(ours)).toBe(text);
  });
});
