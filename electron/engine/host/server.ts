/**
 * The engine host's request handler, independent of how messages arrive (child_process IPC or an
 * Electron utilityProcess port). One model at a time; generations and scorings run one after the
 * other in arrival order; `cancel` takes effect between two steps of the one running, or removes
 * a queued one. A bad request gets an error reply and the host keeps serving.
 */
import { loadModel, type LoadedModel } from '../runtime';
import { ParamError } from '../generate';
import type { EngineErrorCode, EngineReply, EngineRequest, GenerateEvent, WindowReport } from './protocol';

export type Send = (reply: EngineReply) => void;

interface Job {
  id: string;
  cancelled: boolean;
}

export class EngineServer {
  private model: LoadedModel | null = null;
  private queue: Promise<void> = Promise.resolve();
  private readonly jobs = new Map<string, Job>();

  constructor(private readonly send: Send) {}

  handle(raw: unknown): void {
    const msg = raw as EngineRequest;
    if (!msg || typeof msg !== 'object' || typeof msg.id !== 'string' || typeof msg.type !== 'string') {
      const id =
        msg && typeof msg === 'object' && typeof (msg as { id?: unknown }).id === 'string'
          ? (msg as { id: string }).id
          : '';
      this.send({
        id,
        type: 'error',
        error: { code: 'bad_request', message: 'malformed request: expected {id, type, ...}' },
      });
      return;
    }
    switch (msg.type) {
      case 'ping':
        this.send({ id: msg.id, type: 'result', value: { pid: process.pid } });
        return;
      case 'cancel': {
        const job = this.jobs.get(msg.target);
        if (job) job.cancelled = true;
        this.send({ id: msg.id, type: 'result', value: { cancelled: Boolean(job) } });
        return;
      }
      case 'tokenize':
        this.reply(msg.id, async () => {
          if (typeof msg.text !== 'string') throw badRequest('tokenize: text must be a string');
          return { ids: this.loaded().engine.tokenize(msg.text) };
        });
        return;
      case 'window':
        // Answered at once, between generation steps: it only tokenizes (incrementally) and plans.
        this.reply(msg.id, async () => {
          if (typeof msg.text !== 'string') throw badRequest('window: text must be a string');
          if (msg.memory !== undefined && typeof msg.memory !== 'string')
            throw badRequest('window: memory must be a string');
          const engine = this.loaded().engine;
          const plan = engine.planWindow(msg.text, {
            cacheKey: msg.cacheKey,
            memory: msg.memory,
            maxNewTokens: msg.maxNewTokens,
          });
          const report: WindowReport = {
            documentTokens: plan.documentTokens,
            memoryTokens: plan.memoryTokens,
            windowStart: plan.windowStart,
            scannedChars: plan.scannedChars,
            promptTokens: plan.ids.length,
            droppedTokens: plan.droppedTokens,
            contextLength: engine.contextLength,
          };
          return report;
        });
        return;
      case 'load':
      case 'unload':
      case 'generate':
      case 'score':
      case 'scoreParts':
        this.enqueue(msg);
        return;
      default:
        this.send({
          id: (msg as { id: string }).id,
          type: 'error',
          error: { code: 'bad_request', message: `unknown request type '${(msg as { type: string }).type}'` },
        });
    }
  }

  private enqueue(
    msg: Extract<EngineRequest, { type: 'load' | 'unload' | 'generate' | 'score' | 'scoreParts' }>,
  ): void {
    const job: Job = { id: msg.id, cancelled: false };
    this.jobs.set(msg.id, job);
    this.queue = this.queue.then(() =>
      this.reply(msg.id, async () => {
        try {
          return await this.run(msg, job);
        } finally {
          this.jobs.delete(msg.id);
        }
      }),
    );
  }

  private async run(
    msg: Extract<EngineRequest, { type: 'load' | 'unload' | 'generate' | 'score' | 'scoreParts' }>,
    job: Job,
  ): Promise<unknown> {
    switch (msg.type) {
      case 'load': {
        if (typeof msg.modelDir !== 'string' || !msg.modelDir) throw badRequest('load: modelDir must be a folder path');
        const next = await loadModel(msg.modelDir, msg.options ?? {}).catch((err: Error) => {
          throw Object.assign(new Error(err.message), { code: 'model_invalid' as EngineErrorCode });
        });
        await this.model?.engine.dispose();
        this.model = next;
        return next.info;
      }
      case 'unload':
        await this.model?.engine.dispose();
        this.model = null;
        return { unloaded: true };
      case 'generate': {
        if (!msg.request || typeof msg.request !== 'object') throw badRequest('generate: request must be an object');
        const engine = this.loaded().engine;
        // A request cancelled while queued still answers with its alternatives marked cancelled.
        return engine.generate(
          msg.request,
          (event: GenerateEvent) => this.send({ id: msg.id, type: 'event', event }),
          job,
        );
      }
      case 'score': {
        if (typeof msg.text !== 'string') throw badRequest('score: text must be a string');
        return this.loaded().engine.score(msg.text, msg.top ?? 5, job);
      }
      case 'scoreParts': {
        if (typeof msg.text !== 'string') throw badRequest('scoreParts: text must be a string');
        if (typeof msg.cacheKey !== 'string') throw badRequest('scoreParts: cacheKey must be a string');
        return this.loaded().engine.scoreParts(
          msg.text,
          { cacheKey: msg.cacheKey, from: msg.from, top: msg.top ?? 5 },
          job,
        );
      }
    }
  }

  private loaded(): LoadedModel {
    if (!this.model)
      throw Object.assign(new Error('no model is loaded; choose or download a model first'), {
        code: 'no_model' as EngineErrorCode,
      });
    return this.model;
  }

  private async reply(id: string, work: () => Promise<unknown>): Promise<void> {
    try {
      this.send({ id, type: 'result', value: await work() });
    } catch (err) {
      const e = err as Error & { code?: EngineErrorCode };
      const code: EngineErrorCode =
        e.code ??
        (err instanceof ParamError || err instanceof TypeError || err instanceof RangeError
          ? 'bad_request'
          : 'internal');
      this.send({ id, type: 'error', error: { code, message: e.message || String(err) } });
    }
  }
}

function badRequest(message: string): Error {
  return Object.assign(new Error(message), { code: 'bad_request' as EngineErrorCode });
}
