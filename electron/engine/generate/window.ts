/**
 * Fitting a prompt into the model's context window, leaving room for the tokens to generate.
 *
 * When the prompt is too long, tokens are dropped from the front in whole multiples of a slide
 * step counted from the start of the text. As a document grows at the end, the kept window keeps
 * the same first token until the excess crosses the next multiple, so consecutive requests share
 * a long common prefix and the prefix KV cache stays useful (dropping exactly the excess would
 * shift the start, and invalidate the cache, on every keystroke).
 */

export interface FittedWindow {
  /** The tokens to feed the model: the most recent ones that fit. */
  ids: number[];
  /** How many tokens were dropped from the front. */
  dropped: number;
  /** Prompt budget used: contextLength − maxNewTokens, but never below the floor described below. */
  budget: number;
  /** New tokens that still fit after the kept prompt: min(maxNewTokens, contextLength − ids.length). */
  maxNewTokens: number;
}

/**
 * Keeps the most recent tokens that fit in `contextLength - maxNewTokens`.
 *
 * Clamping rule when maxNewTokens leaves too little room: the prompt always keeps at least a
 * quarter of the context (256 tokens for GPT-2), and at least one token; the generation is what
 * gets shorter (the returned `maxNewTokens` says by how much), because a continuation without
 * its text to continue is worthless.
 *
 * The slide step is capped at half the budget, so a drop never leaves less than half the budget.
 */
export function fitWindow(
  ids: readonly number[],
  contextLength: number,
  maxNewTokens: number,
  slideStep: number,
): FittedWindow {
  if (!Number.isInteger(contextLength) || contextLength < 2) {
    throw new RangeError(`context length must be a whole number of at least 2, found ${contextLength}`);
  }
  if (!Number.isInteger(maxNewTokens) || maxNewTokens < 1) {
    throw new RangeError(`maxNewTokens must be a whole number of at least 1, found ${maxNewTokens}`);
  }
  const floor = Math.max(1, Math.floor(contextLength / 4));
  const budget = Math.max(contextLength - maxNewTokens, floor);
  const excess = ids.length - budget;
  let dropped = 0;
  if (excess > 0) {
    const step = Math.max(1, Math.min(Math.floor(slideStep) || 1, Math.floor(budget / 2)));
    dropped = Math.ceil(excess / step) * step;
  }
  const kept = ids.slice(dropped);
  return { ids: kept, dropped, budget, maxNewTokens: Math.min(maxNewTokens, contextLength - kept.length) };
}
