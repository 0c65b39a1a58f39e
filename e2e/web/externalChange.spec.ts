/**
 * A file another program changes while it is open (a sync client, another editor, `git pull`):
 * Inkling never writes over that version without asking, and whichever way the writer answers,
 * both versions survive. Real-length prose, the writer's cursor in the middle.
 */
import fs from 'node:fs';
import path from 'node:path';
import AxeBuilder from '@axe-core/playwright';
import type { Page } from '@playwright/test';
import { test, expect, editor, openFile, screenshotPath } from './fixtures';

test.use({ hostOptions: { model: false } });

/** axe (WCAG 2 A/AA): no serious or critical violation, as in a11y.spec.ts. */
async function expectAccessible(page: Page, what: string): Promise<void> {
  const result = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']).analyze();
  const bad = result.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  expect(
    bad.map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(' ')).join(', ')})`),
    what,
  ).toEqual([]);
}

/** ~4,500 words in 60 paragraphs. */
function novel(): string {
  const paragraphs: string[] = [];
  for (let p = 0; p < 60; p++) {
    const sentences: string[] = [];
    for (let s = 0; s < 5; s++)
      sentences.push(`In paragraph ${p + 1} the harbour lights came on one by one as sentence ${s + 1} ended`);
    paragraphs.push(sentences.join('. ') + '.');
  }
  return paragraphs.join('\n\n') + '\n';
}

/** Another program writes the file, with a modification time clearly later than Inkling's. */
function writeElsewhere(file: string, text: string): void {
  const before = fs.statSync(file).mtimeMs;
  fs.writeFileSync(file, text);
  const later = new Date(before + 5000);
  fs.utimesSync(file, later, later);
}

/**
 * The editor's line that holds `marker` (CodeMirror draws only what is near the viewport: the
 * whole text is checked through the file after each save, and the store's own comparison of the
 * whole text with the saved one shows as the save state).
 */
function line(page: Page, marker: string) {
  return editor(page).locator('.cm-line', { hasText: marker }).first();
}

/** Finds `marker` as a writer would (Ctrl/Cmd+F), then types `text` right after it. */
async function typeAfter(page: Page, marker: string, text: string): Promise<void> {
  await editor(page).click();
  await page.keyboard.press('ControlOrMeta+f');
  await expect(page.getByTestId('find-input')).toBeFocused();
  await page.getByTestId('find-input').fill(marker);
  await expect(page.getByTestId('find-count')).toHaveText('1 match');
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('find-count')).toHaveText('1 of 1');
  await page.keyboard.press('Escape');
  await expect(page.getByTestId('find-panel')).toBeHidden();
  await page.keyboard.press('ArrowRight'); // the selected match collapses to its end
  await page.keyboard.type(text);
}

test('a save never replaces another program’s version unasked: Esc, Load theirs + undo, Keep mine', async ({
  app: page,
  filesDir,
}) => {
  const file = path.join(filesDir, 'harbour.md');
  const original = novel();
  fs.writeFileSync(file, original);
  await openFile(page, file);

  // The writer adds to paragraph 30 while a sync client brings a colleague's edit of paragraph 2.
  await typeAfter(page, 'paragraph 30 the harbour lights came on one by one as sentence 5 ended.', ' My addition.');
  const mine = original.replace(/(In paragraph 30 [^\n]*)/, '$1 My addition.');
  await expect(line(page, 'In paragraph 30 the')).toContainText('sentence 5 ended. My addition.');
  const theirs = original.replace('In paragraph 2 ', 'In paragraph 2 (edited elsewhere) ');
  writeElsewhere(file, theirs);

  // Ctrl/Cmd+S asks instead of writing; Esc leaves the document unsaved and the file as it was.
  await page.keyboard.press('ControlOrMeta+s');
  const dialog = page.getByTestId('file-changed');
  await expect(dialog).toBeVisible();
  await expect(dialog.getByRole('heading')).toHaveText('“harbour.md” changed on disk');
  await expect(dialog.getByTestId('changed-keep-mine')).toBeFocused();
  await page.screenshot({ path: screenshotPath('file-changed.png') });
  await expectAccessible(page, 'the file-changed dialog');
  await page.keyboard.press('Escape');
  await expect(dialog).toBeHidden();
  await expect(page.getByTestId('save-state')).toHaveText('Not saved — changed on disk');
  await expectAccessible(page, 'the status bar saying so');
  expect(fs.readFileSync(file, 'utf8')).toBe(theirs);
  await expect(line(page, 'In paragraph 30 the')).toContainText('My addition.');

  // Load theirs: the editor shows the file; one undo brings the writer's text back.
  await page.keyboard.press('ControlOrMeta+s');
  await dialog.getByTestId('changed-load-theirs').click();
  await expect(dialog).toBeHidden();
  await expect(line(page, 'In paragraph 30 the')).not.toContainText('My addition.');
  await expect(page.getByTestId('save-state')).toHaveText('Saved'); // the whole text equals the file's
  await expect(page.getByTestId('notice').filter({ hasText: 'Undo brings your version back' })).toBeVisible();
  await page.keyboard.press('ControlOrMeta+z');
  await expect(line(page, 'In paragraph 30 the')).toContainText('My addition.');
  await expect(page.getByTestId('save-state')).toHaveText('Unsaved •');

  // The writer has now seen the file as it is: a save of their text goes through without asking.
  await page.keyboard.press('ControlOrMeta+s');
  await expect(page.getByTestId('save-state')).toHaveText('Saved');
  expect(fs.readFileSync(file, 'utf8')).toBe(mine);

  // Another change elsewhere; this time the writer keeps theirs (Enter: the focused choice).
  await typeAfter(page, 'paragraph 45 the harbour lights came on one by one as sentence 5 ended.', ' Later.');
  const mine2 = mine.replace(/(In paragraph 45 [^\n]*)/, '$1 Later.');
  const theirs2 = mine + '\nA paragraph the colleague added.\n';
  writeElsewhere(file, theirs2);
  await page.keyboard.press('ControlOrMeta+s');
  await expect(dialog).toBeVisible();
  await page.keyboard.press('Enter');
  await expect(dialog).toBeHidden();
  await expect(page.getByTestId('save-state')).toHaveText('Saved');
  expect(fs.readFileSync(file, 'utf8')).toBe(mine2);
  const copies = fs.readdirSync(filesDir).filter((n) => n.startsWith('harbour (other version '));
  expect(copies).toHaveLength(1);
  expect(fs.readFileSync(path.join(filesDir, copies[0]), 'utf8')).toBe(theirs2);
  await expect(page.getByTestId('notice').filter({ hasText: copies[0] })).toBeVisible();
});

test('autosave meets a changed file: it asks by itself and stops saving; Save as keeps both', async ({
  app: page,
  filesDir,
}) => {
  await page.getByTestId('settings').click();
  await page.getByTestId('setting-autosave').check();
  await page.keyboard.press('Escape');
  const file = path.join(filesDir, 'letter.md');
  const original = novel();
  fs.writeFileSync(file, original);
  await openFile(page, file);

  const theirs = original + '\nSigned, the other editor.\n';
  writeElsewhere(file, theirs);
  await typeAfter(
    page,
    'paragraph 20 the harbour lights came on one by one as sentence 5 ended.',
    ' Typed while it changed.',
  );
  const dialog = page.getByTestId('file-changed');
  await expect(dialog).toBeVisible({ timeout: 10_000 });
  expect(fs.readFileSync(file, 'utf8')).toBe(theirs);

  // Save as: the writer's text goes to a new file; the changed one stays as the other program left it.
  await dialog.getByTestId('changed-save-as').click();
  const saveAs = page.getByTestId('save-dialog');
  await expect(saveAs).toBeVisible();
  const copy = path.join(filesDir, 'letter (mine).md');
  await saveAs.getByTestId('path-input').fill(copy);
  await saveAs.getByTestId('path-submit').click();
  await expect(saveAs).toBeHidden();
  await expect(page.getByTestId('save-state')).toHaveText('Saved');
  await expect(page.locator('.tab.selected')).toHaveText(/letter \(mine\)\.md/);
  expect(fs.readFileSync(copy, 'utf8')).toBe(
    original.replace(/(In paragraph 20 [^\n]*)/, '$1 Typed while it changed.'),
  );
  expect(fs.readFileSync(file, 'utf8')).toBe(theirs);
});

test('back in the window after another program changed the file: a clean document shows the new version', async ({
  app: page,
  filesDir,
}) => {
  const file = path.join(filesDir, 'chapter.md');
  const original = novel();
  fs.writeFileSync(file, original);
  await openFile(page, file);
  await expect(line(page, 'In paragraph 1 the')).toBeVisible();

  // The writer switches to another editor, changes the first paragraph there, and comes back.
  writeElsewhere(file, original.replace('In paragraph 1 the', 'In the first paragraph the'));
  await page.evaluate(() => window.dispatchEvent(new Event('focus')));
  await expect(line(page, 'In the first paragraph the')).toBeVisible();
  await expect(page.getByTestId('save-state')).toHaveText('Saved');
  await expect(
    page.getByTestId('notice').filter({ hasText: '“chapter.md” was changed by another program' }),
  ).toBeVisible();
  // Undo brings back what was shown before (and that is now an unsaved change).
  await editor(page).click();
  await page.keyboard.press('ControlOrMeta+z');
  await expect(line(page, 'In paragraph 1 the')).toBeVisible();
  await expect(page.getByTestId('save-state')).toHaveText('Unsaved •');

  // With unsaved changes here, coming back asks at once instead.
  writeElsewhere(file, original + '\nOne more line from elsewhere.\n');
  await page.evaluate(() => window.dispatchEvent(new Event('focus')));
  await expect(page.getByTestId('file-changed')).toBeVisible();
  await page.keyboard.press('Escape');
  await expect(page.getByTestId('save-state')).toHaveText('Not saved — changed on disk');
  expect(fs.readFileSync(file, 'utf8')).toBe(original + '\nOne more line from elsewhere.\n');
});

test('a file deleted while open: the writer is told once, the text stays, saving writes it again', async ({
  app: page,
  filesDir,
}) => {
  const file = path.join(filesDir, 'notes.md');
  const original = novel();
  fs.writeFileSync(file, original);
  await openFile(page, file);
  fs.rmSync(file);
  await page.evaluate(() => window.dispatchEvent(new Event('focus')));
  const notice = page.getByTestId('notice').filter({ hasText: '“notes.md” is no longer on disk' });
  await expect(notice).toBeVisible();
  await expect(line(page, 'In paragraph 1 the')).toBeVisible();
  await typeAfter(page, 'paragraph 2 the harbour lights came on one by one as sentence 5 ended.', ' Kept.');
  await page.keyboard.press('ControlOrMeta+s');
  await expect(page.getByTestId('save-state')).toHaveText('Saved');
  expect(fs.readFileSync(file, 'utf8')).toBe(original.replace(/(In paragraph 2 [^\n]*)/, '$1 Kept.'));
});
