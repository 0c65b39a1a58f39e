/**
 * Runs the panes' tasks main-side: plans the engine requests (plan.ts), runs them one after the
 * other through the engine manager, streams progress as TaskEvents, extracts the results and says
 * which model produced them; a run the engine broke off mid-way (a remote server's cut stream)
 * returns what arrived, marked `cut`, with the error in `interrupted`. Also scores text for the
 * probability views, at most one scoring per document at a time (a newer request replaces the one
 * waiting), so a writer typing fast never queues up work the engine would do for nothing.
 */
import { InklingError, type ApiErrorPayload as ErrorPayload } from '../../api/errors';
import { memoryPrefix, paneKey } from '../../engine/context';
import { DEFAULT_PARAMS } from '../../engine/generate/params';
import type {
  ScoreRequest,
  ScoreTextResult,
  ScoredSpan,
  TaskAlternative,
  TaskEvent,
  TaskModel,
  TaskRequest,
  TaskResult,
  TaskToken,
} from '../../api/tasks';
import type { EngineStatus, FinishReason, GenerateEvent, GenerateResult, ModelInfo } from '../../api/types';
import type {
  GenerateRequest,
  GeneratedAlternative,
  ScorePartsRequest,
  ScorePartsResult,
  ScoreResult,
} from '../../engine/host/protocol';
import { planTask } from './plan';
import { scoreSpans, type TokenBytes } from './spans';

/** What the service needs from the engine (EngineManager provides it). */
export interface TaskEngine {
  run(
    requestId: string,
    slot: string,
    request: GenerateRequest,
    onEvent: (e: GenerateEvent) => void,
  ): Promise<GenerateResult>;
  cancel(requestId: string): void;
  score(text: string, top: number): Promise<ScoreResult>;
  /** A whole document part by part (the heat map); see EngineManager.scoreParts. */
  scoreParts(text: string, options: Omit<ScorePartsRequest, 'text'>): Promise<ScorePartsResult>;
  /** Stops the scorings running in the engine (they reject with code `cancelled`). */
  cancelScores(): void;
  status(): EngineStatus;
}

export interface TaskServiceOptions {
  /** The tokenizer whose token bytes place scored tokens in the text (null: estimate from token texts). */
  tokenizerFor?: (model: ModelInfo) => TokenBytes | null;
  /** The document's memory, read before a continuation's window (the other tasks have their own prompt formats). */
  memoryFor?: (docId: string) => string;
}

interface Run {
  cancelled: boolean;
  /** The engine request going now (one per step). */
  current: string | null;
}

interface ScoreJob {
  req: ScoreRequest;
  resolve(r: ScoreTextResult): void;
  reject(e: Error): void;
}

function modelOf(status: EngineStatus): TaskModel | null {
  return status.model ? { name: status.model.name, precision: status.model.precision } : null;
}

function mean(xs: readonly number[]): number | null {
  return xs.length ? xs.reduce((s, x) => s + x, 0) / xs.length : null;
}

/**
 * The tokens of one alternative with their texts. The engine streams each token's newly decodable
 * text (a token ending inside a character gets "", the next one the whole character; text that may
 * start a stop sequence is held back), so the texts are fitted to the final text: the rest is given
 * to the last token, text past a stop is cut.
 */
export function alignTokens(alt: GeneratedAlternative, streamed: readonly string[]): TaskToken[] {
  const tokens: TaskToken[] = alt.tokenIds.map((_, i) => ({
    text: streamed[i] ?? '',
    logprob: alt.logprobs[i],
    top: (alt.top?.[i] ?? []).map((t) => ({ text: t.text, logprob: t.logprob })),
  }));
  let at = 0;
  for (const t of tokens) {
    const room = Math.max(0, alt.text.length - at);
    if (t.text.length > room || alt.text.slice(at, at + t.text.length) !== t.text)
      t.text = alt.text.slice(at, at + Math.min(room, t.text.length));
    at += t.text.length;
  }
  if (at < alt.text.length && tokens.length) tokens[tokens.length - 1].text += alt.text.slice(at);
  return tokens;
}

/** `tokens` re-cut to the extracted `text`, which is `raw` minus some leading characters (continue). */
function trimFront(tokens: TaskToken[], raw: string, text: string): TaskToken[] {
  let drop = raw.endsWith(text) ? raw.length - text.length : 0;
  const out: TaskToken[] = [];
  for (const t of tokens) {
    if (drop >= t.text.length) {
      drop -= t.text.length;
      if (t.text.length === 0) out.push(t);
      continue;
    }
    out.push(drop ? { ...t, text: t.text.slice(drop) } : t);
    drop = 0;
  }
  return out;
}

export class TaskService {
  private readonly runs = new Map<string, Run>();
  private readonly scoring = new Map<string, { busy: string | null; waiting: ScoreJob | null }>();
  /** Per document: the text its last whole-document scoring request carried (for `sameText`). */
  private readonly scoredTexts = new Map<string, string>();

  constructor(
    private readonly engine: TaskEngine,
    private readonly options: TaskServiceOptions = {},
  ) {}

  async run(req: TaskRequest, emit: (e: TaskEvent) => void): Promise<TaskResult> {
    if (this.runs.has(req.requestId)) {
      throw new InklingError(
        'bad_request',
        `A task with requestId ${req.requestId} is already running; use a new id per request.`,
      );
    }
    const plan = planTask(req);
    const run: Run = { cancelled: false, current: null };
    this.runs.set(req.requestId, run);
    const started = Date.now();
    const total = plan.steps.length;
    const results: string[] = [];
    const segments: NonNullable<TaskResult['segments']> = [];
    let alternatives: TaskAlternative[] = [];
    let promptTokens = 0;
    let generatedTokens = 0;
    // What the model read of the last step's prompt: its memory and the window's start in the prompt.
    let read: { windowStart: number; memoryTokens: number; truncatedTokens: number } = {
      windowStart: 0,
      memoryTokens: 0,
      truncatedTokens: 0,
    };
    const memory = req.kind === 'continue' ? (this.options.memoryFor?.(req.docId) ?? '') : '';
    let finishReason: FinishReason = 'length';
    /** Why the engine broke off before the task finished (a remote server's cut stream). */
    let interrupted: ErrorPayload | undefined;
    try {
      for (let i = 0; i < total; i++) {
        const step = plan.steps[i];
        if (run.cancelled) {
          finishReason = 'cancelled';
          break;
        }
        emit({ kind: 'start', segment: i, total, ...(step.source !== undefined ? { source: step.source } : {}) });
        const streamed: string[][] = [];
        const engineId = total === 1 ? req.requestId : `${req.requestId}.${i}`;
        run.current = engineId;
        let result: GenerateResult;
        try {
          result = await this.engine.run(
            engineId,
            plan.slot,
            {
              prompt: step.prompt,
              cacheKey: plan.cacheKey,
              params: step.params,
              ...(memory ? { memory } : {}),
              ...(plan.topAlternatives ? { topAlternatives: plan.topAlternatives } : {}),
            },
            (e) => {
              if (e.kind !== 'token') return;
              (streamed[e.alternative] ??= []).push(e.text);
              if (e.text)
                emit({ kind: 'token', segment: i, alternative: e.alternative, text: e.text, logprob: e.logprob });
            },
          );
        } catch (e) {
          // A server that fails before this step's first token, after earlier steps (sentences)
          // were done, leaves those: they are kept, marked cut, as a stream cut mid-step keeps its text.
          if (results.length === 0 || !(e instanceof InklingError) || e.code !== 'remote_failed') throw e;
          interrupted = e.toPayload();
          finishReason = 'cut';
          break;
        } finally {
          run.current = null;
        }
        read = {
          windowStart: result.stats.windowStart ?? 0,
          memoryTokens: result.stats.memoryTokens ?? 0,
          truncatedTokens: result.stats.truncatedTokens,
        };
        promptTokens += result.stats.promptTokens;
        generatedTokens += result.stats.generatedTokens;
        const n = typeof step.params.alternatives === 'number' ? step.params.alternatives : 1;
        const asked =
          typeof step.params.maxNewTokens === 'number' ? step.params.maxNewTokens : DEFAULT_PARAMS.maxNewTokens;
        const alts: GeneratedAlternative[] = result.alternatives.length
          ? result.alternatives
          : Array.from({ length: n }, () => ({
              text: '',
              tokenIds: [],
              logprobs: [],
              finishReason: 'cancelled' as const,
            }));
        alternatives = alts.map((a, k) => {
          const text = step.extract(a.text);
          const tokens = req.kind === 'continue' ? trimFront(alignTokens(a, streamed[k] ?? []), a.text, text) : [];
          return {
            text,
            raw: a.text,
            tokens,
            tokenCount: a.tokenIds.length,
            meanLogprob: mean(a.logprobs),
            tokensPerS: result.stats.decodeTokensPerS,
            finishReason: a.finishReason,
            // 'length' before the tokens asked for: only the context window can have stopped it.
            ...(a.finishReason === 'length' && a.tokenIds.length < asked
              ? { cutShort: { asked, room: a.tokenIds.length } }
              : {}),
          };
        });
        const first = alternatives[0];
        results.push(first.text);
        if (step.source !== undefined) {
          segments.push({ source: step.source, result: first.text, raw: first.raw });
          emit({ kind: 'segment', segment: i, total, source: step.source, result: first.text });
        }
        finishReason = first.finishReason;
        if (result.interrupted) {
          // The engine broke off mid-step: what arrived is the result; nothing after it is asked for.
          interrupted = result.interrupted;
          finishReason = 'cut';
          break;
        }
        if (finishReason === 'cancelled') break;
      }
    } finally {
      this.runs.delete(req.requestId);
    }
    const elapsedMs = Date.now() - started;
    return {
      kind: req.kind,
      text: plan.join(results),
      alternatives,
      ...(req.kind === 'translate' ? { segments } : {}),
      model: modelOf(this.engine.status()),
      ...promptRead(plan.steps[Math.max(0, Math.min(results.length, total) - 1)]?.prompt ?? '', memory, read),
      stats: {
        promptTokens,
        generatedTokens,
        elapsedMs,
        tokensPerS: elapsedMs > 0 ? Math.round((generatedTokens * 10_000) / elapsedMs) / 10 : 0,
      },
      finishReason: run.cancelled ? 'cancelled' : finishReason,
      ...(interrupted && !run.cancelled ? { interrupted } : {}),
    };
  }

  /** Stops a run (between or inside steps) or drops a waiting score; unknown ids are ignored. */
  cancel(requestId: string): void {
    const run = this.runs.get(requestId);
    if (run) {
      run.cancelled = true;
      if (run.current) this.engine.cancel(run.current);
      return;
    }
    for (const lane of this.scoring.values()) {
      if (lane.busy === requestId) this.engine.cancelScores();
      if (lane.waiting?.req.requestId === requestId) {
        lane.waiting.reject(new InklingError('cancelled', 'The scoring was cancelled.'));
        lane.waiting = null;
      }
    }
  }

  /** A document was closed: the text its heat map was scored on goes. */
  forgetDocument(docId: string): void {
    this.scoredTexts.delete(docId);
  }

  /**
   * Scores `req.text` (or, with `sameText`, the text of the document's last whole-document request
   * that carried one); a newer request for the same document replaces one still waiting.
   */
  score(req: ScoreRequest): Promise<ScoreTextResult> {
    if (req.from !== undefined) {
      if (req.sameText) {
        const last = this.scoredTexts.get(req.docId);
        if (last === undefined)
          return Promise.reject(
            new InklingError('not_found', 'There is no earlier text of this document to score again: send the text.'),
          );
        req = { ...req, text: last, sameText: false };
      } else this.scoredTexts.set(req.docId, req.text);
    }
    let lane = this.scoring.get(req.docId);
    if (!lane) this.scoring.set(req.docId, (lane = { busy: null, waiting: null }));
    if (lane.waiting)
      lane.waiting.reject(new InklingError('cancelled', 'A newer scoring of this document replaced this one.'));
    lane.waiting = null;
    const l = lane;
    return new Promise<ScoreTextResult>((resolve, reject) => {
      const job: ScoreJob = { req, resolve, reject };
      if (l.busy === null) this.startScore(req.docId, job);
      else l.waiting = job;
    });
  }

  private startScore(docId: string, job: ScoreJob): void {
    const lane = this.scoring.get(docId)!;
    lane.busy = job.req.requestId;
    this.scoreNow(job.req)
      .then(job.resolve, job.reject)
      .finally(() => {
        lane.busy = null;
        const next = lane.waiting;
        lane.waiting = null;
        if (next) this.startScore(docId, next);
        else this.scoring.delete(docId);
      });
  }

  private async scoreNow(req: ScoreRequest): Promise<ScoreTextResult> {
    if (req.from !== undefined) return this.scorePartsNow(req, req.from);
    const status = this.engine.status();
    const result = await this.engine.score(req.text, req.top ?? 5);
    const tokenizer = this.placingTokenizer(status, result.tokens);
    const { spans, skippedChars } = scoreSpans(req.text, result.tokens, tokenizer);
    return { spans, skippedChars, model: modelOf(status) };
  }

  /**
   * The tokenizer that places scored tokens by their bytes, or null (place them by their texts):
   * a remote server whose tokens did not line up with GPT-2's names them by text only (id -1).
   */
  private placingTokenizer(status: EngineStatus, tokens: readonly { id: number }[]): TokenBytes | null {
    if (!status.model || tokens.some((t) => t.id < 0)) return null;
    return this.options.tokenizerFor?.(status.model) ?? null;
  }

  /** The heat map over a whole document: the next parts, each placed in the text by its own range. */
  private async scorePartsNow(req: ScoreRequest, from: number): Promise<ScoreTextResult> {
    const status = this.engine.status();
    const r = await this.engine.scoreParts(req.text, {
      cacheKey: paneKey(req.docId, 'score'),
      from,
      top: req.top ?? 5,
    });
    const tokenizer = this.placingTokenizer(
      status,
      r.parts.flatMap((p) => p.tokens),
    );
    const spans: ScoredSpan[] = [];
    for (const part of r.parts) {
      for (const s of scoreSpans(req.text.slice(part.from, part.to), part.tokens, tokenizer).spans) {
        spans.push({ ...s, from: s.from + part.from, to: s.to + part.from });
      }
    }
    const range = r.parts.length ? { from: r.parts[0].from, to: r.parts[r.parts.length - 1].to } : { from, to: from };
    return {
      spans,
      skippedChars: 0,
      model: modelOf(status),
      range,
      parts: r.parts.map((p) => ({ from: p.from, to: p.to })),
      next: r.next,
      progress: { done: r.done, total: r.total },
    };
  }
}

/**
 * The prompt exactly as the model read it (memory, then the text from the window's start), and a
 * line for the writer saying what was left out.
 */
function promptRead(
  prompt: string,
  memory: string,
  read: { windowStart: number; memoryTokens: number; truncatedTokens: number },
): { prompt: string; promptNote?: string; unread?: { tokens: number; words: number } } {
  const text = memoryPrefix(memory) + prompt.slice(read.windowStart);
  // A word the window starts inside counts as unread (the model read only its end).
  const unread =
    read.truncatedTokens > 0 && read.windowStart > 0
      ? {
          unread: { tokens: read.truncatedTokens, words: prompt.slice(0, read.windowStart).match(/\S+/g)?.length ?? 0 },
        }
      : {};
  const notes: string[] = [];
  if (read.memoryTokens > 0) notes.push(`the memory (${read.memoryTokens} tokens) first`);
  if (read.truncatedTokens > 0)
    notes.push(
      `then the text from where its window starts: ${read.truncatedTokens} earlier tokens do not fit in the model's context and were not read`,
    );
  return notes.length
    ? { prompt: text, promptNote: `The model read ${notes.join(', ')}.`, ...unread }
    : { prompt: text, ...unread };
}
