/** Shared setup for web host tests: a fixture renderer folder, a fresh data dir, raw HTTP helpers. */
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as os from 'node:os';
import * as path from 'node:path';
import WebSocket from 'ws';
import {
  connectWebSocketApi,
  type WebSocketApi,
  type WebSocketApiOptions,
  type WebSocketLike,
} from '../../electron/api';

export interface Fixture {
  root: string;
  rendererDir: string;
  dataDir: string;
  docsDir: string;
  cleanup(): void;
}

export function makeFixture(): Fixture {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'inkling-web-'));
  const rendererDir = path.join(root, 'renderer');
  fs.mkdirSync(path.join(rendererDir, 'assets'), { recursive: true });
  fs.writeFileSync(
    path.join(rendererDir, 'index.html'),
    '<!doctype html><title>Inkling</title><script type="module" src="/assets/app.js"></script>',
  );
  fs.writeFileSync(path.join(rendererDir, 'assets', 'app.js'), 'console.log("hi")');
  fs.writeFileSync(path.join(rendererDir, 'assets', 'style.css'), 'body{}');
  fs.writeFileSync(path.join(root, 'secret.txt'), 'outside the web root');
  const dataDir = path.join(root, 'data');
  const docsDir = path.join(root, 'docs');
  fs.mkdirSync(docsDir);
  return { root, rendererDir, dataDir, docsDir, cleanup: () => fs.rmSync(root, { recursive: true, force: true }) };
}

/** A client of a web host, with its key (the same client the renderer uses). */
export function connect(
  host: { port: number; token: string },
  options: Omit<WebSocketApiOptions, 'url' | 'token' | 'WebSocketImpl'> = {},
): WebSocketApi {
  return connectWebSocketApi({
    url: `ws://127.0.0.1:${host.port}/api`,
    token: host.token,
    WebSocketImpl: WebSocket as unknown as new (url: string) => WebSocketLike,
    ...options,
  });
}

/** A raw `ws` socket to a web host's API, with its key (for frames the client would never send). */
export function rawSocket(host: { port: number; token: string }, options: WebSocket.ClientOptions = {}): WebSocket {
  return new WebSocket(`ws://127.0.0.1:${host.port}/api?token=${host.token}`, options);
}

export interface RawResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/** A request with the path sent exactly as given (fetch would normalise "/../"). */
export function rawGet(
  port: number,
  rawPath: string,
  options: { method?: string; host?: string; headers?: Record<string, string> } = {},
): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        host: '127.0.0.1',
        port,
        path: rawPath,
        method: options.method ?? 'GET',
        headers: { Host: options.host ?? `127.0.0.1:${port}`, ...options.headers },
      },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (body += c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
      },
    );
    req.on('error', reject);
    req.end();
  });
}

/** Polls `check` until it returns true (no fixed sleeps). */
export async function waitUntil(check: () => boolean, what: string, timeoutMs = 30_000): Promise<void> {
  const start = Date.now();
  while (!check()) {
    if (Date.now() - start > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}
