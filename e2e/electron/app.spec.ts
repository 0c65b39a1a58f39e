/**
 * Electron end-to-end tests (Playwright `_electron`): the real desktop app with a fresh profile —
 * secure window settings, the menu, file dialogs (stubbed in the main process, since a native
 * dialog cannot be driven), and the engine running in a utilityProcess with a tiny random model.
 * They skip, saying why, where Electron's binary is not installed.
 */
import { _electron as electron, expect, test, type ElectronApplication, type Page } from '@playwright/test';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { InklingApi } from '../../electron/api';
import { findElectronBinary } from './electronBinary';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const binary = findElectronBinary(ROOT);

test.skip(!binary.path, `Electron e2e skipped: ${binary.reason}.`);
test.describe.configure({ mode: 'serial' });

type WithApi = Window & { inkling: InklingApi };
let modelDir: string;
let tmp: string;

test.beforeAll(async () => {
  test.setTimeout(300_000);
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'inkling-e2e-electron-'));
  // Bundles main, preload and the engine host (and the renderer if stale), without launching.
  execFileSync(process.execPath, ['scripts/start-electron.mjs', '--build-only'], { cwd: ROOT, stdio: 'inherit' });
  const { makeTestModel } = await import('../../electron/engine/weights/testModel');
  const { convertCheckpoint } = await import('../../electron/engine/convert');
  await makeTestModel({ outDir: path.join(tmp, 'src'), layers: 2, embd: 64, heads: 4 });
  modelDir = path.join(tmp, 'model');
  await convertCheckpoint(path.join(tmp, 'src'), modelDir);
});

test.afterAll(() => {
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
});

async function launch(extra: string[] = []): Promise<{ app: ElectronApplication; page: Page; dataDir: string }> {
  const dataDir = fs.mkdtempSync(path.join(tmp, 'profile-'));
  const app = await electron.launch({
    executablePath: binary.path!,
    args: [ROOT, '--data-dir', dataDir, ...extra],
    env: { ...process.env, INKLING_TEST_HOOKS: '1' } as Record<string, string>,
  });
  const page = await app.firstWindow();
  await page.waitForFunction(() => typeof (window as unknown as WithApi).inkling?.getAppInfo === 'function');
  return { app, page, dataDir };
}

test('the window is isolated, sandboxed and locked down', async () => {
  const { app, page } = await launch();
  try {
    const prefs = await app.evaluate(() => {
      const p = (globalThis as { __inklingWebPreferences?: Record<string, unknown> }).__inklingWebPreferences;
      return p
        ? {
            contextIsolation: p.contextIsolation,
            sandbox: p.sandbox,
            nodeIntegration: p.nodeIntegration,
            webSecurity: p.webSecurity,
          }
        : null;
    });
    expect(prefs).toEqual({ contextIsolation: true, sandbox: true, nodeIntegration: false, webSecurity: true });
    expect(page.url()).toMatch(/^app:\/\/inkling\//);
    // The page sees the API and nothing of Node or Electron.
    const globals = await page.evaluate(() => ({
      require: typeof (window as unknown as { require?: unknown }).require,
      process: typeof (window as unknown as { process?: unknown }).process,
      api: Object.keys((window as unknown as WithApi).inkling).length,
    }));
    expect(globals).toMatchObject({ require: 'undefined', process: 'undefined' });
    expect(globals.api).toBeGreaterThan(20);
    expect(await page.evaluate(() => (window as unknown as WithApi).inkling.getAppInfo().then((i) => i.mode))).toBe(
      'electron',
    );
    // New windows and navigation away are denied.
    expect(await page.evaluate(() => window.open('https://example.com') === null)).toBe(true);
    const before = page.url();
    await page.evaluate(() => {
      window.location.href = 'https://example.com/';
    });
    await expect.poll(() => page.url()).toBe(before);
    expect(await app.evaluate(({ BrowserWindow }) => BrowserWindow.getAllWindows().length)).toBe(1);
    // An inline script is refused by the CSP.
    const inlineRan = await page.evaluate(() => {
      const s = document.createElement('script');
      s.textContent = 'window.__inlineRan = true';
      document.body.appendChild(s);
      return Boolean((window as unknown as { __inlineRan?: boolean }).__inlineRan);
    });
    expect(inlineRan).toBe(false);
  } finally {
    await app.close();
  }
});

test('the application menu has the standard roles and Inkling commands', async () => {
  const { app } = await launch();
  try {
    const menu = await app.evaluate(({ Menu }) => {
      const m = Menu.getApplicationMenu();
      const find = (id: string) => m?.getMenuItemById(id);
      return {
        top: m?.items.map((i) => i.label.replace('&', '')) ?? [],
        suggest: find('edit.suggest')?.accelerator ?? null,
        save: find('file.save')?.accelerator ?? null,
        saveAs: find('file.saveAs')?.accelerator ?? null,
        recent: Boolean(find('file.recent')),
      };
    });
    expect(menu.top).toEqual(expect.arrayContaining(['File', 'Edit', 'Suggest', 'View']));
    expect(menu).toMatchObject({
      suggest: 'CmdOrCtrl+Space',
      save: 'CmdOrCtrl+S',
      saveAs: 'CmdOrCtrl+Shift+S',
      recent: true,
    });
  } finally {
    await app.close();
  }
});

test('open and save go through the native dialogs (stubbed) and atomic saves', async () => {
  const { app, page } = await launch();
  try {
    const source = path.join(tmp, 'chapter.md');
    fs.writeFileSync(source, '# Chapter\nIt was late.\n');
    const target = path.join(tmp, 'copy.md');
    await app.evaluate(
      ({ dialog }, files) => {
        dialog.showOpenDialog = (async () => ({
          canceled: false,
          filePaths: [files.source],
        })) as typeof dialog.showOpenDialog;
        dialog.showSaveDialog = (async () => ({
          canceled: false,
          filePath: files.target,
        })) as typeof dialog.showSaveDialog;
      },
      { source, target },
    );
    const opened = await page.evaluate(() => (window as unknown as WithApi).inkling.openDocument());
    expect(opened).toMatchObject({ path: source, text: '# Chapter\nIt was late.\n' });
    const saved = await page.evaluate(async () => {
      const api = (window as unknown as WithApi).inkling;
      const { docId } = await api.newDocument();
      return api.saveDocument({ docId, text: 'Fresh page.' });
    });
    expect(saved).toMatchObject({ path: target, name: 'copy.md' });
    expect(fs.readFileSync(target, 'utf8')).toBe('Fresh page.');
    // A path the writer never chose is refused in the desktop app.
    const refused = await page.evaluate(
      async (p) => {
        const api = (window as unknown as WithApi).inkling;
        const { docId } = await api.newDocument();
        return api.saveDocumentAs({ docId, text: 'x', path: p }).then(
          () => 'saved',
          (e: Error) => e.message,
        );
      },
      path.join(tmp, 'sneaky.md'),
    );
    expect(refused).toMatch(/^\[not_allowed\]/);
    expect(fs.existsSync(path.join(tmp, 'sneaky.md'))).toBe(false);
  } finally {
    await app.close();
  }
});

test('the engine runs in a utilityProcess, streams, and survives being killed', async () => {
  const { app, page } = await launch(['--model', modelDir]);
  try {
    await expect
      .poll(() => page.evaluate(() => (window as unknown as WithApi).inkling.getEngineStatus().then((s) => s.state)), {
        timeout: 60_000,
      })
      .toBe('ready');
    const utility = await app.evaluate(({ app: a }) =>
      a
        .getAppMetrics()
        .filter((m) => m.type === 'Utility')
        .map((m) => m.name ?? m.serviceName ?? ''),
    );
    expect(utility.join(',')).toContain('Inkling engine');
    const run = () =>
      page.evaluate(async () => {
        const api = (window as unknown as WithApi).inkling;
        const { docId } = await api.newDocument();
        let tokens = 0;
        const off = api.onCompletionEvent((e) => {
          if (e.event.kind === 'token') tokens++;
        });
        const r = await api.complete({
          requestId: `e2e-${Date.now()}`,
          docId,
          textBefore: 'The lighthouse',
          params: { maxNewTokens: 4, alternatives: 2 },
        });
        off();
        return { alternatives: r.alternatives.length, tokens };
      });
    expect(await run()).toEqual({ alternatives: 2, tokens: 8 });
    await page.evaluate(() => (window as unknown as WithApi).inkling.testKillEngine());
    await expect
      .poll(() => page.evaluate(() => (window as unknown as WithApi).inkling.getEngineStatus().then((s) => s.state)), {
        timeout: 60_000,
      })
      .toBe('ready');
    expect(await run()).toEqual({ alternatives: 2, tokens: 8 });
  } finally {
    await app.close();
  }
});
