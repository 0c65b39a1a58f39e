/**
 * Electron security checklist, window side, checked without Electron's binary: every BrowserWindow
 * is built from `browserWindowOptions` (pure), whose web preferences must isolate and sandbox the
 * renderer; and no source file creates a window, view or web preferences any other way.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { browserWindowOptions, secureWebPreferences } from '../../electron/main/security';
import { MIN_SIZE } from '../../electron/services/window/windowState';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

/** The exact preferences a window gets. A new key fails this test on purpose: review it, then add it here. */
const EXPECTED_PREFERENCES = {
  preload: '/app/dist/electron/preload/index.js',
  contextIsolation: true,
  sandbox: true,
  nodeIntegration: false,
  nodeIntegrationInWorker: false,
  nodeIntegrationInSubFrames: false,
  webSecurity: true,
  allowRunningInsecureContent: false,
  webviewTag: false,
  experimentalFeatures: false,
  navigateOnDragDrop: false,
  safeDialogs: true,
  spellcheck: true,
  devTools: false,
};

function windowOptions(devTools?: boolean) {
  return browserWindowOptions({
    bounds: { x: 10, y: 20, width: 900, height: 700 },
    minSize: MIN_SIZE,
    preload: EXPECTED_PREFERENCES.preload,
    devTools,
  });
}

describe('browserWindowOptions (what every BrowserWindow is created with)', () => {
  it('has exactly the reviewed web preferences', () => {
    expect(windowOptions().webPreferences).toEqual(EXPECTED_PREFERENCES);
  });

  it.each([
    ['contextIsolation', true, 'the page and the preload must not share a JavaScript world'],
    ['sandbox', true, 'the renderer process must run in the OS sandbox'],
    ['webSecurity', true, 'same-origin policy must stay on'],
    ['nodeIntegration', false, 'the page must not get require() / process'],
    ['nodeIntegrationInWorker', false, 'workers must not get Node'],
    ['nodeIntegrationInSubFrames', false, 'frames must not get Node'],
    ['allowRunningInsecureContent', false, 'no http content in the app page'],
    ['webviewTag', false, '<webview> would embed arbitrary pages'],
    ['experimentalFeatures', false, 'no experimental Blink features'],
    ['navigateOnDragDrop', false, 'dropping a file must not navigate away from the writer’s text'],
  ] as const)('%s is %s (%s)', (key, value, _why) => {
    expect(windowOptions().webPreferences?.[key]).toBe(value);
    // Dev builds only add devtools; nothing else loosens.
    expect(windowOptions(true).webPreferences?.[key]).toBe(value);
  });

  it('loads the preload given, only devTools differs in development, and the window starts hidden', () => {
    const dev = windowOptions(true);
    expect(dev.webPreferences).toEqual({ ...EXPECTED_PREFERENCES, devTools: true });
    expect(windowOptions()).toMatchObject({
      x: 10,
      y: 20,
      width: 900,
      height: 700,
      minWidth: MIN_SIZE.width,
      minHeight: MIN_SIZE.height,
      show: false,
    });
    expect(secureWebPreferences('/p.js')).toEqual({ ...EXPECTED_PREFERENCES, preload: '/p.js' });
  });
});

/** Source files under electron/ (the main process and everything it bundles). */
function sources(dir = path.join(ROOT, 'electron')): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const full = path.join(dir, e.name);
    if (e.isDirectory()) return sources(full);
    return /\.(ts|tsx|mts|cts|js|mjs|cjs)$/.test(e.name) ? [full] : [];
  });
}

function strip(code: string): string {
  // Comments may mention the options freely; only code counts.
  return code.replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|[^:])\/\/.*$/gm, '$1');
}

describe('no window, view or web preferences is created around the policy', () => {
  const files = sources().map((f) => ({ rel: path.relative(ROOT, f), code: strip(fs.readFileSync(f, 'utf8')) }));

  it('finds the main-process sources (the scan is not vacuous)', () => {
    expect(files.map((f) => f.rel)).toEqual(
      expect.arrayContaining([path.join('electron', 'main', 'window.ts'), path.join('electron', 'main', 'index.ts')]),
    );
  });

  it('creates BrowserWindows only in window.ts, from browserWindowOptions', () => {
    const creators = files.filter((f) => /new\s+BrowserWindow\s*\(/.test(f.code)).map((f) => f.rel);
    expect(creators).toEqual([path.join('electron', 'main', 'window.ts')]);
    const win = files.find((f) => f.rel === path.join('electron', 'main', 'window.ts'))!.code;
    const calls = [...win.matchAll(/new\s+BrowserWindow\s*\(\s*([A-Za-z_$][\w$]*)\s*\)/g)];
    expect(calls, 'new BrowserWindow(...) must take a variable built by browserWindowOptions').toHaveLength(
      [...win.matchAll(/new\s+BrowserWindow\s*\(/g)].length,
    );
    for (const [, name] of calls) expect(win).toMatch(new RegExp(`const\\s+${name}\\s*=\\s*browserWindowOptions\\(`));
  });

  it('creates no BrowserView / WebContentsView / <webview> and writes webPreferences only in security.ts', () => {
    for (const f of files) {
      expect(f.code, f.rel).not.toMatch(/new\s+(BrowserView|WebContentsView)\s*\(/);
      if (f.rel !== path.join('electron', 'main', 'security.ts'))
        expect(f.code, f.rel).not.toMatch(/webPreferences\s*:/);
    }
  });

  it('never loosens a preference anywhere, nor turns the sandbox or web security off by switch', () => {
    const loosening = [
      /contextIsolation\s*:\s*false/,
      /sandbox\s*:\s*false/,
      /webSecurity\s*:\s*false/,
      /nodeIntegration\w*\s*:\s*true/,
      /allowRunningInsecureContent\s*:\s*true/,
      /webviewTag\s*:\s*true/,
      /disable-web-security/,
      /appendSwitch\(\s*['"]no-sandbox/,
      /setPermissionRequestHandler\(\s*null/,
      /setPermissionCheckHandler\(\s*null/,
    ];
    for (const f of files) for (const re of loosening) expect(f.code, `${f.rel} matches ${re}`).not.toMatch(re);
  });
});
