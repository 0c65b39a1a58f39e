/**
 * DRY, "Don't Repeat Yourself" (the sequence-repetition penalty of text-generation-webui,
 * koboldcpp and llama.cpp), written from its published definition:
 *
 * Where the text ends with tokens that already occurred earlier, the token that followed them
 * there would continue the repeat. If the repeated run (the match) is at least `allowedLength`
 * tokens long, that next token's logit is lowered by `multiplier · base^(matchLength − allowedLength)`,
 * so the penalty grows exponentially with the length of the loop the text is falling into, while
 * single words, names and short common phrases (shorter than `allowedLength`) are never touched.
 *
 * Sequence breakers (line breaks, quotes, …) end a match: a repeat never reaches across them, so
 * dialogue markers and paragraph starts that recur by nature are not penalised. A breaker is given as
 * a token mask (`breakerMask[id] === 1`): the engine marks every vocabulary token whose text contains
 * a breaker string.
 */

/** A match longer than this counts as this long: keeps base^(length) finite and bounds the work. */
export const DRY_MAX_MATCH = 50;

export interface DryOptions {
  /** Penalty for a match of exactly `allowedLength` tokens; 0 = off. */
  multiplier: number;
  /** Growth of the penalty per token of match beyond `allowedLength` (> 1). */
  base: number;
  /** Matches shorter than this are not penalised (≥ 1). */
  allowedLength: number;
  /** How many of the last history tokens are searched; 0 = all of them. */
  range: number;
  /** 1 at the ids of tokens that end a match (sequence breakers); may be shorter than the vocabulary. */
  breakerMask?: Uint8Array;
}

// The longest match found per candidate token, for this call: a token's entry is valid when its
// stamp is the current epoch (no clearing between decode steps).
let best = new Int32Array(0);
let stamps = new Int32Array(0);
let epoch = 0;
let touched: number[] = [];

/**
 * Applies DRY to `logits` [vocab] in place for the text `history` (prompt tokens, then generated).
 * Nothing happens when the last token is a breaker or no earlier run matches the text's end.
 */
export function dryPenalty(logits: Float32Array, history: ArrayLike<number>, o: DryOptions): void {
  if (!(o.multiplier > 0)) return;
  const n = logits.length;
  const start = o.range > 0 ? Math.max(0, history.length - o.range) : 0;
  const len = history.length - start;
  if (len < 2) return;
  const at = (i: number) => history[start + i];
  const isBreaker = (t: number) =>
    o.breakerMask !== undefined && t >= 0 && t < o.breakerMask.length && o.breakerMask[t] === 1;
  const last = at(len - 1);
  if (isBreaker(last)) return;
  if (best.length < n) {
    best = new Int32Array(n);
    stamps = new Int32Array(n);
    epoch = 0;
  }
  if (epoch === 0x7fffffff) {
    stamps.fill(0);
    epoch = 0;
  }
  const e = ++epoch;
  touched = [];
  // Every earlier occurrence of the last token (the last position itself always matches: skipped).
  for (let i = 0; i < len - 1; i++) {
    if (at(i) !== last) continue;
    const next = at(i + 1);
    if (next < 0 || next >= n || isBreaker(next)) continue;
    // The run ending at i equals the run ending at the text's end for `match` tokens; extend it
    // backwards until the tokens differ, the start is reached or a breaker interrupts it.
    let match = 1;
    while (match < DRY_MAX_MATCH) {
      const j = i - match;
      if (j < 0) break;
      const tail = at(len - 1 - match);
      if (at(j) !== tail || isBreaker(tail)) break;
      match++;
    }
    if (stamps[next] !== e) {
      stamps[next] = e;
      best[next] = match;
      touched.push(next);
    } else if (match > best[next]) {
      best[next] = match;
    }
  }
  for (const t of touched) {
    const match = best[t];
    if (match >= o.allowedLength) logits[t] -= o.multiplier * Math.pow(o.base, match - o.allowedLength);
  }
}

/**
 * The breaker mask for a vocabulary: 1 for every token whose text contains one of `breakers`
 * (GPT-2 has many tokens that hold a line break or a quote with other characters, e.g. ".\n" or
 * " \""; each of them ends a match). A breaker longer than one token is only recognised inside a
 * single token.
 */
export function dryBreakerMask(
  breakers: readonly string[],
  vocabSize: number,
  tokenText: (id: number) => string,
): Uint8Array {
  const mask = new Uint8Array(vocabSize);
  const list = breakers.filter((b) => b.length > 0);
  if (list.length === 0) return mask;
  for (let id = 0; id < vocabSize; id++) {
    const text = tokenText(id);
    if (list.some((b) => text.includes(b))) mask[id] = 1;
  }
  return mask;
}
