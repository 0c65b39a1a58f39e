/**
 * The sampler chain (llama.cpp common/sampling style): one small pure function per logits
 * processor, run in the order `params.samplerOrder` lists — the order is data the writer can see
 * and change. See DEFAULT_SAMPLER_ORDER in params.ts for why the default order is what it is.
 */
import type { SamplerName, SamplingParams } from './params';
import type { Rng } from './sample';
import { minP, temperature, topK, topP, typicalP } from './filters';
import { dryPenalty } from './dry';
import { Mirostat, xtc } from './adaptive';
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
export {
  banSequences,
  frequencyPenalty,
  logitBias,
  noRepeatNgram,
  presencePenalty,
  repetitionPenalty,
} from './penalties';
export { DRY_MAX_MATCH, dryBreakerMask, dryPenalty, type DryOptions } from './dry';
export { Mirostat, mirostatTruncate, mirostatUpdate, xtc } from './adaptive';

/**
 * One decode step's logits processing, in place.
 * logits: Float32Array [vocab]; history: prompt tokens then generated tokens;
 * promptLength: how many of `history` are prompt (presence/frequency penalties count only the rest);
 * rng: the generation's seeded generator (XTC rolls with it; other samplers never draw).
 * `chosen(id)` is called with the token drawn after the chain ran: stateful samplers (mirostat)
 * learn from it. A chain holds the state of one generation of one alternative.
 */
export interface Chain {
  (logits: Float32Array, history: TokenHistory, promptLength: number, rng?: Rng): void;
  chosen(id: number): void;
}

type Step = (logits: Float32Array, history: TokenHistory, promptLength: number, rng?: Rng) => void;

/** What the chain needs from the tokenizer, computed once per generation by the engine. */
export interface ChainContext {
  /** Token sequences from `bannedSequences(params.bannedWords, encode)`. */
  banned?: readonly (readonly number[])[];
  /** DRY's sequence breakers as a token mask (`dryBreakerMask`). */
  dryBreakers?: Uint8Array;
  /** Tokens XTC never removes (the line break and end-of-text). */
  xtcProtected?: readonly number[];
}

/** Samplers that only reshape or cut the distribution; greedy decoding ignores them. */
const SHAPING: ReadonlySet<SamplerName> = new Set([
  'temperature',
  'topK',
  'topP',
  'typicalP',
  'minP',
  'xtc',
  'mirostat',
]);

/**
 * Builds the chain for these (validated) parameters. Samplers that are off are left out, so a step
 * costs only what is switched on. At temperature 0 the shaping samplers are skipped: greedy takes
 * the best token after penalties and bans, and typical-p could otherwise remove it.
 * `context` may also be just the banned sequences (the older signature).
 */
export function buildChain(params: SamplingParams, context: ChainContext | readonly (readonly number[])[] = {}): Chain {
  const ctx: ChainContext = Array.isArray(context) ? { banned: context } : (context as ChainContext);
  const steps: Step[] = [];
  const greedy = params.temperature === 0;
  let mirostat: Mirostat | null = null;
  for (const name of params.samplerOrder) {
    if (greedy && SHAPING.has(name)) continue;
    if (name === 'mirostat') {
      if (params.mirostatTau <= 0) continue;
      const m = (mirostat = new Mirostat(params.mirostatTau, params.mirostatEta));
      steps.push((l) => m.truncate(l));
      continue;
    }
    const step = makeStep(name, params, ctx);
    if (step) steps.push(step);
  }
  const chain = ((logits, history, promptLength, rng) => {
    for (let i = 0; i < steps.length; i++) steps[i](logits, history, promptLength, rng);
  }) as Chain;
  chain.chosen = (id) => mirostat?.chosen(id);
  return chain;
}

function makeStep(name: SamplerName, p: SamplingParams, ctx: ChainContext): Step | null {
  const banned = ctx.banned ?? [];
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
    case 'dry': {
      if (p.dryMultiplier <= 0) return null;
      const o = {
        multiplier: p.dryMultiplier,
        base: p.dryBase,
        allowedLength: p.dryAllowedLength,
        range: p.dryRange,
        breakerMask: ctx.dryBreakers,
      };
      return (l, h) => dryPenalty(l, h, o);
    }
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
    case 'xtc': {
      if (p.xtcProbability <= 0) return null;
      const keep = ctx.xtcProtected ?? [];
      return (l, _h, _from, rng) => {
        if (!rng) throw new Error("XTC needs the generation's random generator");
        xtc(l, p.xtcThreshold, p.xtcProbability, rng.next(), keep);
      };
    }
    case 'mirostat':
      return null; // built in buildChain: it keeps state
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
