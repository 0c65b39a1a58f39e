/**
 * A remote OpenAI-compatible server behind the engine interface EngineManager drives (EngineLike),
 * so the editor, the panes, the token popup and the heat map work as with the local engine.
 *
 * Inkling tokenizes locally (GPT-2's tokenizer is the same everywhere) and plans what the model
 * reads with the local engine's own DocumentWindows: the prompt sent is the memory and the text
 * from the window's start, exactly the window + memory the local engine would read, and the
 * suggestion length is shortened the same way when the window fills the context. The heat map
 * cuts the document into the same parts as the local engine and sends each part with the
 * document before it filling the rest of the context, keeping the parts it already scored.
 *
 * Every failure becomes an InklingError the writer can act on: 'remote_failed' (server down, key
 * refused, busy, stream cut, malformed answer, too slow), 'unavailable' (e.g. no prompt
 * log-probabilities for the heat map), 'cancelled'.
 */
import { createHash } from 'node:crypto';
import { InklingError } from '../../api/errors';
import type {
  GenerateEvent,
  GenerateRequest,
  GenerateResult,
  ModelInfo,
  ScorePartsRequest,
  ScorePartsResult,
  ScoreResult,
  ScoredToken,
  WindowReport,
  WindowRequest,
  EngineJob,
} from '../../engine/host/protocol';
import {
  DocumentWindows,
  ScoredPartCache,
  SLIDE_STEP,
  ofDocument,
  scorePartsFrom,
  windowInfo,
  windowReport,
} from '../../engine/context';
import { validateParams } from '../../engine/generate/params';
import type { Gpt2Tokenizer } from '../../engine/tokenizer';
import type { IncrementalTokens } from '../../engine/tokenizer/incremental';
import type { EngineLike } from '../engine/engineManager';
import type { RemoteEngine, RemoteFeatures } from './client';

/** The server tokenizes the text it is sent; a few tokens of room for a different split at the cut. */
const SEAM_SLACK = 8;
/** GPT-2's context when the server does not say. */
export const DEFAULT_REMOTE_CONTEXT = 1024;

type Listener = (...args: never[]) => void;

export class RemoteBackedEngine implements EngineLike {
  readonly model: ModelInfo;
  private readonly windows: DocumentWindows;
  private readonly jobs = new Map<string, AbortController>();
  /** Scored heat-map parts: key (top, context offset, the text's hash) → tokens, packed, bounded by bytes. */
  private readonly parts = new ScoredPartCache();
  private seq = 0;

  constructor(
    private readonly client: RemoteEngine,
    readonly features: RemoteFeatures,
    private readonly tokenizer: Gpt2Tokenizer,
    readonly baseUrl: string,
  ) {
    this.windows = new DocumentWindows(tokenizer, SLIDE_STEP);
    this.model = {
      name: features.model,
      dir: baseUrl,
      format: 'remote',
      precision: 'server',
      device: 'remote',
      contextLength: features.contextLength ?? DEFAULT_REMOTE_CONTEXT,
      nLayer: 0,
      nEmbd: 0,
      nHead: 0,
      vocabSize: tokenizer.vocabSize,
      loadMs: 0,
    };
  }

  get contextLength(): number {
    return this.model.contextLength;
  }

  /** Nothing is loaded on this computer: the server keeps its model. */
  async unload(): Promise<void> {}

  load(): Promise<ModelInfo> {
    return Promise.reject(
      new InklingError(
        'bad_request',
        'A server engine cannot load a model folder: switch back to the local engine first.',
      ),
    );
  }

  generate(req: GenerateRequest, onEvent: (e: GenerateEvent) => void = () => {}): EngineJob<GenerateResult> {
    let plan;
    let maxNewTokens: number;
    try {
      maxNewTokens = validateParams(req.params ?? {}).maxNewTokens;
      plan = this.windows.plan(req.cacheKey, req.prompt, {
        contextLength: this.contextLength,
        maxNewTokens,
        memory: req.memory,
      });
    } catch (e) {
      return { id: `remote-plan-${++this.seq}`, result: Promise.reject(planError(e)) };
    }
    const window = windowInfo(plan);
    onEvent({
      kind: 'prefill',
      promptTokens: plan.ids.length,
      reusedTokens: 0,
      truncatedTokens: plan.droppedTokens,
      ...window,
    });
    const job = this.client.generate(
      {
        // The memory goes as memory (the client sends it first, with its blank line), the document from the window's start.
        prompt: req.prompt.slice(plan.windowStart),
        ...(req.memory !== undefined ? { memory: req.memory } : {}),
        params: { ...req.params, maxNewTokens: plan.maxNewTokens },
        ...(req.topAlternatives !== undefined ? { topAlternatives: req.topAlternatives } : {}),
      },
      onEvent,
    );
    const result = job.result.then(
      (r) => ({
        ...r,
        stats: {
          ...r.stats,
          ...window,
          promptTokens: r.stats.promptTokens || plan.ids.length,
          readTokens: r.stats.readTokens || plan.ids.length,
          truncatedTokens: plan.droppedTokens,
        },
      }),
      (e: unknown) => {
        throw remoteToInkling(e);
      },
    );
    return { id: job.id, result };
  }

  async window(text: string, options: Omit<WindowRequest, 'text'>): Promise<WindowReport> {
    try {
      const plan = this.windows.plan(options.cacheKey, text, {
        contextLength: this.contextLength,
        maxNewTokens: options.maxNewTokens,
        memory: options.memory,
      });
      return windowReport(plan, this.contextLength);
    } catch (e) {
      throw planError(e);
    }
  }

  cancel(id: string): void {
    const own = this.jobs.get(id);
    if (own) own.abort();
    else this.client.cancel(id);
  }

  async tokenize(text: string): Promise<number[]> {
    return this.tokenizer.encode(text);
  }

  /** The server keeps nothing of a document; its windows here are forgotten. */
  async forget(docId: string): Promise<void> {
    this.windows.forgetWhere(ofDocument(docId));
  }

  /** The popup's scoring: the text's last context's worth, as the local engine's score(). */
  score(text: string, top = 5): EngineJob<ScoreResult> {
    return this.job(async (signal) => {
      const doc = this.windows.tokens(undefined, text);
      const room = this.room;
      const [first, from] = doc.length > room ? doc.boundaryAtOrAfter(doc.length - room) : [0, 0];
      const scored = await this.scoreSlice(text, from, text.length, doc.tokens.slice(first), 0, top, signal);
      return { tokens: scored, truncatedTokens: first };
    });
  }

  /** The heat map, part by part (the same parts and contract as Engine.scoreParts). */
  scoreParts(text: string, options: Omit<ScorePartsRequest, 'text'>): EngineJob<ScorePartsResult> {
    return this.job(async (signal) => {
      const top = options.top ?? 5;
      const doc = this.windows.tokens(options.cacheKey, text);
      return scorePartsFrom(doc, options.from, async ({ start, from, end, to }, mayCompute) => {
        const [, ctxChar] = contextStart(doc, end, this.room, start);
        const key = `${top}:${from - ctxChar}:${createHash('sha256').update(text.slice(ctxChar, to)).digest('base64')}`;
        const hit = this.parts.get(key);
        if (hit) return { tokens: hit, computed: false };
        if (!mayCompute) return null;
        const tokens = await this.scorePart(doc, text, [start, from], [end, to], top, signal);
        this.parts.set(key, tokens);
        return { tokens, computed: true };
      });
    });
  }

  /** Tokens a scoring request may carry (one more is generated; a few spare for the server's split). */
  private get room(): number {
    return Math.max(1, this.contextLength - 1 - SEAM_SLACK);
  }

  /**
   * One heat-map part, read with the document before it filling the rest of the context. A part
   * longer than the context (only with small-context models) is scored in context-sized pieces.
   */
  private async scorePart(
    doc: IncrementalTokens,
    text: string,
    [start, from]: [number, number],
    [end, to]: [number, number],
    top: number,
    signal: AbortSignal,
  ): Promise<ScoredToken[]> {
    const room = this.room;
    const ids = doc.tokens;
    if (end - start <= room) {
      const [ctxTok, ctxChar] = contextStart(doc, end, room, start);
      return this.scoreSlice(text, ctxChar, to, ids.slice(ctxTok, end), from - ctxChar, top, signal, start - ctxTok);
    }
    const out: ScoredToken[] = [];
    let [s, sChar] = [start, from];
    while (s < end) {
      let e = Math.min(end, s + room);
      while (e < end && e > s + 1 && doc.charAtToken(e) === null) e--;
      const eChar = e < end ? (doc.charAtToken(e) ?? to) : to;
      out.push(...(await this.scoreSlice(text, sChar, eChar, ids.slice(s, e), 0, top, signal)));
      [s, sChar] = [e, eChar];
    }
    return out;
  }

  /**
   * Scores text[from, to) on the server and returns the tokens from character `skipChars` of it
   * (token `skipTokens` by index when the server gives no offsets). When the server's tokens line
   * up with the local ones, they get the local ids (the spans are then placed by exact bytes).
   */
  private async scoreSlice(
    text: string,
    from: number,
    to: number,
    ids: number[],
    skipChars: number,
    top: number,
    signal: AbortSignal,
    skipTokens = 0,
  ): Promise<ScoredToken[]> {
    const scored = await this.client.scorePrompt(text.slice(from, to), top, signal, ids).catch((e: unknown) => {
      throw remoteToInkling(e);
    });
    const keepFrom = scored.offsets ? scored.offsets.findIndex((o) => o >= skipChars) : skipTokens;
    const kept = keepFrom < 0 ? [] : scored.tokens.slice(keepFrom);
    const own = ids.slice(ids.length - kept.length);
    const sameSplit = scored.tokens.length === ids.length && kept.every((t, k) => t.id === own[k] || t.id < 0);
    return kept.map((t, k) => ({ ...t, id: sameSplit ? own[k] : t.id }));
  }

  private job<T>(run: (signal: AbortSignal) => Promise<T>): EngineJob<T> {
    const id = `remote-score-${++this.seq}`;
    const abort = new AbortController();
    this.jobs.set(id, abort);
    const result = run(abort.signal).finally(() => this.jobs.delete(id));
    return { id, result };
  }

  // A server has no process to crash or restart: its failures are each request's own errors.
  on(_event: string, _cb: Listener): this {
    return this;
  }

  kill(): void {
    throw new InklingError('not_allowed', 'The engine in use is a server; there is no engine process to kill.');
  }

  async dispose(): Promise<void> {
    for (const a of this.jobs.values()) a.abort();
    this.jobs.clear();
    this.client.dispose();
  }
}

/** Where the context of a part ending at token `end` starts: a pre-token boundary with at most `room` tokens to `end`, never after `partStart`. */
function contextStart(doc: IncrementalTokens, end: number, room: number, partStart: number): [number, number] {
  if (end <= room) return [0, 0];
  const [t, c] = doc.boundaryAtOrAfter(end - room);
  if (t <= partStart) return [t, c];
  // A part longer than the room (a tiny context): start at the part itself.
  const [pt, pc] = doc.boundaryAtOrAfter(partStart);
  return [pt, pc];
}

function planError(e: unknown): InklingError {
  // MemoryTooLongError, ParamError… are InklingErrors with their own codes; a RangeError is a bad value.
  if (e instanceof RangeError && !(e instanceof InklingError)) return new InklingError('bad_request', e.message);
  return remoteToInkling(e);
}

/**
 * A remote engine's failure for the writer: RemoteError is an InklingError already (its code from the
 * one set, its message naming the server and what to do); anything else thrown is `remote_failed`.
 */
export function remoteToInkling(e: unknown): InklingError {
  if (e instanceof InklingError) return e;
  return new InklingError('remote_failed', e instanceof Error ? e.message : String(e), { cause: e });
}
