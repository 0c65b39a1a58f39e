/**
 * Two samplers that act on the distribution as it stands just before the draw:
 *
 * - **XTC, "exclude top choices"** (text-generation-webui, koboldcpp, llama.cpp): with probability
 *   `probability` per step, every token at least `threshold` likely is removed except the least
 *   likely of them, so the model takes a less obvious but still plausible path. It does nothing when
 *   fewer than two tokens reach the threshold (there is no choice to exclude), and nothing when it
 *   would remove a protected token (the line break and end-of-text: removing those makes text run on
 *   without paragraph breaks or endings).
 * - **Mirostat v2** (Basu et al. 2021, "Mirostat: a neural text decoding algorithm that directly
 *   controls perplexity"): keeps the surprise of the generated text near a target `tau` (bits per
 *   token). Per step it drops every token whose surprise −log2 p exceeds a running bound `mu`, the
 *   draw picks from what is left (renormalised), and then `mu` moves by `eta` × (target − observed
 *   surprise of the chosen token under that renormalised distribution), as llama.cpp and
 *   text-generation-webui do. `mu` starts at 2·tau for every generation and every alternative.
 */
// Per-token weights, reused across steps.
let weights = new Float64Array(0);

function softmaxWeights(logits: Float32Array): { max: number; total: number } {
  const n = logits.length;
  if (weights.length < n) weights = new Float64Array(n);
  let max = -Infinity;
  for (let i = 0; i < n; i++) if (logits[i] > max) max = logits[i];
  let total = 0;
  for (let i = 0; i < n; i++) {
    const w = logits[i] > -Infinity && max > -Infinity ? Math.exp(logits[i] - max) : 0;
    weights[i] = w;
    total += w;
  }
  return { max, total };
}

/**
 * XTC in place. `roll` is a uniform draw in [0, 1) (from the generation's seeded generator, so a
 * fixed seed stays reproducible); the sampler acts when roll < probability. Returns true when it
 * removed tokens.
 */
export function xtc(
  logits: Float32Array,
  threshold: number,
  probability: number,
  roll: number,
  protectedIds: readonly number[] = [],
): boolean {
  if (!(probability > 0) || !(roll < probability)) return false;
  const { max, total } = softmaxWeights(logits);
  if (max === -Infinity || !(total > 0)) return false;
  // Tokens at or above the threshold; the least likely of them (higher id on ties) stays.
  const above: number[] = [];
  const cut = threshold * total;
  for (let i = 0; i < logits.length; i++) if (weights[i] > 0 && weights[i] >= cut) above.push(i);
  if (above.length < 2) return false;
  let keep = above[0];
  for (const i of above) if (weights[i] < weights[keep] || (weights[i] === weights[keep] && i > keep)) keep = i;
  for (const id of protectedIds) if (id !== keep && above.includes(id)) return false;
  for (const i of above) if (i !== keep) logits[i] = -Infinity;
  return true;
}

/**
 * Mirostat v2's truncation in place: keeps the tokens with surprise −log2 p ≤ mu (p under
 * softmax of `logits`), at least the most likely one. Returns log Σ exp over the kept tokens (their
 * normaliser), which `mirostatUpdate` needs for the chosen token's renormalised probability.
 */
export function mirostatTruncate(logits: Float32Array, mu: number): number {
  const { max, total } = softmaxWeights(logits);
  if (max === -Infinity) return -Infinity;
  // −log2(w/total) ≤ mu  ⇔  w ≥ total · 2^−mu
  const floor = total * Math.pow(2, -mu);
  let best = -1;
  let kept = 0;
  for (let i = 0; i < logits.length; i++) {
    const w = weights[i];
    if (w > 0 && (best < 0 || w > weights[best])) best = i;
    if (w > 0 && w >= floor) kept += w;
    else logits[i] = -Infinity;
  }
  if (kept === 0) {
    // Every token is more surprising than mu: keep the likeliest (llama.cpp keeps one token too).
    logits[best] = max;
    kept = weights[best];
  }
  return max + Math.log(kept);
}

/** The next mu after choosing a token with log-probability `logprob` (natural log) among the kept. */
export function mirostatUpdate(mu: number, tau: number, eta: number, logprob: number): number {
  const surprise = -logprob / Math.LN2;
  return mu - eta * (surprise - tau);
}

/** Mirostat v2's state for one generation (one alternative): the running bound and its update. */
export class Mirostat {
  mu: number;
  private lse = -Infinity;
  private kept = new Float32Array(0);

  constructor(
    readonly tau: number,
    readonly eta: number,
  ) {
    this.mu = 2 * tau;
  }

  /** Truncates `logits` in place and remembers the kept tokens' logits for `chosen`. */
  truncate(logits: Float32Array): void {
    this.lse = mirostatTruncate(logits, this.mu);
    if (this.kept.length !== logits.length) this.kept = new Float32Array(logits.length);
    this.kept.set(logits);
  }

  /** After the draw: moves mu towards the target by the chosen token's surprise. */
  chosen(id: number): void {
    const v = id >= 0 && id < this.kept.length ? this.kept[id] : -Infinity;
    if (v === -Infinity || this.lse === -Infinity) return;
    this.mu = mirostatUpdate(this.mu, this.tau, this.eta, v - this.lse);
  }
}
