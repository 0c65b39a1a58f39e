/** Perplexity of a long text with the sliding window of Hugging Face's guide (windows.ts). */
import type { EvalProgress, Scorer } from './score';
import { slidingWindows } from './windows';

export interface PerplexityResult {
  /** Tokens of the whole text (scored: tokens − 1). */
  textTokens: number;
  /** Tokens scored: every token but the first. */
  scoredTokens: number;
  windows: number;
  context: number;
  stride: number;
  /** Sum of −ln p over the scored tokens, in nats. */
  nll: number;
  /** exp(nll / scoredTokens). */
  perplexity: number;
}

/**
 * exp(mean −ln p) over every token but the first, each predicted from the tokens of its window
 * before it. The mean is over tokens (each scored token counts once); the guide's code averages
 * each window's mean loss weighted by its label count, which differs from this by far less than
 * the difference between strides.
 */
export async function slidingPerplexity(
  ids: number[],
  score: Scorer,
  options: { context: number; stride: number; onProgress?: EvalProgress },
): Promise<PerplexityResult> {
  const windows = slidingWindows(ids.length, options.context, options.stride);
  let nll = 0;
  let scored = 0;
  options.onProgress?.(0, windows.length);
  for (let w = 0; w < windows.length; w++) {
    const { begin, end, first } = windows[w];
    const tokens = await score(ids.slice(begin, end), first - begin);
    if (tokens.length !== end - first)
      throw new Error(`window ${w}: expected ${end - first} scores, got ${tokens.length}`);
    for (const t of tokens) nll -= t.logprob;
    scored += tokens.length;
    options.onProgress?.(w + 1, windows.length);
  }
  return {
    textTokens: ids.length,
    scoredTokens: scored,
    windows: windows.length,
    context: options.context,
    stride: options.stride,
    nll,
    perplexity: Math.exp(nll / scored),
  };
}
