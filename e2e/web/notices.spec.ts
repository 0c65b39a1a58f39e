/**
 * What the writer is told, and for how long: a notice about a problem goes once the problem is
 * gone, one failure gives one notice, and the Models page never says "no models" while one is in use.
 */
import fs from 'node:fs';
import path from 'node:path';
import { test, expect, docText, modelReady } from './fixtures';

test('opening a model file as a document says why, once', async ({ app: page, filesDir }) => {
  const onnx = path.join(filesDir, 'model.onnx');
  fs.writeFileSync(onnx, 'not text');
  await page.getByTestId('open-document').click();
  const open = page.getByTestId('open-dialog');
  await open.getByTestId('path-input').fill(onnx);
  await open.getByTestId('path-submit').click();
  const notices = page.getByTestId('notice');
  await expect(notices.first()).toContainText('model.onnx is a ".onnx" file');
  // Closing the dialog is a round trip through the page: every notice of the failure has rendered.
  await page.keyboard.press('Escape');
  await expect(open).toBeHidden();
  await expect(notices).toHaveCount(1);
});

test('the Models page shows a model opened from a folder instead of "No models yet"', async ({ app: page }) => {
  await modelReady(page);
  await page.getByTestId('open-models').click();
  await expect(page.getByTestId('models-page')).toBeVisible();
  const inUse = page.getByTestId('model-outside-library');
  await expect(inUse).toContainText(/In use now: \S+ \(fp32\), opened from \S*tiny-gpt2\./);
  await expect(inUse).toContainText('not part of the library');
  await expect(page.getByTestId('no-models')).toContainText('Nothing in the library yet.');
  await expect(page.getByTestId('models-page')).not.toContainText('No models yet');
  // How the CPU runs it: the threads, and whether they spin (decided at load from what else runs).
  await expect(page.getByTestId('cpu-note')).toContainText(
    /runs on the CPU: \d+ threads; spinning (on|off) \(other programs used [\d.]+ of \d+ CPUs/,
  );
});

test.describe('without a model', () => {
  test.use({ hostOptions: { model: false } });

  test('a suggestion failure notice goes away once a model is ready', async ({ app: page, host, modelDir }) => {
    await page.getByTestId('start-writing').click();
    await page.keyboard.type('Waiting for a model.');
    await expect.poll(() => docText(page)).toBe('Waiting for a model.');
    await page.keyboard.press('Tab');
    const stale = page.getByTestId('notice').filter({ hasText: /No model is loaded/ });
    await expect(stale).toBeVisible();
    // The writer loads a model some other way (here: another client of the same host).
    await host.call('loadModel', [modelDir]);
    await modelReady(page);
    await expect(stale).toHaveCount(0);
  });
});
