/**
 * ipcMain wiring: one handler per API method, each checking that the call comes from the app's own
 * top-level page, then handing the raw arguments to the shared dispatcher (which validates them).
 */
import { ipcMain, type IpcMainInvokeEvent, type WebContents } from 'electron';
import { IPC_EVENT_CHANNEL, METHOD_NAMES, ipcMethodChannel } from '../api/channels';
import type { MethodName } from '../api/types';
import type { ReplyEnvelope } from '../api/wire';
import type { Backend, Client } from '../services/backend/backend';
import { isAppUrl } from './security';

/** Methods after which the recent-files menu may need rebuilding. */
const RECENT_CHANGING = new Set<MethodName>(['openDocument', 'saveDocument', 'saveDocumentAs', 'clearRecentFiles']);

export function clientId(contents: WebContents): string {
  return `wc-${contents.id}`;
}

export function clientFor(contents: WebContents): Client {
  return {
    id: clientId(contents),
    emit(channel, payload) {
      if (!contents.isDestroyed()) contents.send(IPC_EVENT_CHANNEL, { channel, payload });
    },
  };
}

function trustedSender(event: IpcMainInvokeEvent): boolean {
  const frame = event.senderFrame;
  return Boolean(frame && frame.parent === null && isAppUrl(frame.url));
}

export function wireIpc(backend: Backend, onRecentChanged: () => void): void {
  for (const method of METHOD_NAMES) {
    ipcMain.handle(ipcMethodChannel(method), async (event, ...args: unknown[]): Promise<ReplyEnvelope> => {
      if (!trustedSender(event)) {
        return {
          ok: false,
          error: {
            code: 'not_allowed',
            message: `Blocked ${method}: the request did not come from Inkling's own page.`,
          },
        };
      }
      const reply = await backend.call(method, args, clientFor(event.sender));
      if (reply.ok && RECENT_CHANGING.has(method)) onRecentChanged();
      return reply;
    });
  }
}
