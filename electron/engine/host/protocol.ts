/**
 * The engine host's message protocol. The same messages travel over `child_process.fork` IPC
 * (CLI, tests, web host) and over Electron's `utilityProcess` port (the app).
 *
 * One method map, `EngineMethods` (name → params, result, streamed event), like the app API's
 * `InklingMethods`: the request and reply envelopes are derived from it, `EngineClient.call` is typed
 * by it, and the host's handler table (server.ts) must cover every method or it does not compile.
 *
 * parent → host: EngineRequest `{ id, method, params }` (each with a unique `id`; `cancel` names the id it stops)
 * host → parent: EngineReply — zero or more `event`s for a request, then exactly one `result` or
 *                `error` (`{ code, message }`: an `InklingError` on the wire, electron/common/errors).
 */
import type { ErrorPayload } from '../../common/errors';
import type { SamplingParams } from '../generate/params';

/**
 * Why an alternative ended: its length, a stop text, end-of-text, a cancel, or `cut`: the engine
 * broke off before it finished (a remote server's stream was cut, went silent or failed mid-way, or
 * the local engine process died);
 * its text is what had arrived, and `GenerateResult.interrupted` says what happened.
 */
export type FinishReason = 'length' | 'stop' | 'eos' | 'cancelled' | 'cut';

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
  /** How the CPU runs it (local engines): intra-op threads and whether they spin, and why. */
  cpuNote?: string;
}

export interface LoadOptions {
  /** Intra-op threads; 0 or absent = automatic (one per physical core, runtime/threads.ts). */
  threads?: number;
  device?: 'cpu' | 'cuda' | 'dml' | 'coreml';
  /**
   * What the caller knows of the folder (the model library resolves its folders into these:
   * services/library/resolve.ts; the engine never reads the library's manifest). The precision of
   * the graph opened: an Inkling folder's inkling.json says it itself, an ONNX export's graph does not.
   */
  precision?: string;
  /** For an ONNX export holding several graphs side by side: the one to open, relative to the folder. */
  graph?: string;
  /** The name to show (default: inkling.json's name, else the folder's). */
  name?: string;
}

/**
 * The sampling and stopping parameters of one request: any subset of the engine's `SamplingParams`
 * (generate/params.ts), validated by the engine; the rest take the engine's defaults. The same type
 * from the renderer (`CompletionParams`) through the services to the engine.
 */
export type RequestParams = Partial<SamplingParams>;

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
  params?: RequestParams;
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
  /**
   * Set when the generation broke off after some text had arrived (a remote server's stream was
   * cut, went silent or failed mid-way): the alternatives keep what arrived, each unfinished one
   * `cut`, and this is the error the request would otherwise have failed with (a message for the
   * writer). With nothing arrived, the request fails with that error instead. The local engine's
   * client sets it (`engine_crashed`) when the engine process dies after some text streamed.
   */
  interrupted?: ErrorPayload;
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
  /**
   * `text` is the newly decodable text of this alternative (never half a UTF-8 character); `top` the
   * token's top alternatives, present when the request asked for topAlternatives.
   */
  | { kind: 'token'; alternative: number; tokenId: number; text: string; logprob: number; top?: TokenAlternative[] };

/** A 'window' request: what the model would read of `text` with `maxNewTokens` to generate. */
export interface WindowRequest {
  text: string;
  cacheKey?: string;
  memory?: string;
  maxNewTokens: number;
}

/** A 'scoreParts' request: the heat map's next parts of a document from character `from`. */
export interface ScorePartsRequest {
  text: string;
  cacheKey: string;
  from: number;
  top?: number;
}

/** Every method of the engine host: its params, its result and, if it streams, its event. */
export interface EngineMethods {
  /** Opens a model folder (the previous model is kept if this one fails). */
  load: { params: { modelDir: string; options?: LoadOptions }; result: ModelInfo };
  unload: { params: Record<string, never>; result: { unloaded: true } };
  generate: { params: GenerateRequest; result: GenerateResult; event: GenerateEvent };
  /** Per-token log-probability, rank and `top` alternatives of `text` (its last context's worth). */
  score: { params: { text: string; top?: number }; result: ScoreResult };
  scoreParts: { params: ScorePartsRequest; result: ScorePartsResult };
  tokenize: { params: { text: string }; result: { ids: number[] } };
  /** Answered at once, between generation steps: it only tokenizes (incrementally) and plans. */
  window: { params: WindowRequest; result: WindowReport };
  /** Drops what the engine keeps for a closed document and its panes (answered at once; 0 without a model). */
  forget: { params: { docId: string }; result: { forgotten: number } };
  /** Stops request `target` between two steps (or before it starts); `cancelled`: it was running or queued. */
  cancel: { params: { target: string }; result: { cancelled: boolean } };
  ping: { params: Record<string, never>; result: { pid: number } };
}

export type EngineMethod = keyof EngineMethods;
export type EngineParams<M extends EngineMethod> = EngineMethods[M]['params'];
export type EngineResult<M extends EngineMethod> = EngineMethods[M]['result'];
/** What a method streams before its result (never for methods that stream nothing). */
export type EngineEvent<M extends EngineMethod> = M extends EngineMethod
  ? EngineMethods[M] extends { event: infer E }
    ? E
    : never
  : never;

/** A request the caller can cancel while it runs: `cancel(id)` stops it between two steps. */
export interface EngineJob<T> {
  id: string;
  result: Promise<T>;
}

/** A request on the wire: one method with its own params. */
export interface EngineRequest<M extends EngineMethod = EngineMethod> {
  id: string;
  method: M;
  params: EngineParams<M>;
}

/** A reply on the wire: the request's events, then its result or its error. */
export type EngineReply<M extends EngineMethod = EngineMethod> =
  | { id: string; type: 'event'; event: EngineEvent<M> }
  | { id: string; type: 'result'; value: EngineResult<M> }
  | { id: string; type: 'error'; error: ErrorPayload };
