/** `inkling serve`: the local engine behind an OpenAI-compatible HTTP API. */
export {
  startServer,
  isLoopback,
  ServeConfigError,
  MAX_BODY_BYTES,
  type ServeOptions,
  type ServeHandle,
} from './server';
export { parseCompletionRequest, DEFAULT_MAX_TOKENS, MAX_LOGPROBS, MAX_N, type CompletionPlan } from './request';
export { FairQueue, QueueFullError, CancelledError, type Ticket } from './queue';
export { ApiError, type ApiErrorBody } from './errors';
export type { CompletionResponse, CompletionChoice, LegacyLogprobs, Usage, ServeEngine } from './completions';
