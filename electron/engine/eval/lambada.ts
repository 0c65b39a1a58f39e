/**
 * LAMBADA as OpenAI used it for GPT-2 (their preprocessed test split, 5,153 passages), scored the
 * way lm-evaluation-harness's `lambada_openai` task does, the accepted replica of OpenAI's unpublished
 * evaluation:
 *
 *   context = the passage up to its last space, target = " " + the last word
 *   (encoded separately and joined, so no BPE merge crosses the boundary);
 *   correct  = every token of the target is the model's greedy (rank-1) choice given what precedes it;
 *   word perplexity  = exp(−mean over passages of Σ ln p(target tokens))  ← the figure the paper reports;
 *   token perplexity = exp(−Σ ln p(target tokens) / number of target tokens).
 *
 * No stop-word filter and no de-tokenizer (see paper.ts for how that changes the comparison).
 */
import type { EvalProgress, Scorer } from './score';

export interface LambadaPassage {
  context: string;
  /** The last word with the space before it. */
  target: string;
}

/** Splits a passage at its last space, like the harness's `text.rsplit(" ", 1)`. */
export function splitLastWord(text: string): LambadaPassage {
  const at = text.lastIndexOf(' ');
  if (at <= 0 || at === text.length - 1)
    throw new Error(`the passage has no last word after a space to predict: ${JSON.stringify(text.slice(-60))}`);
  return { context: text.slice(0, at), target: text.slice(at) };
}

export interface LambadaResult {
  passages: number;
  correct: number;
  /** correct / passages (0..1). */
  accuracy: number;
  wordPerplexity: number;
  tokenPerplexity: number;
  targetTokens: number;
  /** Passages whose context had to be cut from the left to fit the model's context. */
  truncated: number;
}

export async function lambadaScore(
  texts: readonly string[],
  encode: (text: string) => number[],
  score: Scorer,
  options: { context: number; onProgress?: EvalProgress },
): Promise<LambadaResult> {
  if (texts.length === 0) throw new Error('there are no LAMBADA passages to score');
  let correct = 0;
  let nll = 0;
  let targetTokens = 0;
  let truncated = 0;
  options.onProgress?.(0, texts.length);
  for (let i = 0; i < texts.length; i++) {
    const { context, target } = splitLastWord(texts[i]);
    let ctx = encode(context);
    const tgt = encode(target);
    if (ctx.length === 0 || tgt.length === 0)
      throw new Error(`passage ${i + 1}: its context or last word encodes to no tokens`);
    if (tgt.length >= options.context)
      throw new Error(`passage ${i + 1}: its last word is longer than the model's context`);
    if (ctx.length + tgt.length > options.context) {
      ctx = ctx.slice(ctx.length + tgt.length - options.context);
      truncated++;
    }
    const scores = await score([...ctx, ...tgt], ctx.length);
    if (scores.length !== tgt.length)
      throw new Error(`passage ${i + 1}: expected ${tgt.length} scores, got ${scores.length}`);
    if (scores.every((s) => s.rank === 1)) correct++;
    for (const s of scores) nll -= s.logprob;
    targetTokens += tgt.length;
    options.onProgress?.(i + 1, texts.length);
  }
  return {
    passages: texts.length,
    correct,
    accuracy: correct / texts.length,
    wordPerplexity: Math.exp(nll / texts.length),
    tokenPerplexity: Math.exp(nll / targetTokens),
    targetTokens,
    truncated,
  };
}
