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
import { InklingError, errorFromPayload, type ErrorCode } from '../../common/errors';
import { PartialGeneration } from './partial';
import type {
  EngineEvent,
  EngineJob,
  EngineMethod,
  EngineParams,
  EngineReply,
  EngineRequest,
  EngineResult,
  GenerateEvent,
  GenerateRequest,
  GenerateResult,
  LoadOptions,
  ModelInfo,
  ScorePartsRequest,
  ScorePartsResult,
  ScoreResult,
  WindowReport,
  WindowRequest,
} from './protocol';

export interface EngineTransport {
  send(msg: EngineRequest): void;
  onMessage(cb: (msg: EngineReply) => void): void;
  onExit(cb: (code: number | null, signal: string | null) => void): void;
  kill(signal?: NodeJS.Signals): void;
  readonly pid?: number;
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
  /** The request's method ('load', 'generate', …): a crash while a load is pending is the model's. */
  method: EngineMethod;
  /** Settles the request with its reply (result or error), or routes one of its events. */
  reply(m: EngineReply): void;
  reject(err: InklingError): void;
}

/** How to run one call: where its events go, how long it may take, the id `cancel` takes. */
export interface CallOptions<M extends EngineMethod> {
  onEvent?: (e: EngineEvent<M>) => void;
  timeoutMs?: number;
  id?: string;
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
  /** How the host last ended (for a generation that keeps what it had streamed). */
  private crashMessage: string | null = null;
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
    const info = await this.call('load', { modelDir, options }, { timeoutMs: this.loadTimeoutMs }).result;
    this.current = info;
    return info;
  }

  async unload(): Promise<void> {
    this.lastLoad = null;
    this.current = null;
    await this.call('unload', {}).result;
  }

  /**
   * A generation. Should the host die after some text streamed, the request resolves with that
   * text, every alternative `cut` and the crash in `interrupted` (PartialGeneration); before any
   * text it rejects with `engine_crashed`.
   */
  generate(req: GenerateRequest, onEvent?: (e: GenerateEvent) => void): EngineJob<GenerateResult> {
    const partial = new PartialGeneration();
    const job = this.call('generate', req, {
      onEvent: (e) => {
        partial.add(e);
        onEvent?.(e);
      },
    });
    return {
      id: job.id,
      result: job.result.catch((err: unknown) => {
        if (err instanceof InklingError && err.code === 'engine_crashed' && partial.tokens > 0)
          return partial.result({
            code: 'engine_crashed',
            message: `${this.crashMessage ?? 'The engine stopped.'} What it had written before is kept.`,
          });
        throw err;
      }),
    };
  }

  cancel(id: string): void {
    if (this.pending.has(id)) void this.call('cancel', { target: id }).result.catch(() => undefined);
  }

  /** A scoring that `cancel(id)` can stop between chunks (it then rejects with code `cancelled`). */
  score(text: string, top?: number): EngineJob<ScoreResult> {
    return this.call('score', { text, top });
  }

  /** What the model would read of `text` (memory + window) for a request with these options. */
  window(text: string, options: Omit<WindowRequest, 'text'>): Promise<WindowReport> {
    return this.call('window', { text, ...options }).result;
  }

  /** Frees what the engine keeps for a closed document (Engine.forgetDocument). */
  async forget(docId: string): Promise<void> {
    await this.call('forget', { docId }).result;
  }

  /** Background scoring of a whole document, part by part (Engine.scoreParts); `cancel(id)` stops it. */
  scoreParts(text: string, options: Omit<ScorePartsRequest, 'text'>): EngineJob<ScorePartsResult> {
    return this.call('scoreParts', { text, ...options });
  }

  async tokenize(text: string): Promise<number[]> {
    return (await this.call('tokenize', { text }).result).ids;
  }

  /**
   * Sends one request: its params and result are the method's (protocol.ts `EngineMethods`); its
   * events go to `onEvent`. Rejects with the host's `InklingError` (`engine_crashed` when it died).
   */
  call<M extends EngineMethod>(
    method: M,
    params: EngineParams<M>,
    options: CallOptions<M> = {},
  ): EngineJob<EngineResult<M>> {
    const id = options.id ?? this.nextId();
    return { id, result: this.request(id, method, params, options) };
  }

  /** Kills the host process (tests inject crashes with it). */
  kill(): void {
    this.transport.kill('SIGKILL');
  }

  async dispose(): Promise<void> {
    this.disposed = true;
    if (this.reloadTimer) clearTimeout(this.reloadTimer);
    this.held = null;
    this.crashMessage = 'The engine was shut down.';
    this.failAll('engine_crashed', 'The engine was shut down.');
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
      this.crashMessage = message;
      const whileLoading = [...this.pending.values()].some((p) => p.method === 'load');
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
        if (this.transport === transport && !(err instanceof InklingError && err.code === 'engine_crashed')) {
          this.emit('restart-failed', { message: (err as Error).message });
        }
        return;
      }
    }
    this.emit('restarted', model);
  }

  /** Sends now, or holds the request until the pending reload has been sent (see `held`). */
  private send(msg: EngineRequest): void {
    if (this.held && msg.method !== 'load' && msg.method !== 'unload') {
      this.held.push(msg);
      return;
    }
    this.transport.send(msg);
    if (msg.method === 'load' || msg.method === 'unload') this.flushHeld();
  }

  private flushHeld(): void {
    const held = this.held;
    this.held = null;
    for (const m of held ?? []) this.transport.send(m);
  }

  private nextId(): string {
    return `r${++this.seq}`;
  }

  private request<M extends EngineMethod>(
    id: string,
    method: M,
    params: EngineParams<M>,
    { onEvent, timeoutMs }: CallOptions<M>,
  ): Promise<EngineResult<M>> {
    if (this.disposed) return Promise.reject(new InklingError('engine_crashed', 'The engine was shut down.'));
    if (this.dead) return Promise.reject(new InklingError('engine_crashed', this.dead));
    return new Promise<EngineResult<M>>((resolve, reject) => {
      let timer: NodeJS.Timeout | undefined;
      const settle = () => {
        if (timer) clearTimeout(timer);
        this.pending.delete(id);
      };
      this.pending.set(id, {
        method,
        reply: (m) => {
          // The host answers each id with this request's own events and result (protocol.ts): the
          // one place a value off the wire takes the method's type.
          if (m.type === 'event') onEvent?.(m.event as EngineEvent<M>);
          else if (m.type === 'result') {
            settle();
            resolve(m.value as EngineResult<M>);
          } else {
            settle();
            reject(errorFromPayload(m.error));
          }
        },
        reject: (err) => {
          settle();
          reject(err);
        },
      });
      if (timeoutMs) {
        timer = setTimeout(() => {
          if (!this.pending.delete(id)) return;
          reject(new InklingError('internal', `The engine did not answer within ${Math.round(timeoutMs / 1000)} s.`));
        }, timeoutMs);
      }
      const msg: EngineRequest<M> = { id, method, params };
      this.send(msg);
    });
  }

  private onReply(m: EngineReply): void {
    this.pending.get(m.id)?.reply(m);
  }

  private failAll(code: ErrorCode, message: string): void {
    const all = [...this.pending.values()];
    this.pending.clear();
    for (const p of all) p.reject(new InklingError(code, message));
  }
}
