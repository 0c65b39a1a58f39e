/**
 * The engine host under Electron: `utilityProcess.fork` (a Chromium-managed Node process) speaking
 * the engine protocol over its message port. The child side is electron/engine/host/entry.ts, which
 * detects `process.parentPort`.
 */
import { utilityProcess, type UtilityProcess } from 'electron';
import type { EngineTransport } from '../engine/host/client';
import type { EngineReply, EngineRequest } from '../engine/host/protocol';

export function utilityProcessTransport(entry: string): EngineTransport {
  const child: UtilityProcess = utilityProcess.fork(entry, [], { serviceName: 'Inkling engine', stdio: 'inherit' });
  // Messages sent before the process has spawned are held back, then flushed in order.
  let spawned = false;
  const pending: EngineRequest[] = [];
  child.once('spawn', () => {
    spawned = true;
    for (const m of pending.splice(0)) child.postMessage(m);
  });
  return {
    send(msg) {
      if (spawned) child.postMessage(msg);
      else pending.push(msg);
    },
    onMessage(cb) {
      child.on('message', (m: unknown) => cb(m as EngineReply));
    },
    onExit(cb) {
      child.on('exit', (code: number) => cb(code, null));
    },
    kill() {
      child.kill();
    },
    get pid() {
      return child.pid;
    },
  };
}
