/**
 * Generation building blocks: parameters, the sampler chain, token choice, stop sequences and the
 * context window. All pure and synchronous; the decode loop in runtime/ calls them per step.
 */
export {
  DEFAULT_PARAMS,
  DEFAULT_SAMPLER_ORDER,
  MAX_SEED,
  PARAM_SPECS,
  ParamError,
  SAMPLER_NAMES,
  cloneParams,
  defaultParams,
  validateParams,
  type ParamSpec,
  type ParamType,
  type SamplerName,
  type SamplingParams,
  type ValidateOptions,
} from './params';
export {
  bannedSequences,
  buildChain,
  banSequences,
  frequencyPenalty,
  logitBias,
  minP,
  noRepeatNgram,
  presencePenalty,
  repetitionPenalty,
  temperature,
  topK,
  topP,
  typicalP,
  DRY_MAX_MATCH,
  Mirostat,
  dryBreakerMask,
  dryPenalty,
  mirostatTruncate,
  mirostatUpdate,
  xtc,
  type Chain,
  type ChainContext,
  type DryOptions,
  type TokenHistory,
} from './samplers';
export {
  Rng,
  SamplingError,
  logSoftmax,
  logSumExp,
  logprobOf,
  pickToken,
  topAlternatives,
  type TokenLogprob,
} from './sample';
export { createStepper, type StepChoice, type Stepper } from './step';
export { StopMatcher, type StopPush } from './stop';
export { fitWindow, type FittedWindow } from './window';
