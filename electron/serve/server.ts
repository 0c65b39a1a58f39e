/**
 * `inkling serve`: one loaded model behind OpenAI's HTTP API (the parts a GPT-2 can serve):
 *   GET  /v1/models, GET /v1/models/{id}, GET /health
 *   POST /v1/completions   (JSON, or Server-Sent Events with `stream: true`)
 *
 * Plain `node:http`. Generations run one at a time in arrival order (queue.ts); a client that
 * disconnects cancels its generation. Bound to loopback unless told otherwise; any other address
 * requires an API key (checked in constant time). Without a key, only Host headers naming
 * loopback are served, so a web page cannot reach the server by DNS rebinding, and POSTs must be
 * JSON, which a page on another origin cannot send without a CORS preflight this server never grants.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { InklingError, toInklingError } from '../common/errors';
import type { CancelToken } from '../engine/runtime';
import { runCompletion, type ServeEngine } from './completions';
import { ApiError, badRequest, toApiError } from './errors';
import { CancelledError, FairQueue, QueueFullError } from './queue';
import { parseCompletionRequest } from './request';

export const MAX_BODY_BYTES = 1 << 20;

export interface ServeOptions {
  engine: ServeEngine;
  /** The id clients name in `model` (GET /v1/models lists it). */
  modelId: string;
  vocabSize: number;
  host?: string;
  /** 0 = any free port. */
  port?: number;
  /** Required for any host other than loopback. */
  apiKey?: string;
  /** Requests queued or running before new ones get 503 (default 32). */
  maxQueue?: number;
  log?: (message: string) => void;
}

export interface ServeHandle {
  url: string;
  port: number;
  host: string;
  queue: FairQueue;
  close(): Promise<void>;
}

const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '::1', '[::1]']);

export function isLoopback(host: string): boolean {
  return LOOPBACK_HOSTS.has(host) || /^127\.\d+\.\d+\.\d+$/.test(host);
}

/** A setting `inkling serve` cannot start with (code `bad_request`); the message names the option. */
export class ServeConfigError extends InklingError {
  constructor(message: string) {
    super('bad_request', message);
    this.name = 'ServeConfigError';
  }
}

export async function startServer(options: ServeOptions): Promise<ServeHandle> {
  const host = options.host ?? '127.0.0.1';
  const apiKey = options.apiKey ?? '';
  if (!isLoopback(host) && !apiKey) {
    throw new ServeConfigError(
      `--host ${host} would let other computers use this server: give it an --api-key (clients send it as "Authorization: Bearer <key>").`,
    );
  }
  const keyHash = apiKey ? sha256(apiKey) : null;
  const queue = new FairQueue(options.maxQueue ?? 32);
  const running = new Set<CancelToken & { cancelled: boolean }>();
  const log = options.log ?? (() => {});

  const server: Server = createServer((req, res) => {
    handle(req, res).catch((e) => {
      log(`inkling serve: ${e instanceof Error ? e.message : String(e)}`);
      if (!res.headersSent) sendError(res, toApiError(e));
      else res.end();
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const path = url.pathname.replace(/\/+$/, '') || '/';
    if (!keyHash && !hostAllowed(req.headers.host, port)) {
      throw new ApiError(
        403,
        'This server only answers requests addressed to 127.0.0.1 or localhost.',
        'invalid_request_error',
        null,
        'forbidden_host',
      );
    }
    if (keyHash) checkKey(req.headers.authorization, keyHash);

    if (path === '/health' && req.method === 'GET') return sendJson(res, 200, { status: 'ok' });
    if (path === '/v1/models' && req.method === 'GET') {
      return sendJson(res, 200, { object: 'list', data: [modelObject(options.modelId, options.engine.contextLength)] });
    }
    if (path.startsWith('/v1/models/') && req.method === 'GET') {
      const id = decodeURIComponent(path.slice('/v1/models/'.length));
      if (id !== options.modelId) throw modelNotFound(id, options.modelId);
      return sendJson(res, 200, modelObject(options.modelId, options.engine.contextLength));
    }
    if (path === '/v1/completions') {
      if (req.method !== 'POST')
        throw new ApiError(
          405,
          `Use POST for ${path}, not ${req.method}.`,
          'invalid_request_error',
          null,
          'method_not_allowed',
        );
      return completions(req, res);
    }
    if (path === '/v1/chat/completions') {
      throw new ApiError(
        404,
        'GPT-2 is not a chat model: inkling serve offers /v1/completions (send the text to continue as "prompt").',
        'invalid_request_error',
        null,
        'unknown_url',
      );
    }
    throw new ApiError(
      404,
      `Unknown request URL: ${req.method} ${path}. inkling serve offers GET /v1/models and POST /v1/completions.`,
      'invalid_request_error',
      null,
      'unknown_url',
    );
  }

  async function completions(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const type = (req.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
    if (type !== 'application/json') {
      throw badRequest(
        `Send the request body as JSON with "Content-Type: application/json" (found ${JSON.stringify(type || 'none')}).`,
        null,
        'unsupported_media_type',
      );
    }
    const body = await readJson(req);
    const plan = parseCompletionRequest(body, {
      vocabSize: options.vocabSize,
      contextLength: options.engine.contextLength,
    });
    if (plan.model !== options.modelId) throw modelNotFound(plan.model, options.modelId);

    let ticket;
    try {
      ticket = queue.admit();
    } catch (e) {
      if (e instanceof QueueFullError) throw new ApiError(503, e.message, 'server_error', null, 'server_overloaded', 1);
      throw e;
    }
    const cancel = { cancelled: false };
    running.add(cancel);
    // The socket closing before the response ends means the client went away: stop its work.
    res.on('close', () => {
      if (!res.writableFinished) {
        cancel.cancelled = true;
        queue.sweep();
      }
    });
    try {
      if (plan.stream) {
        let started = false;
        const start = () => {
          if (started) return;
          started = true;
          res.writeHead(200, {
            'Content-Type': 'text/event-stream; charset=utf-8',
            'Cache-Control': 'no-cache',
            Connection: 'keep-alive',
            'X-Accel-Buffering': 'no',
          });
        };
        try {
          // Prompts too long for the context fail before the stream starts, as a plain 400.
          await runCompletion(options.engine, plan, options.modelId, ticket, cancel, {
            chunk: (c) => {
              start();
              if (!cancel.cancelled) res.write(`data: ${JSON.stringify(c)}\n\n`);
            },
          });
          start();
          res.end('data: [DONE]\n\n');
        } catch (e) {
          if (!started || cancel.cancelled) throw e;
          // After the headers, an error travels as an event (OpenAI's clients raise it).
          res.end(`data: ${JSON.stringify(engineError(e).body())}\n\n`);
        }
      } else {
        const response = await runCompletion(options.engine, plan, options.modelId, ticket, cancel);
        sendJson(res, 200, response);
      }
    } catch (e) {
      if (e instanceof CancelledError || cancel.cancelled) {
        // The client is gone, or the server is closing: nothing more will be written.
        if (!res.writableEnded) res.destroy();
        return;
      }
      throw engineError(e);
    } finally {
      running.delete(cancel);
      ticket.release();
    }
  }

  let port = options.port ?? 0;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  port = (server.address() as AddressInfo).port;
  const shownHost = host.includes(':') ? `[${host}]` : host;
  return {
    url: `http://${shownHost}:${port}/v1`,
    port,
    host,
    queue,
    close: async () => {
      for (const c of running) c.cancelled = true;
      queue.sweep();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
      });
    },
  };
}

/** The engine's errors by their code: a request the engine refuses (bad sampling parameters, every token banned) is a 400. */
function engineError(e: unknown): ApiError {
  if (e instanceof ApiError) return e;
  const err = toInklingError(e);
  if (err.code === 'bad_request') return badRequest(err.message);
  return toApiError(e);
}

/** `max_model_len` is vLLM's field for the context length; remote clients fit their window to it. */
function modelObject(id: string, contextLength: number) {
  return { id, object: 'model', created: 0, owned_by: 'inkling', max_model_len: contextLength };
}

function modelNotFound(asked: string, served: string): ApiError {
  return new ApiError(
    404,
    `The model \`${asked}\` does not exist. This server serves \`${served}\`.`,
    'invalid_request_error',
    'model',
    'model_not_found',
  );
}

function sha256(s: string): Buffer {
  return createHash('sha256').update(s).digest();
}

function checkKey(header: string | undefined, keyHash: Buffer): void {
  const m = /^Bearer\s+(.+)$/i.exec(header ?? '');
  // Hashes have equal lengths, so the comparison takes the same time whatever the key sent.
  if (!m || !timingSafeEqual(sha256(m[1].trim()), keyHash)) {
    const message = m
      ? 'Incorrect API key provided. Use the key this server was started with (--api-key).'
      : 'You did not provide an API key. Send it as "Authorization: Bearer <key>".';
    throw new ApiError(401, message, 'invalid_request_error', null, 'invalid_api_key');
  }
}

function hostAllowed(hostHeader: string | undefined, port: number): boolean {
  if (!hostHeader) return false;
  const m = /^(\[[^\]]+\]|[^:]+)(?::(\d+))?$/.exec(hostHeader.trim().toLowerCase());
  if (!m) return false;
  return isLoopback(m[1]) && (m[2] === undefined || Number(m[2]) === port);
}

function readJson(req: IncomingMessage): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let failed = false;
    req.on('data', (c: Buffer) => {
      if (failed) return;
      size += c.length;
      if (size > MAX_BODY_BYTES) {
        failed = true;
        reject(
          new ApiError(
            413,
            `The request body is larger than ${MAX_BODY_BYTES} bytes.`,
            'invalid_request_error',
            null,
            'request_too_large',
          ),
        );
        req.resume();
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => {
      if (failed) return;
      try {
        resolve(JSON.parse(Buffer.concat(chunks).toString('utf8')));
      } catch {
        reject(
          badRequest(
            'We could not parse the JSON body of your request. The body must be valid JSON.',
            null,
            'invalid_json',
          ),
        );
      }
    });
    req.on('error', reject);
  });
}

function sendJson(res: ServerResponse, status: number, value: unknown, headers: Record<string, string> = {}): void {
  const body = JSON.stringify(value);
  res.writeHead(status, {
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': Buffer.byteLength(body),
    ...headers,
  });
  res.end(body);
}

export function sendError(res: ServerResponse, e: ApiError): void {
  const headers: Record<string, string> = {};
  if (e.retryAfter !== undefined) headers['Retry-After'] = String(e.retryAfter);
  sendJson(res, e.status, e.body(), headers);
}
