/**
 * The sampler chain (llama.cpp common/sampling style): one small pure function per logits
 * processor, run in the order `params.samplerOrder` lists — the order is data the writer can see
 * and change. See DEFAULT_SAMPLER_ORDER in params.ts for why the default order is what it is.
 */
import type { SamplerName, SamplingParams } from './params';
import { minP, temperature, topK, topP, typicalP } from './filters';
import {
  banSequences,
  frequencyPenalty,
  logitBias,
  noRepeatNgram,
  presencePenalty,
  repetitionPenalty,
  type TokenHistory,
} from './penalties';

export type { SamplerName } from './params';
export type { TokenHistory } from './penalties';
export { minP, temperature, topK, topP, typicalP, MASS_EPSILON } from './filters';
export { banSequences, frequencyPenalty, logitBias, noRepeatNgram, presencePenalty, repetitionPenalty } from './penalties';

/**
 * One decode step's logits processing, in place.
 * logits: Float32Array [vocab]; history: prompt tokens then generated tokens;
 * promptLength: how many of `history` are prompt (presence/frequency penalties count only the rest).
 */
export type Chain = (logits: Float32Array, history: TokenHistory, promptLength: number) => void;

/** Samplers that only reshape or cut the distribution; greedy decoding ignores them. */
const SHAPING: ReadonlySet<SamplerName> = new Set(['temperature', 'topK', 'topP', 'typicalP', 'minP']);

/**
 * Builds the chain for these (validated) parameters. Samplers that are off are left out, so a step
 * costs only what is switched on. At temperature 0 the shaping samplers are skipped: greedy takes
 * the best token after penalties and bans, and typical-p could otherwise remove it.
 * `banned` holds token sequences from `bannedSequences(params.bannedWords, encode)`.
 */
export function buildChain(params: SamplingParams, banned: readonly (readonly number[])[] = []): Chain {
  const steps: Chain[] = [];
  const greedy = params.temperature === 0;
  for (const name of params.samplerOrder) {
    if (greedy && SHAPING.has(name)) continue;
    const step = makeStep(name, params, banned);
    if (step) steps.push(step);
  }
  return (logits, history, promptLength) => {
    for (let i = 0; i < steps.length; i++) steps[i](logits, history, promptLength);
  };
}

function makeStep(name: SamplerName, p: SamplingParams, banned: readonly (readonly number[])[]): Chain | null {
  switch (name) {
    case 'repetitionPenalty':
      if (p.repetitionPenalty === 1) return null;
      return (l, h) => repetitionPenalty(l, h, p.repetitionPenalty, p.repetitionRange);
    case 'presencePenalty':
      if (p.presencePenalty === 0) return null;
      return (l, h, from) => presencePenalty(l, h, from, p.presencePenalty);
    case 'frequencyPenalty':
      if (p.frequencyPenalty === 0) return null;
      return (l, h, from) => frequencyPenalty(l, h, from, p.frequencyPenalty);
    case 'noRepeatNgram':
      if (p.noRepeatNgramSize <= 0) return null;
      return (l, h) => noRepeatNgram(l, h, p.noRepeatNgramSize);
    case 'logitBias': {
      const entries = Object.entries(p.logitBias);
      const ids = Int32Array.from(entries, ([k]) => Number(k));
      const bias = Float32Array.from(entries, ([, v]) => v);
      const seqs = banned.filter((s) => s.length > 0);
      if (ids.length === 0 && seqs.length === 0) return null;
      return (l, h) => {
        logitBias(l, ids, bias);
        banSequences(l, h, seqs);
      };
    }
    case 'temperature':
      if (p.temperature === 1 || p.temperature === 0) return null;
      return (l) => temperature(l, p.temperature);
    case 'topK':
      if (p.topK <= 0) return null;
      return (l) => topK(l, p.topK);
    case 'topP':
      if (p.topP >= 1) return null;
      return (l) => topP(l, p.topP);
    case 'typicalP':
      if (p.typicalP >= 1) return null;
      return (l) => typicalP(l, p.typicalP);
    case 'minP':
      if (p.minP <= 0) return null;
      return (l) => minP(l, p.minP);
  }
}

/**
 * Banned words → token sequences for the chain. Each word is banned as written, with a leading
 * space, capitalised, and capitalised with a leading space (GPT-2's tokens carry the space before
 * a word, so " word" and "word" are different tokens). Duplicates are dropped.
 * Only these exact tokenisations are banned; a longer word that merely contains the banned one
 * ("damned" for "damn") is usually a different token and is not affected.
 */
export function bannedSequences(words: readonly string[], encode: (text: string) => number[]): number[][] {
  const out: number[][] = [];
  const seen = new Set<string>();
  for (const raw of words) {
    const word = raw.trim();
    if (word === '') continue;
    const capital = word.charAt(0).toUpperCase() + word.slice(1);
    for (const variant of [word, ` ${word}`, capital, ` ${capital}`]) {
      const ids = encode(variant);
      const key = ids.join(',');
      if (ids.length === 0 || seen.has(key)) continue;
      seen.add(key);
      out.push(ids);
    }
  }
  return out;
}
