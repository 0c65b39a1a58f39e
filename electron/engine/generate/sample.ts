/**
 * Choosing a token from processed logits, a seeded random source, and log-probabilities of the
 * model's own (unprocessed) distribution for the probability viewer and scoring.
 */
import { InklingError } from '../../common/errors';
import { MAX_SEED, type SamplingParams } from './params';
import { argmax, selectTop } from './select';

/** Thrown when nothing is left to choose from (every token banned or filtered away): the parameters' fault, `bad_request`. */
export class SamplingError extends InklingError {
  constructor(message: string) {
    super('bad_request', message);
    this.name = 'SamplingError';
  }
}

/** Spreads a 32-bit seed into well-mixed state words (a Weyl sequence through a murmur3-style finaliser). */
function mix32(x: number): number {
  x = Math.imul(x ^ (x >>> 16), 0x85ebca6b);
  x = Math.imul(x ^ (x >>> 13), 0xc2b2ae35);
  return (x ^ (x >>> 16)) >>> 0;
}

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}

/**
 * A seeded PRNG: xoshiro128** (Blackman & Vigna), 32-bit output, period 2^128 − 1.
 * Same seed ⇒ same sequence on every platform (only 32-bit integer arithmetic).
 */
export class Rng {
  /** The seed actually used; report it so a writer can reproduce a suggestion. */
  readonly seed: number;
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  /** seed: unsigned 32-bit integer, or null for a fresh random seed. */
  constructor(seed: number | null = null) {
    if (seed === null) {
      seed = globalThis.crypto.getRandomValues(new Uint32Array(1))[0];
    } else if (!Number.isInteger(seed) || seed < 0 || seed > MAX_SEED) {
      throw new RangeError(`random seed must be a whole number from 0 to ${MAX_SEED}, found ${seed}`);
    }
    this.seed = seed;
    let w = seed | 0;
    const next = () => mix32((w = (w + 0x9e3779b9) | 0));
    this.a = next();
    this.b = next();
    this.c = next();
    this.d = next();
    // The all-zero state is the one state xoshiro cannot leave.
    if ((this.a | this.b | this.c | this.d) === 0) this.a = 1;
  }

  nextUint32(): number {
    const result = Math.imul(rotl(Math.imul(this.b, 5), 7), 9) >>> 0;
    const t = this.b << 9;
    this.c ^= this.a;
    this.d ^= this.b;
    this.b ^= this.c;
    this.a ^= this.d;
    this.c ^= t;
    this.d = rotl(this.d, 11);
    return result;
  }

  /** Uniform in [0, 1), 32 bits of resolution. */
  next(): number {
    return this.nextUint32() / 4294967296;
  }

  /** An independent generator seeded from this one (e.g. one per alternative), deterministically. */
  split(): Rng {
    return new Rng(this.nextUint32());
  }
}

// Per-token weights for sampling, reused across steps.
let weights = new Float64Array(0);

/**
 * Picks the next token from processed logits: at temperature 0 the argmax (lowest id on ties),
 * otherwise a draw from softmax(logits) over the tokens still finite. Temperature itself has
 * already been applied by the chain; only its zero-ness matters here.
 */
export function pickToken(logits: Float32Array, params: Pick<SamplingParams, 'temperature'>, rng: Rng): number {
  const best = argmax(logits);
  if (best < 0) {
    throw new SamplingError(
      'no token left to choose: every token was banned or filtered out (check logitBias, bannedWords and the filters)',
    );
  }
  const max = logits[best];
  if (params.temperature === 0 || max === Infinity) return best;
  const n = logits.length;
  if (weights.length < n) weights = new Float64Array(n);
  let sum = 0;
  for (let i = 0; i < n; i++) {
    const v = logits[i];
    const w = v > -Infinity ? Math.exp(v - max) : 0;
    weights[i] = w;
    sum += w;
  }
  const u = rng.next() * sum;
  let acc = 0;
  let last = best;
  for (let i = 0; i < n; i++) {
    const w = weights[i];
    if (w === 0) continue;
    acc += w;
    last = i;
    if (u < acc) return i;
  }
  // Only reachable through rounding in the running sum: the draw fell at the very end.
  return last;
}

/** log Σ exp(logits), ignoring -Infinity/NaN entries; -Infinity when none is finite. */
export function logSumExp(logits: ArrayLike<number>): number {
  let max = -Infinity;
  for (let i = 0; i < logits.length; i++) if (logits[i] > max) max = logits[i];
  if (max === -Infinity || max === Infinity) return max;
  let sum = 0;
  for (let i = 0; i < logits.length; i++) {
    const v = logits[i];
    if (v > -Infinity) sum += Math.exp(v - max);
  }
  return max + Math.log(sum);
}

/** log softmax of the logits into `out` (a new array unless given). */
export function logSoftmax(
  logits: ArrayLike<number>,
  out: Float32Array = new Float32Array(logits.length),
): Float32Array {
  const lse = logSumExp(logits);
  for (let i = 0; i < logits.length; i++) out[i] = logits[i] - lse;
  return out;
}

/** Natural-log probability of token `id` under softmax(logits). Pass `lse` when already known. */
export function logprobOf(logits: ArrayLike<number>, id: number, lse: number = logSumExp(logits)): number {
  if (!Number.isInteger(id) || id < 0 || id >= logits.length) {
    throw new RangeError(`token id must be a whole number from 0 to ${logits.length - 1}, found ${id}`);
  }
  return logits[id] - lse;
}

export interface TokenLogprob {
  id: number;
  logprob: number;
}

/**
 * The n most likely tokens, most likely first (lowest id on ties), with their log-probabilities.
 * Meant for the model's unmodified logits: call it before the chain runs, or on a copy.
 */
export function topAlternatives(logits: ArrayLike<number>, n: number, lse: number = logSumExp(logits)): TokenLogprob[] {
  const ids = selectTop(logits, n);
  return Array.from(ids, (id) => ({ id, logprob: logits[id] - lse }));
}
