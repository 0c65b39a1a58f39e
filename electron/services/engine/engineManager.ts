/**
 * One engine per host (Electron main or web host): starts it lazily, loads the model, tracks the
 * status the UI shows (no_model → loading → ready; crashed → restarting → ready), and keeps at most
 * one completion in flight per document (a newer request cancels the older one).
 *
 * A remote engine (an OpenAI-compatible server, services/remote) can stand in for the local one
 * (`useRemote`): every request goes to it while the local engine keeps its model loaded, so
 * `useLocal` is instant. The local engine's own status changes are tracked meanwhile and shown
 * again on the way back.
 */
import { InklingError, isApiErrorCode } from '../../api/errors';
import type {
  CompleteRequest,
  CompletionParams,
  EngineStatus,
  GenerateEvent,
  GenerateResult,
  ModelInfo,
} from '../../api/types';
import type { RemoteFeatures } from '../../api/remote';
import type {
  GenerateRequest,
  LoadOptions,
  ScorePartsRequest,
  ScorePartsResult,
  ScoreResult,
  WindowReport,
  WindowRequest,
  EngineJob,
} from '../../engine/host/protocol';
import { resolveModelFolder } from '../library/resolve';

/**
 * The engine interface this manager drives: the local engine host's client (electron/engine/host
 * EngineClient) and a remote server behind it (services/remote RemoteBackedEngine) both implement
 * it. Generations and scorings are jobs: `cancel(job.id)` stops one between two steps.
 */
export interface EngineLike {
  readonly model: ModelInfo | null;
  /** Opens a folder the engine knows (the library's folders are resolved before: library/resolve.ts). */
  load(modelDir: string, options?: LoadOptions): Promise<ModelInfo>;
  /** Frees the loaded model (before its files are deleted). */
  unload(): Promise<void>;
  generate(req: GenerateRequest, onEvent?: (e: GenerateEvent) => void): EngineJob<GenerateResult>;
  /** What the model would read of `text` (memory + window), planned as `generate` plans it. */
  window(text: string, options: Omit<WindowRequest, 'text'>): Promise<WindowReport>;
  cancel(id: string): void;
  /** Frees what the engine keeps for a closed document and its panes (cached K/V, windows). */
  forget(docId: string): Promise<void>;
  tokenize(text: string): Promise<number[]>;
  /** Per-token log-probability, rank and top alternatives of `text` (the probability views). */
  score(text: string, top?: number): EngineJob<ScoreResult>;
  /** A whole document, part by part (the heat map). */
  scoreParts(text: string, options: Omit<ScorePartsRequest, 'text'>): EngineJob<ScorePartsResult>;
  on(event: 'crash', cb: (info: { message: string }) => void): unknown;
  on(event: 'restarted', cb: (model: ModelInfo | null) => void): unknown;
  on(event: 'restart-failed', cb: (info: { message: string }) => void): unknown;
  /** The engine kept crashing: it stopped reloading the model (`modelDir`), or stopped restarting at all. */
  on(event: 'gave-up', cb: (info: { message: string; modelDir: string | null }) => void): unknown;
  kill(): void;
  dispose(): Promise<void>;
}

export interface EngineManagerOptions {
  createEngine: () => EngineLike | Promise<EngineLike>;
  onStatus?: (status: EngineStatus) => void;
  /** Device and threads for every load (read at each load, so a settings change applies to the next one). */
  loadOptions?: () => LoadOptions;
  /** The writer switched between the local engine and a remote one (the backend remembers the choice). */
  onEngineChoice?: (remote: boolean) => void;
}

interface InFlight {
  engineId: string;
  /** What a newer request replaces: a document's id (completions) or a task pane's slot. */
  slot: string;
  /** The engine running it (the local one, or the remote one in use when it started). */
  engine: EngineLike;
}

const NO_MODEL_MESSAGE =
  'No model is loaded. Download one on the Models page (or open a GPT-2 model folder) to get suggestions.';

/**
 * An engine's error for the writer: its code (the one code set, electron/common/errors; anything
 * without one is 'internal') and its message starting with a capital (the engine host writes
 * messages that read inside a sentence: "no model is loaded; …").
 */
export function engineError(e: unknown): InklingError {
  const err = e as { code?: unknown; message?: unknown } | null | undefined;
  const code = e instanceof InklingError ? e.code : isApiErrorCode(err?.code) ? err.code : 'internal';
  const message = typeof err?.message === 'string' && err.message ? err.message : String(e);
  const capital = message.charAt(0).toUpperCase() + message.slice(1);
  return e instanceof InklingError && capital === message ? e : new InklingError(code, capital, { cause: e });
}

export class EngineManager {
  private engine: EngineLike | null = null;
  private starting: Promise<EngineLike> | null = null;
  /** The local engine's status (what the writer sees when no remote engine is in use). */
  private current: EngineStatus = { state: 'no_model', model: null, message: NO_MODEL_MESSAGE };
  /** The remote engine in use instead of the local one, with what the UI shows of it. */
  private remote: { engine: EngineLike; status: EngineStatus } | null = null;
  /** Scorings in progress: engine id → the engine running it. */
  private readonly scoring = new Map<string, EngineLike>();
  private readonly inFlight = new Map<string, InFlight>();
  /** The request running in each slot (a document's id, a pane's slot): a newer one cancels it. */
  private readonly bySlot = new Map<string, string>();
  private loadSeq = 0;
  /** The request behind the loaded model (reload repeats it). */
  private loaded: { dir: string; extra: Pick<LoadOptions, 'precision'> } | null = null;
  private disposed = false;

  constructor(private readonly options: EngineManagerOptions) {}

  status(): EngineStatus {
    return { ...(this.remote?.status ?? this.current) };
  }

  /** The local engine's status, whether or not a remote engine is in use. */
  localStatus(): EngineStatus {
    return { ...this.current };
  }

  /** The local engine with its loaded model (whether or not a remote one is in use), or null. */
  localEngine(): { engine: EngineLike; model: ModelInfo } | null {
    return this.engine && this.current.state === 'ready' && this.current.model
      ? { engine: this.engine, model: this.current.model }
      : null;
  }

  /** True while a remote server is the engine. */
  get usingRemote(): boolean {
    return this.remote !== null;
  }

  private setStatus(s: EngineStatus): void {
    this.current = s;
    if (!this.remote) this.options.onStatus?.(this.status());
  }

  /**
   * Uses `engine` (a remote server behind the engine interface) for every request from now on.
   * Requests running on the previous engine are cancelled; the local model stays loaded.
   */
  async useRemote(
    engine: EngineLike & { model: ModelInfo },
    features: RemoteFeatures,
    message?: string,
  ): Promise<EngineStatus> {
    if (this.disposed) throw new InklingError('internal', 'The engine is shutting down.');
    const old = this.remote;
    this.cancelAll();
    this.remote = {
      engine,
      status: { state: 'ready', model: engine.model, remote: features, ...(message ? { message } : {}) },
    };
    await old?.engine.dispose().catch(() => undefined);
    this.options.onStatus?.(this.status());
    this.options.onEngineChoice?.(true);
    return this.status();
  }

  /** Back to the local engine (its model was kept loaded). */
  async useLocal(): Promise<EngineStatus> {
    const old = this.remote;
    if (!old) return this.status();
    this.cancelAll();
    this.remote = null;
    await old.engine.dispose().catch(() => undefined);
    this.options.onStatus?.(this.status());
    this.options.onEngineChoice?.(false);
    return this.status();
  }

  /** A remote engine that did not answer at start did now: its status stops saying otherwise. */
  private remoteAnswered(engine: EngineLike): void {
    if (this.remote?.engine !== engine || !this.remote.status.message) return;
    const { message: _gone, ...status } = this.remote.status;
    this.remote.status = status;
    this.options.onStatus?.(this.status());
  }

  private cancelAll(): void {
    for (const f of this.inFlight.values()) f.engine.cancel(f.engineId);
    this.cancelScores();
  }

  private async ensureEngine(): Promise<EngineLike> {
    if (this.engine) return this.engine;
    if (!this.starting) {
      this.starting = Promise.resolve(this.options.createEngine()).then((engine) => {
        this.engine = engine;
        engine.on('crash', (info) => {
          this.setStatus({
            state: 'crashed',
            model: null,
            message: `${info?.message ?? 'The engine stopped unexpectedly.'} Restarting it…`,
          });
          this.setStatus({ state: 'restarting', model: null, message: 'The engine is restarting after a crash…' });
        });
        engine.on('restarted', (model) => {
          this.setStatus(
            model ? { state: 'ready', model } : { state: 'no_model', model: null, message: NO_MODEL_MESSAGE },
          );
        });
        engine.on('restart-failed', (info) => {
          this.setStatus({
            state: 'no_model',
            model: null,
            message: `The engine restarted but could not reload the model: ${info?.message ?? 'unknown error'}`,
          });
        });
        engine.on('gave-up', (info) => {
          // The model is not reloaded again; the writer keeps the app and chooses what to load.
          this.loaded = null;
          this.setStatus({ state: 'no_model', model: null, message: info.message });
        });
        return engine;
      });
      this.starting.catch(() => {
        this.starting = null;
      });
    }
    return this.starting;
  }

  /**
   * Loads a model folder (`extra.precision`: for a model library folder, the installed precision to
   * open); on failure the previous model (if any) stays and the error is thrown. A library folder
   * is resolved here (library/resolve.ts): the engine gets one precision's folder, never the
   * library's manifest.
   */
  async load(dir: string, extra: Pick<LoadOptions, 'precision'> = {}): Promise<EngineStatus> {
    if (this.disposed) throw new InklingError('internal', 'The engine is shutting down.');
    // Loading a model is choosing the local engine.
    if (this.remote) await this.useLocal();
    const seq = ++this.loadSeq;
    const previous = this.current;
    this.setStatus({ state: 'loading', model: null, message: `Loading the model from ${dir}…` });
    try {
      const target = resolveModelFolder(dir, extra.precision);
      const engine = await this.ensureEngine();
      const options = { ...this.options.loadOptions?.(), ...target.options };
      const model = Object.keys(options).length
        ? await engine.load(target.dir, options)
        : await engine.load(target.dir);
      if (seq === this.loadSeq) {
        this.loaded = { dir, extra };
        this.setStatus({ state: 'ready', model });
      }
      return this.status();
    } catch (e) {
      const err = engineError(e);
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

  /**
   * Loads the loaded model again, exactly as it was asked for, with the current device and thread
   * settings (read at each load). Resolves null when no model is loaded.
   */
  async reload(): Promise<EngineStatus | null> {
    if (this.current.state !== 'ready' || !this.loaded) return null;
    return this.load(this.loaded.dir, this.loaded.extra);
  }

  private requireEngine(): EngineLike {
    if (this.remote) return this.remote.engine;
    if (!this.engine || this.current.state === 'no_model') throw new InklingError('no_model', NO_MODEL_MESSAGE);
    if (this.current.state === 'loading')
      throw new InklingError('no_model', 'The model is still loading; try again in a moment.');
    return this.engine;
  }

  /** Runs a completion (with the document's `memory`, if any); `onEvent` gets the streamed token events. */
  async complete(
    req: CompleteRequest,
    params: CompletionParams,
    onEvent: (e: GenerateEvent) => void,
    memory = '',
  ): Promise<GenerateResult> {
    const request: GenerateRequest = { prompt: req.textBefore, cacheKey: req.docId, params };
    if (memory) request.memory = memory;
    if (req.topAlternatives) request.topAlternatives = req.topAlternatives;
    // The writer is waiting for this one: background scorings step aside (they are redone later).
    const r = await this.runInSlot('completion', req.requestId, req.docId, request, onEvent, () => this.cancelScores());
    // A request cancelled before it started comes back with no alternatives; give the renderer
    // the same shape as one cancelled mid-way (one empty 'cancelled' alternative per requested).
    if (r.alternatives.length > 0) return r;
    const n = typeof params.alternatives === 'number' ? params.alternatives : 1;
    return {
      ...r,
      alternatives: Array.from({ length: n }, () => ({
        text: '',
        tokenIds: [],
        logprobs: [],
        finishReason: 'cancelled' as const,
      })),
    };
  }

  /**
   * One generation for a task pane (electron/services/tasks). `slot` names what a newer run
   * replaces — a newer run in the same slot cancels this one, as complete() does per document —
   * and `requestId` is what cancel() takes. Slots never equal a docId (they contain '~').
   */
  run(
    requestId: string,
    slot: string,
    request: GenerateRequest,
    onEvent: (e: GenerateEvent) => void,
  ): Promise<GenerateResult> {
    return this.runInSlot('run', requestId, slot, request, onEvent);
  }

  /**
   * The one runner behind complete() and run(): a generation in `slot` that cancels the one running
   * there, tracked under `requestId` for cancel(). `before` runs once the request is accepted.
   */
  private async runInSlot(
    what: 'completion' | 'run',
    requestId: string,
    slot: string,
    request: GenerateRequest,
    onEvent: (e: GenerateEvent) => void,
    before?: () => void,
  ): Promise<GenerateResult> {
    const engine = this.requireEngine();
    if (this.inFlight.has(requestId)) {
      const running = what === 'completion' ? 'A completion' : 'A run';
      throw new InklingError(
        'bad_request',
        `${running} with requestId ${requestId} is already ${what === 'completion' ? 'running' : 'going'}; use a new id per request.`,
      );
    }
    const older = this.bySlot.get(slot);
    if (older) this.cancel(older);
    before?.();
    const { id, result } = engine.generate(request, onEvent);
    this.inFlight.set(requestId, { engineId: id, slot, engine });
    this.bySlot.set(slot, requestId);
    try {
      const r = await result;
      this.remoteAnswered(engine);
      return r;
    } catch (e) {
      throw engineError(e);
    } finally {
      this.inFlight.delete(requestId);
      if (this.bySlot.get(slot) === requestId) this.bySlot.delete(slot);
    }
  }

  /** Cancels a running completion; unknown ids are ignored (the request may have just finished). */
  cancel(requestId: string): void {
    const f = this.inFlight.get(requestId);
    if (f) f.engine.cancel(f.engineId);
  }

  /**
   * A document was closed: the engines (local and remote, whichever hold anything) drop its cached
   * K/V and windows. Never fails: an engine that is down or has no model has nothing to drop.
   */
  async forgetDocument(docId: string): Promise<void> {
    const engines = [this.engine, this.remote?.engine].filter((e): e is EngineLike => e !== null && e !== undefined);
    await Promise.all(engines.map((e) => e.forget(docId).catch(() => {})));
  }

  /** What a completion of `textBefore` in document `docId` would read (planned as complete() plans it). */
  async describeWindow(docId: string, textBefore: string, maxNewTokens: number, memory = ''): Promise<WindowReport> {
    const engine = this.requireEngine();
    try {
      return await engine.window(textBefore, { cacheKey: docId, maxNewTokens, ...(memory ? { memory } : {}) });
    } catch (e) {
      throw engineError(e);
    }
  }

  async countTokens(text: string): Promise<number> {
    const engine = this.requireEngine();
    try {
      return (await engine.tokenize(text)).length;
    } catch (e) {
      throw engineError(e);
    }
  }

  /**
   * Frees the model (e.g. before its folder is deleted): the status becomes no_model with `message`.
   * In-flight completions are cancelled.
   */
  async unload(message = NO_MODEL_MESSAGE): Promise<void> {
    ++this.loadSeq; // a load still in flight must not mark itself ready afterwards
    this.loaded = null;
    // The local engine's requests only: a remote engine in use keeps going.
    for (const f of this.inFlight.values()) if (f.engine === this.engine) f.engine.cancel(f.engineId);
    if (this.engine) {
      try {
        await this.engine.unload();
      } catch (e) {
        throw engineError(e);
      }
    }
    this.setStatus({ state: 'no_model', model: null, message });
  }

  /**
   * Scores `text` (each token's log-probability, rank and `top` alternatives). Scorings feed the
   * probability views in the background: `cancelScores()` stops the running ones, and a writer's
   * request for a suggestion does so first, so it never waits behind a heat-map.
   */
  async score(text: string, top: number): Promise<ScoreResult> {
    const engine = this.requireEngine();
    return this.background(engine, engine.score(text, top));
  }

  /** Scores a document part by part from `from` (see Engine.scoreParts); a background scoring like score(). */
  async scoreParts(text: string, options: Omit<ScorePartsRequest, 'text'>): Promise<ScorePartsResult> {
    const engine = this.requireEngine();
    return this.background(engine, engine.scoreParts(text, options));
  }

  /** Waits for a scoring that `cancelScores()` may stop. */
  private async background<T>(engine: EngineLike, job: EngineJob<T>): Promise<T> {
    this.scoring.set(job.id, engine);
    try {
      return await job.result;
    } catch (e) {
      throw engineError(e);
    } finally {
      this.scoring.delete(job.id);
    }
  }

  /** Stops every running scoring (they reject with code `cancelled`). */
  cancelScores(): void {
    for (const [id, engine] of this.scoring) engine.cancel(id);
  }

  /** Test hook: SIGKILLs the engine process (it restarts by itself). */
  kill(): void {
    if (this.remote)
      throw new InklingError('not_allowed', 'The engine in use is a server; there is no engine process to kill.');
    if (!this.engine) throw new InklingError('no_model', 'The engine is not running (no model has been loaded).');
    this.engine.kill();
  }

  async dispose(): Promise<void> {
    this.disposed = true;
    const remote = this.remote;
    this.remote = null;
    await remote?.engine.dispose().catch(() => undefined);
    const engine = this.engine ?? (await this.starting?.catch(() => null)) ?? null;
    this.engine = null;
    await engine?.dispose();
  }
}
