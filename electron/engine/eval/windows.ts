/**
 * The sliding window of Hugging Face's perplexity guide ("Perplexity of fixed-length models"),
 * written out so it can be checked by hand. The guide's loop:
 *
 *   prev_end = 0
 *   for begin in range(0, N, stride):
 *     end = min(begin + context, N);  trg_len = end - prev_end
 *     labels = ids[begin:end] with all but the last trg_len positions set to -100 (ignored)
 *     loss = model(ids[begin:end], labels=labels)       # labels are shifted by one inside
 *     prev_end = end;  stop once end == N
 *
 * Because the model shifts the labels by one (position p's logits predict token p + 1), the tokens a
 * window scores are [max(prev_end, begin + 1), end): every token but the text's first is scored
 * exactly once, each with up to context − stride tokens of its window before it. With stride =
 * context the windows do not overlap and each window's first token is not scored at all (it has no
 * position before it), which is why the guide's stride-1024 figure is higher than its stride-512 one.
 */
export interface EvalWindow {
  /** The tokens [begin, end) go through the model together. */
  begin: number;
  end: number;
  /** Absolute index of the first token scored in this window; tokens [first, end) are scored. */
  first: number;
}

export function slidingWindows(tokens: number, context: number, stride: number): EvalWindow[] {
  if (!Number.isSafeInteger(context) || context < 2)
    throw new RangeError(`the context must be at least 2 tokens, got ${context}`);
  if (!Number.isSafeInteger(stride) || stride < 1 || stride > context) {
    throw new RangeError(
      `the stride must be a whole number of tokens from 1 to the context (${context}), got ${stride}`,
    );
  }
  if (!Number.isSafeInteger(tokens) || tokens < 2)
    throw new RangeError(`the text must have at least 2 tokens to measure perplexity, it has ${tokens}`);
  const windows: EvalWindow[] = [];
  let prevEnd = 0;
  for (let begin = 0; begin < tokens; begin += stride) {
    const end = Math.min(begin + context, tokens);
    const first = Math.max(prevEnd, begin + 1);
    if (first < end) windows.push({ begin, end, first });
    prevEnd = end;
    if (end === tokens) break;
  }
  return windows;
}
