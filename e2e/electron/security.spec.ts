/**
 * The Electron security checklist in the real desktop app (Playwright `_electron`): the window's
 * effective web preferences, what the page can reach, the CSP (header, meta tag, enforcement),
 * navigation / window.open / external links, and permission requests. Skips, saying why, where
 * Electron's binary is not installed; test/security/*.test.ts check the same wiring under Node.
 */
import { _electron as electron, expect, test, type ElectronApplication, type Page } from '@playwright/test';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { InklingApi } from '../../electron/api';
import { findElectronBinary } from './electronBinary';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const binary = findElectronBinary(ROOT);

test.skip(!binary.path, `Electron security e2e skipped: ${binary.reason}.`);
test.describe.configure({ mode: 'serial' });

type WithApi = Window & { inkling: InklingApi };
let tmp: string;
let app: ElectronApplication;
let page: Page;

test.beforeAll(async () => {
  test.setTimeout(300_000);
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'inkling-e2e-electron-security-'));
  execFileSync(process.execPath, ['scripts/start-electron.mjs', '--build-only'], { cwd: ROOT, stdio: 'inherit' });
  app = await electron.launch({
    executablePath: binary.path!,
    args: [ROOT, '--data-dir', path.join(tmp, 'profile')],
    env: { ...process.env, INKLING_TEST_HOOKS: '1' } as Record<string, string>,
  });
  page = await app.firstWindow();
  await page.waitForFunction(() => typeof (window as unknown as WithApi).inkling?.getAppInfo === 'function');
  // Record external opens instead of launching a browser.
  await app.evaluate(({ shell }) => {
    const g = globalThis as { __opened?: string[] };
    g.__opened = [];
    shell.openExternal = (async (url: string) => void g.__opened!.push(url)) as typeof shell.openExternal;
  });
});

test.afterAll(async () => {
  await app?.close();
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
});

test('every window was created with the secure preferences', async () => {
  // Electron does not report a window's preferences back; the main process records the options it
  // passed to each BrowserWindow when INKLING_TEST_HOOKS=1 (electron/main/window.ts).
  const count = await app.evaluate(({ BrowserWindow }) => BrowserWindow.getAllWindows().length);
  const recorded = await app.evaluate(() =>
    (
      (globalThis as { __inklingWindowOptions?: { webPreferences: Record<string, unknown> }[] })
        .__inklingWindowOptions ?? []
    ).map((o) => o.webPreferences),
  );
  expect(count).toBeGreaterThan(0);
  expect(recorded).toHaveLength(count);
  for (const p of recorded) {
    expect(p).toMatchObject({
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      webviewTag: false,
      allowRunningInsecureContent: false,
    });
  }
});

test('the page sees window.inkling (functions only) and nothing of Node or Electron', async () => {
  const seen = await page.evaluate(() => {
    const w = window as unknown as Record<string, unknown>;
    const api = w.inkling as Record<string, unknown>;
    return {
      globals: ['require', 'process', 'module', 'Buffer', 'global', 'ipcRenderer', 'electron'].filter(
        (k) => typeof w[k] !== 'undefined',
      ),
      nonFunctions: Object.entries(api)
        .filter(([, v]) => typeof v !== 'function')
        .map(([k]) => k),
      url: location.href,
    };
  });
  expect(seen.globals).toEqual([]);
  expect(seen.nonFunctions).toEqual([]);
  expect(seen.url).toMatch(/^app:\/\/inkling\//);
});

test('the CSP is on the response and in the page, and Chromium enforces it', async () => {
  const hits: string[] = [];
  const other = http.createServer((req, res) => {
    hits.push(req.url ?? '');
    res.writeHead(200, { 'Content-Type': 'text/javascript' });
    res.end('window.__fromOtherOrigin = true;');
  });
  await new Promise<void>((resolve) => other.listen(0, '127.0.0.1', () => resolve()));
  const origin = `http://127.0.0.1:${(other.address() as AddressInfo).port}`;
  try {
    const result = await page.evaluate(async (origin) => {
      const w = window as unknown as Record<string, unknown>;
      const header = (await fetch('app://inkling/index.html')).headers.get('content-security-policy');
      const meta =
        document.querySelector('meta[http-equiv="Content-Security-Policy"]')?.getAttribute('content') ?? null;
      const violations: string[] = [];
      document.addEventListener('securitypolicyviolation', (e) => violations.push(e.effectiveDirective));
      const inline = document.createElement('script');
      inline.textContent = 'window.__inlineRan = true;';
      document.body.appendChild(inline);
      const external = document.createElement('script');
      const externalDone = new Promise<string>((resolve) => {
        external.onload = () => resolve('loaded');
        external.onerror = () => resolve('refused');
      });
      external.src = `${origin}/evil.js`;
      document.body.appendChild(external);
      (setTimeout as unknown as (code: string, ms: number) => void)('window.__evalRan = true;', 0);
      const outcome = await externalDone;
      await new Promise((r) => setTimeout(r, 50));
      return {
        header,
        meta,
        inlineRan: Boolean(w.__inlineRan),
        evalRan: Boolean(w.__evalRan),
        external: outcome,
        violations,
      };
    }, origin);
    expect(result.header).toContain("script-src 'self'");
    expect(result.header).toContain("frame-ancestors 'none'");
    expect(result.meta).toContain("script-src 'self'");
    expect(result).toMatchObject({ inlineRan: false, evalRan: false, external: 'refused' });
    expect(result.violations).toEqual(expect.arrayContaining(['script-src-elem', 'script-src']));
    expect(hits).toEqual([]);
  } finally {
    // Chromium may hold a speculative (pre)connection open without sending a request: drop it.
    other.closeAllConnections();
    await new Promise<void>((resolve) => other.close(() => resolve()));
  }
});

test('no navigation away, no new windows; only http(s) links reach the system browser', async () => {
  const before = page.url();
  for (const url of ['https://example.com/', 'file:///etc/passwd', 'data:text/html,<h1>x</h1>']) {
    await page.evaluate((u) => {
      window.location.href = u;
    }, url);
    await expect.poll(() => page.url()).toBe(before);
  }
  const opened = await page.evaluate(() =>
    [
      'https://example.com/a',
      'http://example.com/b',
      'file:///etc/passwd',
      'javascript:alert(1)',
      'ms-settings:',
      'vscode://file/x',
    ].map((u) => window.open(u) === null),
  );
  expect(opened.every(Boolean)).toBe(true);
  expect(await app.evaluate(({ BrowserWindow }) => BrowserWindow.getAllWindows().length)).toBe(1);
  await expect
    .poll(() => app.evaluate(() => (globalThis as { __opened?: string[] }).__opened))
    .toEqual(['https://example.com/a', 'http://example.com/b']);
});

test('permission requests are denied', async () => {
  const answers = await page.evaluate(async () => {
    const notification = await Notification.requestPermission();
    const media = await navigator.mediaDevices.getUserMedia({ audio: true }).then(
      () => 'granted',
      (e: Error) => e.name,
    );
    const geo = await new Promise<string>((resolve) =>
      navigator.geolocation.getCurrentPosition(
        () => resolve('granted'),
        (e) => resolve(`denied:${e.code}`),
      ),
    );
    const clipboard = await navigator.clipboard.readText().then(
      () => 'granted',
      (e: Error) => e.name,
    );
    return { notification, media, geo, clipboard };
  });
  expect(answers.notification).toBe('denied');
  expect(answers.media).not.toBe('granted');
  expect(answers.geo).not.toBe('granted');
  expect(answers.clipboard).not.toBe('granted');
});

test('the API refuses what the page may not do', async () => {
  const refused = await page.evaluate(
    async (outside) => {
      const api = (window as unknown as WithApi).inkling;
      const { docId } = await api.newDocument();
      const results = await Promise.all([
        api.saveDocumentAs({ docId, text: 'x', path: outside }).then(
          () => 'saved',
          (e: Error) => e.message,
        ),
        api.openDocument('/etc/hostname.md').then(
          () => 'opened',
          (e: Error) => e.message,
        ),
        api.updateSettings({ modelDir: '/tmp' }).then(
          () => 'changed',
          (e: Error) => e.message,
        ),
      ]);
      return results;
    },
    path.join(tmp, 'sneaky.md'),
  );
  for (const r of refused) expect(r).toMatch(/^\[not_allowed\]/);
  expect(fs.existsSync(path.join(tmp, 'sneaky.md'))).toBe(false);
});
