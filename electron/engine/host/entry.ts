/**
 * The engine host process. Started by `child_process.fork` (CLI, tests, web host: messages over
 * `process.send`) or by Electron's `utilityProcess.fork` (the app: messages over `process.parentPort`).
 */
import { EngineServer } from './server';
import type { EngineReply } from './protocol';
import { setAppRoot } from '../runtime/threads';

// The app's other processes (its window, the web host) are not "other programs" when the engine
// decides whether its threads may spin (runtime/threads.ts).
setAppRoot(process.ppid);

interface ParentPort {
  on(event: 'message', cb: (e: { data: unknown }) => void): void;
  postMessage(msg: unknown): void;
}

const parentPort = (process as unknown as { parentPort?: ParentPort }).parentPort;

if (parentPort) {
  const server = new EngineServer((reply: EngineReply) => parentPort.postMessage(reply));
  parentPort.on('message', (e) => server.handle(e.data));
} else if (process.send) {
  const server = new EngineServer((reply: EngineReply) => {
    process.send?.(reply);
  });
  process.on('message', (m) => server.handle(m));
  // The parent went away: nothing is left to serve.
  process.on('disconnect', () => process.exit(0));
} else {
  console.error('The Inkling engine host must be started by the app (it has no parent process to talk to).');
  process.exit(2);
}
