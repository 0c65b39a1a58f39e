/**
 * A client for OpenAI-compatible servers (vLLM, llama.cpp server, Ollama, `inkling serve`) with the
 * local engine's generate / score shape. Not wired into the app yet.
 */
export { RemoteEngine, UNKNOWN_TOKEN_ID, type RemoteEngineOptions, type RemoteFeatures } from './client';
export { RemoteError, type RemoteErrorCode } from './errors';
export { parseRetryAfter } from './http';
export { completionBody } from './params';
