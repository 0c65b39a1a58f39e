/**
 * The parent side of the engine host: starts the process, sends requests, routes streamed events,
 * and survives the host dying — requests in flight are rejected with `engine_crashed`, the host is
 * started again and the last model is reloaded.
 *
 * Crash loops: a model whose load (or use) crashes the engine must not be reloaded forever. Each
 * reload waits longer than the last (backoff); after `maxCrashes` crashes within `crashWindowMs` the
 * model is not reloaded any more — the host is started empty, so the app keeps working without a
 * model, and a `gave-up` event names the model. Should the host keep dying even without a model,
 * it is not started again and every request fails at once instead of waiting.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { EventEmitter } from 'node:events';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type {
  EngineErrorCode,
  EngineReply,
  EngineRequest,
  GenerateEvent,
  GenerateRequest,
  GenerateResult,
  LoadOptions,
  ModelInfo,
  ScoreResult,
  ScorePartsResult,
  WindowReport,
} from './protocol';

export interface EngineTransport {
  send(msg: EngineRequest): void;
  onMessage(cb: (msg: EngineReply) => void): void;
  onExit(cb: (code: number | null, signal: string | null) => void): void;
  kill(signal?: NodeJS.Signals): void;
  readonly pid?: number;
}

export class EngineError extends Error {
  constructor(
    readonly code: EngineErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'EngineError';
  }
}

/** The host entry: the TypeScript source under tsx in development, a bundled file in the app. */
export function hostEntry(): { file: string; execArgv: string[] } {
  const built = fileURLToPath(new URL('./engine-host.cjs', import.meta.url));
  if (existsSync(built)) return { file: built, execArgv: [] };
  const source = fileURLToPath(new URL('./entry.ts', import.meta.url));
  // tsx's package entry is its ESM loader; resolve it absolutely so the host starts from any cwd.
  const loader = createRequire(import.meta.url).resolve('tsx');
  return { file: source, execArgv: ['--import', pathToFileURL(loader).href] };
}

/** Runs the host with `child_process.fork` (Node: CLI, tests, web host). */
export function forkTransport(): EngineTransport {
  const { file, execArgv } = hostEntry();
  const child: ChildProcess = fork(file, [], {
    execArgv,
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    serialization: 'advanced',
  });
  return {
    send: (msg) => {
      if (child.connected) child.send(msg);
    },
    onMessage: (cb) => child.on('message', (m) => cb(m as EngineReply)),
    onExit: (cb) => child.on('exit', (code, signal) => cb(code, signal)),
    kill: (signal = 'SIGKILL') => {
      child.kill(signal);
    },
    get pid() {
      return child.pid;
    },
  };
}

interface Pending {
  /** The request's type ('load', 'generate', …): a crash while a load is pending is the model's. */
  type: string;
  resolve(value: unknown): void;
  reject(err: Error): void;
  onEvent?: (e: GenerateEvent) => void;
}

export interface EngineClientOptions {
  transport?: () => EngineTransport;
  /** Start a new host after a crash and reload the last model (default true). */
  autoRestart?: boolean;
  /** A load that takes longer than this fails (default 10 minutes: big models on slow disks). */
  loadTimeoutMs?: number;
  /** This many crashes within `crashWindowMs` and the model is not reloaded again (default 3). */
  maxCrashes?: number;
  /** Default 5 minutes. */
  crashWindowMs?: number;
  /** Wait before the model is reloaded after the second crash in the window; doubles per crash (default 1 s). */
  reloadBackoffMs?: number;
}

/** What `gave-up` reports: why the engine stopped trying, and the model it blames (if any). */
export interface GaveUpInfo {
  message: string;
  modelDir: string | null;
}

export class EngineClient extends EventEmitter {
  private transport!: EngineTransport;
  private readonly pending = new Map<string, Pending>();
  private seq = 0;
  private lastLoad: { dir: string; options?: LoadOptions } | null = null;
  private current: ModelInfo | null = null;
  private disposed = false;
  private readonly makeTransport: () => EngineTransport;
  private readonly autoRestart: boolean;
  private readonly loadTimeoutMs: number;
  private readonly maxCrashes: number;
  private readonly crashWindowMs: number;
  private readonly reloadBackoffMs: number;
  /** When recent crashes happened (within crashWindowMs). */
  private crashes: number[] = [];
  /** The host kept dying: no new one is started; requests fail at once. */
  private dead: string | null = null;
  private reloadTimer: NodeJS.Timeout | null = null;
  /**
   * Requests that arrive while a reload waits out its backoff: sent once a load has been sent, so they
   * run on the reloaded model (the host answers in order), exactly as they would without the wait.
   */
  private held: EngineRequest[] | null = null;

  constructor(opts: EngineClientOptions = {}) {
    super();
    this.makeTransport = opts.transport ?? forkTransport;
    this.autoRestart = opts.autoRestart ?? true;
    this.loadTimeoutMs = opts.loadTimeoutMs ?? 600_000;
    this.maxCrashes = opts.maxCrashes ?? 3;
    this.crashWindowMs = opts.crashWindowMs ?? 5 * 60_000;
    this.reloadBackoffMs = opts.reloadBackoffMs ?? 1000;
    this.start();
  }

  get model(): ModelInfo | null {
    return this.current;
  }

  get pid(): number | undefined {
    return this.transport.pid;
  }

  async load(modelDir: string, options?: LoadOptions): Promise<ModelInfo> {
    this.lastLoad = { dir: modelDir, options };
    const info = (await this.request({ type: 'load', modelDir, options }, undefined, this.loadTimeoutMs)) as ModelInfo;
    this.current = info;
    return info;
  }

  async unload(): Promise<void> {
    this.lastLoad = null;
    this.current = null;
    await this.request({ type: 'unload' });
  }

  generate(
    req: GenerateRequest,
    onEvent?: (e: GenerateEvent) => void,
  ): { id: string; result: Promise<GenerateResult> } {
    const id = this.nextId();
    const result = this.request({ type: 'generate', request: req }, onEvent, undefined, id) as Promise<GenerateResult>;
    return { id, result };
  }

  cancel(id: string): void {
    if (this.pending.has(id)) this.send({ id: this.nextId(), type: 'cancel', target: id });
  }

  score(text: string, top?: number): Promise<ScoreResult> {
    return this.scoreJob(text, top).result;
  }

  /** A scoring that `cancel(id)` can stop between chunks (it then rejects with code `cancelled`). */
  scoreJob(text: string, top?: number): { id: string; result: Promise<ScoreResult> } {
    const id = this.nextId();
    return { id, result: this.request({ type: 'score', text, top }, undefined, undefined, id) as Promise<ScoreResult> };
  }

  /** What the model would read of `text` (memory + window) for a request with these options. */
  window(text: string, options: { cacheKey?: string; memory?: string; maxNewTokens: number }): Promise<WindowReport> {
    return this.request({ type: 'window', text, ...options }) as Promise<WindowReport>;
  }

  /** Background scoring of a whole document, part by part (Engine.scoreParts); `cancel(id)` stops it. */
  scorePartsJob(
    text: string,
    options: { cacheKey: string; from: number; top?: number },
  ): { id: string; result: Promise<ScorePartsResult> } {
    const id = this.nextId();
    return {
      id,
      result: this.request(
        { type: 'scoreParts', text, ...options },
        undefined,
        undefined,
        id,
      ) as Promise<ScorePartsResult>,
    };
  }

  async tokenize(text: string): Promise<number[]> {
    const r = (await this.request({ type: 'tokenize', text })) as { ids: number[] };
    return r.ids;
  }

  /** Kills the host process (tests inject crashes with it). */
  kill(): void {
    this.transport.kill('SIGKILL');
  }

  async dispose(): Promise<void> {
    this.disposed = true;
    if (this.reloadTimer) clearTimeout(this.reloadTimer);
    this.held = null;
    this.failAll('engine_crashed', 'the engine was shut down');
    this.transport.kill('SIGTERM');
  }

  private start(): void {
    const t = this.makeTransport();
    this.transport = t;
    t.onMessage((m) => this.onReply(m));
    t.onExit((code, signal) => {
      if (this.transport !== t) return;
      if (this.disposed) return;
      const message = `The engine stopped unexpectedly (${signal ?? `exit code ${code}`}).`;
      const whileLoading = [...this.pending.values()].some((p) => p.type === 'load');
      this.held = null; // their requests are pending too: failed just below
      this.failAll('engine_crashed', `${message} The request was not completed; try again.`);
      this.current = null;
      this.emit('crash', { message });
      if (this.autoRestart) this.afterCrash(whileLoading);
    });
  }

  /** Restarts the host, and reloads the model unless it keeps crashing the engine. */
  private afterCrash(whileLoading: boolean): void {
    if (this.reloadTimer) clearTimeout(this.reloadTimer);
    this.reloadTimer = null;
    const now = Date.now();
    this.crashes = this.crashes.filter((t) => now - t < this.crashWindowMs);
    this.crashes.push(now);
    const n = this.crashes.length;
    const within = `within ${Math.max(1, Math.round(this.crashWindowMs / 60_000))} minute${this.crashWindowMs > 60_000 ? 's' : ''}`;
    if (n >= 2 * this.maxCrashes) {
      // Not the model's fault (it is no longer loaded): the engine itself cannot run.
      this.dead = `The engine stopped ${n} times ${within} and was not started again. Save your work and restart Inkling.`;
      this.emit('gave-up', { message: this.dead, modelDir: null } satisfies GaveUpInfo);
      return;
    }
    this.start();
    const last = this.lastLoad;
    if (last && n >= this.maxCrashes) {
      this.lastLoad = null;
      const how = whileLoading ? 'while loading it' : 'while using it';
      const message =
        `The model in ${last.dir} made the engine stop ${n} times ${within} (the last time ${how}), so Inkling stopped reloading it. ` +
        'You can keep writing without a model; choose another model on the Models page, or download or convert this one again.';
      this.emit('gave-up', { message, modelDir: last.dir } satisfies GaveUpInfo);
      return;
    }
    // The first crash reloads at once (a one-off, e.g. killed by the system); each further one waits longer.
    const wait = n <= 1 ? 0 : this.reloadBackoffMs * 2 ** (n - 2);
    if (wait === 0) void this.restart();
    else {
      this.held = [];
      this.reloadTimer = setTimeout(() => {
        this.reloadTimer = null;
        // The writer loaded or unloaded a model meanwhile: that request stands, nothing to reload.
        if (this.lastLoad === last) void this.restart();
        else this.flushHeld();
      }, wait);
    }
  }

  private async restart(): Promise<void> {
    const transport = this.transport;
    let model: ModelInfo | null = null;
    if (this.lastLoad) {
      try {
        model = await this.load(this.lastLoad.dir, this.lastLoad.options);
      } catch (err) {
        // A crash during this reload is handled by the exit handler of the new host.
        if (this.transport === transport && !(err instanceof EngineError && err.code === 'engine_crashed')) {
          this.emit('restart-failed', { message: (err as Error).message });
        }
        return;
      }
    }
    this.emit('restarted', model);
  }

  /** Sends now, or holds the request until the pending reload has been sent (see `held`). */
  private send(msg: EngineRequest): void {
    if (this.held && msg.type !== 'load' && msg.type !== 'unload') {
      this.held.push(msg);
      return;
    }
    this.transport.send(msg);
    if (msg.type === 'load' || msg.type === 'unload') this.flushHeld();
  }

  private flushHeld(): void {
    const held = this.held;
    this.held = null;
    for (const m of held ?? []) this.transport.send(m);
  }

  private nextId(): string {
    return `r${++this.seq}`;
  }

  private request(
    body: DistributiveOmit<EngineRequest, 'id'>,
    onEvent?: (e: GenerateEvent) => void,
    timeoutMs?: number,
    id = this.nextId(),
  ): Promise<unknown> {
    if (this.disposed) return Promise.reject(new EngineError('engine_crashed', 'the engine was shut down'));
    if (this.dead) return Promise.reject(new EngineError('engine_crashed', this.dead));
    return new Promise((resolve, reject) => {
      let timer: NodeJS.Timeout | undefined;
      const done =
        <T>(f: (v: T) => void) =>
        (v: T) => {
          if (timer) clearTimeout(timer);
          f(v);
        };
      this.pending.set(id, { type: body.type, resolve: done(resolve), reject: done(reject), onEvent });
      if (timeoutMs) {
        timer = setTimeout(() => {
          if (!this.pending.delete(id)) return;
          reject(new EngineError('internal', `the engine did not answer within ${Math.round(timeoutMs / 1000)} s`));
        }, timeoutMs);
      }
      this.send({ ...body, id } as EngineRequest);
    });
  }

  private onReply(m: EngineReply): void {
    const p = this.pending.get(m.id);
    if (!p) return;
    if (m.type === 'event') {
      p.onEvent?.(m.event);
      return;
    }
    this.pending.delete(m.id);
    if (m.type === 'result') p.resolve(m.value);
    else p.reject(new EngineError(m.error.code, m.error.message));
  }

  private failAll(code: EngineErrorCode, message: string): void {
    const all = [...this.pending.values()];
    this.pending.clear();
    for (const p of all) p.reject(new EngineError(code, message));
  }
}

type DistributiveOmit<T, K extends keyof T> = T extends unknown ? Omit<T, K> : never;
