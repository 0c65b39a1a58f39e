/**
 * Controls that explain themselves: one place sets a suggestion's length and alternatives (and Tab
 * follows it), sliders cover their fields, each control explains itself in a line and resets to
 * its preset's value, the new samplers (DRY, XTC, mirostat) can be switched on and generate, and
 * Export → Import of presets never duplicates.
 */
import fs from 'node:fs';
import path from 'node:path';
import { test, expect, editor, ghost, screenshotPath } from './fixtures';
import { cardTexts, openPane, runPane, setParam, startWith } from './panes.helpers';

const TEXT = 'The lighthouse keeper climbed the stairs at dusk and looked out over the grey water';

test('length and alternatives are set in one place, shown in Settings and the Continue pane, and Tab follows them', async ({
  app: page,
}) => {
  await startWith(page, TEXT);
  await page.getByTestId('settings').click();
  const summary = page.getByTestId('settings-popover').getByTestId('suggestion-summary');
  await expect(summary).toContainText('up to 48 tokens, 3 alternatives');
  await summary.getByTestId('summary-change').click();
  await expect(page.getByTestId('settings-popover')).toBeHidden();
  await expect(page.getByTestId('sampling-target-continue')).toHaveAttribute('aria-checked', 'true');
  await expect(page.getByTestId('length-used-by')).toBeVisible();
  await setParam(page, 'alternatives', '2');
  await setParam(page, 'maxNewTokens', '6');

  // The Continue pane shows the same values...
  await openPane(page, 'continue');
  await expect(page.getByTestId('continue-pane').getByTestId('suggestion-summary')).toContainText(
    'Up to 6 tokens, 2 alternatives',
  );
  // ...and a Tab suggestion uses them: two alternatives.
  await editor(page).click();
  await page.keyboard.press('End');
  await page.keyboard.press('Tab');
  await expect(ghost(page)).toBeVisible();
  await expect(page.getByTestId('ghost-count')).toHaveText('1/2');
  await expect(page.getByTestId('generation-state')).not.toHaveAttribute('data-state', 'generating');
  await expect(page.getByTestId('ghost-count')).toHaveText('1/2');
});

test('sliders cover the field’s range; each control explains itself and resets to the preset’s value', async ({
  app: page,
}) => {
  await startWith(page, TEXT);
  await openPane(page, 'sampling');
  await expect(page.getByTestId('param-temperature-slider')).toHaveAttribute('max', '5');
  await expect(page.getByTestId('param-maxNewTokens-slider')).toHaveAttribute('max', '1024');
  await expect(page.getByTestId('param-topK-help')).toContainText(
    'The slider goes to 200; type up to 50257 in the box.',
  );
  await expect(page.getByTestId('param-temperature-help')).toHaveText(/^How adventurous the word choice is\./);
  await expect(page.getByTestId('param-temperature-help')).toBeVisible();

  const reset = page.getByTestId('param-temperature-reset');
  await expect(reset).toBeDisabled(); // the value is the preset's
  await setParam(page, 'temperature', '3.5');
  await expect(page.getByTestId('param-temperature-slider')).toHaveValue('3.5');
  await expect(reset).toBeEnabled();
  await expect(reset).toHaveAccessibleName('Reset Temperature to 0.8 (“Inkling default”)');
  await reset.click();
  await expect(page.getByTestId('param-temperature-input')).toHaveValue('0.8');
  await expect(reset).toBeDisabled();
  await expect(page.getByTestId('preset-changed')).toBeHidden();
});

test('DRY, XTC and mirostat switch on from the pane and the Continue pane generates with them', async ({
  app: page,
}) => {
  await startWith(page, TEXT);
  await openPane(page, 'sampling');
  // An order saved without them (as presets from older versions are): switching DRY on puts it back.
  const dry = page.locator('[data-testid=sampler-item][data-name=dry]');
  await dry.getByRole('checkbox').uncheck();
  await expect(dry).toHaveAttribute('aria-label', 'DRY, off');
  await setParam(page, 'dryMultiplier', '0.8');
  await expect(dry).toHaveAttribute('aria-label', /^DRY, step \d+$/);
  await expect(page.getByTestId('param-dryMultiplier').locator('.param-off')).toHaveCount(0);
  await setParam(page, 'xtcProbability', '0.5');
  await setParam(page, 'maxNewTokens', '12');
  await page.getByTestId('param-drySequenceBreakers').scrollIntoViewIfNeeded();
  await page.screenshot({ path: screenshotPath('pane-sampling-new-samplers.png') });
  await openPane(page, 'continue');
  await runPane(page, 'continue');
  expect((await cardTexts(page)).every((t) => t.length > 0)).toBe(true);

  // The mirostat preset: top-k and top-p off, mirostat on; generation works with it.
  await openPane(page, 'sampling');
  await page.getByTestId('preset-select').selectOption({ label: 'Steady surprise (mirostat)' });
  await expect(page.getByTestId('param-mirostatTau-input')).toHaveValue('5');
  await expect(page.getByTestId('param-topK-input')).toHaveValue('0');
  await openPane(page, 'continue');
  await runPane(page, 'continue');
  expect((await cardTexts(page)).every((t) => t.length > 0)).toBe(true);
});

test('Export → Import → Import again: no built-in copies, no “(2)”, the preset is updated', async ({
  app: page,
  filesDir,
}) => {
  await startWith(page, TEXT);
  await openPane(page, 'sampling');
  const select = page.getByTestId('preset-select');
  await setParam(page, 'temperature', '0.45');
  await page.getByTestId('preset-save-as').click();
  await page.getByTestId('preset-name').fill('Quiet');
  await page.getByTestId('preset-name-ok').click();
  await expect(select.locator('option:checked')).toHaveText('Quiet');
  const options = await select.locator('option').count();

  const downloading = page.waitForEvent('download');
  await page.getByTestId('preset-export').click();
  const file = path.join(filesDir, 'presets.json');
  await (await downloading).saveAs(file);
  const exported = JSON.parse(fs.readFileSync(file, 'utf8')) as { presets: { name: string }[] };
  expect(exported.presets.map((p) => p.name)).toEqual(['Quiet']);

  // Change "Quiet", then import the file twice: it takes the file's values, nothing is added.
  await setParam(page, 'temperature', '1.3');
  await page.getByTestId('preset-save').click();
  for (let i = 0; i < 2; i++) {
    await page.getByTestId('preset-import-file').setInputFiles(file);
    await expect(page.getByTestId('sampling-message')).toHaveText('Updated “Quiet”.');
  }
  await expect(select.locator('option')).toHaveCount(options);
  await expect(select.locator('option', { hasText: '(2)' })).toHaveCount(0);
  await select.selectOption({ label: 'GPT-2 paper: top-k 40' });
  await select.selectOption({ label: 'Quiet' });
  await expect(page.getByTestId('param-temperature-input')).toHaveValue('0.45');
});

test('the Ask pane reads as one conversation: earlier turns, the latest answer, then the question box', async ({
  app: page,
}) => {
  await startWith(page, TEXT);
  await openPane(page, 'answer');
  for (const q of ['Who climbed the stairs?', 'What did he look at?']) {
    await page.getByTestId('ask-question').fill(q);
    await page.getByTestId('ask-question').press('Enter');
    await expect(page.getByTestId('ask-status')).toHaveAttribute('data-state', 'done', { timeout: 60_000 });
    await expect(page.getByTestId('ask-result')).toContainText(q);
  }
  await expect(page.getByTestId('ask-turns')).toContainText('Who climbed the stairs?');
  const top = async (id: string) => (await page.getByTestId(id).boundingBox())!.y;
  const [earlier, latest, box] = [await top('ask-turns'), await top('ask-result'), await top('ask-question')];
  expect(earlier).toBeLessThan(latest);
  expect(latest).toBeLessThan(box);
});
