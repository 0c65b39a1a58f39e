/**
 * Documents that never lose a word: save to a real file and open it again; kill the host with
 * unsaved text and get it back from the hot-exit backup on the next start.
 */
import fs from 'node:fs';
import path from 'node:path';
import { test, expect, editor, docText, openApp, screenshotPath, WebHost } from './fixtures';

test('save a new document, close it, and open it again', async ({ app: page, filesDir }) => {
  const file = path.join(filesDir, 'chapter-one.md');
  await editor(page).click();
  await page.keyboard.type('# Chapter One');
  await page.keyboard.press('Enter');
  await page.keyboard.press('Enter');
  await page.keyboard.type('The rain had not stopped for three days.');
  const text = '# Chapter One\n\nThe rain had not stopped for three days.';
  await expect.poll(() => docText(page)).toBe(text);
  await expect(page.getByTestId('dirty-marker')).toBeVisible();
  await expect(page).toHaveTitle(/^• Untitled — Inkling$/);

  // Ctrl/Cmd+S on an untitled document asks where (web mode: a path).
  await page.keyboard.press('ControlOrMeta+s');
  const dialog = page.getByTestId('save-dialog');
  await expect(dialog).toBeVisible();
  await dialog.getByTestId('path-input').fill(file);
  await dialog.getByTestId('path-submit').click();
  await expect(dialog).toBeHidden();
  await expect(page.getByTestId('save-state')).toHaveText('Saved');
  await expect(page.getByTestId('tab')).toHaveText(/chapter-one\.md/);
  await expect(page.getByTestId('dirty-marker')).toHaveCount(0);
  await expect(page).toHaveTitle('chapter-one.md — Inkling');
  expect(fs.readFileSync(file, 'utf8')).toBe(text);

  // An edit makes it dirty again; Ctrl/Cmd+S saves in place without asking.
  await editor(page).click();
  await page.keyboard.press('ControlOrMeta+End');
  await page.keyboard.type(' Nobody minded.');
  await expect(page.getByTestId('save-state')).toHaveText('Unsaved •');
  await page.keyboard.press('ControlOrMeta+s');
  await expect(page.getByTestId('save-state')).toHaveText('Saved');
  expect(fs.readFileSync(file, 'utf8')).toBe(text + ' Nobody minded.');

  // Close the tab (clean: no question), then open the file again.
  await page.getByRole('button', { name: 'Close chapter-one.md' }).click();
  await expect(page.getByTestId('tab')).toHaveText(/Untitled/);
  await page.getByTestId('open-document').click();
  const open = page.getByTestId('open-dialog');
  await expect(open).toBeVisible();
  await expect(open.getByRole('button', { name: /chapter-one\.md/ })).toBeVisible(); // recent files
  await open.getByTestId('path-input').fill(file);
  await open.getByTestId('path-submit').click();
  await expect(open).toBeHidden();
  await expect(page.locator('.tab.selected')).toHaveText(/chapter-one\.md/);
  await expect.poll(() => docText(page)).toBe(text + ' Nobody minded.');
  await expect(page.getByTestId('save-state')).toHaveText('Saved');
  // Markdown: the heading is styled as one.
  await expect(page.locator('.cm-line').first().locator('span', { hasText: 'Chapter One' }).last()).toHaveCSS(
    'font-weight',
    '700',
  );
});

test('saving onto an existing file asks first; Cancel keeps it, Replace (by keyboard) overwrites it', async ({
  app: page,
  filesDir,
}) => {
  const file = path.join(filesDir, 'letter.md');
  fs.writeFileSync(file, 'Dear Ann, this is the only copy.');
  await editor(page).click();
  await page.keyboard.type('A new draft.');
  await expect.poll(() => docText(page)).toBe('A new draft.');

  // Ctrl/Cmd+S on the untitled document, typing the name of a file that is already there.
  await page.keyboard.press('ControlOrMeta+s');
  const dialog = page.getByTestId('save-dialog');
  await dialog.getByTestId('path-input').fill(file);
  await page.keyboard.press('Enter');
  const confirm = page.getByTestId('confirm-replace');
  await expect(confirm).toBeVisible();
  await expect(confirm.getByRole('heading')).toHaveText('Replace “letter.md”?');
  await expect(confirm).toContainText(`already exists in ${filesDir}`);
  // The safe answer has the focus; Esc goes back to the path as typed, and nothing was written.
  await expect(confirm.getByTestId('replace-cancel')).toBeFocused();
  await page.keyboard.press('Escape');
  await expect(confirm).toBeHidden();
  await expect(dialog.getByTestId('path-input')).toHaveValue(file);
  expect(fs.readFileSync(file, 'utf8')).toBe('Dear Ann, this is the only copy.');
  await expect(page.getByTestId('save-state')).toHaveText('Unsaved •');

  // Save As onto it again, and this time Tab to Replace and press Enter.
  await page.keyboard.press('Enter');
  await expect(confirm).toBeVisible();
  await page.keyboard.press('Tab');
  await expect(confirm.getByTestId('replace-confirm')).toBeFocused();
  await page.keyboard.press('Enter');
  await expect(confirm).toBeHidden();
  await expect(dialog).toBeHidden();
  await expect(page.getByTestId('save-state')).toHaveText('Saved');
  await expect(page.getByTestId('tab')).toHaveText(/letter\.md/);
  expect(fs.readFileSync(file, 'utf8')).toBe('A new draft.');
});

test('closing a document with unsaved changes asks first', async ({ app: page }) => {
  await editor(page).click();
  await page.keyboard.type('Words worth keeping.');
  await page.locator('.tab.selected').getByRole('button', { name: 'Close Untitled' }).click();
  const confirm = page.getByTestId('confirm-close');
  await expect(confirm).toBeVisible();
  await confirm.getByRole('button', { name: 'Cancel' }).click();
  await expect(confirm).toBeHidden();
  await expect.poll(() => docText(page)).toBe('Words worth keeping.');
  await page.locator('.tab.selected').getByRole('button', { name: 'Close Untitled' }).click();
  await page.getByTestId('discard-changes').click();
  // A fresh, empty document takes its place.
  await expect(page.getByTestId('tab')).toHaveCount(1);
  await expect.poll(() => docText(page)).toBe('');
});

test('kill the host with unsaved text; the next start restores it from the backup', async ({
  app: page,
  host,
  dataDir,
  browser,
}) => {
  const words = 'A sentence typed just before the power went out, never saved.';
  await editor(page).click();
  await page.keyboard.type(words);
  // The hot-exit backup is written about a second after typing stops.
  await expect(page.getByTestId('save-state')).toHaveAttribute('data-backup', 'written', { timeout: 10_000 });

  await host.kill();
  await expect(page.getByTestId('engine-state')).toHaveAttribute('data-state', 'disconnected');

  const again = await WebHost.start({ modelDir: null, dataDir });
  try {
    const page2 = await browser.newPage();
    await openApp(page2, again.url);
    const dialog = page2.getByTestId('recovery-dialog');
    await expect(dialog).toBeVisible();
    await expect(dialog).toContainText('Untitled');
    await expect(dialog).toContainText(words.slice(0, 40));
    await page2.screenshot({ path: screenshotPath('recovery-dialog.png') });
    await dialog.getByTestId('restore-backups').click();
    await expect(dialog).toBeHidden();
    await expect.poll(() => docText(page2)).toBe(words);
    await expect(page2.getByTestId('dirty-marker')).toBeVisible();
    await expect(page2.getByTestId('save-state')).toHaveText('Unsaved •');
    await page2.close();
  } finally {
    await again.stop();
  }
});
