/**
 * The Models page against a Hub-like server on 127.0.0.1 (test/helpers/hub-server.ts, started here
 * in the test process) serving a tiny random GPT-2 made by `inkling make-test-model` under the
 * catalog's repository names. The web host gets HF_ENDPOINT pointing at it and a fresh data folder
 * with no model. Everything is real: download, verification, conversion, the engine, the editor.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import type { Page } from '@playwright/test';
import { startHubServer, type HubServer } from '../../test/helpers/hub-server';
import {
  ROOT,
  WebHost,
  docText,
  editor,
  expect,
  ghost,
  ghostText,
  modelReady,
  openApp,
  screenshotPath,
  tempDir,
  test as base,
} from './fixtures';

const run = promisify(execFile);

interface Fixtures {
  hub: HubServer;
  /** Starts a web host on `dataDir` with HF_ENDPOINT = the test hub (stopped after the test). */
  startHost: () => Promise<WebHost>;
  errors: string[];
}

const test = base.extend<Fixtures, { checkpoint: string }>({
  checkpoint: [
    async ({}, use) => {
      const dir = tempDir('hub-model');
      await run(
        process.execPath,
        [
          path.join(ROOT, 'bin', 'inkling.mjs'),
          'make-test-model',
          '--out',
          dir,
          '--layers',
          '2',
          '--embd',
          '64',
          '--heads',
          '4',
        ],
        { cwd: ROOT },
      );
      await use(dir);
      fs.rmSync(dir, { recursive: true, force: true });
    },
    { scope: 'worker', timeout: 120_000 },
  ],
  hub: async ({ checkpoint }, use) => {
    const hub = await startHubServer({
      repos: { 'distilbert/distilgpt2': checkpoint, 'openai-community/gpt2': checkpoint },
    });
    await use(hub);
    await hub.close();
  },
  startHost: async ({ hub, dataDir, rendererBuilt }, use, testInfo) => {
    void rendererBuilt;
    const hosts: WebHost[] = [];
    await use(async () => {
      // The host inherits the environment at spawn time; restore ours right after.
      const saved = process.env.HF_ENDPOINT;
      process.env.HF_ENDPOINT = hub.url;
      try {
        const host = await WebHost.start({ modelDir: null, dataDir });
        hosts.push(host);
        return host;
      } finally {
        if (saved === undefined) delete process.env.HF_ENDPOINT;
        else process.env.HF_ENDPOINT = saved;
      }
    });
    for (const h of hosts) {
      if (testInfo.status !== testInfo.expectedStatus)
        await testInfo.attach('web-host.log', { body: h.log, contentType: 'text/plain' });
      await h.stop();
    }
  },
  errors: async ({ page }, use) => {
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await use(errors);
    expect(errors, 'uncaught errors in the page').toEqual([]);
  },
});

const card = (page: Page, id: string) => page.locator(`[data-testid="catalog-card"][data-model="${id}"]`);
const installed = (page: Page, id: string) => page.locator(`[data-testid="installed-model"][data-model="${id}"]`);

test('from an empty data folder: welcome → Models → download DistilGPT2 with progress → it loads → Tab suggests', async ({
  page,
  hub,
  startHost,
  errors,
}) => {
  void errors;
  test.setTimeout(180_000);
  const host = await startHost();
  await openApp(page, host.url);
  await expect(page.getByTestId('welcome')).toBeVisible();
  await expect(page.getByTestId('engine-state')).toHaveAttribute('data-state', 'no_model');

  await page.getByTestId('welcome-models').click();
  const models = page.getByTestId('models-page');
  await expect(models).toBeVisible();
  await expect(page.getByRole('heading', { name: 'Models', level: 1 })).toBeVisible();
  await expect(page.getByTestId('no-models')).toBeVisible();
  await expect(page.getByTestId('catalog-card')).toHaveCount(5);
  await expect(models).toContainText(hub.url); // downloads come from HF_ENDPOINT
  // Each card labels every precision against this machine's memory.
  await expect(card(page, 'gpt2-xl').getByTestId('fit-label')).toHaveCount(4);
  await expect(card(page, 'distilgpt2').getByTestId('fit-label').first()).toHaveText(/fits|slow|won't fit/);

  // The page scrolls inside the window: a tall viewport shows all of it in one picture.
  await page.setViewportSize({ width: 1200, height: 1900 });
  await page.screenshot({ path: screenshotPath('models-page-light.png') });
  await page.emulateMedia({ colorScheme: 'dark' });
  await expect(page.locator('html')).toHaveAttribute('data-theme', 'dark');
  await page.screenshot({ path: screenshotPath('models-page-dark.png') });
  await page.emulateMedia({ colorScheme: 'light' });
  await page.setViewportSize({ width: 1200, height: 780 });

  // A slow link, so the progress is there to see (~14 MB at ~5 MB/s).
  hub.setFault('model.safetensors', { trickle: { bytes: 256 * 1024, intervalMs: 50 } });
  const distil = card(page, 'distilgpt2');
  // Information notices fade after 6 s; a busy machine can take longer than that to load the model,
  // so record every notice shown rather than look for one that may already be gone.
  await page.evaluate(() => {
    const seen: string[] = ((window as unknown as { seenNotices: string[] }).seenNotices = []);
    new MutationObserver(() => {
      for (const n of document.querySelectorAll('[data-testid="notice"]'))
        if (n.textContent && !seen.includes(n.textContent)) seen.push(n.textContent);
    }).observe(document.body, { childList: true, subtree: true, characterData: true });
  });
  const seenNotices = () => page.evaluate(() => (window as unknown as { seenNotices: string[] }).seenNotices);
  await distil.getByRole('radio', { name: /fp32/ }).check();
  await distil.getByRole('button', { name: 'Download DistilGPT2 (fp32)' }).click();
  const bar = distil.getByRole('progressbar');
  await expect(bar).toBeVisible();
  await expect(distil.getByTestId('job-line')).toHaveText(
    /Downloading model\.safetensors · [\d.]+ (KB|MB) of [\d.]+ MB · [\d.]+ (KB|MB)\/s · .*left/,
    { timeout: 30_000 },
  );
  await expect
    .poll(async () => Number(await bar.getAttribute('aria-valuenow')), { timeout: 30_000 })
    .toBeGreaterThan(5);
  await expect(page.getByTestId('download-status')).toContainText(/DistilGPT2 \d+%/);
  await page.screenshot({ path: screenshotPath('models-page-downloading.png') });

  // Installed, made the default, loaded.
  const row = installed(page, 'distilgpt2');
  await expect(row).toBeVisible({ timeout: 120_000 });
  await expect(row.getByTestId('default-badge')).toBeVisible();
  await modelReady(page);
  await expect(row.getByTestId('in-use-badge')).toHaveText('In use · fp32');
  await expect(distil.getByRole('button', { name: 'DistilGPT2 fp32 is installed' })).toBeDisabled();
  await expect.poll(async () => (await seenNotices()).some((t) => t.includes('DistilGPT2 is installed.'))).toBe(true);
  await expect(page.getByTestId('model-name')).toHaveText('DistilGPT2 · fp32'); // the library's name, not the folder's
  await models.evaluate((el) => el.scrollTo(0, 0));
  await page.screenshot({ path: screenshotPath('models-page-installed.png') });

  // Back to writing (Esc); Tab asks the model that was just installed.
  await page.keyboard.press('Escape');
  await expect(models).toBeHidden();
  await editor(page).click();
  await page.keyboard.type('The old lighthouse');
  await page.keyboard.press('Tab');
  await expect(ghost(page)).toBeVisible({ timeout: 60_000 });
  await expect(page.getByTestId('generation-state')).toHaveAttribute('data-state', 'done', { timeout: 60_000 });
  const suggestion = await ghostText(page);
  expect(suggestion.length).toBeGreaterThan(0);
  await page.keyboard.press('Tab');
  await expect.poll(() => docText(page)).toBe('The old lighthouse' + suggestion);
  expect(fs.existsSync(path.join(host.dataDir, 'models', 'distilgpt2', 'manifest.json'))).toBe(true);

  // A second precision converts from the kept checkpoint; its measured difference from fp32 shows.
  await page.keyboard.press('Control+Shift+M');
  await expect(models).toBeVisible();
  await distil.getByRole('radio', { name: /int8/ }).check();
  await distil.getByRole('button', { name: 'Download DistilGPT2 (int8)' }).click();
  await expect(row.locator('.precision-chip', { hasText: 'int8' })).toContainText(/top-1 \d+\.\d%/, {
    timeout: 120_000,
  });
  await expect(row.locator('.precision-chip', { hasText: 'fp32' })).not.toContainText('top-1');
});

test('cancel mid-download, resume after the app restarts (Range from the bytes kept), then delete', async ({
  page,
  hub,
  startHost,
  errors,
}) => {
  void errors;
  test.setTimeout(180_000);
  let host = await startHost();
  await openApp(page, host.url);
  await page.keyboard.press('Control+Shift+M'); // the keyboard path to the page
  await expect(page.getByTestId('models-page')).toBeVisible();

  hub.setFault('model.safetensors', { trickle: { bytes: 64 * 1024, intervalMs: 50 } }); // ~1.3 MB/s
  const gpt2 = card(page, 'gpt2');
  await gpt2.getByRole('radio', { name: /fp32/ }).check();
  await gpt2.getByRole('button', { name: 'Download GPT-2 (124M) (fp32)' }).click();
  const bar = gpt2.getByRole('progressbar');
  await expect
    .poll(async () => Number(await bar.getAttribute('aria-valuenow')), { timeout: 30_000 })
    .toBeGreaterThanOrEqual(10);
  await gpt2.getByRole('button', { name: /^Cancel Download of GPT-2/ }).click();
  await expect(gpt2.getByTestId('model-job')).toHaveAttribute('data-state', 'cancelled');
  await expect(gpt2.getByTestId('job-line')).toHaveText(/^Paused at [\d.]+ MB of [\d.]+ MB/);
  await expect(gpt2.getByRole('button', { name: /^Resume/ })).toBeVisible();
  const partial = path.join(host.dataDir, 'models', 'gpt2', 'source', 'model.safetensors.incomplete');
  const kept = fs.statSync(partial).size;
  expect(kept).toBeGreaterThan(1_000_000);

  // Quit and start again: the unfinished download is offered for resume.
  await host.stop();
  hub.clearFaults();
  host = await startHost();
  await openApp(page, host.url);
  await expect(
    page.getByTestId('notice').filter({ hasText: 'The download of GPT-2 (124M) did not finish.' }),
  ).toBeVisible();
  await page.getByTestId('open-models').click();
  await expect(gpt2.getByTestId('model-job')).toHaveAttribute('data-state', 'interrupted');
  await expect(gpt2.getByTestId('job-line')).toContainText('Stopped when Inkling closed');
  const before = hub.gets('model.safetensors').length;
  await gpt2.getByRole('button', { name: /^Resume/ }).click();
  const row = installed(page, 'gpt2');
  await expect(row).toBeVisible({ timeout: 120_000 });
  const resumedGets = hub.gets('model.safetensors').slice(before);
  expect(resumedGets[0].range).toBe(`bytes=${kept}-`);
  expect(resumedGets[0].status).toBe(206);
  await modelReady(page);

  // Show in folder is the desktop app's; the browser says where the folder is.
  await expect(row.getByRole('button', { name: 'Show GPT-2 (124M) in its folder' })).toBeDisabled();

  // Delete: the confirmation says how much space it frees, and a notice confirms it.
  await row.getByRole('button', { name: 'Delete GPT-2 (124M)' }).click();
  const confirm = page.getByTestId('confirm-delete');
  await expect(confirm).toContainText(/This frees [\d.]+ MB/);
  const freed = (await confirm.getByTestId('confirm-delete-button').innerText()).replace('Delete ', '');
  await confirm.getByTestId('confirm-delete-button').click();
  await expect(page.getByTestId('notice').filter({ hasText: `Deleted gpt2; ${freed} freed.` })).toBeVisible();
  await expect(page.getByTestId('no-models')).toBeVisible();
  await expect(page.getByTestId('engine-state')).toHaveAttribute('data-state', 'no_model');
  expect(fs.existsSync(path.join(host.dataDir, 'models', 'gpt2'))).toBe(false);
});

test('import refuses a folder that is not a model, naming it; devices explain what is unavailable', async ({
  page,
  startHost,
  filesDir,
  errors,
}) => {
  void errors;
  const host = await startHost();
  await openApp(page, host.url);
  await page.getByTestId('open-models').click();
  await page.getByTestId('import-path').fill(filesDir);
  await page.getByTestId('import-submit').click();
  await expect(page.getByTestId('models-error')).toContainText(
    `${filesDir} is neither a Hugging Face checkpoint folder`,
  );

  const device = page.getByTestId('setting-device');
  await expect(device.locator('option[value="cpu"]')).toBeEnabled();
  // This Linux test machine has no DirectML or CoreML: shown, disabled, with the reason.
  await expect(device.locator('option[value="dml"]')).toBeDisabled();
  await expect(page.getByRole('list', { name: 'Devices not available here' })).toContainText(
    'DirectML runs on Windows only.',
  );
  await page.getByTestId('setting-threads').fill('1');
  await expect.poll(async () => ((await host.call('getSettings')) as { threads: number }).threads).toBe(1);

  // The same controls sit in the Settings popover.
  await page.keyboard.press('Escape');
  await expect(page.getByTestId('models-page')).toBeHidden();
  await page.getByTestId('settings').click();
  const popover = page.getByTestId('settings-popover');
  await expect(popover.getByTestId('setting-threads')).toHaveValue('1');
  await expect(popover.getByTestId('setting-device').locator('option[value="coreml"]')).toBeDisabled();
  await page.screenshot({ path: screenshotPath('settings-device.png') });
});

test('a precision inkling eval measured much worse than fp32 is flagged, suggesting the better one', async ({
  page,
  startHost,
  dataDir,
  errors,
}) => {
  void errors;
  // A library model whose manifest carries eval records (as `inkling eval` writes them); the list reads only the manifest.
  const entry = (p: string, createdAt: string) => ({
    format: 'inkling',
    dir: p,
    graph: `${p}/model.onnx`,
    files: [],
    bytes: 1000,
    createdAt,
  });
  const data = {
    repo: 'Salesforce/wikitext',
    file: 'wikitext-2-raw-v1/test-00000-of-00001.parquet',
    commit: null,
    sha256: 'a'.repeat(64),
  };
  const rec = (precision: string, perplexity: number) => ({
    task: 'wikitext2',
    precision,
    weights: 'installed',
    weightsCreatedAt: `t-${precision}`,
    dataset: data,
    context: 1024,
    stride: 512,
    limit: null,
    count: 287643,
    perplexity,
    measuredAt: '2026-12-02T00:00:00Z',
  });
  const manifest = {
    schemaVersion: 1,
    id: 'gpt2',
    name: 'GPT-2 (124M)',
    source: {
      kind: 'hub',
      repo: 'openai-community/gpt2',
      revision: 'main',
      commit: null,
      endpoint: 'http://127.0.0.1:9',
    },
    files: [],
    precisions: { fp32: entry('fp32', 't-fp32'), int8: entry('int8', 't-int8'), int4: entry('int4', 't-int4') },
    evals: [rec('fp32', 25.19), rec('int8', 25.3), rec('int4', 29.1)],
    createdAt: '2026-12-01T00:00:00Z',
    updatedAt: '2026-12-02T00:00:00Z',
  };
  fs.mkdirSync(path.join(dataDir, 'models', 'gpt2'), { recursive: true });
  fs.writeFileSync(path.join(dataDir, 'models', 'gpt2', 'manifest.json'), JSON.stringify(manifest));

  const host = await startHost();
  await openApp(page, host.url);
  await page.getByTestId('open-models').click();
  const model = installed(page, 'gpt2');
  await expect(model.getByTestId('precision-chip-int8')).toContainText('WikiText-2 +0.4% vs fp32');
  await expect(model.getByTestId('precision-chip-int4')).toContainText('WikiText-2 +15.5% vs fp32');
  await expect(model.getByTestId('precision-advice')).toHaveText(
    'int4 writes noticeably worse than fp32 with this model on real text: ' +
      "WikiText-2 perplexity 29.10 against fp32's 25.19 (+15.5%). Use int8 instead: it stays within +0.4% of fp32.",
  );
  await page.screenshot({ path: screenshotPath('models-eval-advice.png') });
});
