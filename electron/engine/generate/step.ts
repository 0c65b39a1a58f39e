/**
 * One decode step's choice, assembled from the pieces: the decode loop hands over the model's
 * last-position logits and gets back the chosen token with its log-probability under the model's
 * unmodified distribution (and, when asked, the top alternatives for the probability viewer).
 */
import type { SamplingParams } from './params';
import { buildChain, type ChainContext, type TokenHistory } from './samplers';
import { logSumExp, pickToken, topAlternatives, type Rng, type TokenLogprob } from './sample';

export interface StepChoice {
  id: number;
  /** log p(id) under the model's own distribution, before penalties and filters. */
  logprob: number;
  /** The most likely tokens under the unmodified distribution, when `topN` > 0. */
  top: TokenLogprob[] | null;
}

/**
 * (logits [vocab], history, promptLength, rng, lse?) → StepChoice; `lse` is log Σ exp(logits) when the
 * model already computed it (else it is computed here). The caller's logits are left
 * untouched: the chain runs on a working copy reused across steps (one 200 KB copy per step for
 * GPT-2, far cheaper than the model call).
 */
export type Stepper = (
  logits: Float32Array,
  history: TokenHistory,
  promptLength: number,
  rng: Rng,
  lse?: number,
) => StepChoice;

/**
 * One stepper per alternative per generation: the chain inside holds per-generation state
 * (mirostat's running bound). `context` may also be just the banned sequences.
 */
export function createStepper(
  params: SamplingParams,
  context: ChainContext | readonly (readonly number[])[] = {},
  topN = 0,
): Stepper {
  const chain = buildChain(params, context);
  let work = new Float32Array(0);
  return (logits, history, promptLength, rng, knownLse) => {
    const lse = knownLse ?? logSumExp(logits);
    const top = topN > 0 ? topAlternatives(logits, topN, lse) : null;
    if (work.length !== logits.length) work = new Float32Array(logits.length);
    work.set(logits);
    chain(work, history, promptLength, rng);
    const id = pickToken(work, params, rng);
    chain.chosen(id);
    return { id, logprob: logits[id] - lse, top };
  };
}
