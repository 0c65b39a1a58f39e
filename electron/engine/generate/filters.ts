/**
 * The distribution-shaping samplers: temperature and the truncation filters. Each works in place
 * on a Float32Array of logits [vocab]; a filter removes a token by setting its logit to -Infinity
 * and always keeps at least one token that was finite before it ran. Ties are broken towards the
 * lower token id, so results never depend on sort stability.
 */
import { selectTop } from './select';

/**
 * Mass comparisons allow this much slack: logits are float32, so probabilities computed from them
 * carry ~1e-7 relative error, and "0.5 + 0.3 ≥ 0.8" must not fail on the last bit.
 */
export const MASS_EPSILON = 1e-6;

// Per-token scratch, grown on demand and reused across decode steps.
let weights = new Float64Array(0);
let keys = new Float64Array(0);
let order = new Int32Array(0);

function ensureScratch(n: number): void {
  if (weights.length < n) {
    weights = new Float64Array(n);
    keys = new Float64Array(n);
    order = new Int32Array(n);
  }
}

/** Divides every logit by t. t = 0 (greedy) and t = 1 leave the logits alone. */
export function temperature(logits: Float32Array, t: number): void {
  if (!(t > 0) || t === 1) return;
  for (let i = 0; i < logits.length; i++) logits[i] /= t;
}

/** Keeps the k highest logits (lowest ids win ties); k ≤ 0 or k ≥ vocab = off. */
export function topK(logits: Float32Array, k: number): void {
  const n = logits.length;
  if (!(k > 0) || k >= n) return;
  const kept = selectTop(logits, k);
  const lastId = kept[kept.length - 1];
  const lastV = logits[lastId] === logits[lastId] ? logits[lastId] : -Infinity;
  for (let i = 0; i < n; i++) {
    const v = logits[i];
    if (!(v > lastV || (v === lastV && i <= lastId))) logits[i] = -Infinity;
  }
}

/** The largest logit, or -Infinity when none is finite. */
function maxOf(logits: Float32Array): number {
  let max = -Infinity;
  for (let i = 0; i < logits.length; i++) if (logits[i] > max) max = logits[i];
  return max;
}

/**
 * Keeps the smallest set of tokens, taken in ascending `keys` order (lower id first on ties),
 * whose share of the total weight reaches p. On entry `weights[i]` = exp(logit_i − max) (0 for
 * removed tokens), `keys[i]` = the ranking key (+Infinity for removed tokens), `total` = Σ weights
 * and [minKey, maxKey] = the range of the finite keys.
 *
 * Rather than sorting the whole vocabulary, it gathers the tokens whose key is within a window of
 * the smallest key, doubling the window until the gathered mass reaches p, and sorts only those:
 * the gathered set is always a prefix of the full order, so the answer lies inside it. A peaked
 * distribution needs a few linear passes and a small sort; a flat one degrades to a full sort.
 */
function keepSmallestMass(
  logits: Float32Array,
  p: number,
  total: number,
  minKey: number,
  maxKey: number,
  firstWindow: number,
): void {
  const n = logits.length;
  const target = (p - MASS_EPSILON) * total;
  let m = 0;
  for (let window = firstWindow; ; window *= 2) {
    const limit = minKey + window;
    let mass = 0;
    m = 0;
    for (let i = 0; i < n; i++) {
      if (keys[i] <= limit) {
        order[m++] = i;
        mass += weights[i];
      }
    }
    if (mass >= target || limit >= maxKey) break;
  }
  const gathered = order.subarray(0, m);
  gathered.sort((a, b) => keys[a] - keys[b] || a - b);
  let cum = 0;
  let count = 0;
  while (count < m) {
    cum += weights[gathered[count]];
    count++;
    if (cum >= target) break;
  }
  const lastId = gathered[count - 1];
  const lastKey = keys[lastId];
  for (let i = 0; i < n; i++) {
    const k = keys[i];
    if (!(k < lastKey || (k === lastKey && i <= lastId))) logits[i] = -Infinity;
  }
}

/**
 * Where a mass filter (top-p, typical-p) starts: null when it has nothing to do (p ≥ 1, or every
 * token already removed); otherwise the largest logit, with the scratch arrays sized for the vocabulary.
 */
function massFilterStart(logits: Float32Array, p: number): number | null {
  if (!(p < 1)) return null;
  const max = maxOf(logits);
  if (max === -Infinity) return null;
  ensureScratch(logits.length);
  return max;
}

/** Nucleus sampling: keeps the most likely tokens whose mass first reaches p (at least one). p ≥ 1 = off. */
export function topP(logits: Float32Array, p: number): void {
  const max = massFilterStart(logits, p);
  if (max === null) return;
  const n = logits.length;
  let total = 0;
  let minLogit = max;
  for (let i = 0; i < n; i++) {
    const v = logits[i];
    if (v > -Infinity) {
      const w = Math.exp(v - max);
      weights[i] = w;
      total += w;
      keys[i] = -v;
      if (v < minLogit) minLogit = v;
    } else {
      weights[i] = 0;
      keys[i] = Infinity;
    }
  }
  keepSmallestMass(logits, p, total, -max, -minLogit, 1);
}

/**
 * Locally typical sampling (Meister et al. 2022): ranks tokens by how far their surprise
 * (-log p) is from the distribution's entropy, and keeps the closest ones until their mass reaches
 * p (at least one). p ≥ 1 = off.
 */
export function typicalP(logits: Float32Array, p: number): void {
  const max = massFilterStart(logits, p);
  if (max === null) return;
  const n = logits.length;
  let total = 0;
  let weighted = 0; // Σ w·(v − max), for the entropy
  for (let i = 0; i < n; i++) {
    const v = logits[i];
    const w = v > -Infinity ? Math.exp(v - max) : 0;
    weights[i] = w;
    total += w;
    if (w > 0) weighted += w * (v - max);
  }
  const lse = max + Math.log(total);
  // H = −Σ p·log p = lse − Σ p·v = (lse − max) − Σ w·(v − max) / total
  const entropy = lse - max - weighted / total;
  let minKey = Infinity;
  let maxKey = -Infinity;
  for (let i = 0; i < n; i++) {
    const v = logits[i];
    if (v > -Infinity) {
      const k = Math.abs(lse - v - entropy);
      keys[i] = k;
      if (k < minKey) minKey = k;
      if (k > maxKey) maxKey = k;
    } else {
      keys[i] = Infinity;
    }
  }
  keepSmallestMass(logits, p, total, minKey, maxKey, 0.25);
}

/** Keeps tokens whose probability is at least `m` times the most likely token's. m ≤ 0 = off. */
export function minP(logits: Float32Array, m: number): void {
  if (!(m > 0)) return;
  const max = maxOf(logits);
  if (max === -Infinity) return;
  // p_i ≥ m·p_max  ⇔  logit_i ≥ logit_max + ln m (the normaliser cancels).
  const threshold = max + Math.log(m);
  for (let i = 0; i < logits.length; i++) if (!(logits[i] >= threshold)) logits[i] = -Infinity;
}
