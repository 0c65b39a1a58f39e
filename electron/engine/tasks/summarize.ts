/**
 * Zero-shot summarization as in the GPT-2 paper (Radford et al. 2019, §3.6): the article followed
 * by "\nTL;DR:", 100 tokens of top-k sampling with k = 2, and the first 3 generated sentences
 * kept as the summary.
 */
import type { SamplingParams } from '../generate/params';
import { PLAIN, preset } from './presets';
import { firstSentences } from './sentences';

/** The article (trailing whitespace removed, so the cue sits right under it) + "\nTL;DR:". */
export function summarizePrompt(article: string): string {
  return `${article.trimEnd()}\nTL;DR:`;
}

/** The first `sentences` (3 in the paper) sentences of the generated text, on one line. */
export function summaryResult(generated: string, sentences = 3): string {
  return firstSentences(generated, sentences).trim();
}

/** Top-k 2 at temperature 1, 100 tokens, no other sampler or penalty (the paper's setting). */
export const SUMMARIZE_PARAMS: Readonly<SamplingParams> = preset({ ...PLAIN, topK: 2, maxNewTokens: 100 });
