/** `npm run web` as a process: the ready line on stdout, argument errors, clean exit on SIGTERM. */
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { errorCode } from '../../electron/api';
import { parseWebArgs } from '../../electron/web';
import { connect } from './helpers';

const ROOT = path.resolve(__dirname, '..', '..');
const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

function run(
  args: string[],
  env: Record<string, string> = {},
): { child: ChildProcess; stdout: () => string; stderr: () => string; exit: Promise<number | null> } {
  const child = spawn(process.execPath, ['--import', 'tsx', 'electron/web/main.ts', ...args], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, INKLING_WEB_TOKEN: '', ...env },
  });
  let out = '';
  let err = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (err += d));
  const exit = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
  return { child, stdout: () => out, stderr: () => err, exit };
}

describe('web host process', () => {
  it("prints the ready line and the address with this launch's key, serves the API only with that key, and exits 0 on SIGTERM", async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'inkling-webmain-'));
    dirs.push(dataDir);
    const p = run(['--port', '0', '--data-dir', dataDir, '--no-build']);
    const start = Date.now();
    while (p.stdout().split('\n').length < 3) {
      if (Date.now() - start > 60_000) throw new Error(`no ready lines; stderr: ${p.stderr()}`);
      await new Promise((r) => setTimeout(r, 20));
    }
    const m =
      /^Inkling web host ready at http:\/\/127\.0\.0\.1:(\d+)\/\nhttp:\/\/127\.0\.0\.1:(\d+)\/#token=([A-Za-z0-9_-]{43})\n$/.exec(
        p.stdout(),
      );
    expect(m, p.stdout()).not.toBeNull();
    expect(m![2]).toBe(m![1]);
    const port = Number(m![1]);
    const token = m![3];
    expect(p.stderr()).not.toContain(token); // the key goes to the terminal's stdout only, never to logs
    const api = connect({ port, token });
    const info = await api.getAppInfo();
    expect(info).toMatchObject({ mode: 'web', dataDir });
    expect(info.version).toMatch(/^\d+\.\d+\.\d+/);
    api.close();
    const keyless = connect({ port, token: 'not-the-key' }, { reconnect: false });
    expect(errorCode(await keyless.getAppInfo().catch((e: unknown) => e))).toBe('not_allowed');
    p.child.kill('SIGTERM');
    expect(await p.exit).toBe(0);
    expect(p.stdout()).toBe(m![0]);
  });

  it('a pinned key (INKLING_WEB_TOKEN) is used, and a short one is refused', async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'inkling-webmain-'));
    dirs.push(dataDir);
    const weak = run(['--port', '0', '--data-dir', dataDir, '--no-build'], { INKLING_WEB_TOKEN: 'short' });
    expect(await weak.exit).toBe(1);
    expect(weak.stderr()).toMatch(/INKLING_WEB_TOKEN must be at least 32 characters/);
    const pinned = 'p'.repeat(40);
    const p = run(['--port', '0', '--data-dir', dataDir, '--no-build'], { INKLING_WEB_TOKEN: pinned });
    const start = Date.now();
    while (!p.stdout().includes('#token=')) {
      if (Date.now() - start > 60_000) throw new Error(`no ready lines; stderr: ${p.stderr()}`);
      await new Promise((r) => setTimeout(r, 20));
    }
    expect(p.stdout()).toContain(`#token=${pinned}\n`);
    p.child.kill('SIGTERM');
    expect(await p.exit).toBe(0);
  });

  it('a second host on the same data folder exits 1 naming the first, which keeps running', async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'inkling-webmain-'));
    dirs.push(dataDir);
    const first = run(['--port', '0', '--data-dir', dataDir, '--no-build']);
    const start = Date.now();
    while (!first.stdout().includes('#token=')) {
      if (Date.now() - start > 60_000) throw new Error(`no ready lines; stderr: ${first.stderr()}`);
      await new Promise((r) => setTimeout(r, 20));
    }
    const port = /127\.0\.0\.1:(\d+)/.exec(first.stdout())![1];
    const second = run(['--port', '0', '--data-dir', dataDir, '--no-build']);
    expect(await second.exit).toBe(1);
    expect(second.stdout()).toBe('');
    expect(second.stderr()).toContain(
      `Another Inkling is using the data folder ${dataDir}: the web host at http://127.0.0.1:${port}/ (process ${first.child.pid}`,
    );
    expect(first.child.exitCode).toBeNull();
    first.child.kill('SIGTERM');
    expect(await first.exit).toBe(0);
    expect(fs.existsSync(path.join(dataDir, 'inkling.lock'))).toBe(false);
  });

  it('rejects bad arguments with usage and exit code 2', async () => {
    const p = run(['--port', 'abc']);
    expect(await p.exit).toBe(2);
    expect(p.stderr()).toMatch(/--port must be a whole number/);
    expect(p.stderr()).toMatch(/Usage: npm run web/);
  });

  it('parses all options', () => {
    expect(parseWebArgs(['--port=8080', '--model', '/m', '--data-dir', '/d', '--no-build'])).toEqual({
      port: 8080,
      modelDir: '/m',
      dataDir: '/d',
      build: false,
      help: false,
    });
    expect(() => parseWebArgs(['--model'])).toThrow(/needs a value/);
    expect(() => parseWebArgs(['--bogus'])).toThrow(/Unknown option/);
    expect(() => parseWebArgs(['--port', '70000'])).toThrow(/0 to 65535/);
  });
});
