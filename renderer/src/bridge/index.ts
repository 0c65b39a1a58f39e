/**
 * Where the renderer gets its `InklingApi`: `window.inkling` when the Electron preload exposed it,
 * otherwise a WebSocket client to the web host that served this page (ws://<page host>/api), which
 * presents the launch key the page was opened with and reconnects when the host comes back.
 * The renderer imports nothing else from electron/ — only this contract.
 */
import {
  WEB_API_PATH,
  WEB_TOKEN_STORAGE_KEY,
  connectWebSocketApi,
  type ConnectionState,
  type InklingApi,
  type Unsubscribe,
  type WebSocketApi,
} from '../../../electron/api';

import { keepUnsent } from './keepUnsent';
import { openPendingEdits } from './pendingEdits';

export type { InklingApi, ConnectionState } from '../../../electron/api';
export { errorCode, errorMessage } from '../../../electron/api';

declare global {
  interface Window {
    /** Set by the Electron preload (contextBridge); absent in a browser. */
    inkling?: InklingApi;
  }
}

export interface Bridge {
  api: InklingApi;
  mode: 'electron' | 'web';
  /** Called when the web host connection drops (never in Electron). */
  onDisconnect(cb: () => void): Unsubscribe;
  /** The web host connection (Electron: always open). */
  connection(): ConnectionState;
  onConnectionChange(cb: (state: ConnectionState) => void): Unsubscribe;
  /** Web: documents whose latest text is kept in this browser until the host acknowledges it. */
  unsentCount(): number;
  onUnsentChange(cb: (n: number) => void): Unsubscribe;
}

let bridge: Bridge | null = null;

function webSocketUrl(): string {
  const { protocol, host } = window.location;
  return `${protocol === 'https:' ? 'wss' : 'ws'}://${host}${WEB_API_PATH}`;
}

/**
 * The launch key: from `#token=` (or `?token=`) in the address the writer opened, then kept in this
 * tab's sessionStorage (this origin only; no cookie another site could ride on) and taken out of the
 * address bar so it does not end up in history, bookmarks or screenshots.
 */
export function takeWebToken(): string | null {
  const url = new URL(window.location.href);
  const fromHash = new URLSearchParams(url.hash.replace(/^#/, '')).get('token');
  const fromQuery = url.searchParams.get('token');
  const given = fromHash ?? fromQuery;
  let stored: string | null = null;
  try {
    if (given) sessionStorage.setItem(WEB_TOKEN_STORAGE_KEY, given);
    stored = sessionStorage.getItem(WEB_TOKEN_STORAGE_KEY);
  } catch {
    // Storage disabled: the key lives only as long as this page.
  }
  if (given) {
    url.searchParams.delete('token');
    url.hash = '';
    history.replaceState(history.state, '', url.pathname + url.search);
  }
  return given ?? stored;
}

const OPEN: ConnectionState = { state: 'open', reconnected: false };

export function getBridge(): Bridge {
  if (bridge) return bridge;
  if (window.inkling) {
    bridge = {
      api: window.inkling,
      mode: 'electron',
      onDisconnect: () => () => undefined,
      connection: () => OPEN,
      onConnectionChange: () => () => undefined,
      unsentCount: () => 0,
      onUnsentChange: () => () => undefined,
    };
  } else {
    const token = takeWebToken();
    const ws: WebSocketApi = connectWebSocketApi({ url: webSocketUrl(), token });
    const kept = keepUnsent(ws, openPendingEdits(), (m) => console.warn(`inkling: ${m}`));
    bridge = {
      api: kept.api,
      mode: 'web',
      onDisconnect: (cb) => ws.onDisconnect(cb),
      connection: () => ws.connection,
      onConnectionChange: (cb) => ws.onConnectionChange(cb),
      unsentCount: () => kept.count(),
      onUnsentChange: (cb) => kept.onCountChange(cb),
    };
  }
  return bridge;
}
