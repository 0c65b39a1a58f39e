/**
 * The engine host's message protocol. The same messages travel over `child_process.fork` IPC
 * (CLI, tests, web host) and over Electron's `utilityProcess` port (the app).
 *
 * parent → host: EngineRequest (each with a unique `id`; `cancel` names the id it stops)
 * host → parent: EngineReply — zero or more `event`s for a request, then exactly one `result` or `error`.
 */

export type FinishReason = 'length' | 'stop' | 'eos' | 'cancelled';

export interface ModelInfo {
  /** Display name, e.g. "gpt2" or the folder name. */
  name: string;
  dir: string;
  /**
   * inkling = Inkling's own converted graph; hf = a Hugging Face / transformers.js ONNX export;
   * remote = an OpenAI-compatible server (`dir` is its address).
   */
  format: 'inkling' | 'hf' | 'remote';
  precision: string;
  device: string;
  /** Set when the requested device could not start and the model runs on the CPU instead: why. */
  deviceNote?: string;
  contextLength: number;
  nLayer: number;
  nEmbd: number;
  nHead: number;
  vocabSize: number;
  loadMs: number;
}

export interface LoadOptions {
  /** Intra-op threads; 0 or absent = automatic (one per physical core, runtime/threads.ts). */
  threads?: number;
  device?: 'cpu' | 'cuda' | 'dml' | 'coreml';
  /** For a model library folder: the installed precision to open (default: the engine's preference). */
  precision?: string;
}

/** Sampling and stopping parameters; every field optional, validated by the engine. */
export type GenerateParams = Record<string, unknown>;

export interface GenerateRequest {
  /**
   * The text the model continues (for a document: all the text before the cursor; the engine
   * chooses the window it reads, anchored to the document: electron/engine/context).
   */
  prompt: string;
  /**
   * Documents keep their tokens, their window's start and a prefix KV cache under this key, so the
   * next request re-reads only the edit.
   */
  cacheKey?: string;
  /** The document's memory: read before the window on every request (counted in the budget). */
  memory?: string;
  params?: GenerateParams;
  /** Also return, per generated token, the top alternatives (for the probability viewer). */
  topAlternatives?: number;
}

export interface TokenAlternative {
  id: number;
  text: string;
  logprob: number;
}

export interface GeneratedAlternative {
  text: string;
  tokenIds: number[];
  /** Natural-log probability of each generated token under the unmodified model distribution. */
  logprobs: number[];
  /** Present when the request asked for topAlternatives. */
  top?: TokenAlternative[][];
  finishReason: FinishReason;
}

/** What the model reads of a document (memory + window), as planned for one request. */
export interface WindowInfo {
  /** Tokens of the whole text the request carried. */
  documentTokens: number;
  /** Tokens of the memory read before the window (0 without memory). */
  memoryTokens: number;
  /** Character offset in the request's text where the model's window starts (0: it reads all). */
  windowStart: number;
  /** Characters the tokenizer scanned for this request (the rest of the document was cached). */
  scannedChars: number;
}

export interface GenerateStats extends WindowInfo {
  /** Tokens the model read: memory + window. */
  promptTokens: number;
  /** Prompt tokens whose K/V came from the prefix cache. */
  reusedTokens: number;
  /** Prompt tokens this request ran through the model (promptTokens − reusedTokens unless cancelled). */
  readTokens: number;
  /** Document tokens before the window (not read). */
  truncatedTokens: number;
  prefillMs: number;
  timeToFirstTokenMs: number;
  decodeTokensPerS: number;
  generatedTokens: number;
}

export interface GenerateResult {
  alternatives: GeneratedAlternative[];
  stats: GenerateStats;
}

export interface ScoredToken {
  id: number;
  text: string;
  /** null for the first token, which has no prediction. */
  logprob: number | null;
  rank: number | null;
  top: TokenAlternative[];
}

/** The answer to a 'window' request: what the model would read of a document. */
export interface WindowReport extends WindowInfo {
  /** Tokens the model reads: memory + window. */
  promptTokens: number;
  /** Document tokens before the window (not read). */
  droppedTokens: number;
  /** The context length (the budget is this minus the suggestion length). */
  contextLength: number;
}

/** One part of a document scored in the background (see Engine.scoreParts). */
export interface ScoredPart {
  /** The part's place in the text: [from, to) in UTF-16 offsets. */
  from: number;
  to: number;
  /** Its tokens, each predicted from up to a full context of the document before it. */
  tokens: ScoredToken[];
}

export interface ScorePartsResult {
  parts: ScoredPart[];
  /** Where the next part starts (pass it as `from`), or null when the document is done. */
  next: number | null;
  /** Parts in the document, and how many come before `next`. */
  total: number;
  done: number;
  /** How many of the returned parts were scored now (the others came from the cache). */
  computed: number;
}

export interface ScoreResult {
  tokens: ScoredToken[];
  /** Tokens dropped from the front because the text is longer than the context. */
  truncatedTokens: number;
}

export type GenerateEvent =
  | ({ kind: 'prefill'; promptTokens: number; reusedTokens: number; truncatedTokens: number } & WindowInfo)
  /** `text` is the newly decodable text of this alternative (never half a UTF-8 character). */
  | { kind: 'token'; alternative: number; tokenId: number; text: string; logprob: number };

export type EngineRequest =
  | { id: string; type: 'load'; modelDir: string; options?: LoadOptions }
  | { id: string; type: 'unload' }
  | { id: string; type: 'generate'; request: GenerateRequest }
  | { id: string; type: 'score'; text: string; top?: number }
  | { id: string; type: 'scoreParts'; text: string; top?: number; cacheKey: string; from: number }
  | { id: string; type: 'tokenize'; text: string }
  | { id: string; type: 'window'; text: string; cacheKey?: string; memory?: string; maxNewTokens: number }
  | { id: string; type: 'cancel'; target: string }
  | { id: string; type: 'ping' };

export type EngineErrorCode =
  'bad_request' | 'no_model' | 'model_invalid' | 'cancelled' | 'engine_crashed' | 'internal';

export interface EngineErrorPayload {
  code: EngineErrorCode;
  message: string;
}

export type EngineReply =
  | { id: string; type: 'event'; event: GenerateEvent }
  | { id: string; type: 'result'; value: unknown }
  | { id: string; type: 'error'; error: EngineErrorPayload };
