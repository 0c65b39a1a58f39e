/**
 * The engine's sampling parameters → an OpenAI `/v1/completions` body. The app's parameters are
 * validated with the engine's own validator (so the defaults are the app's, as with the local
 * engine) and sent under OpenAI's names, with the common extensions (`top_k`, `min_p`,
 * `typical_p`, `repetition_penalty`, DRY, XTC, mirostat) that llama.cpp and `inkling serve` accept. Only
 * samplers that are on are sent, so a server that lacks an extension is not troubled by an "off".
 */
import { DEFAULT_SAMPLER_ORDER, validateParams, type SamplingParams } from '../../engine/generate';
import type { RequestParams } from '../../engine/host/protocol';
import { RemoteError } from './errors';

export function checkExpressible(p: SamplingParams): void {
  const refuse = (what: string) => {
    throw new RemoteError(
      'unsupported',
      `${what} cannot be sent to an OpenAI-compatible server; clear it to use this engine.`,
    );
  };
  if (p.bannedWords.length > 0) refuse('Banned words');
  if (p.noRepeatNgramSize > 0) refuse('The no-repeat n-gram setting');
  if (p.samplerOrder.join() !== DEFAULT_SAMPLER_ORDER.join()) refuse('A custom sampler order');
}

export function completionBody(
  model: string,
  prompt: string,
  params: RequestParams | undefined,
  logprobs: number | null,
): Record<string, unknown> {
  let p: SamplingParams;
  try {
    p = validateParams(params ?? {});
  } catch (e) {
    throw new RemoteError('bad_request', e instanceof Error ? e.message : String(e));
  }
  checkExpressible(p);
  const body: Record<string, unknown> = {
    model,
    prompt,
    max_tokens: p.maxNewTokens,
    temperature: p.temperature,
    top_p: p.topP,
    n: p.alternatives,
  };
  if (logprobs !== null) body.logprobs = logprobs;
  if (p.seed !== null) body.seed = p.seed;
  if (p.stop.length > 0) body.stop = p.stop;
  if (p.presencePenalty !== 0) body.presence_penalty = p.presencePenalty;
  if (p.frequencyPenalty !== 0) body.frequency_penalty = p.frequencyPenalty;
  const bias = Object.entries(p.logitBias);
  // OpenAI's range is -100..100 and JSON has no -Infinity: a ban is -100.
  if (bias.length > 0)
    body.logit_bias = Object.fromEntries(bias.map(([id, b]) => [id, Math.max(-100, Math.min(100, b))]));
  if (p.topK > 0) body.top_k = p.topK;
  if (p.minP > 0) body.min_p = p.minP;
  if (p.typicalP < 1) body.typical_p = p.typicalP;
  if (p.repetitionPenalty !== 1) body.repetition_penalty = p.repetitionPenalty;
  // DRY, XTC and mirostat under llama.cpp's names (koboldcpp and inkling serve read them too).
  if (p.dryMultiplier > 0) {
    Object.assign(body, {
      dry_multiplier: p.dryMultiplier,
      dry_base: p.dryBase,
      dry_allowed_length: p.dryAllowedLength,
      dry_penalty_last_n: p.dryRange === 0 ? -1 : p.dryRange,
      dry_sequence_breakers: p.drySequenceBreakers,
    });
  }
  if (p.xtcProbability > 0) Object.assign(body, { xtc_threshold: p.xtcThreshold, xtc_probability: p.xtcProbability });
  if (p.mirostatTau > 0) Object.assign(body, { mirostat: 2, mirostat_tau: p.mirostatTau, mirostat_eta: p.mirostatEta });
  return body;
}
