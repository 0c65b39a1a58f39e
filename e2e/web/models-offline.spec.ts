/**
 * The Models page with no network: the Hub's name does not resolve (a `.invalid` host, which never
 * does, so nothing leaves this computer). The download fails at once with a plain sentence and
 * the ways that work offline, and "Import from disk…" takes the writer to the form that works.
 */
import { test, expect, openApp, screenshotPath, WebHost } from './fixtures';

test('offline: the download says so at once and offers the ways that work offline', async ({
  page,
  dataDir,
  rendererBuilt,
}) => {
  void rendererBuilt;
  const host = await WebHost.start({ modelDir: null, dataDir, env: { HF_ENDPOINT: 'http://hub.inkling.invalid' } });
  try {
    await openApp(page, host.url);
    await page.getByTestId('welcome-models').click();
    const card = page.locator('[data-testid="catalog-card"][data-model="distilgpt2"]');
    await card.getByRole('radio', { name: /fp32/ }).check();
    await card.getByRole('button', { name: 'Download DistilGPT2 (fp32)' }).click();
    const job = card.getByTestId('model-job');
    // Failed with the offline explanation (not retried, then "cannot reach …: gave up after 6 attempts").
    await expect(job).toHaveAttribute('data-state', 'failed');
    const line = job.getByTestId('job-line');
    await expect(line).toContainText('could not look up the address of hub.inkling.invalid, so it seems to be offline');
    await expect(line).toContainText('"Import from disk" on the Models page');
    await expect(line).toContainText('npx inkling pull <model>');
    await page.screenshot({ path: screenshotPath('models-offline.png') });
    await job.getByTestId('job-import').click();
    await expect(page.getByTestId('import-path')).toBeFocused();
  } finally {
    await host.stop();
  }
});
