/**
 * Independent yardsticks for `inkling eval`, on the float64 reference forward pass: Hugging Face's
 * perplexity loop transcribed line by line (labels set to -100, shifted inside the model), and
 * LAMBADA scored passage by passage. They share no code with electron/engine/eval.
 */
import { referenceForward } from '../../electron/engine/reference';
import type { Gpt2Weights } from '../../electron/engine/weights/types';

/** WikiText-like rows (empty rows included, as in the data set); the text is rows.join('\n\n'). */
export const WIKI_ROWS = [
  '',
  ' = Robert Boulter = \n',
  '',
  ' Robert Boulter is an English film , television and theatre actor . He had a guest @-@ starring role on ' +
    'the television series The Bill in 2000 . \n',
  '',
  ' = = Career = = \n',
  ' In 2006 , Boulter starred alongside Whishaw in the play Citizenship written by Mark Ravenhill . ' +
    'He appeared on a 2006 episode of the television series , Doctors . \n',
  ' The river rises in the hills north of the town and runs for 40 km ( 25 mi ) before it reaches the sea , ' +
    'where the old harbour stood until the storm of 1872 . \n',
];

export function logSoftmax(row: Float64Array): Float64Array {
  let max = -Infinity;
  for (const v of row) max = Math.max(max, v);
  let sum = 0;
  for (const v of row) sum += Math.exp(v - max);
  const lse = max + Math.log(sum);
  return row.map((v) => v - lse);
}

/** Σ −ln p and the count of scored tokens, exactly as the guide's loop selects them. */
export function guidePerplexity(
  weights: Gpt2Weights,
  ids: number[],
  maxLength: number,
  stride: number,
): { nll: number; count: number } {
  const seqLen = ids.length;
  let nll = 0;
  let count = 0;
  let prevEndLoc = 0;
  for (let beginLoc = 0; beginLoc < seqLen; beginLoc += stride) {
    const endLoc = Math.min(beginLoc + maxLength, seqLen);
    const trgLen = endLoc - prevEndLoc;
    const inputIds = ids.slice(beginLoc, endLoc);
    const labels = inputIds.map((id, i) => (i < inputIds.length - trgLen ? -100 : id));
    const logits = referenceForward(weights, inputIds);
    // shift: logits[i] predict labels[i + 1]
    for (let i = 0; i + 1 < inputIds.length; i++) {
      if (labels[i + 1] === -100) continue;
      nll -= logSoftmax(logits[i])[labels[i + 1]];
      count++;
    }
    prevEndLoc = endLoc;
    if (endLoc === seqLen) break;
  }
  return { nll, count };
}

/** Per passage: greedy match of every target token and Σ −ln p of the target ("context" + " word"). */
export function referenceLambada(
  weights: Gpt2Weights,
  encode: (s: string) => number[],
  texts: string[],
): { correct: number; nll: number; targetTokens: number } {
  let correct = 0;
  let nll = 0;
  let targetTokens = 0;
  for (const text of texts) {
    const cut = text.lastIndexOf(' ');
    const ctx = encode(text.slice(0, cut));
    const tgt = encode(text.slice(cut));
    const logits = referenceForward(weights, [...ctx, ...tgt]);
    let ok = true;
    tgt.forEach((id, j) => {
      const row = logSoftmax(logits[ctx.length - 1 + j]);
      nll -= row[id];
      for (let v = 0; v < row.length; v++) if (row[v] > row[id]) ok = false;
    });
    if (ok) correct++;
    targetTokens += tgt.length;
  }
  return { correct, nll, targetTokens };
}
