/**
 * The web host: the built renderer over HTTP and the Inkling API over a WebSocket at /api, both on
 * 127.0.0.1 only. Requests whose Host or Origin is not this server are refused, so other web pages
 * (and DNS-rebinding tricks) cannot reach the writer's files through it; every API request must also
 * carry this launch's key (electron/web/auth.ts), so other local processes and users cannot either.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket, type RawData } from 'ws';
import { WEB_API_PATH, WEB_API_SESSION_PATH } from '../api/channels';
import { contentSecurityPolicy } from '../api/csp';
import { InklingError } from '../api/errors';
import type { EventChannel, InklingEvents } from '../api/types';
import { MAX_FRAME_BYTES, parseCall, type WireEvent, type WireReply } from '../api/wire';
import { Backend, type Client } from '../services/backend/backend';
import type { EngineLike } from '../services/engine/engineManager';
import { lockDataDir, type DataDirLock } from '../services/settings/dataDirLock';
import { newToken, presentedToken, tokenMatches } from './auth';
import { serveStatic } from './static';

export interface WebHostOptions {
  /** 0 = any free port. */
  port?: number;
  dataDir: string;
  rendererDir: string;
  modelDir?: string | null;
  testHooks?: boolean;
  version?: string;
  /** The key every API request must present; a fresh random one when absent. */
  token?: string;
  /** Flow control (defaults: DEFAULT_FLOW_LIMITS). */
  limits?: Partial<FlowLimits>;
  /** Defaults to the real engine host process (electron/engine/host EngineClient). */
  createEngine?: () => EngineLike | Promise<EngineLike>;
  log?: (message: string) => void;
}

export interface WebHost {
  port: number;
  /** http://127.0.0.1:N/ — the page without its key (it will ask for one). */
  url: string;
  /** This launch's key. */
  token: string;
  /** The address to open: http://127.0.0.1:N/#token=KEY (the fragment never reaches a server log). */
  pageUrl: string;
  /** Each open connection's flow-control state (diagnostics and tests). */
  connections(): ConnectionStats[];
  backend: Backend;
  close(): Promise<void>;
}

/**
 * Flow control. A client that sent calls and never read the replies took the host to 4.9 GB and an
 * OOM kill in 16 s: now each connection holds at most `highWaterBytes` of unread replies plus the
 * replies of `maxInFlight` running calls, and at most `maxConnections` connections are open.
 */
export interface FlowLimits {
  maxConnections: number;
  /** Unread bytes (replies and events) above which the connection's calls stop being read. */
  highWaterBytes: number;
  /** Calls of one connection running at once. */
  maxInFlight: number;
  /** Unread bytes above which a connection that does not even read its events is closed. */
  eventDropBytes: number;
}

export const DEFAULT_FLOW_LIMITS: FlowLimits = {
  maxConnections: 32,
  highWaterBytes: 8 * 1024 * 1024,
  maxInFlight: 16,
  eventDropBytes: 64 * 1024 * 1024,
};

export interface ConnectionStats {
  id: string;
  /** Not reading from the socket (too much unread, or too many calls running). */
  paused: boolean;
  inFlight: number;
  /** Calls read before the pause, waiting their turn. */
  queued: number;
  bufferedBytes: number;
}

/** Calls read but not yet running, per connection, before its socket stops being read. */
const MAX_QUEUED_CALLS = 64;
const MAX_QUEUED_BYTES = 4 * 1024 * 1024;
const CANCEL_CALL = /^\s*\{[^{}]*"method"\s*:\s*"cancel(Completion|Pull|Task)"/;

function rawLength(data: RawData): number {
  if (Array.isArray(data)) return data.reduce((n, b) => n + b.length, 0);
  return data instanceof ArrayBuffer ? data.byteLength : data.length;
}

interface ConnectionFlow {
  id: string;
  inbox: { data: RawData; isBinary: boolean; bytes: number }[];
  queuedBytes: number;
  inFlight: number;
  paused: boolean;
}

async function defaultEngine(): Promise<EngineLike> {
  // Imported lazily: a host without a model never starts the engine process.
  const { EngineClient } = await import('../engine/host');
  return new EngineClient();
}

function allowedHosts(port: number): Set<string> {
  return new Set([`127.0.0.1:${port}`, `localhost:${port}`]);
}

export async function startWebHost(options: WebHostOptions): Promise<WebHost> {
  const log = options.log ?? ((m: string) => console.error(m));
  // One Inkling per data folder: a second host is refused (DataDirBusyError names the first).
  const dataLock = await lockDataDir(options.dataDir, { kind: 'web host' });
  try {
    return await serve(options, log, dataLock);
  } catch (e) {
    await dataLock.release();
    throw e;
  }
}

async function serve(options: WebHostOptions, log: (m: string) => void, dataLock: DataDirLock): Promise<WebHost> {
  const backend = await Backend.create({
    dataDir: options.dataDir,
    version: options.version ?? '0.0.0',
    platform: { mode: 'web', trustRendererPaths: true },
    testHooks: options.testHooks,
    createEngine: options.createEngine ?? defaultEngine,
    initialModelDir: options.modelDir ?? null,
    log,
  });

  const token = options.token ?? newToken();
  let port = 0;
  let csp = '';
  const server: Server = createServer((req, res) => {
    if (!allowedHosts(port).has(req.headers.host ?? '')) {
      res.writeHead(421, { 'Content-Type': 'text/plain; charset=utf-8' });
      res.end('This Inkling host only answers on 127.0.0.1.\n');
      return;
    }
    const pathname = (req.url ?? '').split('?')[0];
    if (pathname === WEB_API_PATH || pathname.startsWith(`${WEB_API_PATH}/`)) {
      // The API over HTTP is one probe: "is my key still good?" (the page asks after a reconnect
      // fails, since a browser cannot see a refused WebSocket upgrade's status).
      if (!tokenMatches(presentedToken(req), token)) {
        res.writeHead(401, { 'WWW-Authenticate': 'Bearer', 'Content-Length': 0, 'Cache-Control': 'no-store' });
        res.end();
        return;
      }
      res.writeHead(pathname === WEB_API_SESSION_PATH ? 204 : 404, {
        'Content-Length': 0,
        'Cache-Control': 'no-store',
      });
      res.end();
      return;
    }
    serveStatic(req, res, options.rendererDir, csp).catch((e: Error) => {
      log(`static: ${e.message}`);
      if (!res.headersSent) res.writeHead(500);
      res.end();
    });
  });

  const limits: FlowLimits = { ...DEFAULT_FLOW_LIMITS, ...options.limits };
  let upgrading = 0;
  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_FRAME_BYTES });
  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    const pathname = (req.url ?? '').split('?')[0];
    const hosts = allowedHosts(port);
    const origin = req.headers.origin;
    const originOk = origin === undefined || hosts.has(origin.replace(/^http:\/\//, ''));
    if (pathname !== WEB_API_PATH || !hosts.has(req.headers.host ?? '') || !originOk) {
      refuseUpgrade(socket, '403 Forbidden');
      return;
    }
    if (!tokenMatches(presentedToken(req), token)) {
      refuseUpgrade(socket, '401 Unauthorized', 'WWW-Authenticate: Bearer\r\n');
      return;
    }
    if (sockets.size + upgrading >= limits.maxConnections) {
      log(`refused a connection: ${limits.maxConnections} already open`);
      refuseUpgrade(socket, '503 Service Unavailable', 'Retry-After: 5\r\n');
      return;
    }
    // Counted from here until the handshake ends either way (a bad handshake never calls back).
    upgrading++;
    let counted = true;
    const settle = () => {
      if (counted) upgrading--;
      counted = false;
    };
    socket.once('close', settle);
    wss.handleUpgrade(req, socket, head, (ws) => {
      settle();
      onConnection(ws);
    });
  });

  let nextClient = 1;
  const sockets = new Set<WebSocket>();
  const flows = new Map<WebSocket, ConnectionFlow>();
  function onConnection(ws: WebSocket): void {
    sockets.add(ws);
    const id = `ws-${nextClient++}`;
    const flow: ConnectionFlow = { id, inbox: [], queuedBytes: 0, inFlight: 0, paused: false };
    flows.set(ws, flow);
    const afterSend = (): void => pump();
    const client: Client = {
      id,
      emit<C extends EventChannel>(channel: C, payload: InklingEvents[C]) {
        if (ws.readyState !== ws.OPEN) return;
        if (ws.bufferedAmount > limits.eventDropBytes) {
          // The client reads nothing, not even its events: stop holding memory for it. (A real page
          // reconnects; what it had unsent stays in the page.)
          log(`websocket ${id}: ${Math.round(ws.bufferedAmount / 1048576)} MB unread; closing the connection`);
          ws.terminate();
          return;
        }
        ws.send(JSON.stringify({ t: 'event', channel, payload } as WireEvent), afterSend);
      },
    };
    backend.addClient(client);
    const reply = (r: WireReply) => {
      if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(r), afterSend);
    };
    const dispatch = (data: RawData, isBinary: boolean): void => {
      if (isBinary) {
        reply({
          t: 'reply',
          id: -1,
          ok: false,
          error: { code: 'bad_request', message: 'Send calls as JSON text frames.' },
        });
        return;
      }
      const text = data.toString();
      let call;
      try {
        call = parseCall(text);
      } catch (e) {
        const err = e instanceof InklingError ? e : new InklingError('bad_request', String(e));
        reply({ t: 'reply', id: guessId(text), ok: false, error: err.toPayload() });
        return;
      }
      flow.inFlight++;
      void backend.call(call.method, call.args, client).then((r) => {
        flow.inFlight--;
        reply({ t: 'reply', id: call.id, ...r });
        pump();
      });
    };
    /**
     * Backpressure: a call is taken off the inbox only while the replies waiting to be read stay under
     * the high-water mark and few calls are running; otherwise the socket stops being read (once a
     * few calls are queued), so the client's further calls wait in its own send buffer and the
     * kernel's, not in this process.
     */
    function pump(): void {
      while (flow.inbox.length > 0 && flow.inFlight < limits.maxInFlight && ws.bufferedAmount < limits.highWaterBytes) {
        const next = flow.inbox.shift()!;
        flow.queuedBytes -= next.bytes;
        dispatch(next.data, next.isBinary);
      }
      const full = flow.inbox.length >= MAX_QUEUED_CALLS || flow.queuedBytes >= MAX_QUEUED_BYTES;
      const blocked = ws.bufferedAmount >= limits.highWaterBytes || (flow.inbox.length > 0 && full);
      if (blocked && !flow.paused) {
        flow.paused = true;
        ws.pause();
      } else if (!blocked && flow.paused) {
        flow.paused = false;
        ws.resume();
      }
    }
    ws.on('message', (data: RawData, isBinary: boolean) => {
      const bytes = rawLength(data);
      // A cancel must not wait behind the calls it cancels: it skips the queue (it is small and cheap).
      if (!isBinary && bytes < 512 && flow.inFlight >= limits.maxInFlight && CANCEL_CALL.test(data.toString())) {
        dispatch(data, false);
        return;
      }
      // Frames already read when the socket was paused still arrive here: queue them in order.
      flow.inbox.push({ data, isBinary, bytes });
      flow.queuedBytes += bytes;
      pump();
    });
    ws.on('close', () => {
      sockets.delete(ws);
      flows.delete(ws);
      flow.inbox.length = 0;
      flow.queuedBytes = 0;
      backend.removeClient(client.id);
    });
    ws.on('error', (e) => log(`websocket ${client.id}: ${e.message}`));
  }

  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(options.port ?? 0, '127.0.0.1', () => {
        server.off('error', reject);
        resolve();
      });
    });
  } catch (e) {
    await backend.dispose();
    if ((e as NodeJS.ErrnoException).code === 'EADDRINUSE')
      throw new Error(
        `Port ${options.port} on 127.0.0.1 is already in use; choose another with --port, or 0 for any free port.`,
      );
    throw e;
  }
  port = (server.address() as AddressInfo).port;
  await dataLock.update({ url: `http://127.0.0.1:${port}/` });
  csp = contentSecurityPolicy({ connectSrc: [`ws://127.0.0.1:${port}`, `ws://localhost:${port}`] });

  let closing: Promise<void> | null = null;
  return {
    port,
    url: `http://127.0.0.1:${port}/`,
    token,
    pageUrl: `http://127.0.0.1:${port}/#token=${token}`,
    connections: () =>
      [...flows].map(([ws, f]) => ({
        id: f.id,
        paused: f.paused,
        inFlight: f.inFlight,
        queued: f.inbox.length,
        bufferedBytes: ws.bufferedAmount,
      })),
    backend,
    close() {
      closing ??= (async () => {
        for (const ws of sockets) ws.terminate();
        await new Promise<void>((r) => wss.close(() => r()));
        server.closeAllConnections?.();
        await new Promise<void>((r) => server.close(() => r()));
        await backend.dispose();
        await dataLock.release();
      })();
      return closing;
    },
  };
}

function refuseUpgrade(socket: Duplex, status: string, headers = ''): void {
  socket.once('finish', () => socket.destroy());
  socket.end(`HTTP/1.1 ${status}\r\n${headers}Connection: close\r\nContent-Length: 0\r\n\r\n`);
}

/** The id of a frame that failed validation, so the client can still match the error to its call. */
function guessId(text: string): number {
  try {
    const v = JSON.parse(text) as { id?: unknown };
    return typeof v?.id === 'number' ? v.id : -1;
  } catch {
    return -1;
  }
}
