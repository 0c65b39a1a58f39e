/**
 * A small HTTP proxy on 127.0.0.1 in front of a real server that injects faults on request:
 * answer with a status (429 / 503 with Retry-After, …) a number of times, cut a stream after N
 * events, send a raw body instead (malformed SSE), never answer, or answer then fall silent.
 * Everything else is forwarded byte for byte.
 */
import { createServer, request, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export type Fault =
  | { kind: 'status'; status: number; headers?: Record<string, string>; body?: string; times: number }
  | { kind: 'cut-after-events'; events: number }
  | { kind: 'end-after-events'; events: number }
  | { kind: 'raw'; contentType: string; body: string }
  | { kind: 'hang-before-headers' }
  | { kind: 'hang-after-events'; events: number }
  /** A server that does not know these body fields: 400 for any request that sends one (e.g. echo: Ollama-like). */
  | { kind: 'refuse-fields'; fields: string[] };

export interface FaultProxy {
  url: string;
  /** Requests seen, by method and path. */
  seen: string[];
  /** Faults apply to POST /v1/completions only, so probing works unless a test says otherwise. */
  fault: Fault | null;
  faultAll: boolean;
  close(): Promise<void>;
}

export async function startFaultProxy(upstream: { port: number }): Promise<FaultProxy> {
  const sockets = new Set<import('node:net').Socket>();
  const state: FaultProxy = { url: '', seen: [], fault: null, faultAll: false, close: async () => {} };

  const server: Server = createServer((req, res) => {
    state.seen.push(`${req.method} ${req.url}`);
    const f = state.fault;
    const applies = f && (state.faultAll || (req.method === 'POST' && req.url?.startsWith('/v1/completions')));
    if (!applies || !f) return forward(req, res, null);
    switch (f.kind) {
      case 'status': {
        if (--f.times <= 0) state.fault = null;
        req.resume();
        res.writeHead(f.status, { 'Content-Type': 'application/json', ...f.headers });
        res.end(
          f.body ??
            JSON.stringify({
              error: { message: `injected ${f.status}`, type: 'server_error', param: null, code: null },
            }),
        );
        return;
      }
      case 'raw':
        req.resume();
        res.writeHead(200, { 'Content-Type': f.contentType });
        res.end(f.body);
        return;
      case 'hang-before-headers':
        req.resume();
        return; // never answers
      case 'refuse-fields': {
        const chunks: Buffer[] = [];
        req.on('data', (c: Buffer) => chunks.push(c));
        req.on('end', () => {
          const raw = Buffer.concat(chunks);
          let body: Record<string, unknown> = {};
          try {
            body = JSON.parse(raw.toString('utf8')) as Record<string, unknown>;
          } catch {
            // Not JSON: forwarded as it came.
          }
          const refused = f.fields.find((k) => k in body);
          if (refused) {
            res.writeHead(400, { 'Content-Type': 'application/json' });
            res.end(
              JSON.stringify({
                error: {
                  message: `unknown parameter ${refused}`,
                  type: 'invalid_request_error',
                  param: refused,
                  code: null,
                },
              }),
            );
          } else forwardBody(req, res, raw);
        });
        return;
      }
      case 'cut-after-events':
      case 'end-after-events':
      case 'hang-after-events':
        return forward(req, res, f);
    }
  });

  function forward(req: IncomingMessage, res: ServerResponse, f: Extract<Fault, { events: number }> | null): void {
    const up = request(
      {
        host: '127.0.0.1',
        port: upstream.port,
        method: req.method,
        path: req.url,
        headers: { ...req.headers, host: `127.0.0.1:${upstream.port}` },
      },
      (upRes) => {
        res.writeHead(upRes.statusCode ?? 502, upRes.headers);
        res.flushHeaders();
        let events = 0;
        upRes.on('data', (chunk: Buffer) => {
          if (f && events >= f.events) return;
          const text = chunk.toString('utf8');
          // Forward whole events until the limit, then cut the socket or fall silent.
          const parts = text.split(/(?<=\n\n)/);
          for (const part of parts) {
            if (events >= (f?.events ?? Infinity)) break;
            res.write(part);
            if (part.endsWith('\n\n')) events++;
          }
          if (f && events >= f.events) {
            // Closing the socket after the written events flush: the chunked body never ends.
            if (f.kind === 'cut-after-events') res.socket?.end();
            // A clean end of the body, as a proxy that gives up on a long response might send.
            if (f.kind === 'end-after-events') res.end();
            up.destroy();
          }
        });
        upRes.on('end', () => {
          if (!f) res.end();
        });
      },
    );
    up.on('error', () => res.socket?.destroy());
    req.pipe(up);
  }

  /** Forwards a request whose body was already read. */
  function forwardBody(req: IncomingMessage, res: ServerResponse, body: Buffer): void {
    const up = request(
      {
        host: '127.0.0.1',
        port: upstream.port,
        method: req.method,
        path: req.url,
        headers: { ...req.headers, host: `127.0.0.1:${upstream.port}` },
      },
      (upRes) => {
        res.writeHead(upRes.statusCode ?? 502, upRes.headers);
        upRes.pipe(res);
      },
    );
    up.on('error', () => res.socket?.destroy());
    up.end(body);
  }

  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  state.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
  state.close = () =>
    new Promise<void>((resolve) => {
      for (const s of sockets) s.destroy();
      server.close(() => resolve());
    });
  return state;
}
