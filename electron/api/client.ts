/**
 * Builds an `InklingApi` from a transport, so the Electron preload and the browser (WebSocket) get
 * the same object with one function per operation, the same argument validation and the same errors.
 */
import { EVENT_CHANNELS, METHOD_NAMES, SUBSCRIBE_NAMES, WEB_API_PATH } from './channels';
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

export function createApi(transport: ApiTransport, options: { mapError?: (e: InklingError) => Error } = {}): InklingApi {
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

export interface WebSocketApi extends InklingApi {
  /** Resolves once the socket is open (calls made earlier are queued). */
  ready: Promise<void>;
  /** Closes the socket; pending calls reject with 'internal' "connection closed". */
  close(): void;
  /** Called when the connection drops (e.g. the host stopped). */
  onDisconnect(cb: () => void): Unsubscribe;
}

/**
 * Connects to the web host. `url` defaults to `ws://<page host>/api` in a browser.
 * In Node (tests), pass the `ws` package's constructor as `WebSocketImpl`.
 */
export function connectWebSocketApi(
  url?: string,
  WebSocketImpl?: new (url: string) => WebSocketLike,
): WebSocketApi {
  const g = globalThis as unknown as { WebSocket?: new (url: string) => WebSocketLike; location?: { host: string; protocol: string } };
  const Impl = WebSocketImpl ?? g.WebSocket;
  if (!Impl) throw new Error('No WebSocket implementation available.');
  const target = url ?? `${g.location?.protocol === 'https:' ? 'wss' : 'ws'}://${g.location?.host}${WEB_API_PATH}`;
  const socket = new Impl(target);
  let nextId = 1;
  let closed = false;
  const pending = new Map<number, (r: ReplyEnvelope) => void>();
  const queue: string[] = [];
  const listeners = new Map<string, Set<(p: unknown) => void>>();
  const disconnectListeners = new Set<() => void>();

  const ready = new Promise<void>((resolve, reject) => {
    socket.addEventListener('open', () => {
      for (const frame of queue.splice(0)) socket.send(frame);
      resolve();
    });
    socket.addEventListener('error', () => reject(new InklingError('internal', `Could not connect to the Inkling host at ${target}.`)));
  });
  ready.catch(() => undefined); // a failed connection surfaces through the calls instead

  socket.addEventListener('message', (ev) => {
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
  });
  socket.addEventListener('close', () => {
    closed = true;
    for (const done of pending.values()) {
      done({ ok: false, error: { code: 'internal', message: 'The connection to the Inkling host closed. Reload the page once the host runs again.' } });
    }
    pending.clear();
    for (const cb of disconnectListeners) cb();
  });

  const transport: ApiTransport = {
    call(method, args) {
      if (closed) {
        return Promise.resolve({ ok: false, error: { code: 'internal', message: 'The connection to the Inkling host is closed.' } });
      }
      const id = nextId++;
      const frame: WireCall = { t: 'call', id, method, args };
      const data = JSON.stringify(frame);
      return new Promise<ReplyEnvelope>((resolve) => {
        pending.set(id, resolve);
        if (socket.readyState === 1) socket.send(data);
        else queue.push(data);
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
  api.close = () => socket.close();
  api.onDisconnect = (cb) => {
    disconnectListeners.add(cb);
    return () => void disconnectListeners.delete(cb);
  };
  return api;
}
