/**
 * A writer's long document in a real Chromium: a 6,000-word chapter of Moby-Dick opened from disk,
 * Tab at the end, a word typed, Tab again — the engine's counter (shown in the status bar's
 * generation figures) says the second Tab read fewer than 64 new tokens. The window's start is
 * marked in the text, the status bar counts memory + window, the memory dialog stores a memory
 * that then costs nothing per keystroke, and the cursor in the middle works the same way.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Page } from '@playwright/test';
import {
  test,
  expect,
  editor,
  ghost,
  modelReady,
  setSuggestionLength,
  screenshotPath,
  tempDir,
  ROOT,
} from './fixtures';

const NOVEL = fs.readFileSync(path.join(ROOT, 'test', 'data', 'moby-dick', 'chapters-1-36.txt'), 'utf8');
/** About 6,000 words, cut at a paragraph end. */
const CHAPTERS = NOVEL.slice(0, NOVEL.indexOf('\n\n', 34_000));

async function tabAndWait(page: Page): Promise<number> {
  await page.keyboard.press('Tab');
  await expect(ghost(page)).toBeVisible();
  const state = page.getByTestId('generation-state');
  await expect(state).toHaveAttribute('data-state', 'done', { timeout: 60_000 });
  const read = Number(await state.getAttribute('data-read-tokens'));
  await page.keyboard.press('Escape');
  await expect(ghost(page)).toHaveCount(0);
  return read;
}

/** Writes the chapters to a file and opens it, as a writer would (short suggestions keep runs quick). */
async function openChapters(page: Page): Promise<string> {
  const file = path.join(tempDir('long'), 'moby-dick.md');
  fs.writeFileSync(file, CHAPTERS);
  await modelReady(page);
  await setSuggestionLength(page, 8);
  await page.getByTestId('open-document').click();
  const open = page.getByTestId('open-dialog');
  await open.getByTestId('path-input').fill(file);
  await open.getByTestId('path-submit').click();
  await expect(page.locator('.tab.selected')).toHaveText(/moby-dick\.md/);
  return file;
}

test('Tab after typing a word at the end of a 6,000-word document reads only the new tokens', async ({ app: page }) => {
  test.setTimeout(180_000);
  await openChapters(page);

  // The cursor to the very end, then a first Tab: the window is read once.
  await editor(page).click();
  await page.keyboard.press('ControlOrMeta+End');
  await page.keyboard.type(' And');
  const first = await tabAndWait(page);
  expect(first).toBeGreaterThan(500);

  // The marker shows where the window starts; the status bar counts what the model reads.
  const context = page.getByTestId('context-use');
  await expect(context).toHaveAttribute('data-dropped', /^[1-9]\d*$/);
  await expect(context).toContainText('/ 1024 tokens');

  // A word typed at the end, Tab again: only the new tokens are read.
  await page.keyboard.type(' the');
  expect(await tabAndWait(page)).toBeLessThan(64);
  await page.keyboard.type(' whale');
  expect(await tabAndWait(page)).toBeLessThan(64);

  // The marker is in the text (scroll up to it: the editor draws only what is on screen) and says
  // what the model leaves out.
  const marker = page.getByTestId('window-start');
  await editor(page).hover();
  for (let i = 0; i < 200 && (await marker.count()) === 0; i++) await page.mouse.wheel(0, -400);
  await expect(marker).toHaveCount(1);
  // The editor redraws lines as the wheel scroll settles, which can detach the element found a moment
  // ago: scroll to whichever element is the marker now.
  await expect(async () => marker.scrollIntoViewIfNeeded({ timeout: 2_000 })).toPass();
  await expect(marker).toHaveAttribute('title', /outside its context window/);
  await page.screenshot({ path: screenshotPath('long-document-window.png') });

  // Memory: typed in its dialog (from the status bar), counted in the status bar, read before the window.
  await context.click();
  const dialog = page.getByTestId('memory-dialog');
  await expect(dialog).toBeVisible();
  await dialog
    .getByTestId('memory-input')
    .fill('Ishmael narrates. Queequeg is a harpooneer. Ahab commands the Pequod.');
  await expect(dialog.getByTestId('memory-count')).toHaveText(/^\d+ tokens$/);
  await page.screenshot({ path: screenshotPath('memory-dialog.png') });
  await dialog.getByTestId('memory-save').click();
  await expect(dialog).toBeHidden();
  await expect(context).toHaveAttribute('data-memory', /^[1-9]\d*$/);
  await expect(context).toContainText('memory');
  await editor(page).click();
  await page.keyboard.press('ControlOrMeta+End');
  expect(await tabAndWait(page)).toBeGreaterThan(500); // a new memory is a new prefix: read once
  await page.keyboard.type(' rose');
  expect(await tabAndWait(page)).toBeLessThan(64); // and then costs nothing per keystroke

  // The memory belongs to the file: after a reload (the unsaved words come back from the backup),
  // the document has it again.
  await page.reload();
  await page.getByRole('button', { name: 'Restore' }).click();
  await expect(page.locator('.tab.selected')).toHaveText(/moby-dick\.md/);
  await modelReady(page);
  await page.keyboard.press('ControlOrMeta+Shift+Y');
  await expect(page.getByTestId('memory-input')).toHaveValue(/Queequeg is a harpooneer/);
  await page.keyboard.press('Escape');
});

test('in the middle of a long document, the second Tab after typing a word is a short read', async ({ app: page }) => {
  test.setTimeout(240_000);
  await openChapters(page);

  // Halfway down: find a sentence there and put the cursor after it.
  await editor(page).click();
  await page.keyboard.press('ControlOrMeta+f');
  const sentence = 'I suppose this Peter here is an emigrant from there';
  expect(CHAPTERS.indexOf(sentence)).toBeGreaterThan(CHAPTERS.length / 3);
  await page.keyboard.type(sentence);
  await page.keyboard.press('Enter');
  await page.keyboard.press('Escape');
  await page.keyboard.press('End');
  await page.keyboard.type(' Island,');
  expect(await tabAndWait(page)).toBeGreaterThan(500);
  await page.keyboard.type(' far');
  expect(await tabAndWait(page)).toBeLessThan(64);

  // The heat map covers the whole document, not only the last window: the first chapter is tinted.
  await page.keyboard.press('ControlOrMeta+Shift+H');
  const legend = page.getByTestId('heat-legend');
  // Scoring starts after a short delay, so 'not busy' alone can be read before it began: wait for
  // a finished count (every part scored) with nothing left to do.
  await expect(legend).toHaveAttribute('data-progress', /^(\d+)\/\1$/, { timeout: 120_000 });
  await expect(legend).toHaveAttribute('data-busy', 'false', { timeout: 120_000 });
  const progress = (await legend.getAttribute('data-progress')) ?? '';
  const [done, total] = progress.split('/').map(Number);
  expect(total).toBeGreaterThan(8); // a 6,000-word document is many parts
  expect(done).toBe(total);
  await page.keyboard.press('ControlOrMeta+Home');
  await expect(page.locator('.cm-line').first().locator('.cm-heat').first()).toBeVisible();
  await page.screenshot({ path: screenshotPath('long-document-heatmap.png') });
});
