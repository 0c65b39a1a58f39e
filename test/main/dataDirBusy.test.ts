/**
 * The desktop app on a data folder that a web host (or `inkling pull`) already holds: it says who
 * holds it in an error box and exits, before it reads or writes anything there. Electron's own
 * single-instance lock covers a second desktop app; the data-folder lock covers the other kinds.
 * Runs the real electron/main/index.ts under the recording fake of `electron` (no binary here).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { lockDataDir, readDataDirLock, type DataDirLock } from '../../electron/services/settings';
import { until, type Recorder } from '../security/fakeElectron';

const holder = vi.hoisted(() => ({ root: '', recorder: null as Recorder | null }));

vi.mock('electron', async () => {
  const { createFakeElectron } = await import('../security/fakeElectron');
  const { module, recorder } = createFakeElectron(holder.root);
  holder.recorder = recorder;
  return module;
});
vi.mock('electron-updater', () => {
  const autoUpdater = { on: () => autoUpdater, checkForUpdates: async () => null, setFeedURL: () => undefined };
  return { autoUpdater, default: { autoUpdater } };
});

let tmp: string;
let dataDir: string;
let webHostLock: DataDirLock;
const savedArgv = process.argv;

beforeAll(async () => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'inkling-main-busy-'));
  holder.root = path.join(tmp, 'app');
  fs.mkdirSync(path.join(holder.root, 'dist', 'renderer'), { recursive: true });
  fs.writeFileSync(path.join(holder.root, 'dist', 'renderer', 'index.html'), '<!doctype html>');
  dataDir = path.join(tmp, 'profile');
  webHostLock = await lockDataDir(dataDir, { kind: 'web host', url: 'http://127.0.0.1:4321/' });
  process.argv = [process.execPath, holder.root, '--data-dir', dataDir];
  await import('../../electron/main/index');
  holder.recorder!.app.becomeReady();
});

afterAll(async () => {
  process.argv = savedArgv;
  await webHostLock?.release();
  fs.rmSync(tmp, { recursive: true, force: true });
});

describe('desktop app on a data folder another Inkling holds', () => {
  it('shows who holds it and exits without touching the folder', async () => {
    const rec = holder.recorder!;
    await until(() => rec.app.exitCode !== null, 'the app to exit');
    expect(rec.app.exitCode).toBe(1);
    expect(rec.errors).toHaveLength(1);
    expect(rec.errors[0]).toMatch(
      /^Inkling is already using this data folder: Another Inkling is using the data folder .*the web host at http:\/\/127\.0\.0\.1:4321\/ \(process \d+/,
    );
    expect(rec.windows).toHaveLength(0);
    expect(fs.readdirSync(dataDir)).toEqual(['inkling.lock']); // no backups/, settings.json, …
    expect(await readDataDirLock(dataDir)).toMatchObject({ kind: 'web host' }); // still the host's
  });
});
