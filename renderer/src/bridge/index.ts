/**
 * Where the renderer gets its `InklingApi`: `window.inkling` when the Electron preload exposed it,
 * otherwise a WebSocket client to the web host that served this page (ws://<page host>/api).
 * The renderer imports nothing else from electron/ — only this contract.
 */
import { WEB_API_PATH, connectWebSocketApi, type InklingApi, type Unsubscribe, type WebSocketApi } from '../../../electron/api';

export type { InklingApi } from '../../../electron/api';
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
}

let bridge: Bridge | null = null;

function webSocketUrl(): string {
  const { protocol, host } = window.location;
  return `${protocol === 'https:' ? 'wss' : 'ws'}://${host}${WEB_API_PATH}`;
}

export function getBridge(): Bridge {
  if (bridge) return bridge;
  if (window.inkling) {
    bridge = { api: window.inkling, mode: 'electron', onDisconnect: () => () => undefined };
  } else {
    const ws: WebSocketApi = connectWebSocketApi(webSocketUrl());
    bridge = { api: ws, mode: 'web', onDisconnect: (cb) => ws.onDisconnect(cb) };
  }
  return bridge;
}
