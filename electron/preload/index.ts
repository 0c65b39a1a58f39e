/**
 * Preload (sandboxed, context-isolated): exposes `window.inkling`, one function per API operation,
 * built from the shared contract. The page never sees ipcRenderer. Arguments are validated here for
 * early errors and again in main, which does not trust the page.
 */
import { contextBridge, ipcRenderer } from 'electron';
import { IPC_EVENT_CHANNEL, ipcMethodChannel } from '../api/channels';
import { createApi, encodeErrorForBridge, type ApiTransport } from '../api/client';
import type { ReplyEnvelope } from '../api/wire';

const listeners = new Map<string, Set<(payload: unknown) => void>>();

ipcRenderer.on(IPC_EVENT_CHANNEL, (_event, message: { channel?: unknown; payload?: unknown }) => {
  if (!message || typeof message.channel !== 'string') return;
  if (message.channel === 'closeRequested' && !listeners.get('closeRequested')?.size) {
    // No page code is listening (e.g. it failed to load): nothing can be unsaved in it, so close.
    void ipcRenderer.invoke(ipcMethodChannel('confirmClose'), { proceed: true });
    return;
  }
  for (const cb of listeners.get(message.channel) ?? []) {
    try {
      cb(message.payload);
    } catch (e) {
      console.error(`inkling: a ${message.channel} listener failed`, e);
    }
  }
});

const transport: ApiTransport = {
  async call(method, args): Promise<ReplyEnvelope> {
    try {
      return (await ipcRenderer.invoke(ipcMethodChannel(method), ...args)) as ReplyEnvelope;
    } catch (e) {
      return {
        ok: false,
        error: {
          code: 'internal',
          message: `Inkling's main process did not answer ${method}: ${(e as Error).message}`,
        },
      };
    }
  },
  subscribe(channel, cb) {
    let set = listeners.get(channel);
    if (!set) listeners.set(channel, (set = new Set()));
    const fn = cb as (payload: unknown) => void;
    set.add(fn);
    return () => void set!.delete(fn);
  },
};

contextBridge.exposeInMainWorld('inkling', createApi(transport, { mapError: encodeErrorForBridge }));
