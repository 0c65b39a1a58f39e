/**
 * One engine per host (Electron main or web host): starts it lazily, loads the model, tracks the
 * status the UI shows (no_model → loading → ready; crashed → restarting → ready), and keeps at most
 * one completion in flight per document (a newer request cancels the older one).
 */
import { InklingError, isApiErrorCode } from '../../api/errors';
import type { CompleteRequest, CompletionParams, EngineStatus, GenerateEvent, GenerateResult, ModelInfo } from '../../api/types';

/** The part of the engine client (electron/engine/host EngineClient) this manager uses. */
export interface EngineLike {
  readonly model: ModelInfo | null;
  load(modelDir: string): Promise<ModelInfo>;
  generate(
    req: { prompt: string; cacheKey?: string; params?: Record<string, unknown> },
    onEvent?: (e: GenerateEvent) => void,
  ): { id: string; result: Promise<GenerateResult> };
  cancel(id: string): void;
  tokenize(text: string): Promise<number[]>;
  on(event: 'crash', cb: (info: { message: string }) => void): unknown;
  on(event: 'restarted', cb: (model: ModelInfo | null) => void): unknown;
  on(event: 'restart-failed', cb: (info: { message: string }) => void): unknown;
  kill(): void;
  dispose(): Promise<void>;
}

export interface EngineManagerOptions {
  createEngine: () => EngineLike | Promise<EngineLike>;
  onStatus?: (status: EngineStatus) => void;
}

interface InFlight {
  engineId: string;
  docId: string;
}

const NO_MODEL_MESSAGE = 'No model is loaded. Open a GPT-2 model folder to get suggestions.';

/** Engine errors carry the same codes as the API (see protocol.ts); anything else is 'internal'. */
export function toInklingError(e: unknown): InklingError {
  if (e instanceof InklingError) return e;
  const err = e as { code?: unknown; message?: unknown };
  const code = isApiErrorCode(err?.code) ? err.code : 'internal';
  const message = typeof err?.message === 'string' && err.message ? err.message : String(e);
  return new InklingError(code, message.charAt(0).toUpperCase() + message.slice(1));
}

export class EngineManager {
  private engine: EngineLike | null = null;
  private starting: Promise<EngineLike> | null = null;
  private current: EngineStatus = { state: 'no_model', model: null, message: NO_MODEL_MESSAGE };
  private readonly inFlight = new Map<string, InFlight>();
  private readonly byDoc = new Map<string, string>();
  private loadSeq = 0;
  private disposed = false;

  constructor(private readonly options: EngineManagerOptions) {}

  status(): EngineStatus {
    return { ...this.current };
  }

  private setStatus(s: EngineStatus): void {
    this.current = s;
    this.options.onStatus?.(this.status());
  }

  private async ensureEngine(): Promise<EngineLike> {
    if (this.engine) return this.engine;
    if (!this.starting) {
      this.starting = Promise.resolve(this.options.createEngine()).then((engine) => {
        this.engine = engine;
        engine.on('crash', (info) => {
          this.setStatus({ state: 'crashed', model: null, message: `${info?.message ?? 'The engine stopped unexpectedly.'} Restarting it…` });
          this.setStatus({ state: 'restarting', model: null, message: 'The engine is restarting after a crash…' });
        });
        engine.on('restarted', (model) => {
          this.setStatus(model ? { state: 'ready', model } : { state: 'no_model', model: null, message: NO_MODEL_MESSAGE });
        });
        engine.on('restart-failed', (info) => {
          this.setStatus({ state: 'no_model', model: null, message: `The engine restarted but could not reload the model: ${info?.message ?? 'unknown error'}` });
        });
        return engine;
      });
      this.starting.catch(() => {
        this.starting = null;
      });
    }
    return this.starting;
  }

  /** Loads a model folder; on failure the previous model (if any) stays and the error is thrown. */
  async load(dir: string): Promise<EngineStatus> {
    if (this.disposed) throw new InklingError('internal', 'The engine is shutting down.');
    const seq = ++this.loadSeq;
    const previous = this.current;
    this.setStatus({ state: 'loading', model: null, message: `Loading the model from ${dir}…` });
    try {
      const engine = await this.ensureEngine();
      const model = await engine.load(dir);
      if (seq === this.loadSeq) this.setStatus({ state: 'ready', model });
      return this.status();
    } catch (e) {
      const err = toInklingError(e);
      const code = err.code === 'internal' || err.code === 'bad_request' ? 'model_invalid' : err.code;
      const message = `Could not load the model in ${dir}: ${err.message}`;
      // A crash during the load: the engine restarts and reloads by itself; its events set the status.
      if (seq === this.loadSeq && err.code !== 'engine_crashed') {
        const kept = previous.state === 'ready' ? previous.model : null;
        this.setStatus(kept ? { state: 'ready', model: kept, message } : { state: 'no_model', model: null, message });
      }
      throw new InklingError(code, message);
    }
  }

  private requireEngine(): EngineLike {
    if (!this.engine || this.current.state === 'no_model') throw new InklingError('no_model', NO_MODEL_MESSAGE);
    if (this.current.state === 'loading') throw new InklingError('no_model', 'The model is still loading; try again in a moment.');
    return this.engine;
  }

  /** Runs a completion; `onEvent` gets the streamed token events. */
  async complete(req: CompleteRequest, params: CompletionParams, onEvent: (e: GenerateEvent) => void): Promise<GenerateResult> {
    const engine = this.requireEngine();
    if (this.inFlight.has(req.requestId)) {
      throw new InklingError('bad_request', `A completion with requestId ${req.requestId} is already running; use a new id per request.`);
    }
    const older = this.byDoc.get(req.docId);
    if (older) this.cancel(older);
    const { id, result } = engine.generate({ prompt: req.textBefore, cacheKey: req.docId, params: params as Record<string, unknown> }, onEvent);
    this.inFlight.set(req.requestId, { engineId: id, docId: req.docId });
    this.byDoc.set(req.docId, req.requestId);
    try {
      const r = await result;
      // A request cancelled before it started comes back with no alternatives; give the renderer
      // the same shape as one cancelled mid-way (one empty 'cancelled' alternative per requested).
      if (r.alternatives.length === 0) {
        const n = typeof params.alternatives === 'number' ? params.alternatives : 1;
        return { ...r, alternatives: Array.from({ length: n }, () => ({ text: '', tokenIds: [], logprobs: [], finishReason: 'cancelled' as const })) };
      }
      return r;
    } catch (e) {
      throw toInklingError(e);
    } finally {
      this.inFlight.delete(req.requestId);
      if (this.byDoc.get(req.docId) === req.requestId) this.byDoc.delete(req.docId);
    }
  }

  /** Cancels a running completion; unknown ids are ignored (the request may have just finished). */
  cancel(requestId: string): void {
    const f = this.inFlight.get(requestId);
    if (f && this.engine) this.engine.cancel(f.engineId);
  }

  async countTokens(text: string): Promise<number> {
    const engine = this.requireEngine();
    try {
      return (await engine.tokenize(text)).length;
    } catch (e) {
      throw toInklingError(e);
    }
  }

  /** Test hook: SIGKILLs the engine process (it restarts by itself). */
  kill(): void {
    if (!this.engine) throw new InklingError('no_model', 'The engine is not running (no model has been loaded).');
    this.engine.kill();
  }

  async dispose(): Promise<void> {
    this.disposed = true;
    const engine = this.engine ?? (await this.starting?.catch(() => null)) ?? null;
    this.engine = null;
    await engine?.dispose();
  }
}
