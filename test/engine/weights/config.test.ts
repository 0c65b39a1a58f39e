import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseGpt2Config, readGpt2Config, toHfConfig } from '../../../electron/engine/weights/config';

/** openai-community/gpt2's config.json (the fields that matter, as published). */
const GPT2_CONFIG = {
  activation_function: 'gelu_new',
  architectures: ['GPT2LMHeadModel'],
  attn_pdrop: 0.1,
  bos_token_id: 50256,
  embd_pdrop: 0.1,
  eos_token_id: 50256,
  initializer_range: 0.02,
  layer_norm_epsilon: 1e-5,
  model_type: 'gpt2',
  n_ctx: 1024,
  n_embd: 768,
  n_head: 12,
  n_layer: 12,
  n_positions: 1024,
  resid_pdrop: 0.1,
  vocab_size: 50257,
};

const GPT2 = {
  vocabSize: 50257,
  nPositions: 1024,
  nEmbd: 768,
  nLayer: 12,
  nHead: 12,
  layerNormEpsilon: 1e-5,
  bosTokenId: 50256,
  eosTokenId: 50256,
};

describe('parseGpt2Config', () => {
  it('parses the GPT-2 124M config', () => {
    expect(parseGpt2Config(GPT2_CONFIG)).toEqual(GPT2);
  });

  it('takes the context from n_ctx when n_positions is absent, and defaults eps and token ids', () => {
    const { n_positions: _p, layer_norm_epsilon: _e, bos_token_id: _b, eos_token_id: _t, ...rest } = GPT2_CONFIG;
    expect(parseGpt2Config({ ...rest, n_ctx: 512, activation_function: undefined })).toEqual({
      ...GPT2,
      nPositions: 512,
    });
  });

  it('prefers n_positions (which sizes wpe) over n_ctx', () => {
    expect(parseGpt2Config({ ...GPT2_CONFIG, n_positions: 2048, n_ctx: 1024 }).nPositions).toBe(2048);
  });

  it.each<[string, Record<string, unknown>, string | RegExp]>([
    [
      'another architecture',
      { model_type: 'llama' },
      'config.json: model_type is "llama" but Inkling only runs GPT-2 models (model_type "gpt2")',
    ],
    ['no model_type', { model_type: undefined }, /model_type is missing/],
    [
      'another activation',
      { activation_function: 'relu' },
      'config.json: activation_function "relu" is not supported; GPT-2 uses "gelu_new"',
    ],
    ['heads that do not divide n_embd', { n_head: 7 }, 'config.json: n_embd 768 is not divisible by n_head 7'],
    ['zero layers', { n_layer: 0 }, 'config.json: n_layer must be an integer >= 1, found 0'],
    ['fractional heads', { n_head: 1.5 }, /n_head must be an integer >= 1, found 1.5/],
    ['vocab_size as a string', { vocab_size: '50257' }, /vocab_size must be an integer >= 1, found "50257"/],
    ['missing n_embd', { n_embd: undefined }, 'config.json: n_embd is missing (expected an integer >= 1)'],
    ['missing context', { n_positions: undefined, n_ctx: undefined }, /n_positions \(or n_ctx\) is missing/],
    ['negative epsilon', { layer_norm_epsilon: -1 }, /layer_norm_epsilon must be a positive number, found -1/],
    [
      'eos outside the vocabulary',
      { eos_token_id: 50257 },
      'config.json: eos_token_id 50257 is outside the vocabulary (vocab_size 50257)',
    ],
    [
      'a non-standard MLP width',
      { n_inner: 1000 },
      /n_inner 1000 is not supported; the MLP must be 4 × n_embd = 3072 wide/,
    ],
    ['unscaled attention', { scale_attn_weights: false }, /scale_attn_weights false is not supported/],
  ])('rejects %s', (_label, change, message) => {
    expect(() => parseGpt2Config({ ...GPT2_CONFIG, ...change })).toThrow(message);
  });

  it('accepts n_inner equal to 4 × n_embd, and gelu_pytorch_tanh (the same function)', () => {
    expect(parseGpt2Config({ ...GPT2_CONFIG, n_inner: 3072, activation_function: 'gelu_pytorch_tanh' })).toEqual(GPT2);
  });

  it('rejects a value that is not an object', () => {
    expect(() => parseGpt2Config([1], 'x.json')).toThrow('x.json: must be a JSON object');
  });
});

describe('toHfConfig', () => {
  it('writes what transformers expects and parses back to the same config', () => {
    const c = { ...GPT2, nLayer: 2, nEmbd: 64, nHead: 4, nPositions: 128, layerNormEpsilon: 1e-6 };
    const hf = toHfConfig(c);
    expect(hf).toMatchObject({
      architectures: ['GPT2LMHeadModel'],
      model_type: 'gpt2',
      activation_function: 'gelu_new',
      n_ctx: 128,
      n_positions: 128,
      n_embd: 64,
      n_head: 4,
      n_layer: 2,
      vocab_size: 50257,
      resid_pdrop: 0.1,
      embd_pdrop: 0.1,
      attn_pdrop: 0.1,
      layer_norm_epsilon: 1e-6,
      bos_token_id: 50256,
      eos_token_id: 50256,
    });
    expect(parseGpt2Config(JSON.parse(JSON.stringify(hf)))).toEqual(c);
  });
});

describe('readGpt2Config', () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'inkling-config-'));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('reads config.json from a folder', () => {
    fs.writeFileSync(path.join(dir, 'config.json'), JSON.stringify(GPT2_CONFIG));
    expect(readGpt2Config(dir)).toEqual(GPT2);
  });

  it('says when the file is missing or not JSON', () => {
    expect(() => readGpt2Config(path.join(dir, 'config.json'))).toThrow(`config.json is missing in ${dir}`);
    fs.writeFileSync(path.join(dir, 'config.json'), '{"model_type": ');
    expect(() => readGpt2Config(dir)).toThrow(/^config\.json: not valid JSON/);
  });
});
