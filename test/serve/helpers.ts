/**
 * `inkling serve` as a user starts it (`node bin/inkling.mjs serve …`), on port 0, and the other
 * `inkling` commands run to compare with it. The server's URL is read from its "ready" line.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import path from 'node:path';

export const root = path.resolve(__dirname, '../..');
const bin = path.join(root, 'bin/inkling.mjs');

export function inkling(args: string[], env: Record<string, string> = {}) {
  const r = spawnSync(process.execPath, [bin, ...args], {
    cwd: root,
    encoding: 'utf8',
    env: { ...process.env, ...env },
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

export interface RunningServer {
  url: string;
  modelId: string;
  child: ChildProcess;
  stop(): Promise<void>;
}

/** Starts `inkling serve` and resolves once it prints its URL; rejects with its stderr if it exits first. */
export function startServe(args: string[], env: Record<string, string> = {}): Promise<RunningServer> {
  const child = spawn(process.execPath, [bin, 'serve', ...args], {
    cwd: root,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  return new Promise((resolve, reject) => {
    child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /ready at (\S+) \(model: (.+)\)\n/.exec(out);
      if (m) {
        const exited = new Promise<void>((r) => child.once('exit', () => r()));
        resolve({
          url: m[1],
          modelId: m[2],
          child,
          stop: async () => {
            if (child.exitCode === null) child.kill('SIGTERM');
            await exited;
          },
        });
      }
    });
    child.once('exit', (code) => reject(new Error(`inkling serve exited with ${code}: ${err}`)));
  });
}

/** Resolves with the exit code and output of a command that is expected to end on its own. */
export function runToExit(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, [bin, ...args], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  return new Promise((resolve) => child.once('exit', (code) => resolve({ code, stdout, stderr })));
}
