/**
 * The engine host's request handler, independent of how messages arrive (child_process IPC or an
 * Electron utilityProcess port). One model at a time; generations and scorings run one after the
 * other in arrival order; `cancel` takes effect between two steps of the one running, or removes
 * a queued one. A bad request gets an error reply and the host keeps serving.
 *
 * Every method of the protocol's map has one entry in `handlers` (a missing one does not compile):
 * `parse` checks the params that arrived (the parent is another process), `run` does the work.
 */
import { InklingError, toInklingError } from '../../common/errors';
import { windowReport } from '../context';
import { ParamError, validateParams } from '../generate';
import { loadModel, type LoadedModel } from '../runtime';
import type { EngineEvent, EngineMethod, EngineParams, EngineReply, EngineResult, GenerateRequest } from './protocol';

export type Send = (reply: EngineReply) => void;

/** One request while it runs: whether it was cancelled, and how it streams its events. */
interface Job<M extends EngineMethod> {
  readonly id: string;
  cancelled: boolean;
  emit(event: EngineEvent<M>): void;
}

interface Handler<M extends EngineMethod> {
  /** Queued behind the generations and scorings (true), or answered at once (false). */
  queued: boolean;
  parse(raw: Fields, method: M): EngineParams<M>;
  run(params: EngineParams<M>, job: Job<M>): Promise<EngineResult<M>> | EngineResult<M>;
}

/** The handler table: exactly one handler per method of `EngineMethods`. */
export type EngineHandlers = { [M in EngineMethod]: Handler<M> };

type Fields = Readonly<Record<string, unknown>>;

export class EngineServer {
  private model: LoadedModel | null = null;
  private queue: Promise<void> = Promise.resolve();
  private readonly jobs = new Map<string, Job<EngineMethod>>();
  private readonly handlers: EngineHandlers = {
    ping: { queued: false, parse: () => ({}), run: () => ({ pid: process.pid }) },
    cancel: {
      queued: false,
      parse: (raw, m) => ({ target: text(raw, 'target', m) }),
      run: ({ target }) => {
        const job = this.jobs.get(target);
        if (job) job.cancelled = true;
        return { cancelled: Boolean(job) };
      },
    },
    forget: {
      queued: false,
      parse: (raw, m) => ({ docId: text(raw, 'docId', m) }),
      run: ({ docId }) => ({ forgotten: this.model ? this.model.engine.forgetDocument(docId) : 0 }),
    },
    tokenize: {
      queued: false,
      parse: (raw, m) => ({ text: text(raw, 'text', m) }),
      run: ({ text }) => ({ ids: this.loaded().engine.tokenize(text) }),
    },
    window: {
      queued: false,
      parse: (raw, m) => ({
        text: text(raw, 'text', m),
        maxNewTokens: count(raw, 'maxNewTokens', m),
        cacheKey: optionalText(raw, 'cacheKey', m),
        memory: optionalText(raw, 'memory', m),
      }),
      run: ({ text, ...options }) => {
        const engine = this.loaded().engine;
        return windowReport(engine.planWindow(text, options), engine.contextLength);
      },
    },
    load: {
      queued: true,
      parse: (raw, m) => {
        const modelDir = text(raw, 'modelDir', m);
        if (!modelDir) throw badRequest(`${m}: modelDir must be a folder path`);
        const options = raw.options;
        if (options !== undefined && !isFields(options)) throw badRequest(`${m}: options must be an object`);
        if (!options) return { modelDir };
        return {
          modelDir,
          options: {
            threads: optionalCount(options, 'threads', m),
            device: options.device === undefined ? undefined : device(options.device, m),
            precision: optionalText(options, 'precision', m),
            graph: optionalText(options, 'graph', m),
            name: optionalText(options, 'name', m),
          },
        };
      },
      run: async ({ modelDir, options }) => {
        const next = await loadModel(modelDir, options ?? {}).catch((err: Error) => {
          throw new InklingError('model_invalid', err.message, { cause: err });
        });
        await this.model?.engine.dispose();
        this.model = next;
        return next.info;
      },
    },
    unload: {
      queued: true,
      parse: () => ({}),
      run: async () => {
        await this.model?.engine.dispose();
        this.model = null;
        return { unloaded: true };
      },
    },
    generate: {
      queued: true,
      parse: (raw, m) => generateRequest(raw, m),
      // A request cancelled while queued still answers with its alternatives marked cancelled.
      run: (request, job) => this.loaded().engine.generate(request, (event) => job.emit(event), job),
    },
    score: {
      queued: true,
      parse: (raw, m) => ({ text: text(raw, 'text', m), top: optionalCount(raw, 'top', m) }),
      run: ({ text, top }, job) => this.loaded().engine.score(text, top ?? 5, job),
    },
    scoreParts: {
      queued: true,
      parse: (raw, m) => ({
        text: text(raw, 'text', m),
        cacheKey: text(raw, 'cacheKey', m),
        from: count(raw, 'from', m),
        top: optionalCount(raw, 'top', m),
      }),
      run: ({ text, cacheKey, from, top }, job) =>
        this.loaded().engine.scoreParts(text, { cacheKey, from, top: top ?? 5 }, job),
    },
  };

  constructor(private readonly send: Send) {}

  handle(raw: unknown): void {
    const id = isFields(raw) && typeof raw.id === 'string' ? raw.id : '';
    if (!isFields(raw) || !id || typeof raw.method !== 'string') {
      this.fail(id, badRequest('malformed request: expected {id, method, params}'));
      return;
    }
    if (!isMethod(raw.method, this.handlers)) {
      this.fail(id, badRequest(`unknown request type '${raw.method}'`));
      return;
    }
    const params = raw.params === undefined ? {} : raw.params;
    if (!isFields(params)) {
      this.fail(id, badRequest(`${raw.method}: params must be an object`));
      return;
    }
    this.dispatch(id, raw.method, params);
  }

  private dispatch<M extends EngineMethod>(id: string, method: M, raw: Fields): void {
    const handler: Handler<M> = this.handlers[method];
    const job: Job<M> = {
      id,
      cancelled: false,
      emit: (event) => this.send({ id, type: 'event', event }),
    };
    const work = async (): Promise<EngineResult<M>> => handler.run(handler.parse(raw, method), job);
    if (!handler.queued) {
      void this.reply(id, work);
      return;
    }
    this.jobs.set(id, job);
    this.queue = this.queue.then(() =>
      this.reply(id, async () => {
        try {
          return await work();
        } finally {
          this.jobs.delete(id);
        }
      }),
    );
  }

  private loaded(): LoadedModel {
    if (!this.model) throw new InklingError('no_model', 'no model is loaded; choose or download a model first');
    return this.model;
  }

  private async reply<M extends EngineMethod>(id: string, work: () => Promise<EngineResult<M>>): Promise<void> {
    let value: EngineResult<M>;
    try {
      value = await work();
    } catch (err) {
      this.fail(id, err);
      return;
    }
    this.send({ id, type: 'result', value });
  }

  /** The error crosses the pipe as `{code, message}`; validation failures are the caller's (`bad_request`). */
  private fail(id: string, err: unknown): void {
    const e =
      err instanceof ParamError || err instanceof TypeError || err instanceof RangeError
        ? new InklingError('bad_request', err.message)
        : toInklingError(err);
    this.send({ id, type: 'error', error: { code: e.code, message: e.message || String(err) } });
  }
}

function isFields(v: unknown): v is Fields {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function isMethod(name: string, handlers: EngineHandlers): name is EngineMethod {
  return Object.prototype.hasOwnProperty.call(handlers, name);
}

function badRequest(message: string): InklingError {
  return new InklingError('bad_request', message);
}

function text(raw: Fields, name: string, method: string): string {
  const v = raw[name];
  if (typeof v !== 'string') throw badRequest(`${method}: ${name} must be a string`);
  return v;
}

function optionalText(raw: Fields, name: string, method: string): string | undefined {
  return raw[name] === undefined ? undefined : text(raw, name, method);
}

function count(raw: Fields, name: string, method: string): number {
  const v = raw[name];
  if (typeof v !== 'number' || !Number.isFinite(v)) throw badRequest(`${method}: ${name} must be a number`);
  return v;
}

function optionalCount(raw: Fields, name: string, method: string): number | undefined {
  return raw[name] === undefined ? undefined : count(raw, name, method);
}

const DEVICES = ['cpu', 'cuda', 'dml', 'coreml'] as const;

function device(v: unknown, method: string): (typeof DEVICES)[number] {
  const found = DEVICES.find((d) => d === v);
  if (!found) throw badRequest(`${method}: options.device must be one of ${DEVICES.join(', ')}`);
  return found;
}

/** A generate request's fields; the engine checks the rest (ranges, the sampling parameters' names and values). */
function generateRequest(raw: Fields, method: string): GenerateRequest {
  const params = raw.params;
  return {
    prompt: text(raw, 'prompt', method),
    cacheKey: optionalText(raw, 'cacheKey', method),
    memory: optionalText(raw, 'memory', method),
    topAlternatives: optionalCount(raw, 'topAlternatives', method),
    // Checked here, so a bad parameter is refused before the request waits its turn.
    ...(params === undefined ? {} : { params: validateParams(params) }),
  };
}
