/**
 * A client for OpenAI-compatible servers (vLLM, llama.cpp's server, Ollama, `inkling serve`) with
 * the local engine's shape: `generate` (streamed token events, N alternatives, per-token
 * log-probabilities and top alternatives, cancellable) and `score` (each token's log-probability,
 * rank and alternatives).
 *
 * - generate: `POST /v1/completions` with `stream: true`; each SSE chunk becomes token events, its
 *   `logprobs` the alternatives. Cancelling aborts the stream (the server sees the disconnect) and
 *   resolves with what arrived, marked `cancelled`, as the local engine does. A stream that breaks
 *   off after text arrived (cut, silent, an error event) resolves with that text too, its unfinished
 *   alternatives marked `cut` and the error in `interrupted`; before any text, it rejects.
 * - score: `echo: true` + `logprobs` returns the prompt's own log-probabilities. A server that does
 *   not (probe() finds out) gets a clear `unavailable` error.
 * - The OpenAI API names tokens by text, not id: token ids here are -1.
 */
import type {
  FinishReason,
  GenerateEvent,
  GenerateRequest,
  GenerateResult,
  GeneratedAlternative,
  ScoreResult,
  ScoredToken,
  TokenAlternative,
  EngineJob,
} from '../../engine/host/protocol';
import { memoryPrefix } from '../../engine/context';
import { RemoteError } from './errors';
import { open, readJson, sseData, type HttpSettings } from './http';
import { completionBody } from './params';

export interface RemoteEngineOptions {
  /** The server's API root, e.g. http://127.0.0.1:8000/v1. */
  baseUrl: string;
  apiKey?: string;
  /** The model to use; default: the first one the server lists. */
  model?: string;
  headersTimeoutMs?: number;
  idleTimeoutMs?: number;
  maxRetries?: number;
  maxRetryWaitMs?: number;
}

export interface RemoteFeatures {
  /** The model requests use. */
  model: string;
  /** Every model the server lists. */
  models: string[];
  /** Generated tokens come with log-probabilities (and top alternatives). */
  logprobs: boolean;
  /**
   * How score() works on this server, or null when it cannot: `echo` + `logprobs` (OpenAI's legacy
   * way; inkling serve, vLLM), or vLLM's `prompt_logprobs` extension (which needs the prompt's
   * token ids from the caller to tell which entry is the prompt's own token).
   */
  scoring: 'echo' | 'prompt_logprobs' | null;
  /** Which software answers, as far as `GET /v1/models` tells (its `owned_by`). */
  server: RemoteServerKind;
  /** The model's context length when the server says it (vLLM's and inkling serve's `max_model_len`, llama.cpp's `n_ctx_train`). */
  contextLength: number | null;
}

export type RemoteServerKind = 'inkling' | 'vllm' | 'llama.cpp' | 'ollama' | 'unknown';

/** A prompt's tokens scored by the server, with each token's character offset in the prompt when the server gives it. */
export interface ScoredPrompt {
  tokens: ScoredToken[];
  /** Character offset of each token in the prompt (echo's `text_offset`), or null (prompt_logprobs: by token index). */
  offsets: number[] | null;
}

interface ModelEntry {
  id?: unknown;
  owned_by?: unknown;
  max_model_len?: unknown;
  meta?: { n_ctx_train?: unknown } | null;
}

function serverKind(ownedBy: unknown): RemoteServerKind {
  const o = typeof ownedBy === 'string' ? ownedBy.toLowerCase() : '';
  if (o === 'inkling') return 'inkling';
  if (o === 'vllm') return 'vllm';
  if (o === 'llamacpp' || o === 'llama.cpp') return 'llama.cpp';
  if (o === 'library' || o === 'ollama') return 'ollama';
  return 'unknown';
}

/** vLLM's prompt_logprobs entry: token id → {logprob, rank, decoded_token}. */
type PromptLogprobEntry = Record<
  string,
  { logprob?: number; rank?: number | null; decoded_token?: string | null }
> | null;

/** Unknown token id: the OpenAI API names tokens by their text. */
export const UNKNOWN_TOKEN_ID = -1;
const TOP_LIMIT = 20;
/** Echo scoring asks for this many alternatives at least: a token's rank is known when it is among them. */
const RANK_DEPTH = 10;

interface LegacyLogprobs {
  tokens?: string[];
  token_logprobs?: (number | null)[];
  top_logprobs?: (Record<string, number> | null)[] | null;
  text_offset?: number[];
}

interface ChunkChoice {
  index?: number;
  /** vLLM's extension: per prompt token, null for the first. */
  prompt_logprobs?: PromptLogprobEntry[] | null;
  text?: string;
  logprobs?: LegacyLogprobs | null;
  finish_reason?: string | null;
  /** vLLM: the stop string or token id that ended the choice (null for end-of-text). */
  stop_reason?: string | number | null;
}

interface CompletionJson {
  choices?: ChunkChoice[];
  usage?: { prompt_tokens?: number; completion_tokens?: number } | null;
  error?: { message?: string } | string;
  /** Some vLLM versions put prompt_logprobs beside the choices. */
  prompt_logprobs?: PromptLogprobEntry[] | null;
}

export class RemoteEngine {
  private readonly http: HttpSettings;
  private features: RemoteFeatures | null = null;
  private readonly jobs = new Map<string, AbortController>();
  private seq = 0;

  constructor(private readonly options: RemoteEngineOptions) {
    let url: URL;
    try {
      url = new URL(options.baseUrl);
    } catch {
      throw new RemoteError(
        'bad_request',
        `"${options.baseUrl}" is not a server address: write it like http://127.0.0.1:8000/v1.`,
      );
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') {
      throw new RemoteError('bad_request', `"${options.baseUrl}" must start with http:// or https://.`);
    }
    this.http = {
      baseUrl: options.baseUrl.replace(/\/+$/, ''),
      apiKey: options.apiKey,
      headersTimeoutMs: options.headersTimeoutMs ?? 30_000,
      idleTimeoutMs: options.idleTimeoutMs ?? 60_000,
      maxRetries: options.maxRetries ?? 2,
      maxRetryWaitMs: options.maxRetryWaitMs ?? 10_000,
    };
  }

  /** What the server offers: its models (checking the chosen one), log-probabilities, scoring. */
  async probe(): Promise<RemoteFeatures> {
    const list = (await readJson(this.http, await open(this.http, 'GET', 'models', undefined))) as {
      data?: ModelEntry[];
    };
    if (!Array.isArray(list?.data))
      throw new RemoteError(
        'malformed',
        `The server at ${this.http.baseUrl} answered GET /models without a "data" list of models. Is it OpenAI-compatible?`,
      );
    const entries = list.data.filter((m): m is ModelEntry & { id: string } => typeof m?.id === 'string');
    const models = entries.map((m) => m.id);
    const model = this.options.model ?? models[0];
    if (!model)
      throw new RemoteError(
        'model_not_found',
        `The server at ${this.http.baseUrl} lists no models. Load one on the server first.`,
      );
    if (!models.includes(model)) {
      throw new RemoteError(
        'model_not_found',
        `The server at ${this.http.baseUrl} has no model "${model}"; it serves ${models.map((m) => `"${m}"`).join(', ') || 'none'}.`,
      );
    }
    const entry = entries.find((m) => m.id === model)!;
    const ctx =
      typeof entry.max_model_len === 'number'
        ? entry.max_model_len
        : typeof entry.meta?.n_ctx_train === 'number'
          ? entry.meta.n_ctx_train
          : null;
    const contextLength = ctx !== null && Number.isInteger(ctx) && ctx >= 2 ? ctx : null;
    const logprobs = await this.tryCompletion(
      { model, prompt: 'Hello', max_tokens: 1, temperature: 0, logprobs: 1 },
      (c) => Array.isArray(c.logprobs?.token_logprobs),
    );
    const echo = await this.tryCompletion(
      { model, prompt: 'Hello world', max_tokens: 1, temperature: 0, echo: true, logprobs: 1 },
      (c) => {
        const lp = c.logprobs;
        return Array.isArray(lp?.tokens) && lp.tokens.length >= 2 && typeof lp.token_logprobs?.[1] === 'number';
      },
    );
    const promptLogprobs =
      !echo &&
      (await this.tryCompletion(
        { model, prompt: 'Hello world', max_tokens: 1, temperature: 0, prompt_logprobs: 1 },
        (c, json) => {
          const pl = c.prompt_logprobs ?? json.prompt_logprobs;
          return Array.isArray(pl) && pl.length >= 2 && pl[1] !== null && typeof pl[1] === 'object';
        },
      ));
    const scoring = echo ? 'echo' : promptLogprobs ? 'prompt_logprobs' : null;
    this.features = { model, models, logprobs, scoring, server: serverKind(entry.owned_by), contextLength };
    return this.features;
  }

  /** Features from the last probe (probing once if needed). */
  async ensureProbed(): Promise<RemoteFeatures> {
    return this.features ?? this.probe();
  }

  /** A small completion that tells whether the server supports something; 400s mean "no". */
  private async tryCompletion(
    body: Record<string, unknown>,
    ok: (c: ChunkChoice, json: CompletionJson) => boolean,
  ): Promise<boolean> {
    try {
      const json = (await readJson(this.http, await open(this.http, 'POST', 'completions', body))) as CompletionJson;
      const c = json?.choices?.[0];
      return c ? ok(c, json) : false;
    } catch (e) {
      if (e instanceof RemoteError && e.reason === 'bad_request') return false;
      throw e;
    }
  }

  private modelName(): string {
    const m = this.features?.model ?? this.options.model;
    if (!m) throw new RemoteError('bad_request', 'No model chosen for this server: call probe() first or name one.');
    return m;
  }

  generate(req: GenerateRequest, onEvent: (e: GenerateEvent) => void = () => {}): EngineJob<GenerateResult> {
    const id = `remote-${++this.seq}`;
    const abort = new AbortController();
    this.jobs.set(id, abort);
    const result = this.runGenerate(req, onEvent, abort.signal).finally(() => this.jobs.delete(id));
    return { id, result };
  }

  /** Stops a generation (or scoring): the stream is aborted, the result resolves with what arrived. */
  cancel(id: string): void {
    this.jobs.get(id)?.abort();
  }

  private async runGenerate(
    req: GenerateRequest,
    onEvent: (e: GenerateEvent) => void,
    signal: AbortSignal,
  ): Promise<GenerateResult> {
    const topN = req.topAlternatives ?? 0;
    if (!Number.isInteger(topN) || topN < 0 || topN > TOP_LIMIT)
      throw new RemoteError('bad_request', `topAlternatives must be a whole number from 0 to ${TOP_LIMIT}.`);
    const wantLogprobs = this.features ? this.features.logprobs : true;
    // The server reads the memory and the whole text: it cannot window a document by tokens it
    // does not share with us, so a text longer than its context is the server's 400.
    const prompt = memoryPrefix(req.memory) + req.prompt;
    const body = completionBody(this.modelName(), prompt, req.params, wantLogprobs ? topN : null);
    body.stream = true;
    body.stream_options = { include_usage: true };
    const n = body.n as number;
    const stops = (body.stop as string[] | undefined) ?? [];
    const t0 = performance.now();
    const alts: (GeneratedAlternative & { finished: boolean })[] = Array.from({ length: n }, () => ({
      text: '',
      tokenIds: [],
      logprobs: [],
      ...(topN > 0 ? { top: [] as TokenAlternative[][] } : {}),
      finishReason: 'cancelled' as FinishReason,
      finished: false,
    }));
    let promptTokens = 0;
    let firstAt = 0;
    let prefillMs = 0;
    let done = false;
    /** Why a stream that had begun broke off (the result then keeps what arrived). */
    let interrupted: RemoteError | null = null;
    try {
      const o = await open(this.http, 'POST', 'completions', body, signal);
      prefillMs = performance.now() - t0;
      for await (const data of sseData(this.http, o)) {
        if (data.trim() === '[DONE]') {
          done = true;
          break;
        }
        const chunk = parseChunk(this.http.baseUrl, data);
        if (chunk.usage?.prompt_tokens !== undefined) promptTokens = chunk.usage.prompt_tokens;
        for (const c of chunk.choices ?? []) {
          const i = c.index ?? 0;
          const alt = alts[i];
          if (!Number.isInteger(i) || !alt)
            throw new RemoteError(
              'malformed',
              `The server at ${this.http.baseUrl} sent choice ${String(c.index)} of a request for ${n}.`,
            );
          const events = tokenEvents(c, i, topN);
          for (const e of events) {
            if (firstAt === 0) firstAt = performance.now();
            alt.text += e.event.text;
            alt.tokenIds.push(UNKNOWN_TOKEN_ID);
            alt.logprobs.push(e.event.logprob);
            if (alt.top && e.top) alt.top.push(e.top);
            onEvent(e.top ? { ...e.event, top: e.top } : e.event);
          }
          if (c.finish_reason) {
            alt.finished = true;
            alt.finishReason = finishReason(c, stops);
          }
        }
      }
    } catch (e) {
      // Cancelled: the result keeps what arrived, marked cancelled, as the local engine's does. A
      // stream that breaks after text arrived (cut, silent, an error event, a bad chunk) keeps that
      // text too, marked `cut`, with the error beside it. Before any text, the request fails.
      if (!(e instanceof RemoteError && e.reason === 'cancelled')) {
        if (!(e instanceof RemoteError) || signal.aborted || arrived(alts) === 0) throw e;
        interrupted = e;
      }
    }
    if (!interrupted && !done && !signal.aborted && !alts.every((a) => a.finished)) {
      const got = arrived(alts);
      const cut = new RemoteError(
        'stream_cut',
        `The server at ${this.http.baseUrl} ended the stream before the completion finished (after ${got} tokens). Try again.`,
      );
      if (got === 0) throw cut;
      interrupted = cut;
    }
    if (interrupted) for (const a of alts) if (!a.finished) a.finishReason = 'cut';
    // A server that ignores `n` (Ollama) sends one choice and [DONE]: the others never began. They
    // are left out rather than shown as empty suggestions.
    const given = done ? alts.filter((a, i) => i === 0 || a.finished || a.logprobs.length > 0) : alts;
    const end = performance.now();
    const generatedTokens = arrived(alts);
    const steps = Math.max(0, ...alts.map((a) => a.logprobs.length));
    return {
      alternatives: given.map(({ finished: _finished, ...a }) => a),
      ...(interrupted ? { interrupted: interrupted.toPayload() } : {}),
      stats: {
        promptTokens,
        reusedTokens: 0,
        readTokens: promptTokens,
        truncatedTokens: 0,
        // The server reads everything sent; token counts come from its usage report (0 when it sends none).
        documentTokens: promptTokens,
        memoryTokens: 0,
        windowStart: 0,
        scannedChars: 0,
        prefillMs: round(prefillMs),
        timeToFirstTokenMs: firstAt ? round(firstAt - t0) : 0,
        decodeTokensPerS: firstAt && steps > 1 && end > firstAt ? round(((steps - 1) * 1000) / (end - firstAt)) : 0,
        generatedTokens,
      },
    };
  }

  /**
   * Each token of `text`: log-probability given the tokens before it, rank when it can be told, top
   * alternatives. A job, as the engine's: `cancel(id)` aborts it.
   */
  score(text: string, top = 5): EngineJob<ScoreResult> {
    const id = `remote-${++this.seq}`;
    const abort = new AbortController();
    this.jobs.set(id, abort);
    const result = this.runScore(text, top, abort.signal).finally(() => this.jobs.delete(id));
    return { id, result };
  }

  private async runScore(text: string, top: number, signal: AbortSignal): Promise<ScoreResult> {
    const { tokens, offsets } = await this.scorePrompt(text, top, signal);
    const keep = offsets ? tokens.filter((_, i) => offsets[i] < text.length) : tokens;
    return { tokens: keep, truncatedTokens: 0 };
  }

  /**
   * Each token of the prompt `text` scored by the server: log-probability given the tokens before
   * it (null for the first), rank when it can be told, top alternatives. `ids`: the prompt's token
   * ids, tokenized by the caller with the model's tokenizer (GPT-2's is the same everywhere);
   * required for vLLM's prompt_logprobs, whose entries are keyed by token id.
   */
  async scorePrompt(text: string, top: number, signal?: AbortSignal, ids?: readonly number[]): Promise<ScoredPrompt> {
    if (!Number.isInteger(top) || top < 0 || top > TOP_LIMIT)
      throw new RemoteError('bad_request', `top must be a whole number from 0 to ${TOP_LIMIT}.`);
    const features = await this.ensureProbed();
    if (features.scoring === null) {
      throw new RemoteError(
        'unavailable',
        `The heat map is unavailable for the server at ${this.http.baseUrl}: it returns no log-probabilities for the text it is given (neither echo + logprobs nor vLLM's prompt_logprobs). inkling serve and vLLM do.`,
      );
    }
    if (text === '') return { tokens: [], offsets: [] };
    if (features.scoring === 'prompt_logprobs')
      return this.scoreByPromptLogprobs(features.model, text, top, signal, ids);
    // max_tokens 1: some servers refuse 0. The one generated token is told apart by its offset.
    // At least the top 10 so a rank up to 10 (the heat map's first bucket) is always known.
    const body = {
      model: features.model,
      prompt: text,
      max_tokens: 1,
      temperature: 0,
      echo: true,
      logprobs: Math.max(RANK_DEPTH, top),
    };
    const json = (await readJson(
      this.http,
      await open(this.http, 'POST', 'completions', body, signal),
    )) as CompletionJson;
    const lp = json?.choices?.[0]?.logprobs;
    if (!lp || !Array.isArray(lp.tokens) || !Array.isArray(lp.token_logprobs)) {
      throw new RemoteError(
        'unavailable',
        `The heat map is unavailable for the server at ${this.http.baseUrl}: its answer carried no prompt log-probabilities.`,
      );
    }
    const offsets = lp.text_offset ?? cumulative(lp.tokens);
    const tokens: ScoredToken[] = [];
    const at: number[] = [];
    for (let i = 0; i < lp.tokens.length && offsets[i] < text.length; i++) {
      const logprob = lp.token_logprobs[i] ?? null;
      const alts = i === 0 ? [] : topList(lp.top_logprobs?.[i] ?? null).slice(0, top);
      tokens.push({
        id: UNKNOWN_TOKEN_ID,
        text: lp.tokens[i],
        logprob: i === 0 ? null : logprob,
        rank: i === 0 || logprob === null ? null : rank(logprob, topList(lp.top_logprobs?.[i] ?? null), body.logprobs),
        top: alts,
      });
      at.push(offsets[i]);
    }
    return { tokens, offsets: at };
  }

  private async scoreByPromptLogprobs(
    model: string,
    text: string,
    top: number,
    signal: AbortSignal | undefined,
    ids: readonly number[] | undefined,
  ): Promise<ScoredPrompt> {
    if (!ids)
      throw new RemoteError(
        'unavailable',
        `Scoring on the server at ${this.http.baseUrl} (vLLM's prompt_logprobs) needs the text's token ids.`,
      );
    const body = { model, prompt: text, max_tokens: 1, temperature: 0, prompt_logprobs: Math.max(1, top) };
    const json = (await readJson(
      this.http,
      await open(this.http, 'POST', 'completions', body, signal),
    )) as CompletionJson;
    const list = json?.choices?.[0]?.prompt_logprobs ?? json?.prompt_logprobs;
    if (!Array.isArray(list))
      throw new RemoteError(
        'unavailable',
        `The heat map is unavailable for the server at ${this.http.baseUrl}: its answer carried no prompt_logprobs.`,
      );
    if (list.length !== ids.length) {
      throw new RemoteError(
        'unavailable',
        `The server at ${this.http.baseUrl} split the text into ${list.length} tokens where GPT-2's tokenizer makes ${ids.length}: is it serving a GPT-2 model? The heat map needs the same tokens.`,
      );
    }
    const tokens: ScoredToken[] = list.map((entry, i) => {
      const own = entry?.[String(ids[i])];
      const alts: TokenAlternative[] = entry
        ? Object.entries(entry)
            .filter(([, v]) => typeof v?.logprob === 'number')
            .map(([id, v]) => ({ id: Number(id), text: v.decoded_token ?? '', logprob: v.logprob as number }))
            .sort((a, b) => b.logprob - a.logprob)
        : [];
      return {
        id: ids[i],
        text: own?.decoded_token ?? '',
        logprob: i === 0 || typeof own?.logprob !== 'number' ? null : own.logprob,
        rank: i === 0 || typeof own?.rank !== 'number' ? null : own.rank,
        top: i === 0 ? [] : alts.slice(0, top),
      };
    });
    return { tokens, offsets: null };
  }

  tokenize(_text: string): Promise<number[]> {
    return Promise.reject(
      new RemoteError(
        'unavailable',
        'Token ids are unavailable from an OpenAI-compatible server (its API names tokens by text).',
      ),
    );
  }

  /** Aborts everything in flight. */
  dispose(): void {
    for (const a of this.jobs.values()) a.abort();
    this.jobs.clear();
  }
}

/** Tokens received so far, all alternatives together. */
function arrived(alts: readonly { logprobs: readonly number[] }[]): number {
  return alts.reduce((s, a) => s + a.logprobs.length, 0);
}

function parseChunk(baseUrl: string, data: string): CompletionJson {
  let chunk: CompletionJson;
  try {
    chunk = JSON.parse(data) as CompletionJson;
  } catch {
    throw new RemoteError(
      'malformed',
      `The server at ${baseUrl} sent an event that is not JSON: "${data.length > 120 ? data.slice(0, 120) + '…' : data}".`,
    );
  }
  if (typeof chunk !== 'object' || chunk === null)
    throw new RemoteError('malformed', `The server at ${baseUrl} sent an event that is not a completion chunk.`);
  if (chunk.error) {
    const message =
      typeof chunk.error === 'string' ? chunk.error : (chunk.error.message ?? JSON.stringify(chunk.error));
    throw new RemoteError(
      'server_error',
      `The server at ${baseUrl} failed in the middle of the completion: "${message}".`,
    );
  }
  return chunk;
}

/**
 * One chunk choice → token events. With logprobs, one event per token (the texts carry the chunk's
 * text: if the tokens do not add up to it, e.g. a stop text was trimmed, the last event carries
 * the difference); without, one event for the chunk's text with an unknown log-probability (NaN).
 */
function tokenEvents(
  c: ChunkChoice,
  alternative: number,
  topN: number,
): { event: Extract<GenerateEvent, { kind: 'token' }>; top: TokenAlternative[] | null }[] {
  const text = c.text ?? '';
  const lp = c.logprobs;
  const tokens = lp?.tokens ?? [];
  if (tokens.length === 0) {
    return text === ''
      ? []
      : [{ event: { kind: 'token', alternative, tokenId: UNKNOWN_TOKEN_ID, text, logprob: Number.NaN }, top: null }];
  }
  const exact = tokens.join('') === text;
  return tokens.map((t, k) => ({
    event: {
      kind: 'token' as const,
      alternative,
      tokenId: UNKNOWN_TOKEN_ID,
      text: exact ? t : k === tokens.length - 1 ? text : '',
      logprob: lp?.token_logprobs?.[k] ?? Number.NaN,
    },
    top: topN > 0 ? topList(lp?.top_logprobs?.[k] ?? null).slice(0, topN) : null,
  }));
}

export function topList(dict: Record<string, number> | null): TokenAlternative[] {
  if (!dict) return [];
  return Object.entries(dict)
    .map(([text, logprob]) => ({ id: UNKNOWN_TOKEN_ID, text, logprob }))
    .sort((a, b) => b.logprob - a.logprob);
}

/**
 * 1 + how many alternatives beat it, when the top `asked` reach down to it; else unknown. vLLM adds
 * the prompt's own token to its top list even when it is far below the top `asked` (a list of
 * asked + 1): then more than `asked - 1` beat it and its rank is unknown, not `asked + 1`.
 */
export function rank(logprob: number, top: TokenAlternative[], asked: number): number | null {
  if (top.length === 0 || logprob < top[top.length - 1].logprob) return null;
  const above = top.filter((a) => a.logprob > logprob).length;
  return above < asked ? 1 + above : null;
}

function finishReason(c: ChunkChoice, stops: string[]): FinishReason {
  if (c.finish_reason === 'length') return 'length';
  if (typeof c.stop_reason === 'string') return 'stop';
  if (typeof c.stop_reason === 'number' || stops.length === 0) return 'eos';
  // "stop" is either end-of-text or a stop text; without vLLM's stop_reason, stop texts were asked for.
  return 'stop';
}

function cumulative(tokens: string[]): number[] {
  let at = 0;
  return tokens.map((t) => {
    const here = at;
    at += t.length;
    return here;
  });
}

function round(x: number): number {
  return Math.round(x * 10) / 10;
}
