/**
 * `POST /v1/completions` request → a plan the server runs. Pure: no engine, no HTTP.
 *
 * Parameters a request leaves out take OpenAI's defaults (temperature 1, top-p 1, no top-k, no
 * repetition penalty, 16 tokens), never the app's: the engine parameters are built here field by
 * field, so a change to the app's defaults cannot leak into the server.
 */
import { DEFAULT_SAMPLER_ORDER, PARAM_SPECS, type SamplingParams } from '../engine/generate';
import { describeValue } from '../common/describe';
import { badRequest } from './errors';

/** The most alternatives the engine decodes as one batch (its `alternatives` limit). */
export const MAX_N = (PARAM_SPECS.find((s) => s.name === 'alternatives')?.max as number | undefined) ?? 8;
/** Top alternatives per token the engine reports (Engine.generate's topAlternatives limit). */
export const MAX_LOGPROBS = 20;
/** Prompts one request may carry (each is decoded in turn). */
export const MAX_PROMPTS = 32;
/** The most new tokens one request may ask for (the engine's maxNewTokens limit). */
export const MAX_TOKENS_LIMIT = (PARAM_SPECS.find((s) => s.name === 'maxNewTokens')?.max as number | undefined) ?? 1024;
/** OpenAI's default for the legacy completions endpoint. */
export const DEFAULT_MAX_TOKENS = 16;

export interface CompletionPlan {
  model: string;
  prompts: string[];
  stream: boolean;
  includeUsage: boolean;
  echo: boolean;
  /** 0 = no new tokens (with `echo` + `logprobs`: score the prompt only). */
  maxTokens: number;
  n: number;
  /** Alternatives decoded per prompt; the `n` with the highest mean log-probability are returned. */
  bestOf: number;
  /** Top alternatives per token, or null when logprobs were not asked for. */
  logprobs: number | null;
  /** Complete engine parameters (every field set), except maxNewTokens, set per prompt. */
  params: SamplingParams;
}

/** Fields the server reads; anything else is refused by name, as OpenAI does. */
const KNOWN = new Set([
  'model',
  'prompt',
  'suffix',
  'max_tokens',
  'temperature',
  'top_p',
  'n',
  'stream',
  'stream_options',
  'logprobs',
  'echo',
  'stop',
  'presence_penalty',
  'frequency_penalty',
  'best_of',
  'logit_bias',
  'user',
  'seed',
  // Extensions that vLLM, llama.cpp and others accept too.
  'top_k',
  'min_p',
  'typical_p',
  'repetition_penalty',
  // llama.cpp's names for DRY, XTC and mirostat (koboldcpp and text-generation-webui use them too).
  'dry_multiplier',
  'dry_base',
  'dry_allowed_length',
  'dry_penalty_last_n',
  'dry_sequence_breakers',
  'xtc_threshold',
  'xtc_probability',
  'mirostat',
  'mirostat_tau',
  'mirostat_eta',
]);

export interface ParseContext {
  vocabSize: number;
  contextLength: number;
}

export function parseCompletionRequest(body: unknown, ctx: ParseContext): CompletionPlan {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw badRequest('The request body must be a JSON object.');
  }
  const b = body as Record<string, unknown>;
  for (const key of Object.keys(b)) {
    if (!KNOWN.has(key)) {
      const shown = key.length > 60 ? `${key.slice(0, 60)}…` : key;
      throw badRequest(`Unrecognized request argument supplied: ${shown}`, shown, 'unknown_parameter');
    }
  }
  const given = (k: string) => b[k] !== undefined && b[k] !== null;

  if (typeof b.model !== 'string' || b.model === '')
    throw badRequest("'model' is required: the id GET /v1/models lists.", 'model', 'missing_required_parameter');

  const prompts = parsePrompt(b.prompt);
  if (given('suffix') && b.suffix !== '')
    throw badRequest(
      "'suffix' (insertion) is not supported: GPT-2 only continues text.",
      'suffix',
      'unsupported_parameter',
    );

  const stream = given('stream') ? bool(b.stream, 'stream') : false;
  let includeUsage = false;
  if (given('stream_options')) {
    if (!stream) throw badRequest("'stream_options' is only allowed when 'stream' is true.", 'stream_options');
    const so = b.stream_options;
    if (typeof so !== 'object' || so === null || Array.isArray(so))
      throw badRequest("'stream_options' must be an object.", 'stream_options');
    const iu = (so as Record<string, unknown>).include_usage;
    includeUsage = iu === undefined || iu === null ? false : bool(iu, 'stream_options.include_usage');
  }
  const echo = given('echo') ? bool(b.echo, 'echo') : false;
  const maxTokens = given('max_tokens')
    ? int(b.max_tokens, 'max_tokens', 0, Math.min(ctx.contextLength, MAX_TOKENS_LIMIT))
    : DEFAULT_MAX_TOKENS;
  const n = given('n') ? int(b.n, 'n', 1, MAX_N, ` (inkling serve decodes at most ${MAX_N} alternatives at once)`) : 1;
  const bestOf = given('best_of') ? int(b.best_of, 'best_of', 1, MAX_N) : n;
  if (bestOf < n) throw badRequest(`'best_of' must be at least 'n' (${n}), found ${bestOf}.`, 'best_of');
  if (stream && bestOf > n) throw badRequest("'best_of' greater than 'n' cannot be streamed.", 'best_of');
  const logprobs = given('logprobs') ? logprobsValue(b.logprobs) : null;

  const params: SamplingParams = {
    temperature: given('temperature') ? num(b.temperature, 'temperature', 0, 2) : 1,
    topK: given('top_k') ? topK(b.top_k, ctx.vocabSize) : 0,
    topP: given('top_p') ? num(b.top_p, 'top_p', 0, 1, true) : 1,
    typicalP: given('typical_p') ? num(b.typical_p, 'typical_p', 0, 1, true) : 1,
    minP: given('min_p') ? num(b.min_p, 'min_p', 0, 1) : 0,
    repetitionPenalty: given('repetition_penalty') ? num(b.repetition_penalty, 'repetition_penalty', 0.5, 3) : 1,
    // Hugging Face and vLLM look back over the whole context.
    repetitionRange: 0,
    presencePenalty: given('presence_penalty') ? num(b.presence_penalty, 'presence_penalty', -2, 2) : 0,
    frequencyPenalty: given('frequency_penalty') ? num(b.frequency_penalty, 'frequency_penalty', -2, 2) : 0,
    noRepeatNgramSize: 0,
    ...extensions(b, given),
    logitBias: given('logit_bias') ? logitBias(b.logit_bias, ctx.vocabSize) : {},
    bannedWords: [],
    samplerOrder: [...DEFAULT_SAMPLER_ORDER],
    seed: given('seed') ? int(b.seed, 'seed', 0, 0xffffffff) : null,
    maxNewTokens: Math.max(1, maxTokens),
    stop: given('stop') ? stops(b.stop) : [],
    alternatives: bestOf,
  };
  if (given('user') && typeof b.user !== 'string') throw badRequest("'user' must be a string.", 'user');
  return { model: b.model, prompts, stream, includeUsage, echo, maxTokens, n, bestOf, logprobs, params };
}

/**
 * DRY, XTC and mirostat under llama.cpp's names and meanings: `dry_penalty_last_n` -1 = the whole
 * context and 0 = DRY off; `mirostat` 0 = off, 2 = mirostat v2 (version 1 is not implemented).
 * Left out, each is off.
 */
function extensions(
  b: Record<string, unknown>,
  given: (k: string) => boolean,
): Pick<
  SamplingParams,
  | 'dryMultiplier'
  | 'dryBase'
  | 'dryAllowedLength'
  | 'dryRange'
  | 'drySequenceBreakers'
  | 'xtcThreshold'
  | 'xtcProbability'
  | 'mirostatTau'
  | 'mirostatEta'
> {
  const lastN = given('dry_penalty_last_n')
    ? int(b.dry_penalty_last_n, 'dry_penalty_last_n', -1, 4096, ' (-1 = the whole context, 0 = off)')
    : -1;
  let breakers = ['\n', ':', '"', '*'];
  if (given('dry_sequence_breakers')) {
    const v = b.dry_sequence_breakers;
    if (!Array.isArray(v) || !v.every((x) => typeof x === 'string' && x !== '') || v.length > 64) {
      throw badRequest(
        "'dry_sequence_breakers' must be a list of at most 64 non-empty strings.",
        'dry_sequence_breakers',
      );
    }
    breakers = v as string[];
  }
  const mode = given('mirostat') ? int(b.mirostat, 'mirostat', 0, 2) : 0;
  if (mode === 1)
    throw badRequest(
      "'mirostat' 1 (the first version) is not supported: use 2 (mirostat v2) or 0 (off).",
      'mirostat',
      'unsupported_parameter',
    );
  const tau = given('mirostat_tau') ? num(b.mirostat_tau, 'mirostat_tau', 0, 10, true) : 5;
  return {
    dryMultiplier: lastN === 0 ? 0 : given('dry_multiplier') ? num(b.dry_multiplier, 'dry_multiplier', 0, 5) : 0,
    dryBase: given('dry_base') ? num(b.dry_base, 'dry_base', 1, 4) : 1.75,
    dryAllowedLength: given('dry_allowed_length') ? int(b.dry_allowed_length, 'dry_allowed_length', 1, 20) : 2,
    dryRange: lastN < 0 ? 0 : lastN,
    drySequenceBreakers: breakers,
    xtcThreshold: given('xtc_threshold') ? num(b.xtc_threshold, 'xtc_threshold', 0, 0.5) : 0.1,
    xtcProbability: given('xtc_probability') ? num(b.xtc_probability, 'xtc_probability', 0, 1) : 0,
    mirostatTau: mode === 2 ? tau : 0,
    mirostatEta: given('mirostat_eta') ? num(b.mirostat_eta, 'mirostat_eta', 0, 1) : 0.1,
  };
}

function parsePrompt(v: unknown): string[] {
  // OpenAI's legacy default: a missing prompt starts a new document (<|endoftext|>).
  if (v === undefined || v === null) return [''];
  if (typeof v === 'string') return [v];
  if (Array.isArray(v)) {
    if (v.length === 0) throw badRequest("'prompt' must not be an empty list.", 'prompt');
    if (v.length > MAX_PROMPTS)
      throw badRequest(`'prompt' may hold at most ${MAX_PROMPTS} texts, found ${v.length}.`, 'prompt');
    if (v.every((p) => typeof p === 'string')) return v as string[];
    if (v.some((p) => typeof p === 'number' || Array.isArray(p))) {
      throw badRequest(
        'Prompts given as token ids are not supported by inkling serve: send the text instead.',
        'prompt',
        'unsupported_parameter',
      );
    }
  }
  throw badRequest("'prompt' must be a string or a list of strings.", 'prompt');
}

function bool(v: unknown, name: string): boolean {
  if (typeof v !== 'boolean') throw badRequest(`'${name}' must be true or false, found ${describeValue(v)}.`, name);
  return v;
}

function num(v: unknown, name: string, min: number, max: number, minExclusive = false): number {
  const ok = typeof v === 'number' && Number.isFinite(v) && (minExclusive ? v > min : v >= min) && v <= max;
  if (!ok) {
    const range = minExclusive ? `greater than ${min} and at most ${max}` : `from ${min} to ${max}`;
    throw badRequest(`'${name}' must be a number ${range}, found ${describeValue(v)}.`, name);
  }
  return v as number;
}

function int(v: unknown, name: string, min: number, max: number, note = ''): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) {
    throw badRequest(`'${name}' must be a whole number from ${min} to ${max}${note}, found ${describeValue(v)}.`, name);
  }
  return v;
}

function logprobsValue(v: unknown): number {
  if (typeof v === 'boolean') {
    throw badRequest(
      "'logprobs' on /v1/completions is a number (how many top alternatives per token, 0 to 20); 'logprobs: true' belongs to chat completions.",
      'logprobs',
    );
  }
  return int(v, 'logprobs', 0, MAX_LOGPROBS);
}

function topK(v: unknown, vocab: number): number {
  // vLLM spells "off" as -1, llama.cpp and Hugging Face as 0.
  const k = int(v, 'top_k', -1, vocab, ' (-1 or 0 = off)');
  return k < 0 ? 0 : k;
}

function stops(v: unknown): string[] {
  const list = typeof v === 'string' ? [v] : v;
  if (!Array.isArray(list) || !list.every((s) => typeof s === 'string'))
    throw badRequest("'stop' must be a string or a list of strings.", 'stop');
  if (list.length > 16) throw badRequest(`'stop' may hold at most 16 texts, found ${list.length}.`, 'stop');
  // An empty stop text would end every completion before it began; OpenAI ignores it.
  return (list as string[]).filter((s) => s !== '');
}

function logitBias(v: unknown, vocab: number): Record<number, number> {
  if (typeof v !== 'object' || v === null || Array.isArray(v))
    throw badRequest("'logit_bias' must be an object of token id → bias.", 'logit_bias');
  const out: Record<number, number> = {};
  for (const [key, bias] of Object.entries(v as Record<string, unknown>)) {
    if (!/^\d+$/.test(key) || Number(key) >= vocab) {
      throw badRequest(
        `'logit_bias' keys must be token ids from 0 to ${vocab - 1}, found ${JSON.stringify(key)}.`,
        'logit_bias',
      );
    }
    if (typeof bias !== 'number' || !Number.isFinite(bias) || bias < -100 || bias > 100) {
      throw badRequest(
        `'logit_bias' for token ${key} must be a number from -100 to 100, found ${describeValue(bias)}.`,
        'logit_bias',
      );
    }
    // OpenAI: -100 bans the token, 100 forces it. The engine's bias is additive, so -100 becomes a ban.
    out[Number(key)] = bias === -100 ? -Infinity : bias;
  }
  return out;
}
