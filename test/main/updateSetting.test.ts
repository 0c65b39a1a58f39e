/**
 * The writer's "Check for updates" setting (settings.checkForUpdates, docs/SECURITY.md › "Packaging
 * and updates"): the real electron/main/index.ts under the recording fake of `electron`, started as
 * a packaged AppImage whose build carries a release feed — the one case where updates are on — with
 * electron-updater replaced by a recorder (its real module needs Electron's binary). Off in the
 * settings file: no updater is started at all; turned on: it starts; turned off: it is stopped.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { ipcMethodChannel, type ReplyEnvelope } from '../../electron/api';
import { until, type FakeBrowserWindow, type Recorder } from '../security/fakeElectron';

const holder = vi.hoisted(() => ({
  root: '',
  recorder: null as Recorder | null,
  updater: { listeners: 0, removed: 0 },
}));

vi.mock('electron', async () => {
  const { createFakeElectron } = await import('../security/fakeElectron');
  const { module, recorder } = createFakeElectron(holder.root);
  holder.recorder = recorder;
  return module;
});
vi.mock('electron-updater', () => {
  const autoUpdater = {
    on: () => {
      holder.updater.listeners++;
      return autoUpdater;
    },
    removeAllListeners: () => {
      holder.updater.removed++;
      return autoUpdater;
    },
    checkForUpdates: async () => null,
    setFeedURL: () => undefined,
  };
  return { autoUpdater, default: { autoUpdater } };
});

let tmp: string;
let rec: Recorder;
let win: FakeBrowserWindow;
const logs: string[] = [];
const saved = {
  argv: process.argv,
  env: { ...process.env },
  resourcesPath: (process as { resourcesPath?: string }).resourcesPath,
};

const trusted = () => ({ sender: win.webContents, senderFrame: { parent: null, url: 'app://inkling/index.html' } });
async function call(method: Parameters<typeof ipcMethodChannel>[0], ...args: unknown[]): Promise<ReplyEnvelope> {
  return (await rec.ipcHandlers.get(ipcMethodChannel(method))!(trusted(), ...args)) as ReplyEnvelope;
}

beforeAll(async () => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'inkling-update-setting-'));
  holder.root = path.join(tmp, 'app');
  fs.mkdirSync(path.join(holder.root, 'dist', 'renderer'), { recursive: true });
  fs.writeFileSync(path.join(holder.root, 'dist', 'renderer', 'index.html'), '<!doctype html><title>Inkling</title>');
  // A packaged build that names its repository, running as an AppImage: updates would be on…
  const resources = path.join(tmp, 'resources');
  fs.mkdirSync(resources);
  fs.writeFileSync(path.join(resources, 'app-update.yml'), 'owner: inkling-app\nrepo: inkling\nprovider: github\n');
  (process as { resourcesPath?: string }).resourcesPath = resources;
  process.env.APPIMAGE = path.join(tmp, 'Inkling.AppImage');
  delete process.env.INKLING_TEST_HOOKS;
  delete process.env.INKLING_DISABLE_UPDATES;
  delete process.env.INKLING_UPDATE_FEED;
  // …but the writer turned them off.
  const dataDir = path.join(tmp, 'profile');
  fs.mkdirSync(dataDir);
  fs.writeFileSync(path.join(dataDir, 'settings.json'), JSON.stringify({ checkForUpdates: false }));
  vi.spyOn(console, 'error').mockImplementation((...args: unknown[]) => void logs.push(args.map(String).join(' ')));

  process.argv = [process.execPath, holder.root, '--data-dir', dataDir];
  await import('../../electron/main/index');
  rec = holder.recorder!;
  rec.app.isPackaged = true;
  rec.app.becomeReady();
  await until(() => rec.windows.length === 1 && rec.windows[0].loadedUrl !== null, 'the first window to load');
  win = rec.windows[0];
});

afterAll(async () => {
  process.argv = saved.argv;
  process.env = saved.env;
  (process as { resourcesPath?: string }).resourcesPath = saved.resourcesPath;
  vi.restoreAllMocks();
  if (rec) {
    rec.app.emit('will-quit', { preventDefault: () => undefined });
    await until(() => rec.app.exitCode !== null, 'the app to exit');
  }
  fs.rmSync(tmp, { recursive: true, force: true });
});

describe('the "Check for updates" setting', () => {
  it('defaults to on, like every setting the writer has not changed', async () => {
    const { DEFAULT_SETTINGS } = await import('../../electron/api/settings');
    expect(DEFAULT_SETTINGS.checkForUpdates).toBe(true);
  });

  it('off in the settings file: the updater is never started', async () => {
    await until(() => logs.some((l) => l.includes('updater: off')), 'the updater decision');
    expect(logs.filter((l) => l.includes('updater:'))).toEqual(['inkling: updater: off: turned off in settings']);
    expect(holder.updater.listeners).toBe(0);
  });

  it('turned on: the updater starts (this build has a feed); turned off again: it stops', async () => {
    expect(await call('updateSettings', { checkForUpdates: true })).toMatchObject({
      ok: true,
      value: { checkForUpdates: true },
    });
    await until(() => logs.some((l) => l.includes('updater: checking')), 'the updater to start');
    expect(logs.at(-1)).toBe('inkling: updater: checking github.com/inkling-app/inkling for updates (built-in feed)');
    expect(holder.updater.listeners).toBeGreaterThan(0);
    expect(holder.updater.removed).toBe(0);

    expect(await call('updateSettings', { checkForUpdates: false })).toMatchObject({ ok: true });
    await until(() => holder.updater.removed === 1, 'the updater to stop');
    await until(() => logs.at(-1) === 'inkling: updater: off: turned off in settings', 'the off decision');
  });

  it('rejects a value that is not true or false', async () => {
    expect(await call('updateSettings', { checkForUpdates: 'yes' })).toMatchObject({
      ok: false,
      error: { code: 'bad_request', message: 'Setting \'checkForUpdates\' must be true or false; got "yes".' },
    });
  });
});
