/**
 * Builds an `InklingApi` from a transport, so the Electron preload and the browser (WebSocket) get
 * the same object with one function per operation, the same argument validation and the same errors.
 */
import { EVENT_CHANNELS, METHOD_NAMES, SUBSCRIBE_NAMES, WEB_API_PATH, WEB_API_SESSION_PATH } from './channels';
import { InklingError, errorFromPayload, isApiErrorCode, type ApiErrorCode } from './errors';
import type { EventChannel, InklingApi, InklingEvents, MethodName, Unsubscribe } from './types';
import { VALIDATORS } from './validate';
import { parseServerMessage, type ReplyEnvelope, type WireCall } from './wire';

export interface ApiTransport {
  /** Sends a validated call; resolves with the server's envelope (never rejects for API errors). */
  call(method: MethodName, args: unknown[]): Promise<ReplyEnvelope>;
  subscribe<C extends EventChannel>(channel: C, cb: (payload: InklingEvents[C]) => void): Unsubscribe;
}

/**
 * Electron's contextBridge copies only an Error's message, so errors crossing it carry their code as
 * a "[code] " prefix. `errorCode` / `errorMessage` read both forms; use them in the UI.
 */
const CODE_PREFIX = /^\[([a-z_]+)\] /;

export function encodeErrorForBridge(err: InklingError): Error {
  return new Error(`[${err.code}] ${err.message}`);
}

export function errorCode(err: unknown): ApiErrorCode {
  if (err instanceof InklingError) return err.code;
  if (err && typeof err === 'object') {
    const e = err as { code?: unknown; message?: unknown };
    if (isApiErrorCode(e.code)) return e.code;
    if (typeof e.message === 'string') {
      const m = CODE_PREFIX.exec(e.message);
      if (m && isApiErrorCode(m[1])) return m[1];
    }
  }
  return 'internal';
}

export function errorMessage(err: unknown): string {
  if (err && typeof err === 'object' && typeof (err as { message?: unknown }).message === 'string') {
    return (err as { message: string }).message.replace(CODE_PREFIX, '');
  }
  return typeof err === 'string' ? err : 'Unknown error.';
}

export function createApi(
  transport: ApiTransport,
  options: { mapError?: (e: InklingError) => Error } = {},
): InklingApi {
  const mapError = options.mapError ?? ((e: InklingError) => e);
  const api: Record<string, unknown> = {};
  for (const method of METHOD_NAMES) {
    api[method] = async (...args: unknown[]) => {
      // Drop trailing undefineds so optional arguments validate the same on every transport.
      while (args.length && args[args.length - 1] === undefined) args.pop();
      let valid: unknown[];
      try {
        valid = VALIDATORS[method](args);
      } catch (e) {
        throw mapError(e instanceof InklingError ? e : new InklingError('bad_request', String(e)));
      }
      const reply = await transport.call(method, valid);
      if (reply.ok) return reply.value;
      throw mapError(errorFromPayload(reply.error));
    };
  }
  for (const channel of EVENT_CHANNELS) {
    api[SUBSCRIBE_NAMES[channel]] = (cb: (payload: unknown) => void) => {
      if (typeof cb !== 'function') throw new TypeError(`${SUBSCRIBE_NAMES[channel]} expects a callback.`);
      return transport.subscribe(channel, cb as (p: InklingEvents[typeof channel]) => void);
    };
  }
  return api as unknown as InklingApi;
}

/** The subset of the browser WebSocket (and of the `ws` package's) used here. */
export interface WebSocketLike {
  readyState: number;
  send(data: string): void;
  close(): void;
  addEventListener(type: 'open' | 'close' | 'error', cb: () => void): void;
  addEventListener(type: 'message', cb: (ev: { data: unknown }) => void): void;
}

/**
 * Where the page stands with the web host:
 *   connecting    the first connection is being made (calls wait for it);
 *   open          connected;
 *   reconnecting  the connection dropped (host stopped or restarted): retrying with backoff, calls
 *                 fail at once with a clear message (nothing waits on a host that may never return);
 *   unauthorized  the host answers but refuses this page's key (it restarted with a new one): open
 *                 the address it printed; retries continue in case it comes back with the old key;
 *   closed        close() was called.
 */
export type ConnectionState =
  | { state: 'connecting' }
  | { state: 'open'; reconnected: boolean }
  | { state: 'reconnecting'; attempt: number; retryInMs: number }
  | { state: 'unauthorized'; attempt: number; retryInMs: number }
  | { state: 'closed' };

/** What the host said about this page's key when a connection attempt failed. */
export type KeyCheck = 'ok' | 'unauthorized' | 'unreachable';

export interface WebSocketApiOptions {
  /** ws://127.0.0.1:N/api; defaults to `ws://<page host>/api` in a browser. */
  url?: string;
  /** This launch's key; sent as `?token=` on the WebSocket URL (browsers cannot set headers there). */
  token?: string | null;
  /** In Node (tests), the `ws` package's constructor. */
  WebSocketImpl?: new (url: string) => WebSocketLike;
  /** Reconnect when the connection drops (default true). */
  reconnect?: boolean;
  /** Delay before the first retry, doubling up to `maxDelayMs` (defaults 250 ms and 5 s). */
  initialDelayMs?: number;
  maxDelayMs?: number;
  /**
   * Asks the host whether the key is still good after an attempt failed (a browser cannot read a
   * refused upgrade's status). Default: GET /api/session with `Authorization: Bearer <key>` via fetch.
   */
  checkKey?: () => Promise<KeyCheck>;
}

export interface WebSocketApi extends InklingApi {
  /** Resolves once the socket is first open (calls made earlier are queued); rejects if the key is refused or close() is called first. */
  ready: Promise<void>;
  /** Closes the socket for good; pending calls reject with 'internal' "connection closed". */
  close(): void;
  /** Called when an open connection drops (e.g. the host stopped). */
  onDisconnect(cb: () => void): Unsubscribe;
  readonly connection: ConnectionState;
  /** Every change of `connection`. */
  onConnectionChange(cb: (state: ConnectionState) => void): Unsubscribe;
}

const LOST =
  'The connection to the Inkling host was lost before it answered; this may or may not have been done. Inkling is reconnecting.';
const OFFLINE =
  'Not connected to the Inkling host (it stopped or restarted). Inkling is reconnecting; your text is kept in this page meanwhile.';
const REFUSED =
  'The Inkling host refused this page’s key: it was restarted with a new one. Open the address that `npm run web` printed (it ends in #token=…); your unsent text is kept in this browser.';

/** http(s)://host/api/session from ws(s)://host/api… */
function sessionUrl(wsUrl: string): string {
  const u = new URL(wsUrl);
  u.protocol = u.protocol === 'wss:' ? 'https:' : 'http:';
  u.pathname = WEB_API_SESSION_PATH;
  u.search = '';
  return u.toString();
}

function fetchKeyCheck(wsUrl: string, token: string | null): () => Promise<KeyCheck> {
  return async () => {
    const f = (
      globalThis as {
        fetch?: (url: string, init: { headers: Record<string, string>; cache: string }) => Promise<{ status: number }>;
      }
    ).fetch;
    if (!f) return 'unreachable';
    try {
      const res = await f(sessionUrl(wsUrl), {
        headers: token ? { Authorization: `Bearer ${token}` } : {},
        cache: 'no-store',
      });
      return res.status === 401 ? 'unauthorized' : res.status < 300 ? 'ok' : 'unreachable';
    } catch {
      return 'unreachable';
    }
  };
}

/**
 * Connects to the web host and keeps connecting: when the connection drops, it retries with backoff
 * (250 ms doubling to 5 s) until the host is back, then says so through `onConnectionChange`
 * ('open' with `reconnected: true`) so the page can resend what the host has not acknowledged.
 */
export function connectWebSocketApi(options: WebSocketApiOptions = {}): WebSocketApi {
  const g = globalThis as unknown as {
    WebSocket?: new (url: string) => WebSocketLike;
    location?: { host: string; protocol: string };
  };
  const Impl = options.WebSocketImpl ?? g.WebSocket;
  if (!Impl) throw new Error('No WebSocket implementation available.');
  const base =
    options.url ?? `${g.location?.protocol === 'https:' ? 'wss' : 'ws'}://${g.location?.host}${WEB_API_PATH}`;
  const token = options.token ?? null;
  const target = token ? `${base}${base.includes('?') ? '&' : '?'}token=${encodeURIComponent(token)}` : base;
  const checkKey = options.checkKey ?? fetchKeyCheck(base, token);
  const reconnect = options.reconnect ?? true;
  const initialDelay = options.initialDelayMs ?? 250;
  const maxDelay = options.maxDelayMs ?? 5000;

  let socket: WebSocketLike | null = null;
  let state: ConnectionState = { state: 'connecting' };
  let everOpen = false;
  let attempt = 0;
  let retryTimer: ReturnType<typeof setTimeout> | null = null;
  let nextId = 1;
  const pending = new Map<number, (r: ReplyEnvelope) => void>();
  const queue: string[] = [];
  const listeners = new Map<string, Set<(p: unknown) => void>>();
  const disconnectListeners = new Set<() => void>();
  const stateListeners = new Set<(s: ConnectionState) => void>();

  let resolveReady!: () => void;
  let rejectReady!: (e: Error) => void;
  const ready = new Promise<void>((resolve, reject) => {
    resolveReady = resolve;
    rejectReady = reject;
  });
  ready.catch(() => undefined); // a failed connection surfaces through the calls instead

  const isClosed = (): boolean => state.state === 'closed';
  const setState = (next: ConnectionState): void => {
    state = next;
    for (const cb of [...stateListeners]) cb(next);
  };
  const failAll = (message: string, which: Iterable<(r: ReplyEnvelope) => void>): void => {
    const code = message === REFUSED ? 'not_allowed' : 'internal';
    for (const done of which) done({ ok: false, error: { code, message } });
  };

  const onMessage = (ev: { data: unknown }): void => {
    if (typeof ev.data !== 'string') return;
    const msg = parseServerMessage(ev.data);
    if (!msg) return;
    if (msg.t === 'reply') {
      const done = pending.get(msg.id);
      pending.delete(msg.id);
      done?.(msg.ok ? { ok: true, value: msg.value } : { ok: false, error: msg.error });
    } else {
      for (const cb of listeners.get(msg.channel) ?? []) cb(msg.payload);
    }
  };

  const scheduleRetry = async (): Promise<void> => {
    if (state.state === 'closed') return;
    attempt++;
    const retryInMs = Math.min(maxDelay, initialDelay * 2 ** Math.min(attempt - 1, 16));
    const keyWasRefused = state.state === 'unauthorized';
    if (!keyWasRefused) setState({ state: 'reconnecting', attempt, retryInMs });
    // Ask whether the key is still good only when the host may be there to answer: the first drop
    // is usually the host going away, and a refused key shows on the next attempt.
    const check = attempt > 1 || !everOpen ? await checkKey() : 'unreachable';
    if (isClosed()) return; // close() was called while we asked
    if (check === 'unauthorized') {
      setState({ state: 'unauthorized', attempt, retryInMs });
      if (!everOpen) {
        // Nothing will ever answer the calls made so far with this key.
        const waiting = [...pending.values()];
        pending.clear();
        queue.length = 0;
        queuedIds.clear();
        failAll(REFUSED, waiting);
        rejectReady(new InklingError('not_allowed', REFUSED));
      }
    } else if (keyWasRefused || state.state !== 'reconnecting' || state.attempt !== attempt) {
      setState({ state: 'reconnecting', attempt, retryInMs });
    }
    if (!reconnect) {
      shutdown(check === 'unauthorized' ? REFUSED : `Could not connect to the Inkling host at ${base}.`);
      return;
    }
    retryTimer = setTimeout(open, retryInMs);
    (retryTimer as { unref?: () => void }).unref?.();
  };

  function open(): void {
    retryTimer = null;
    const ws = new Impl!(target);
    socket = ws;
    let opened = false;
    ws.addEventListener('open', () => {
      if (socket !== ws) return;
      opened = true;
      attempt = 0;
      const reconnected = everOpen;
      everOpen = true;
      for (const frame of queue.splice(0)) ws.send(frame);
      queuedIds.clear();
      resolveReady();
      setState({ state: 'open', reconnected });
    });
    ws.addEventListener('message', onMessage);
    ws.addEventListener('error', () => undefined); // 'close' follows
    ws.addEventListener('close', () => {
      if (socket !== ws || state.state === 'closed') return;
      socket = null;
      // Say so before failing the calls, so their handlers see the connection as gone.
      if (opened) setState({ state: 'reconnecting', attempt: attempt + 1, retryInMs: initialDelay });
      // Calls sent on this socket will never be answered.
      const lost = [...pending.entries()].filter(([, done]) => !queuedIds.has(done));
      for (const [id] of lost) pending.delete(id);
      failAll(
        LOST,
        lost.map(([, done]) => done),
      );
      if (opened) for (const cb of [...disconnectListeners]) cb();
      if (!reconnect && opened) {
        shutdown(LOST);
        return;
      }
      void scheduleRetry();
    });
  }

  /** Calls waiting for the first connection (not yet sent). */
  const queuedIds = new Set<(r: ReplyEnvelope) => void>();

  function shutdown(message: string): void {
    if (retryTimer) clearTimeout(retryTimer);
    retryTimer = null;
    const waiting = [...pending.values()];
    pending.clear();
    queue.length = 0;
    queuedIds.clear();
    failAll(message, waiting);
    rejectReady(new InklingError(message === REFUSED ? 'not_allowed' : 'internal', message));
    setState({ state: 'closed' });
  }

  const transport: ApiTransport = {
    call(method, args) {
      if (state.state === 'closed') {
        return Promise.resolve({
          ok: false,
          error: { code: 'internal', message: 'The connection to the Inkling host is closed.' },
        });
      }
      if (state.state === 'unauthorized')
        return Promise.resolve({ ok: false, error: { code: 'not_allowed', message: REFUSED } });
      const open = socket !== null && socket.readyState === 1;
      if (!open && everOpen) return Promise.resolve({ ok: false, error: { code: 'internal', message: OFFLINE } });
      const id = nextId++;
      const frame: WireCall = { t: 'call', id, method, args };
      const data = JSON.stringify(frame);
      return new Promise<ReplyEnvelope>((resolve) => {
        pending.set(id, resolve);
        if (open) socket!.send(data);
        else {
          // Before the first connection: wait for it (the page makes its first calls right away).
          queuedIds.add(resolve);
          queue.push(data);
        }
      });
    },
    subscribe(channel, cb) {
      let set = listeners.get(channel);
      if (!set) listeners.set(channel, (set = new Set()));
      const fn = cb as (p: unknown) => void;
      set.add(fn);
      return () => void set!.delete(fn);
    },
  };
  const api = createApi(transport) as WebSocketApi;
  api.ready = ready;
  api.close = () => {
    if (state.state === 'closed') return;
    const ws = socket;
    socket = null;
    shutdown('The connection to the Inkling host closed.');
    ws?.close();
  };
  api.onDisconnect = (cb) => {
    disconnectListeners.add(cb);
    return () => void disconnectListeners.delete(cb);
  };
  Object.defineProperty(api, 'connection', { get: () => state, enumerable: true });
  api.onConnectionChange = (cb) => {
    stateListeners.add(cb);
    return () => void stateListeners.delete(cb);
  };
  open();
  return api;
}
