/** `npm run web` as a process: the ready line on stdout, argument errors, clean exit on SIGTERM. */
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { parseWebArgs } from '../../electron/web';
import { connect } from './helpers';

const ROOT = path.resolve(__dirname, '..', '..');
const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

function run(args: string[]): { child: ChildProcess; stdout: () => string; stderr: () => string; exit: Promise<number | null> } {
  const child = spawn(process.execPath, ['--import', 'tsx', 'electron/web/main.ts', ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (err += d));
  const exit = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
  return { child, stdout: () => out, stderr: () => err, exit };
}

describe('web host process', () => {
  it('prints exactly the ready line, serves the API, and exits 0 on SIGTERM', async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'inkling-webmain-'));
    dirs.push(dataDir);
    const p = run(['--port', '0', '--data-dir', dataDir, '--no-build']);
    const start = Date.now();
    while (!p.stdout().includes('\n')) {
      if (Date.now() - start > 60_000) throw new Error(`no ready line; stderr: ${p.stderr()}`);
      await new Promise((r) => setTimeout(r, 20));
    }
    const m = /^Inkling web host ready at http:\/\/127\.0\.0\.1:(\d+)\/\n$/.exec(p.stdout());
    expect(m, p.stdout()).not.toBeNull();
    const api = connect(Number(m![1]));
    const info = await api.getAppInfo();
    expect(info).toMatchObject({ mode: 'web', dataDir });
    expect(info.version).toMatch(/^\d+\.\d+\.\d+/);
    api.close();
    p.child.kill('SIGTERM');
    expect(await p.exit).toBe(0);
    expect(p.stdout()).toBe(m![0]);
  });

  it('rejects bad arguments with usage and exit code 2', async () => {
    const p = run(['--port', 'abc']);
    expect(await p.exit).toBe(2);
    expect(p.stderr()).toMatch(/--port must be a whole number/);
    expect(p.stderr()).toMatch(/Usage: npm run web/);
  });

  it('parses all options', () => {
    expect(parseWebArgs(['--port=8080', '--model', '/m', '--data-dir', '/d', '--no-build'])).toEqual({ port: 8080, modelDir: '/m', dataDir: '/d', build: false, help: false });
    expect(() => parseWebArgs(['--model'])).toThrow(/needs a value/);
    expect(() => parseWebArgs(['--bogus'])).toThrow(/Unknown option/);
    expect(() => parseWebArgs(['--port', '70000'])).toThrow(/0 to 65535/);
  });
});
