/**
 * What `npm run bench:typing` measures against: a tiny random-weight GPT-2 (made with the project's
 * own `inkling make-test-model` + `inkling convert`, as the e2e fixtures do — the model's speed is not
 * what is measured) and the web host `npm run web` starts, on a port of its choosing with a fresh
 * data folder. The renderer is built first when stale, then the host runs with --no-build.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { buildRenderer, rendererBuildReason } from '../../electron/web/rendererBuild';

const run = promisify(execFile);

/** 2 layers, 64 wide, 4 heads, the real GPT-2 vocabulary: ~30 MB, made in about a second. */
export async function makeTinyModel(root: string, dir: string): Promise<string> {
  const cli = path.join(root, 'bin', 'inkling.mjs');
  const ckpt = path.join(dir, 'checkpoint');
  const out = path.join(dir, 'tiny-gpt2');
  await run(
    process.execPath,
    [cli, 'make-test-model', '--out', ckpt, '--layers', '2', '--embd', '64', '--heads', '4'],
    {
      cwd: root,
    },
  );
  await run(process.execPath, [cli, 'convert', ckpt, '--out', out], { cwd: root });
  return out;
}

export async function ensureRenderer(root: string, log: (line: string) => void): Promise<void> {
  const reason = await rendererBuildReason(root);
  if (!reason) return;
  log(`building the renderer (${reason})`);
  await buildRenderer(root);
}

export interface RunningHost {
  /** The address to open, with this launch's key. */
  pageUrl: string;
  stop(): Promise<void>;
}

/** `node --import tsx electron/web/main.ts` (what `npm run web` runs), not through npm, so a signal reaches it. */
export async function startHost(opts: { root: string; modelDir: string; dataDir: string }): Promise<RunningHost> {
  const child: ChildProcess = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      'electron/web/main.ts',
      '--port',
      '0',
      '--data-dir',
      opts.dataDir,
      '--no-build',
      '--model',
      opts.modelDir,
    ],
    { cwd: opts.root, env: { ...process.env, INKLING_WEB_TOKEN: '' }, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-8000)));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const pageUrl = await new Promise<string>((resolve, reject) => {
    let stdout = '';
    const timer = setTimeout(() => reject(new Error(`the web host was not ready within 60 s\n${stderr}`)), 60_000);
    child.stdout!.on('data', (d: Buffer) => {
      stdout += d.toString();
      const m = /^Inkling web host ready at \S+\n(http:\/\/127\.0\.0\.1:\d+\/#token=\S+)\n/.exec(stdout);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    });
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`the web host exited (${signal ?? code}) before it was ready\n${stderr}`));
    });
  });
  return {
    pageUrl,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const force = setTimeout(() => child.kill('SIGKILL'), 8000);
      await exited;
      clearTimeout(force);
    },
  };
}
