/**
 * HTTP for the remote client: JSON requests and Server-Sent Event streams over `fetch`, with
 * - a headers timeout (the server must start answering) and an idle timeout (a stream must keep
 *   sending), each aborting the request and reported as `timeout`;
 * - 429 / 503 retried after the server's Retry-After when it is short enough, else reported with it;
 * - every failure mapped to a RemoteError that names the server and what to do.
 */
import { createParser, type EventSourceMessage, type ParseError } from 'eventsource-parser';
import { quote, RemoteError } from './errors';

export interface HttpSettings {
  /** e.g. http://127.0.0.1:8000/v1 (no trailing slash needed). */
  baseUrl: string;
  apiKey?: string;
  /** Until the response headers arrive (default 30 s; a busy server may queue the request). */
  headersTimeoutMs: number;
  /** Longest silence inside a response body (default 60 s). */
  idleTimeoutMs: number;
  /** Retries of a 429 / 503 (default 2). */
  maxRetries: number;
  /** A Retry-After longer than this is not waited for: the error is reported with it (default 10 s). */
  maxRetryWaitMs: number;
}

class Timeout {
  constructor(readonly what: 'headers' | 'idle') {}
}

export interface OpenResponse {
  res: Response;
  /** Aborts the body read (idle timeout, cancel). */
  abort: AbortController;
}

function joinUrl(base: string, path: string): string {
  return `${base.replace(/\/+$/, '')}/${path.replace(/^\/+/, '')}`;
}

function cancelledError(): RemoteError {
  return new RemoteError('cancelled', 'The request was cancelled.');
}

/** Sends a request and returns once headers of a 2xx response arrive; everything else throws. */
export async function open(
  s: HttpSettings,
  method: 'GET' | 'POST',
  path: string,
  body: unknown,
  signal?: AbortSignal,
): Promise<OpenResponse> {
  const url = joinUrl(s.baseUrl, path);
  for (let attempt = 0; ; attempt++) {
    if (signal?.aborted) throw cancelledError();
    const abort = new AbortController();
    const onCancel = () => abort.abort();
    signal?.addEventListener('abort', onCancel, { once: true });
    const timer = setTimeout(() => abort.abort(new Timeout('headers')), s.headersTimeoutMs);
    let res: Response;
    try {
      const headers: Record<string, string> = { Accept: 'application/json, text/event-stream' };
      if (body !== undefined) headers['Content-Type'] = 'application/json';
      if (s.apiKey) headers.Authorization = `Bearer ${s.apiKey}`;
      res = await fetch(url, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: abort.signal,
      });
    } catch (e) {
      signal?.removeEventListener('abort', onCancel);
      if (signal?.aborted) throw cancelledError();
      if (abort.signal.reason instanceof Timeout) {
        throw new RemoteError(
          'timeout',
          `The server at ${s.baseUrl} did not answer within ${seconds(s.headersTimeoutMs)}. It may be overloaded or stuck; try again, or raise the timeout.`,
        );
      }
      throw unreachable(s.baseUrl, e);
    } finally {
      clearTimeout(timer);
    }
    if (res.ok) {
      // The caller's cancel keeps aborting the body read; it removes nothing else.
      return { res, abort };
    }
    signal?.removeEventListener('abort', onCancel);
    const err = await errorFromResponse(s, res, path, body);
    const wait = err.retryAfterMs ?? 1000 * 2 ** attempt;
    if (
      (err.reason === 'rate_limited' || err.reason === 'overloaded') &&
      attempt < s.maxRetries &&
      wait <= s.maxRetryWaitMs
    ) {
      await sleep(wait, signal);
      continue;
    }
    throw err;
  }
}

/** A JSON response body, read within the idle timeout. */
export async function readJson(s: HttpSettings, o: OpenResponse): Promise<unknown> {
  const text = await readAll(s, o);
  try {
    return JSON.parse(text);
  } catch {
    throw new RemoteError(
      'malformed',
      `The server at ${s.baseUrl} sent a response that is not JSON: "${quote(text, 120)}". Is this an OpenAI-compatible server?`,
    );
  }
}

async function readAll(s: HttpSettings, o: OpenResponse): Promise<string> {
  let text = '';
  for await (const chunk of bodyChunks(s, o)) text += chunk;
  return text;
}

/** The body as text chunks; a silence longer than the idle timeout, a cut or a cancel throws. */
async function* bodyChunks(s: HttpSettings, o: OpenResponse): AsyncGenerator<string> {
  const body = o.res.body;
  if (!body) return;
  const reader = body.getReader();
  const decoder = new TextDecoder();
  try {
    while (true) {
      const timer = setTimeout(() => o.abort.abort(new Timeout('idle')), s.idleTimeoutMs);
      let r: ReadableStreamReadResult<Uint8Array>;
      try {
        r = await reader.read();
      } catch (e) {
        const reason: unknown = o.abort.signal.reason;
        if (reason instanceof Timeout) {
          throw new RemoteError(
            'timeout',
            `The server at ${s.baseUrl} stopped sending for ${seconds(s.idleTimeoutMs)} in the middle of a response. It may be overloaded or stuck; try again.`,
          );
        }
        if (o.abort.signal.aborted) throw cancelledError();
        throw new RemoteError(
          'stream_cut',
          `The connection to ${s.baseUrl} broke in the middle of a response (${causeText(e)}). Try again.`,
        );
      } finally {
        clearTimeout(timer);
      }
      if (r.done) break;
      yield decoder.decode(r.value, { stream: true });
    }
    const rest = decoder.decode();
    if (rest) yield rest;
  } finally {
    reader.releaseLock();
    if (!o.abort.signal.aborted) o.abort.abort();
  }
}

/** The `data` of each Server-Sent Event; a line that is not SSE throws `malformed`. */
export async function* sseData(s: HttpSettings, o: OpenResponse): AsyncGenerator<string> {
  const type = o.res.headers.get('content-type') ?? '';
  if (!type.includes('text/event-stream')) {
    const text = await readAll(s, o).catch(() => '');
    throw new RemoteError(
      'malformed',
      `The server at ${s.baseUrl} answered a streaming request with ${type || 'no content type'} instead of an event stream${text ? `: "${quote(text, 120)}"` : ''}.`,
    );
  }
  const ready: EventSourceMessage[] = [];
  let bad: ParseError | null = null;
  const parser = createParser({
    onEvent: (e) => ready.push(e),
    onError: (e) => (bad ??= e),
    maxBufferSize: 16 << 20,
  });
  for await (const chunk of bodyChunks(s, o)) {
    parser.feed(chunk);
    if (bad) throw malformedSse(s, bad);
    for (const e of ready.splice(0)) yield e.data;
  }
  parser.reset({ consume: true });
  if (bad) throw malformedSse(s, bad);
  for (const e of ready.splice(0)) yield e.data;
}

function malformedSse(s: HttpSettings, e: ParseError): RemoteError {
  const line = e.line ?? (e.field !== undefined ? `${e.field}${e.value ? `: ${e.value}` : ''}` : '');
  return new RemoteError(
    'malformed',
    `The server at ${s.baseUrl} sent an event stream that is not valid Server-Sent Events${line ? ` ("${quote(line, 120)}")` : ''}: ${e.message}.`,
  );
}

function seconds(ms: number): string {
  return ms >= 1000 ? `${Math.round(ms / 100) / 10} s` : `${ms} ms`;
}

function causeText(e: unknown): string {
  const cause = (e as { cause?: { code?: string; message?: string } })?.cause;
  return cause?.code ?? cause?.message ?? (e instanceof Error ? e.message : String(e));
}

function unreachable(baseUrl: string, e: unknown): RemoteError {
  const code = (e as { cause?: { code?: string } })?.cause?.code;
  const why =
    code === 'ECONNREFUSED'
      ? 'nothing is listening there — is the server running, and on that port?'
      : code === 'ENOTFOUND' || code === 'EAI_AGAIN'
        ? 'that host name was not found — check the address.'
        : code === 'ECONNRESET' || code === 'UND_ERR_SOCKET'
          ? 'the connection was closed before the server answered.'
          : `${causeText(e)}.`;
  return new RemoteError('unreachable', `Cannot reach the server at ${baseUrl}: ${why}`);
}

/** Retry-After: delay-seconds or an HTTP date. */
export function parseRetryAfter(value: string | null, now = Date.now()): number | undefined {
  if (!value) return undefined;
  const v = value.trim();
  if (/^\d+$/.test(v)) return Number(v) * 1000;
  const at = Date.parse(v);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

async function errorFromResponse(s: HttpSettings, res: Response, path: string, body: unknown): Promise<RemoteError> {
  let text = '';
  try {
    text = await res.text();
  } catch {
    // The status alone still says what happened.
  }
  let said = text;
  let code: string | undefined;
  try {
    // OpenAI: {"error": {"message", "code"}}; vLLM (older): {"object": "error", "message"}; FastAPI: {"detail"}.
    const j = JSON.parse(text) as {
      error?: { message?: string; code?: string } | string;
      message?: string;
      detail?: unknown;
    };
    if (typeof j.error === 'object' && j.error) {
      said = j.error.message ?? text;
      code = j.error.code ?? undefined;
    } else if (typeof j.error === 'string') said = j.error;
    else if (typeof j.message === 'string') said = j.message;
    else if (j.detail !== undefined) said = typeof j.detail === 'string' ? j.detail : JSON.stringify(j.detail);
  } catch {
    // Not JSON: quote the text.
  }
  const status = res.status;
  const server = `The server at ${s.baseUrl}`;
  const quoted = said ? `: "${quote(said)}"` : '';
  const retryAfterMs = parseRetryAfter(res.headers.get('retry-after'));
  const model = typeof body === 'object' && body !== null ? (body as { model?: unknown }).model : undefined;
  if (status === 401 || status === 403) {
    return new RemoteError(
      'unauthorized',
      `${server} refused the API key (${status})${quoted}. Check the key set for this server.`,
      { status },
    );
  }
  if (status === 404) {
    if (code === 'model_not_found' || (typeof model === 'string' && /model/i.test(said))) {
      return new RemoteError(
        'model_not_found',
        `${server} has no model "${String(model)}"${quoted}. Choose one of the models it lists.`,
        { status },
      );
    }
    return new RemoteError(
      'not_found',
      `${server} has no ${path} endpoint (404)${quoted}. Is it OpenAI-compatible, and does the address end in /v1?`,
      { status },
    );
  }
  const after =
    retryAfterMs !== undefined ? ` Try again in ${Math.ceil(retryAfterMs / 1000)} s.` : ' Try again shortly.';
  if (status === 429)
    return new RemoteError('rate_limited', `${server} is limiting requests (429)${quoted}.${after}`, {
      status,
      retryAfterMs,
    });
  if (status === 503)
    return new RemoteError('overloaded', `${server} is busy (503)${quoted}.${after}`, { status, retryAfterMs });
  if (status >= 400 && status < 500)
    return new RemoteError('bad_request', `${server} refused the request (${status})${quoted}.`, { status });
  return new RemoteError('server_error', `${server} failed (${status})${quoted}.`, { status });
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const t = setTimeout(done, ms);
    function done() {
      signal?.removeEventListener('abort', stop);
      resolve();
    }
    function stop() {
      clearTimeout(t);
      reject(cancelledError());
    }
    signal?.addEventListener('abort', stop, { once: true });
  });
}
