/**
 * The sampling controls change what the engine receives: temperature 0 repeats exactly, a fixed
 * seed repeats, a banned word never appears; invalid values cannot be entered; presets save,
 * rename, load, reset, export and import; the sampler chain reorders from the keyboard; a document
 * can have its own settings.
 */
import fs from 'node:fs';
import path from 'node:path';
import { test, expect, editor, openApp, screenshotPath } from './fixtures';
import { cardTexts, openPane, runPane, setParam, startWith } from './panes.helpers';

const TEXT = 'She opened the old letter and began to read it aloud to the empty room';

test('temperature 0 repeats exactly, a fixed seed repeats, a banned word never appears', async ({ app: page }) => {
  await startWith(page, TEXT);
  await openPane(page, 'sampling');
  await expect(page.getByTestId('sampling-target-continue')).toHaveAttribute('aria-checked', 'true');
  await setParam(page, 'temperature', '0');
  await setParam(page, 'maxNewTokens', '16');
  await expect(page.getByTestId('param-temperature-slider')).toHaveValue('0');

  await openPane(page, 'continue');
  await runPane(page, 'continue');
  const greedy = await cardTexts(page);
  expect(new Set(greedy).size).toBe(1); // greedy: every alternative is the likeliest text
  await runPane(page, 'continue');
  expect(await cardTexts(page)).toEqual(greedy);

  // A banned word: the first word greedy decoding wrote never appears again.
  const word = greedy[0]
    .trim()
    .split(/\s+/)[0]
    .replace(/[^\p{L}\p{N}]/gu, '');
  expect(word.length).toBeGreaterThan(0);
  await openPane(page, 'sampling');
  await page.getByTestId('bannedWords-input').fill(word);
  await page.getByTestId('bannedWords-input').press('Enter');
  await expect(page.getByTestId('param-bannedWords').getByTestId('chip')).toHaveText([word]);
  await openPane(page, 'continue');
  await runPane(page, 'continue');
  // As a word (a longer word that merely starts with it, like "lighthouse" for "light", is another word).
  const asWord = new RegExp(`(?<![\\p{L}\\p{N}])${word}(?![\\p{L}\\p{N}])`, 'iu');
  for (const t of await cardTexts(page)) expect(t).not.toMatch(asWord);

  // Temperature 1.2 with a fixed seed: the same three cards twice; another seed, other cards.
  await openPane(page, 'sampling');
  await page.getByRole('button', { name: `Remove “${word}”` }).click();
  await setParam(page, 'temperature', '1.2');
  await page.getByTestId('seed-fixed').check();
  await page.getByTestId('seed-input').fill('1234');
  await page.getByTestId('seed-input').press('Enter');
  await openPane(page, 'continue');
  await runPane(page, 'continue');
  const seeded = await cardTexts(page);
  expect(new Set(seeded).size).toBeGreaterThan(1);
  await runPane(page, 'continue');
  expect(await cardTexts(page)).toEqual(seeded);
  await openPane(page, 'sampling');
  await page.getByTestId('seed-input').fill('99');
  await page.getByTestId('seed-input').press('Enter');
  await openPane(page, 'continue');
  await runPane(page, 'continue');
  expect(await cardTexts(page)).not.toEqual(seeded);
});

test('invalid values cannot be entered: letters are refused, numbers clamped to the range', async ({ app: page }) => {
  await startWith(page, TEXT);
  await openPane(page, 'sampling');
  const temp = page.getByTestId('param-temperature-input');
  await temp.fill('');
  await temp.pressSequentially('hot');
  await expect(temp).toHaveValue('');
  await expect(page.getByTestId('param-temperature-note')).toHaveText('Temperature takes numbers only.');
  await temp.fill('9');
  await temp.press('Enter');
  await expect(temp).toHaveValue('5');
  await expect(page.getByTestId('param-temperature-note')).toHaveText('Temperature: the highest is 5.');
  await setParam(page, 'topP', '0');
  await expect(page.getByTestId('param-topP-input')).toHaveValue('0.01');
  await setParam(page, 'topK', '3.7');
  await expect(page.getByTestId('param-topK-input')).toHaveValue('4');
  // Arrow keys step the value.
  await page.getByTestId('param-topK-input').press('ArrowUp');
  await expect(page.getByTestId('param-topK-input')).toHaveValue('5');
  // What was clamped is what the engine gets: the run succeeds.
  await openPane(page, 'continue');
  await runPane(page, 'continue');
});

test('presets: save as, load, rename, reset a built-in, export and import as JSON; the choice persists', async ({
  app: page,
  host,
  filesDir,
}) => {
  await startWith(page, TEXT);
  await openPane(page, 'sampling');
  const select = page.getByTestId('preset-select');
  await expect(select).toHaveValue('builtin:inkling');
  await setParam(page, 'temperature', '0.35');
  await expect(page.getByTestId('preset-changed')).toHaveText('Changed from “Inkling default”.');
  await page.getByTestId('preset-save-as').click();
  await page.getByTestId('preset-name').fill('Cold and careful');
  await page.getByTestId('preset-name-ok').click();
  await expect(page.getByTestId('sampling-message')).toHaveText('Saved “Cold and careful”.');
  await expect(select.locator('option:checked')).toHaveText('Cold and careful');

  // Load another preset, then ours again.
  await select.selectOption({ label: 'GPT-2 paper: top-k 40' });
  await expect(page.getByTestId('param-temperature-input')).toHaveValue('1');
  await expect(page.getByTestId('param-topK-input')).toHaveValue('40');
  await expect(page.getByTestId('param-topP-input')).toHaveValue('1');
  await select.selectOption({ label: 'Cold and careful' });
  await expect(page.getByTestId('param-temperature-input')).toHaveValue('0.35');

  await page.getByTestId('preset-rename').click();
  await page.getByTestId('preset-name').fill('Careful');
  await page.getByTestId('preset-name-ok').click();
  await expect(select.locator('option:checked')).toHaveText('Careful');

  // A built-in preset changed and saved shows as changed; Reset brings its values back.
  await select.selectOption({ label: 'GPT-2 paper: summarization' });
  await setParam(page, 'topK', '3');
  await page.getByTestId('preset-save').click();
  await expect(select.locator('option:checked')).toHaveText('GPT-2 paper: summarization (changed)');
  await page.getByTestId('preset-reset').click();
  await expect(select.locator('option:checked')).toHaveText('GPT-2 paper: summarization');
  await expect(page.getByTestId('param-topK-input')).toHaveValue('2');
  await page.screenshot({ path: screenshotPath('pane-sampling.png') });

  // Export → a JSON file; delete the preset; import the file → it is back.
  const downloading = page.waitForEvent('download');
  await page.getByTestId('preset-export').click();
  const file = path.join(filesDir, 'presets.json');
  await (await downloading).saveAs(file);
  const exported = JSON.parse(fs.readFileSync(file, 'utf8'));
  expect(exported.format).toBe('inkling-presets');
  expect(exported.presets.find((p: { name: string }) => p.name === 'Careful').params.temperature).toBe(0.35);
  await select.selectOption({ label: 'Careful' });
  await page.getByTestId('preset-delete').click();
  await page.getByTestId('preset-delete-ok').click();
  await expect(select.locator('option', { hasText: 'Careful' })).toHaveCount(0);
  fs.writeFileSync(
    file,
    JSON.stringify({ ...exported, presets: exported.presets.filter((p: { name: string }) => p.name === 'Careful') }),
  );
  await page.getByTestId('preset-import-file').setInputFiles(file);
  await expect(page.getByTestId('sampling-message')).toHaveText('Imported “Careful”.');
  await select.selectOption({ label: 'Careful' });
  await expect(page.getByTestId('param-temperature-input')).toHaveValue('0.35');

  // A file that is not a presets file is refused with the reason.
  fs.writeFileSync(file, '{"format": "something-else"}');
  await page.getByTestId('preset-import-file').setInputFiles(file);
  await expect(page.getByTestId('sampling-message')).toContainText('not an Inkling presets file');

  // After a reload the Continue task still uses "Careful" (saved in the data folder).
  // Both the parameters and the chosen preset must have been saved before the reload (choosing
  // the re-imported "Careful" leaves the parameters as they were: only the preset id changes).
  type Library = {
    presets: { id: string; name: string }[];
    tasks: { continue: { presetId: string | null; params: { temperature: number } } };
  };
  await expect
    .poll(async () => {
      const lib = (await host.call('getPresets')) as Library;
      const chosen = lib.presets.find((p) => p.id === lib.tasks.continue.presetId);
      return `${chosen?.name ?? 'none'} ${lib.tasks.continue.params.temperature}`;
    })
    .toBe('Careful 0.35');
  await openApp(page, host.url);
  await page
    .getByRole('button', { name: 'Discard' })
    .click()
    .catch(() => undefined);
  await openPane(page, 'sampling');
  await expect(select.locator('option:checked')).toHaveText('Careful');
  await expect(page.getByTestId('param-temperature-input')).toHaveValue('0.35');
});

test('the sampler chain reorders with Alt+↑/↓ and a sampler can be switched off', async ({ app: page, host }) => {
  await startWith(page, TEXT);
  await openPane(page, 'sampling');
  const items = page.getByTestId('sampler-item');
  const order = async () => items.evaluateAll((els) => els.map((e) => e.getAttribute('data-name')));
  const first = await order();
  const topK = page.locator('[data-testid=sampler-item][data-name=topK]');
  await topK.focus();
  await page.keyboard.press('Alt+ArrowUp');
  await page.keyboard.press('Alt+ArrowUp');
  await expect(topK).toBeFocused();
  const moved = await order();
  expect(moved.indexOf('topK')).toBe(first.indexOf('topK') - 2);
  // Space switches the focused sampler off: it moves below the running ones.
  await page.keyboard.press('Space');
  await expect(topK).toHaveClass(/off/);
  await expect
    .poll(
      async () =>
        ((await host.call('getPresets')) as { tasks: { continue: { params: { samplerOrder: string[] } } } }).tasks
          .continue.params.samplerOrder,
    )
    .not.toContain('topK');
  // The engine accepts the chain as it is now.
  await openPane(page, 'continue');
  await runPane(page, 'continue');
});

test('a document can have its own settings; other documents keep theirs', async ({ app: page }) => {
  await startWith(page, TEXT);
  await openPane(page, 'sampling');
  await page.getByTestId('sampling-override').check();
  await setParam(page, 'temperature', '0.2');
  await expect(page.getByTestId('param-temperature-input')).toHaveValue('0.2');
  await page.getByTestId('new-document').click();
  await editor(page).click();
  await expect(page.getByTestId('sampling-override')).not.toBeChecked();
  await expect(page.getByTestId('param-temperature-input')).toHaveValue('0.8');
  await page.getByTestId('tab').first().locator('.tab-label').click();
  await expect(page.getByTestId('sampling-override')).toBeChecked();
  await expect(page.getByTestId('param-temperature-input')).toHaveValue('0.2');
  await page.getByTestId('sampling-override').uncheck();
  await expect(page.getByTestId('param-temperature-input')).toHaveValue('0.8');
});
