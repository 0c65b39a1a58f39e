/**
 * The history-aware samplers: penalties for repetition, n-gram blocking, per-token bias and banned
 * token sequences. Each edits a Float32Array of logits [vocab] in place given the token history
 * (prompt + generated so far). Token ids outside the vocabulary are ignored.
 */

/** Prompt tokens followed by the tokens generated so far. */
export type TokenHistory = readonly number[] | Int32Array;

// "Seen in this step" marks: a token is seen when its stamp equals the current epoch, so the
// marks never need clearing between steps.
let stamps = new Int32Array(0);
let epoch = 0;

function nextEpoch(n: number): number {
  if (stamps.length < n) {
    stamps = new Int32Array(n);
    epoch = 0;
  }
  if (epoch === 0x7fffffff) {
    stamps.fill(0);
    epoch = 0;
  }
  return ++epoch;
}

/**
 * CTRL-style repetition penalty (Keskar et al. 2019): each distinct token among the last `range`
 * tokens of the history (0 = all of it) has a positive logit divided by `penalty` and a negative
 * one multiplied by it, so it always becomes less likely for penalty > 1. 1 = off.
 */
export function repetitionPenalty(logits: Float32Array, history: TokenHistory, penalty: number, range: number): void {
  if (penalty === 1) return;
  const n = logits.length;
  const e = nextEpoch(n);
  const start = range > 0 ? Math.max(0, history.length - range) : 0;
  for (let i = start; i < history.length; i++) {
    const t = history[i];
    if (t < 0 || t >= n || stamps[t] === e) continue;
    stamps[t] = e;
    const v = logits[t];
    logits[t] = v > 0 ? v / penalty : v * penalty;
  }
}

/**
 * OpenAI-style presence penalty: subtracts `amount` once from every distinct token generated so
 * far (history from `from` on; the prompt is the writer's text and is not penalised).
 */
export function presencePenalty(logits: Float32Array, history: TokenHistory, from: number, amount: number): void {
  if (amount === 0) return;
  const n = logits.length;
  const e = nextEpoch(n);
  for (let i = Math.max(0, from); i < history.length; i++) {
    const t = history[i];
    if (t < 0 || t >= n || stamps[t] === e) continue;
    stamps[t] = e;
    logits[t] -= amount;
  }
}

/** OpenAI-style frequency penalty: subtracts `amount` per occurrence of each token generated so far. */
export function frequencyPenalty(logits: Float32Array, history: TokenHistory, from: number, amount: number): void {
  if (amount === 0) return;
  const n = logits.length;
  for (let i = Math.max(0, from); i < history.length; i++) {
    const t = history[i];
    if (t >= 0 && t < n) logits[t] -= amount;
  }
}

/**
 * Bans every token that would complete an n-gram already present in the history (Hugging Face's
 * no_repeat_ngram_size): wherever the last n-1 tokens occurred before, the token that followed
 * them there is banned. n ≤ 0 = off; n = 1 bans every token seen.
 */
export function noRepeatNgram(logits: Float32Array, history: TokenHistory, size: number): void {
  const len = history.length;
  if (size <= 0 || len < size) return;
  const prefixStart = len - size + 1; // the last n-1 tokens
  for (let i = 0; i + size <= len; i++) {
    let match = true;
    for (let j = 0; j < size - 1; j++) {
      if (history[i + j] !== history[prefixStart + j]) {
        match = false;
        break;
      }
    }
    const t = history[i + size - 1];
    if (match && t >= 0 && t < logits.length) logits[t] = -Infinity;
  }
}

/** Adds bias[k] to logits[ids[k]]; a bias of -Infinity bans the token. */
export function logitBias(logits: Float32Array, ids: Int32Array, bias: Float32Array): void {
  for (let k = 0; k < ids.length; k++) {
    const t = ids[k];
    if (t >= 0 && t < logits.length) logits[t] += bias[k];
  }
}

/**
 * Bans token sequences (Hugging Face's bad_words_ids): a one-token sequence is banned outright;
 * a longer one has its last token banned whenever the history ends with the tokens before it.
 */
export function banSequences(
  logits: Float32Array,
  history: TokenHistory,
  sequences: readonly (readonly number[])[],
): void {
  const len = history.length;
  for (const seq of sequences) {
    const last = seq.length - 1;
    if (last < 0 || last > len) continue;
    let match = true;
    for (let j = 0; j < last; j++) {
      if (history[len - last + j] !== seq[j]) {
        match = false;
        break;
      }
    }
    const t = seq[last];
    if (match && t >= 0 && t < logits.length) logits[t] = -Infinity;
  }
}
