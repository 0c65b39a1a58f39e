/**
 * One Inkling per data folder: the lock file taken by the web host, `inkling pull` and the desktop
 * app. A second host on the same folder is refused with a message naming the first; a lock left by a
 * killed process is taken over; separate folders do not interfere.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { InklingError } from '../../electron/common/errors';
import { DataDirBusyError, dataDirLockPath, lockDataDir, readDataDirLock } from '../../electron/services/settings';
import { startWebHost, type WebHost } from '../../electron/web';
import { connect, makeFixture, type Fixture } from './helpers';

const fixtures: Fixture[] = [];
const hosts: WebHost[] = [];
afterEach(async () => {
  for (const h of hosts.splice(0)) await h.close();
  for (const f of fixtures.splice(0)) f.cleanup();
});

function fixture(): Fixture {
  const fx = makeFixture();
  fixtures.push(fx);
  return fx;
}

async function host(fx: Fixture, dataDir = fx.dataDir): Promise<WebHost> {
  const h = await startWebHost({
    port: 0,
    dataDir,
    rendererDir: fx.rendererDir,
    log: () => undefined,
    createEngine: () => {
      throw new Error('no engine');
    },
  });
  hosts.push(h);
  return h;
}

/** The pid of a process that has exited (and been reaped). */
async function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ['-e', '']);
  const pid = child.pid!;
  await new Promise((r) => child.once('exit', r));
  return pid;
}

describe('data folder lock', () => {
  it('refuses a second web host on the same data folder, naming the first; the first keeps working', async () => {
    const fx = fixture();
    const first = await host(fx);
    const api = connect(first);
    await api.updateSettings({ theme: 'dark' });
    const err = await host(fx).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DataDirBusyError);
    expect(err).toBeInstanceOf(InklingError);
    expect((err as InklingError).code).toBe('busy');
    const msg = (err as Error).message;
    expect(msg).toContain(fx.dataDir);
    expect(msg).toContain(`the web host at http://127.0.0.1:${first.port}/ (process ${process.pid}`);
    expect(msg).toMatch(/--data-dir/);
    expect(msg).not.toContain(first.token); // the lock file and the message never carry the key
    expect(fs.readFileSync(dataDirLockPath(fx.dataDir), 'utf8')).not.toContain(first.token);
    // The refused one changed nothing.
    expect((await api.getSettings()).theme).toBe('dark');
    api.close();
  });

  it('is released on close, so the next host starts', async () => {
    const fx = fixture();
    const first = await host(fx);
    await first.close();
    hosts.splice(hosts.indexOf(first), 1);
    expect(fs.existsSync(dataDirLockPath(fx.dataDir))).toBe(false);
    const second = await host(fx);
    expect(await readDataDirLock(fx.dataDir)).toMatchObject({ pid: process.pid, kind: 'web host', url: second.url });
  });

  it('takes over a lock whose process is gone (a crash or SIGKILL leaves it behind)', async () => {
    const fx = fixture();
    fs.mkdirSync(fx.dataDir, { recursive: true });
    const pid = await deadPid();
    fs.writeFileSync(
      dataDirLockPath(fx.dataDir),
      JSON.stringify({ pid, host: os.hostname(), kind: 'web host', since: '2020-01-01T00:00:00.000Z' }),
    );
    const h = await host(fx);
    expect(await readDataDirLock(fx.dataDir)).toMatchObject({ pid: process.pid, url: h.url });
  });

  it('a live holder of any kind blocks, and the message says what to do', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'inkling-lock-'));
    try {
      const pull = await lockDataDir(dir, { kind: 'inkling pull' });
      const err = await lockDataDir(dir, { kind: 'desktop app' }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(DataDirBusyError);
      expect((err as Error).message).toMatch(/the inkling pull \(process \d+/);
      expect((err as Error).message).toMatch(/Wait for it to finish/);
      await pull.release();
      await pull.release(); // twice is harmless
      const app = await lockDataDir(dir, { kind: 'desktop app' });
      await app.release();
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('a torn lock file (crash mid-write) blocks only while it is fresh', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'inkling-lock-'));
    try {
      const file = dataDirLockPath(dir);
      fs.writeFileSync(file, '{"pid":');
      expect(await lockDataDir(dir, { kind: 'web host' }).catch((e: unknown) => e)).toBeInstanceOf(DataDirBusyError);
      const old = new Date(Date.now() - 60_000);
      fs.utimesSync(file, old, old);
      const lock = await lockDataDir(dir, { kind: 'web host' });
      await lock.release();
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('two hosts on different data folders run side by side', async () => {
    const fx = fixture();
    const a = await host(fx, path.join(fx.root, 'a'));
    const b = await host(fx, path.join(fx.root, 'b'));
    expect(a.port).not.toBe(b.port);
  });

  it('only one of many simultaneous takers wins a stale lock (50 rounds)', async () => {
    // One round lost the race about one time in six before the take-over guard; fifty rounds make
    // a regression show on every run.
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'inkling-lock-'));
    const dead = await deadPid();
    try {
      for (let round = 0; round < 50; round++) {
        const stale = { pid: dead, host: os.hostname(), kind: 'web host', since: `then ${round}` };
        fs.writeFileSync(dataDirLockPath(dir), JSON.stringify(stale));
        const results = await Promise.allSettled(
          Array.from({ length: 8 }, () => lockDataDir(dir, { kind: 'web host' })),
        );
        const won = results.filter((r) => r.status === 'fulfilled');
        expect(won, `round ${round}`).toHaveLength(1);
        for (const r of results) if (r.status === 'rejected') expect(r.reason).toBeInstanceOf(DataDirBusyError);
        await (won[0] as PromiseFulfilledResult<Awaited<ReturnType<typeof lockDataDir>>>).value.release();
        expect(fs.readdirSync(dir), 'no take-over guard or aside file is left behind').toEqual([]);
      }
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
