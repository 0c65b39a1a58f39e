/**
 * Hugging Face GPT-2 `config.json` <-> Gpt2Config. Parsing rejects anything the engine would run
 * wrongly (another architecture, another activation, shapes that do not split into heads) with a
 * message naming the field, what it expected and what it found.
 */
import { describeValue } from '../../common/describe';
import fs from 'node:fs';
import path from 'node:path';
import type { Gpt2Config } from './types';
import { WeightsError } from './errors';
import { READ_LIMITS, UnsafeFileError, readRegularText, readRegularTextSync } from '../util/safeRead';

/** GPT-2's `<|endoftext|>`, used for both bos and eos when the config does not say. */
export const GPT2_EOS_TOKEN_ID = 50256;

/** Activations that are GPT-2's tanh-approximated GELU under another name. */
const TANH_GELU = ['gelu_new', 'gelu_pytorch_tanh'];

type Json = Record<string, unknown>;

/** Parses an already-decoded config.json object. `source` names the file in errors. */
export function parseGpt2Config(raw: unknown, source = 'config.json'): Gpt2Config {
  const fail = (problem: string): never => {
    throw new WeightsError(`${source}: ${problem}`, source);
  };
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) fail('must be a JSON object');
  const json = raw as Json;

  if (json.model_type !== 'gpt2') {
    fail(
      `model_type is ${json.model_type === undefined ? 'missing' : describeValue(json.model_type)} but Inkling only runs GPT-2 models (model_type "gpt2")`,
    );
  }
  const act = json.activation_function;
  if (act !== undefined && act !== null && !TANH_GELU.includes(act as string)) {
    fail(`activation_function ${describeValue(act)} is not supported; GPT-2 uses "gelu_new"`);
  }

  const int = (key: string, min: number, fallback?: number, max = Number.MAX_SAFE_INTEGER): number => {
    const v = json[key] ?? fallback;
    if (v === undefined) fail(`${key} is missing (expected an integer >= ${min})`);
    if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < min)
      fail(`${key} must be an integer >= ${min}, found ${describeValue(v)}`);
    // Upper bounds far above any GPT-2 (xl: 48 layers, 1600 wide, 25 heads, 1024 positions) keep a
    // hostile config from making the loader plan billions of tensors before it reads the file.
    if ((v as number) > max) fail(`${key} ${v} is larger than any GPT-2 model (at most ${max})`);
    return v as number;
  };

  const vocabSize = int('vocab_size', 1, undefined, 1 << 20);
  // n_positions sizes wpe; n_ctx is its older spelling.
  const positionsKey = json.n_positions !== undefined ? 'n_positions' : 'n_ctx';
  if (json.n_positions === undefined && json.n_ctx === undefined)
    fail('n_positions (or n_ctx) is missing (expected an integer >= 1)');
  const nPositions = int(positionsKey, 1, undefined, 1 << 16);
  const nEmbd = int('n_embd', 1, undefined, 1 << 14);
  const nLayer = int('n_layer', 1, undefined, 1024);
  const nHead = int('n_head', 1, undefined, 1024);
  if (nEmbd % nHead !== 0) fail(`n_embd ${nEmbd} is not divisible by n_head ${nHead}`);

  const eps = json.layer_norm_epsilon ?? 1e-5;
  if (typeof eps !== 'number' || !(eps > 0) || !Number.isFinite(eps))
    fail(`layer_norm_epsilon must be a positive number, found ${describeValue(eps)}`);

  const bosTokenId = int('bos_token_id', 0, GPT2_EOS_TOKEN_ID);
  const eosTokenId = int('eos_token_id', 0, GPT2_EOS_TOKEN_ID);
  for (const [key, id] of [
    ['bos_token_id', bosTokenId],
    ['eos_token_id', eosTokenId],
  ] as const) {
    if (id >= vocabSize) fail(`${key} ${id} is outside the vocabulary (vocab_size ${vocabSize})`);
  }

  // Variants the weight shapes or the graph do not cover.
  if (json.n_inner !== undefined && json.n_inner !== null && json.n_inner !== 4 * nEmbd) {
    fail(`n_inner ${describeValue(json.n_inner)} is not supported; the MLP must be 4 × n_embd = ${4 * nEmbd} wide`);
  }
  if (json.scale_attn_weights === false)
    fail('scale_attn_weights false is not supported (GPT-2 scales attention by 1/sqrt(head_dim))');
  if (json.scale_attn_by_inverse_layer_idx === true) fail('scale_attn_by_inverse_layer_idx true is not supported');
  if (json.add_cross_attention === true) fail('add_cross_attention true is not supported (GPT-2 is decoder-only)');

  return { vocabSize, nPositions, nEmbd, nLayer, nHead, layerNormEpsilon: eps as number, bosTokenId, eosTokenId };
}

/** Reads and parses `config.json` (the file path, or a checkpoint folder containing it). */
export function readGpt2Config(fileOrDir: string): Gpt2Config {
  const file = configPath(fileOrDir);
  let text: string;
  try {
    // A regular file of at most a few MB: a FIFO must not block, /dev/zero must not fill memory.
    text = readRegularTextSync(file, { what: path.basename(file), maxBytes: READ_LIMITS.config });
  } catch (e) {
    throw configReadError(file, e);
  }
  return parseConfigText(text, file);
}

/** readGpt2Config without blocking the event loop (the app's main process uses this one). */
export async function readGpt2ConfigAsync(fileOrDir: string): Promise<Gpt2Config> {
  const file = configPath(fileOrDir);
  let text: string;
  try {
    text = await readRegularText(file, { what: path.basename(file), maxBytes: READ_LIMITS.config });
  } catch (e) {
    throw configReadError(file, e);
  }
  return parseConfigText(text, file);
}

function configPath(fileOrDir: string): string {
  return fs.existsSync(fileOrDir) && fs.statSync(fileOrDir).isDirectory()
    ? path.join(fileOrDir, 'config.json')
    : fileOrDir;
}

function configReadError(file: string, e: unknown): WeightsError {
  const name = path.basename(file);
  if (e instanceof UnsafeFileError) {
    if (e.reason === 'not_found') return new WeightsError(`${name} is missing in ${path.dirname(file)}`, file);
    if (e.reason === 'io') return new WeightsError(`${name}: ${e.message}`, file);
    return new WeightsError(`${e.detail} (${file})`, file);
  }
  return new WeightsError(`${name}: cannot read (${(e as Error).message})`, file);
}

function parseConfigText(text: string, file: string): Gpt2Config {
  const name = path.basename(file);
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new WeightsError(`${name}: not valid JSON (${(e as Error).message})`, file);
  }
  try {
    return parseGpt2Config(json, name);
  } catch (e) {
    if (e instanceof WeightsError) throw new WeightsError(e.message, file);
    throw e;
  }
}

/** The config.json Hugging Face transformers and transformers.js expect for this GPT-2. */
export function toHfConfig(c: Gpt2Config): Record<string, unknown> {
  return {
    activation_function: 'gelu_new',
    architectures: ['GPT2LMHeadModel'],
    attn_pdrop: 0.1,
    bos_token_id: c.bosTokenId,
    embd_pdrop: 0.1,
    eos_token_id: c.eosTokenId,
    initializer_range: 0.02,
    layer_norm_epsilon: c.layerNormEpsilon,
    model_type: 'gpt2',
    n_ctx: c.nPositions,
    n_embd: c.nEmbd,
    n_head: c.nHead,
    n_inner: null,
    n_layer: c.nLayer,
    n_positions: c.nPositions,
    reorder_and_upcast_attn: false,
    resid_pdrop: 0.1,
    scale_attn_by_inverse_layer_idx: false,
    scale_attn_weights: true,
    summary_activation: null,
    summary_first_dropout: 0.1,
    summary_proj_to_labels: true,
    summary_type: 'cls_index',
    summary_use_proj: true,
    use_cache: true,
    vocab_size: c.vocabSize,
  };
}
