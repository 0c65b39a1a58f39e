/**
 * The real Electron main process (electron/main/index.ts) started under Node with a recording fake of
 * the `electron` module (Electron's binary is not available here; e2e/electron/security.spec.ts runs
 * the same checks in real Electron where it is). Checks the wiring, not a copy of it: the window it
 * creates, the session's permission and CSP handlers, the app:// protocol, the navigation / window.open
 * guards on every web contents, and the IPC sender check in front of every API method.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { CSP, METHOD_NAMES, ipcMethodChannel, type ReplyEnvelope } from '../../electron/api';
import { secureWebPreferences } from '../../electron/main/security';
import { DataDirBusyError, lockDataDir, readDataDirLock } from '../../electron/services/settings';
import { until, type FakeBrowserWindow, type FakeWebContents, type Recorder } from './fakeElectron';

const holder = vi.hoisted(() => ({ root: '', recorder: null as Recorder | null }));

vi.mock('electron', async () => {
  const { createFakeElectron } = await import('./fakeElectron');
  const { module, recorder } = createFakeElectron(holder.root);
  holder.recorder = recorder;
  return module;
});
// Never load the real updater (it requires Electron's binary); the updater has its own tests.
vi.mock('electron-updater', () => {
  const autoUpdater = { on: () => autoUpdater, checkForUpdates: async () => null, setFeedURL: () => undefined };
  return { autoUpdater, default: { autoUpdater } };
});

let tmp: string;
let dataDir: string;
let rec: Recorder;
let win: FakeBrowserWindow;
const savedArgv = process.argv;

beforeAll(async () => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'inkling-main-security-'));
  holder.root = path.join(tmp, 'app');
  const renderer = path.join(holder.root, 'dist', 'renderer');
  fs.mkdirSync(path.join(renderer, 'assets'), { recursive: true });
  fs.writeFileSync(path.join(renderer, 'index.html'), '<!doctype html><title>Inkling</title>');
  fs.writeFileSync(path.join(renderer, 'assets', 'app.js'), 'export {}');
  fs.writeFileSync(path.join(holder.root, 'secret.txt'), 'outside the renderer folder');
  dataDir = path.join(tmp, 'profile');
  process.argv = [process.execPath, holder.root, '--data-dir', dataDir];
  await import('../../electron/main/index');
  rec = holder.recorder!;
  rec.app.becomeReady();
  await until(() => rec.windows.length === 1 && rec.windows[0].loadedUrl !== null, 'the first window to load');
  win = rec.windows[0];
});

afterAll(async () => {
  process.argv = savedArgv;
  if (rec) {
    // Quitting disposes the backend, then exits.
    const quit = { preventDefault: () => undefined };
    rec.app.emit('will-quit', quit);
    await until(() => rec.app.exitCode !== null, 'the app to exit');
  }
  fs.rmSync(tmp, { recursive: true, force: true });
});

describe('the main process under a fake Electron', () => {
  it('starts without an error and uses the --data-dir profile', () => {
    expect(rec.errors).toEqual([]);
    expect(rec.app.getPath('userData')).toBe(dataDir);
    expect(fs.existsSync(path.join(dataDir, 'backups'))).toBe(true);
  });

  it('holds the data folder lock as the desktop app, so a web host or inkling pull on it is refused', async () => {
    expect(await readDataDirLock(dataDir)).toMatchObject({ pid: process.pid, kind: 'desktop app' });
    const err = await lockDataDir(dataDir, { kind: 'web host' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DataDirBusyError);
    expect((err as Error).message).toMatch(/the desktop app \(process \d+.*Use the desktop app/);
  });

  it('creates the window with the secure preferences and loads only the app page', () => {
    const prefs = win.options.webPreferences as Record<string, unknown>;
    expect(prefs).toEqual(
      secureWebPreferences(path.join(holder.root, 'dist', 'electron', 'preload', 'index.js'), { devTools: true }),
    );
    expect(prefs).toMatchObject({ contextIsolation: true, sandbox: true, nodeIntegration: false, webSecurity: true });
    expect(win.options.show).toBe(false);
    expect(win.loadedUrl).toBe('app://inkling/index.html');
  });

  it('registers app:// as standard and secure, without bypassing the CSP', () => {
    expect(rec.privilegedSchemes).toEqual([
      { scheme: 'app', privileges: expect.objectContaining({ standard: true, secure: true }) },
    ]);
    const privileges = (rec.privilegedSchemes[0] as { privileges: Record<string, unknown> }).privileges;
    expect(privileges.bypassCSP).toBeFalsy();
    expect(privileges.allowServiceWorkers).toBeFalsy();
  });

  it('denies every permission request and check', () => {
    expect(rec.permissionRequestHandler).toBeTypeOf('function');
    expect(rec.permissionCheckHandler).toBeTypeOf('function');
    for (const permission of [
      'media',
      'notifications',
      'geolocation',
      'clipboard-read',
      'openExternal',
      'hid',
      'serial',
      'usb',
      'unknown',
    ]) {
      const answers: boolean[] = [];
      rec.permissionRequestHandler!(win.webContents, permission, (granted: boolean) => answers.push(granted), {});
      expect(answers, permission).toEqual([false]);
      expect(rec.permissionCheckHandler!(win.webContents, permission, 'app://inkling', {}), permission).toBe(false);
    }
  });

  it('puts the CSP on every response the session receives', () => {
    const seen: { responseHeaders?: Record<string, string[]> }[] = [];
    rec.headersReceived!(
      { url: 'app://inkling/index.html', responseHeaders: { 'Content-Type': ['text/html'] } },
      (r: { responseHeaders?: Record<string, string[]> }) => seen.push(r),
    );
    expect(seen[0].responseHeaders).toEqual({ 'Content-Type': ['text/html'], 'Content-Security-Policy': [CSP] });
  });

  it('serves app:// from dist/renderer with the CSP, and nothing outside it', async () => {
    const handler = rec.protocolHandlers.get('app')!;
    const index = await handler(new Request('app://inkling/index.html'));
    expect(index.status).toBe(200);
    expect(index.headers.get('content-security-policy')).toBe(CSP);
    expect(index.headers.get('x-content-type-options')).toBe('nosniff');
    expect(await index.text()).toContain('<title>Inkling</title>');
    for (const url of [
      'app://inkling/../secret.txt',
      'app://inkling/%2e%2e/secret.txt',
      'app://inkling/assets/..%2f..%2f..%2fsecret.txt',
      'app://evil/index.html',
      'app://inkling/missing.js',
    ]) {
      const r = await handler(new Request(url));
      expect([400, 404], url).toContain(r.status);
      expect(await r.text(), url).not.toContain('outside the renderer folder');
      expect(r.headers.get('content-security-policy'), url).toBe(CSP);
    }
    expect((await handler(new Request('app://inkling/index.html', { method: 'POST', body: 'x' }))).status).toBe(404);
  });

  it('keeps every web contents on the app: no navigation away, no redirects, no <webview>', () => {
    // The window's own contents, and any other Electron creates later (e.g. devtools).
    const other = new (win.webContents.constructor as new () => FakeWebContents)();
    rec.app.emit('web-contents-created', {}, other);
    for (const contents of [win.webContents, other]) {
      for (const url of [
        'https://example.com/',
        'http://evil.example/',
        'file:///etc/passwd',
        'javascript:alert(1)',
        'data:text/html,x',
        'app://evil/',
        'vscode://x',
      ]) {
        expect(contents.attempt('will-navigate', url), `navigate ${url}`).toBe(true);
        expect(contents.attempt('will-redirect', url), `redirect ${url}`).toBe(true);
      }
      expect(contents.attempt('will-navigate', 'app://inkling/index.html')).toBe(false);
      expect(contents.attempt('will-attach-webview', {}, {})).toBe(true);
    }
  });

  it('window.open never opens a window; http(s) links go to the system browser, nothing else does', async () => {
    const open = win.webContents.windowOpenHandler!;
    rec.openedExternally.length = 0;
    rec.messageBoxes.length = 0;
    const refused = [
      'file:///etc/passwd',
      'javascript:alert(1)',
      'data:text/html,x',
      'ms-msdt:/id x',
      'app://inkling/index.html',
      'https://a@evil.example/',
      'http://localhost:8080/',
    ];
    for (const url of ['https://example.com/a', 'HTTP://Example.com/b c', ...refused]) {
      expect(open({ url }), url).toEqual({ action: 'deny' });
    }
    // Normalised: the browser gets exactly the URL that was checked.
    expect(rec.openedExternally).toEqual(['https://example.com/a', 'http://example.com/b%20c']);
    // Each refusal tells the writer why.
    await new Promise((r) => setImmediate(r));
    expect(rec.messageBoxes).toHaveLength(refused.length);
    expect(rec.messageBoxes[0]).toMatchObject({
      type: 'warning',
      message: 'Inkling did not open this link',
      detail: expect.stringContaining('"file:"'),
    });
  });

  describe('IPC', () => {
    const trusted = () => ({ sender: win.webContents, senderFrame: { parent: null, url: 'app://inkling/index.html' } });

    it('has exactly one handler per API method and nothing else', () => {
      expect([...rec.ipcHandlers.keys()].sort()).toEqual(METHOD_NAMES.map((m) => ipcMethodChannel(m)).sort());
    });

    it('answers the app page', async () => {
      const reply = (await rec.ipcHandlers.get(ipcMethodChannel('getAppInfo'))!(trusted())) as ReplyEnvelope;
      expect(reply).toMatchObject({ ok: true, value: { mode: 'electron', dataDir } });
      const bad = (await rec.ipcHandlers.get(ipcMethodChannel('updateSettings'))!(trusted(), {
        theme: 'neon',
      })) as ReplyEnvelope;
      expect(bad).toMatchObject({ ok: false, error: { code: 'bad_request' } });
    });

    it('Save As asks the operating system before replacing a file, and that answer is the confirmation', async () => {
      const electron = (await import('electron')) as unknown as {
        dialog: { showSaveDialog: (...args: unknown[]) => Promise<unknown> };
      };
      const target = path.join(tmp, 'existing.md');
      fs.writeFileSync(target, 'the old text');
      const asked: { properties?: string[] }[] = [];
      const original = electron.dialog.showSaveDialog;
      electron.dialog.showSaveDialog = async (...args: unknown[]) => {
        asked.push(args.at(-1) as { properties?: string[] });
        return { canceled: false, filePath: target };
      };
      try {
        const call = async (method: string, ...args: unknown[]) =>
          (await rec.ipcHandlers.get(ipcMethodChannel(method as never))!(trusted(), ...args)) as ReplyEnvelope;
        const created = (await call('newDocument')) as { ok: true; value: { docId: string } };
        const saved = await call('saveDocumentAs', { docId: created.value.docId, text: 'the new text' });
        expect(saved).toMatchObject({ ok: true, value: { path: target } });
        // Linux's dialog asks only when told to; macOS and Windows always ask.
        expect(asked).toHaveLength(1);
        expect(asked[0].properties).toContain('showOverwriteConfirmation');
        expect(fs.readFileSync(target, 'utf8')).toBe('the new text');
      } finally {
        electron.dialog.showSaveDialog = original;
      }
    });

    it('refuses every method from any other sender, before doing anything', async () => {
      const senders = [
        { sender: win.webContents, senderFrame: { parent: null, url: 'https://evil.example/' } },
        { sender: win.webContents, senderFrame: { parent: null, url: 'file:///tmp/page.html' } },
        { sender: win.webContents, senderFrame: { parent: null, url: 'app://evil/index.html' } },
        {
          sender: win.webContents,
          senderFrame: { parent: { url: 'app://inkling/index.html' }, url: 'app://inkling/index.html' },
        }, // a subframe
        { sender: win.webContents, senderFrame: null },
      ];
      const settingsFile = path.join(dataDir, 'settings.json');
      const before = fs.existsSync(settingsFile) ? fs.readFileSync(settingsFile, 'utf8') : null;
      for (const event of senders) {
        for (const method of METHOD_NAMES) {
          const args = method === 'updateSettings' ? [{ theme: 'dark' }] : [];
          const reply = (await rec.ipcHandlers.get(ipcMethodChannel(method))!(event, ...args)) as ReplyEnvelope;
          expect(reply, `${method} from ${JSON.stringify(event.senderFrame)}`).toMatchObject({
            ok: false,
            error: { code: 'not_allowed' },
          });
        }
      }
      expect(fs.existsSync(settingsFile) ? fs.readFileSync(settingsFile, 'utf8') : null).toBe(before);
      const settings = (await rec.ipcHandlers.get(ipcMethodChannel('getSettings'))!(trusted())) as ReplyEnvelope;
      expect(settings).toMatchObject({ ok: true, value: { theme: 'system' } });
    });
  });
});
