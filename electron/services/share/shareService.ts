/**
 * "Share this model with other apps on this computer": `inkling serve`'s server (electron/serve)
 * started inside the host on the model the local engine has loaded, on 127.0.0.1, a free port and
 * a fresh API key for this session (never stored). Other tools then use the writer's model through
 * the OpenAI API without loading a second copy: their requests go to the same engine process.
 *
 * The server needs an in-process engine's shape (ServeEngine); the local engine runs in its own
 * process, so `engineForServe` adapts it: generation and scoring go through the engine client, the
 * tokenizer (for token counts and texts) is loaded here from the model folder.
 */
import { randomBytes } from 'node:crypto';
import { InklingError } from '../../api/errors';
import type { ShareStatus } from '../../api/remote';
import type { GenerateEvent, GenerateRequest, ModelInfo } from '../../engine/host/protocol';
import type { CancelToken } from '../../engine/runtime';
import { Gpt2Tokenizer } from '../../engine/tokenizer';
import { startServer, type ServeEngine, type ServeHandle } from '../../serve';
import type { EngineLike } from '../engine/engineManager';

/** How often a running request checks whether its client went away. */
const CANCEL_POLL_MS = 50;

export interface ShareServiceOptions {
  /** The local engine and its loaded model, or null when none is loaded. */
  local: () => { engine: EngineLike; model: ModelInfo } | null;
  log: (message: string) => void;
}

export class ShareService {
  private running: { handle: ServeHandle; apiKey: string; model: ModelInfo } | null = null;
  private starting: Promise<ShareStatus> | null = null;

  constructor(private readonly options: ShareServiceOptions) {}

  status(): ShareStatus {
    const r = this.running;
    return r ? { running: true, url: r.handle.url, apiKey: r.apiKey, model: r.model.name } : { running: false };
  }

  async start(): Promise<ShareStatus> {
    if (this.running) return this.status();
    this.starting ??= this.doStart().finally(() => (this.starting = null));
    return this.starting;
  }

  private async doStart(): Promise<ShareStatus> {
    const local = this.options.local();
    if (!local)
      throw new InklingError(
        'no_model',
        'Load a model on this computer first: sharing serves the local model, not a server.',
      );
    const apiKey = randomBytes(24).toString('base64url');
    const handle = await startServer({
      engine: engineForServe(local.engine, local.model),
      modelId: local.model.name,
      vocabSize: local.model.vocabSize,
      host: '127.0.0.1',
      port: 0,
      apiKey,
      log: this.options.log,
    });
    this.running = { handle, apiKey, model: local.model };
    return this.status();
  }

  async stop(): Promise<ShareStatus> {
    await this.starting?.catch(() => undefined);
    const r = this.running;
    this.running = null;
    await r?.handle.close();
    return this.status();
  }

  /** The model it serves is no longer the one loaded (another was loaded, or none): stop. */
  async modelChanged(model: ModelInfo | null): Promise<void> {
    if (
      this.running &&
      (!model || model.dir !== this.running.model.dir || model.precision !== this.running.model.precision)
    )
      await this.stop();
  }
}

/** The local engine (in its own process) with the in-process engine's shape the server needs. */
export function engineForServe(engine: EngineLike, model: ModelInfo): ServeEngine {
  let tokenizer: Gpt2Tokenizer;
  try {
    tokenizer = Gpt2Tokenizer.fromDir(model.dir);
  } catch {
    tokenizer = Gpt2Tokenizer.gpt2();
  }
  const watch = (id: string, cancel: CancelToken | undefined) => {
    if (!cancel) return () => undefined;
    const timer = setInterval(() => {
      if (cancel.cancelled) engine.cancel(id);
    }, CANCEL_POLL_MS);
    return () => clearInterval(timer);
  };
  return {
    contextLength: model.contextLength,
    tokenizer,
    tokenize: (text: string) => tokenizer.encode(text),
    generate: (req: GenerateRequest, onEvent?: (e: GenerateEvent) => void, cancel?: CancelToken) => {
      const job = engine.generate(req, onEvent);
      const unwatch = watch(job.id, cancel);
      return job.result.finally(unwatch);
    },
    score: (text: string, top?: number, cancel?: CancelToken) => {
      const job = engine.score(text, top);
      const unwatch = watch(job.id, cancel);
      return job.result.finally(unwatch);
    },
  } as ServeEngine;
}
