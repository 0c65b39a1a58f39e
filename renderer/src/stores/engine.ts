/**
 * Engine status store: what the model process is doing (no model / loading / ready / crashed /
 * restarting), which model, and whether the web host connection is alive.
 */
import { createStore, type StoreApi } from 'zustand/vanilla';
import type { AppInfo, ConnectionState, EngineStatus, InklingApi, ModelInfo } from '../../../electron/api';
import { errorMessage } from '../../../electron/api';

export interface EngineStoreState {
  status: EngineStatus;
  appInfo: AppInfo | null;
  /** False while the web host connection is down (Electron: always true). */
  connected: boolean;
  /** The web host connection in detail (reconnecting, key refused, …). */
  connection: ConnectionState;
  /** Documents whose latest text is kept in this browser until the host acknowledges it. */
  unsent: number;
  /** Set when the status could not be read at all. */
  error: string | null;
  load(): Promise<void>;
  receive(status: EngineStatus): void;
  disconnected(): void;
  setConnection(state: ConnectionState): void;
  setUnsent(n: number): void;
  loadModel(dir?: string): Promise<boolean>;
}

export type EngineStore = StoreApi<EngineStoreState>;

/** "gpt2 · fp32" — model name and precision for the status bar. */
export function modelLabel(model: ModelInfo | null): string {
  return model ? `${model.name} · ${model.precision}` : 'No model';
}

export function engineStateLabel(status: EngineStatus): string {
  switch (status.state) {
    case 'no_model':
      return 'No model';
    case 'loading':
      return 'Loading…';
    case 'ready':
      return 'Ready';
    case 'crashed':
      return 'Crashed — restarting…';
    case 'restarting':
      return 'Restarting…';
  }
}

export function createEngineStore(api: Pick<InklingApi, 'getEngineStatus' | 'getAppInfo' | 'loadModel'>): EngineStore {
  return createStore<EngineStoreState>()((set) => ({
    status: { state: 'loading', model: null },
    appInfo: null,
    connected: true,
    connection: { state: 'open', reconnected: false },
    unsent: 0,
    error: null,
    async load() {
      try {
        const [appInfo, status] = await Promise.all([api.getAppInfo(), api.getEngineStatus()]);
        set({ appInfo, status, error: null });
      } catch (e) {
        set({ error: `Could not reach the Inkling host: ${errorMessage(e)}` });
      }
    },
    receive(status) {
      set({ status });
    },
    disconnected() {
      set({ connected: false });
    },
    setConnection(connection) {
      set({ connection, connected: connection.state === 'open' || connection.state === 'connecting' });
    },
    setUnsent(unsent) {
      set({ unsent });
    },
    async loadModel(dir) {
      try {
        const status = await api.loadModel(dir);
        if (status) set({ status, error: null });
        return status !== null;
      } catch (e) {
        set({ error: errorMessage(e) });
        return false;
      }
    },
  }));
}
