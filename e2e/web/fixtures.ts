/**
 * Fixtures for the web e2e tests: a tiny random GPT-2 (made once per worker with the project's own
 * `inkling make-test-model` + `inkling convert`), a real web host per test with a fresh data folder,
 * and a page opened on it. Nothing is mocked: the browser talks to the host over its WebSocket, the
 * host runs the real services and the real engine process.
 *
 * The host is started as `node --import tsx electron/web/main.ts` — exactly what `npm run web`
 * runs — rather than through npm, so `kill('SIGKILL')` hits the host itself and not an npm wrapper.
 */
import { test as base, expect, type Page } from '@playwright/test';
import { spawn, execFile, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { fileURLToPath } from 'node:url';
import WebSocket from 'ws';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const SCREENSHOTS = path.join(ROOT, 'artifacts', 'screenshots');
const run = promisify(execFile);

export function tempDir(prefix: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), `inkling-e2e-${prefix}-`));
}

/** A running web host. */
export class WebHost {
  private constructor(
    /** The address `npm run web` prints for the writer to open: http://127.0.0.1:N/#token=KEY. */
    readonly url: string,
    readonly dataDir: string,
    private readonly child: ChildProcess,
    private readonly output: { text: string },
  ) {}

  /** http://127.0.0.1:N (no key, no trailing slash). */
  get origin(): string {
    return new URL(this.url).origin;
  }

  /** This launch's key (from the address it printed). */
  get token(): string {
    return new URLSearchParams(new URL(this.url).hash.slice(1)).get('token') ?? '';
  }

  get port(): number {
    return Number(new URL(this.url).port);
  }

  /**
   * `port`: a fixed port (to restart a host where an open page can find it again); `env`: extra
   * environment (e.g. INKLING_WEB_TOKEN to keep the key across the restart).
   */
  static async start(opts: {
    modelDir: string | null;
    dataDir: string;
    timeoutMs?: number;
    port?: number;
    env?: Record<string, string>;
  }): Promise<WebHost> {
    // --no-build: the worker fixture built dist/renderer once; a host that rebuilt it because someone
    // touched a source mid-run would empty dist/ under pages that are still loading from it.
    const args = [
      '--import',
      'tsx',
      'electron/web/main.ts',
      '--port',
      String(opts.port ?? 0),
      '--data-dir',
      opts.dataDir,
      '--no-build',
    ];
    if (opts.modelDir) args.push('--model', opts.modelDir);
    const child = spawn(process.execPath, args, {
      cwd: ROOT,
      env: { ...process.env, INKLING_TEST_HOOKS: '1', INKLING_WEB_TOKEN: '', ...opts.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const output = { text: '' };
    child.stderr!.on('data', (d: Buffer) => (output.text += d.toString()));
    const url = await new Promise<string>((resolve, reject) => {
      let stdout = '';
      const timer = setTimeout(
        () =>
          reject(
            new Error(
              `The web host did not print its ready line within ${opts.timeoutMs ?? 60_000} ms.\n${output.text}`,
            ),
          ),
        opts.timeoutMs ?? 60_000,
      );
      child.stdout!.on('data', (d: Buffer) => {
        stdout += d.toString();
        // The second line is the address to open, with this launch's key.
        const m =
          /^Inkling web host ready at http:\/\/127\.0\.0\.1:\d+\/\n(http:\/\/127\.0\.0\.1:\d+\/#token=[A-Za-z0-9._~-]+)\n/.exec(
            stdout,
          );
        if (m) {
          clearTimeout(timer);
          resolve(m[1]);
        }
      });
      child.once('exit', (code, signal) => {
        clearTimeout(timer);
        reject(new Error(`The web host exited (${signal ?? code}) before it was ready.\n${output.text}`));
      });
    });
    return new WebHost(url, opts.dataDir, child, output);
  }

  get log(): string {
    return this.output.text;
  }

  get exited(): boolean {
    return this.child.exitCode !== null || this.child.signalCode !== null;
  }

  private waitExit(): Promise<void> {
    if (this.exited) return Promise.resolve();
    return new Promise((resolve) => this.child.once('exit', () => resolve()));
  }

  /** SIGKILL: the host dies without any chance to save or clean up (a crash, a power cut). */
  async kill(): Promise<void> {
    if (this.exited) return;
    this.child.kill('SIGKILL');
    await this.waitExit();
  }

  async stop(): Promise<void> {
    if (this.exited) return;
    this.child.kill('SIGTERM');
    const t = setTimeout(() => this.child.kill('SIGKILL'), 8000);
    await this.waitExit();
    clearTimeout(t);
  }

  /** Calls an API method over the host's WebSocket, as a second client (test hooks, inspection). */
  async call(method: string, args: unknown[] = []): Promise<unknown> {
    const ws = new WebSocket(`${this.origin.replace(/^http/, 'ws')}/api`, {
      headers: { Authorization: `Bearer ${this.token}` },
    });
    try {
      await new Promise<void>((resolve, reject) => {
        ws.once('open', () => resolve());
        ws.once('error', reject);
      });
      return await new Promise((resolve, reject) => {
        ws.on('message', (data) => {
          const msg = JSON.parse(data.toString()) as {
            t: string;
            id?: number;
            ok?: boolean;
            value?: unknown;
            error?: { message: string };
          };
          if (msg.t !== 'reply' || msg.id !== 1) return;
          if (msg.ok) resolve(msg.value);
          else reject(new Error(`${method} failed: ${msg.error?.message}`));
        });
        ws.send(JSON.stringify({ t: 'call', id: 1, method, args }));
      });
    } finally {
      ws.close();
    }
  }
}

/** Makes (once per worker) a tiny converted GPT-2: 2 layers, 64 wide, the real GPT-2 vocabulary. */
async function makeModel(): Promise<{ dir: string; cleanup: () => void }> {
  const preset = process.env.INKLING_E2E_MODEL;
  if (preset) return { dir: preset, cleanup: () => undefined };
  const root = tempDir('model');
  const cli = path.join(ROOT, 'bin', 'inkling.mjs');
  const ckpt = path.join(root, 'checkpoint');
  const out = path.join(root, 'tiny-gpt2');
  await run(
    process.execPath,
    [cli, 'make-test-model', '--out', ckpt, '--layers', '2', '--embd', '64', '--heads', '4'],
    { cwd: ROOT },
  );
  await run(process.execPath, [cli, 'convert', ckpt, '--out', out], { cwd: ROOT });
  return { dir: out, cleanup: () => fs.rmSync(root, { recursive: true, force: true }) };
}

/** Builds dist/renderer once per worker if it is missing or stale, so host start-up stays fast. */
async function buildRenderer(): Promise<void> {
  // The host's own staleness check, shared so both agree.
  const { rendererBuildReason, buildRenderer: build } = await import('../../electron/web/rendererBuild');
  if (await rendererBuildReason(ROOT)) await build(ROOT);
}

interface WorkerFixtures {
  modelDir: string;
  rendererBuilt: void;
}

interface TestFixtures {
  /** A fresh folder for the test's own files (removed afterwards, pass or fail). */
  filesDir: string;
  /** Options for the `host` fixture; override with test.use({ hostOptions: { model: false } }). */
  hostOptions: { model: boolean };
  dataDir: string;
  host: WebHost;
  /** A page on `host`, with the app loaded (toolbar visible). Console errors fail the test. */
  app: Page;
}

export const test = base.extend<TestFixtures, WorkerFixtures>({
  rendererBuilt: [
    async ({}, use) => {
      await buildRenderer();
      await use();
    },
    { scope: 'worker', timeout: 120_000 },
  ],
  modelDir: [
    async ({}, use) => {
      const m = await makeModel();
      await use(m.dir);
      m.cleanup();
    },
    { scope: 'worker', timeout: 120_000 },
  ],
  hostOptions: [{ model: true }, { option: true }],
  filesDir: async ({}, use) => {
    const dir = tempDir('files');
    await use(dir);
    fs.rmSync(dir, { recursive: true, force: true });
  },
  dataDir: async ({}, use) => {
    const dir = tempDir('data');
    await use(dir);
    fs.rmSync(dir, { recursive: true, force: true });
  },
  host: async ({ modelDir, dataDir, hostOptions, rendererBuilt }, use, testInfo) => {
    void rendererBuilt;
    const host = await WebHost.start({ modelDir: hostOptions.model ? modelDir : null, dataDir });
    await use(host);
    if (testInfo.status !== testInfo.expectedStatus)
      await testInfo.attach('web-host.log', { body: host.log, contentType: 'text/plain' });
    await host.stop();
  },
  app: async ({ page, host }, use) => {
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await openApp(page, host.url);
    await use(page);
    expect(errors, 'uncaught errors in the page').toEqual([]);
  },
});

export { expect };

export async function openApp(page: Page, url: string): Promise<void> {
  await page.goto(url);
  await expect(page.getByRole('toolbar', { name: 'Inkling' })).toBeVisible();
}

/** Opens `file` as a writer does in the browser (Open… and its path), and waits for its tab. */
export async function openFile(page: Page, file: string): Promise<void> {
  await page.getByTestId('open-document').click();
  const open = page.getByTestId('open-dialog');
  await open.getByTestId('path-input').fill(file);
  await open.getByTestId('path-submit').click();
  await expect(open).toBeHidden();
  await expect(page.locator('.tab.selected')).toHaveText(new RegExp(path.basename(file).replace(/[.()]/g, '\\$&')));
}

/** Waits until the model is loaded (status bar says Ready). */
export async function modelReady(page: Page): Promise<void> {
  await expect(page.getByTestId('engine-state')).toHaveAttribute('data-state', 'ready', { timeout: 60_000 });
}

export function editor(page: Page) {
  return page.locator('.cm-content');
}

/** The document's text as CodeMirror holds it (lines joined with \n; ghost text is not part of it). */
export async function docText(page: Page): Promise<string> {
  return page.locator('.cm-content').evaluate((el) => {
    const lines = Array.from(el.querySelectorAll(':scope > .cm-line'));
    return lines
      .map((line) => {
        const clone = line.cloneNode(true) as HTMLElement;
        clone
          .querySelectorAll('.cm-ghost, .cm-widgetBuffer, .cm-placeholder, .cm-window-start')
          .forEach((n) => n.remove());
        return clone.textContent ?? '';
      })
      .join('\n');
  });
}

export function ghost(page: Page) {
  return page.getByTestId('ghost-text');
}

/** The suggestion's visible text (without the "1/3" counter). */
export async function ghostText(page: Page): Promise<string> {
  return page.locator('.cm-ghost-text').first().innerText();
}

/**
 * Sets how long a suggestion may grow, as a writer would: Settings → Change… opens the one place it
 * is set (the Sampling pane's Continue settings, which Tab suggestions and the Continue pane share);
 * the side panel is closed again if it was closed before.
 */
export async function setSuggestionLength(page: Page, tokens: number): Promise<void> {
  const panelWasOpen = await page.getByTestId('panel-close').isVisible();
  await page.getByTestId('settings').click();
  await page.getByTestId('summary-change').click();
  await expect(page.getByTestId('settings-popover')).toBeHidden();
  const input = page.getByTestId('param-maxNewTokens-input');
  await input.fill(String(tokens));
  await input.press('Enter');
  await expect(page.getByTestId('param-maxNewTokens-slider')).toHaveValue(String(tokens));
  if (!panelWasOpen) await page.getByTestId('panel-close').click();
}

export function screenshotPath(name: string): string {
  fs.mkdirSync(SCREENSHOTS, { recursive: true });
  return path.join(SCREENSHOTS, name);
}

/**
 * Routes the page's API socket so that, once `hold.active` is set, the first `call` frame waits
 * until the page sends `cancel`; then both go to the host in order. A stop is then always decided
 * before the generation could end, however far a busy page lags behind a fast engine. Reload the
 * page afterwards so its connection goes through the route.
 */
export async function holdCallUntilCancel(
  page: Page,
  call: string,
  cancel: string,
  active = true,
): Promise<{ active: boolean; held: () => boolean; released: () => boolean }> {
  const state = { active, frame: null as string | null, released: false };
  await page.routeWebSocket(/\/api(\?|$)/, (ws) => {
    // (the URL carries ?token=)
    const server = ws.connectToServer();
    ws.onMessage((frame) => {
      const method = (JSON.parse(String(frame)) as { method?: string }).method;
      if (state.active && method === call && !state.released && state.frame === null) {
        state.frame = String(frame);
        return;
      }
      if (method === cancel && state.frame !== null) {
        server.send(state.frame);
        state.frame = null;
        state.released = true;
      }
      server.send(frame);
    });
    server.onMessage((frame) => ws.send(frame));
  });
  return {
    get active() {
      return state.active;
    },
    set active(on: boolean) {
      state.active = on;
    },
    held: () => state.frame !== null,
    released: () => state.released,
  };
}
