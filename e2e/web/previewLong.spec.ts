/**
 * The Markdown preview of a novel opens where the writer is: the cursor in chapter 20 of a
 * 61,000-word document, the preview shows chapter 20, not the first page.
 */
import fs from 'node:fs';
import path from 'node:path';
import { test, expect, editor, openFile, screenshotPath, tempDir, ROOT } from './fixtures';

const NOVEL = fs.readFileSync(path.join(ROOT, 'test', 'data', 'moby-dick', 'chapters-1-36.txt'), 'utf8');

test.use({ hostOptions: { model: false } });

test('the preview of a 61,000-word novel opens at the cursor’s chapter', async ({ app: page }) => {
  const file = path.join(tempDir('preview-long'), 'moby-dick.md');
  fs.writeFileSync(file, NOVEL);
  await openFile(page, file);
  await editor(page).click();
  await page.keyboard.press('ControlOrMeta+f');
  await page.getByTestId('find-input').fill('CHAPTER 20. All Astir.');
  await page.keyboard.press('Enter');
  await page.keyboard.press('Escape');
  await page.keyboard.press('ArrowRight');

  await page.keyboard.press('ControlOrMeta+Alt+p');
  const preview = page.getByTestId('markdown-preview');
  await expect(preview).toBeVisible();
  await expect(preview.getByText('CHAPTER 20. All Astir.', { exact: true })).toBeInViewport();
  await expect(preview.getByText('CHAPTER 1. Loomings.', { exact: true })).not.toBeInViewport();
  await page.screenshot({ path: screenshotPath('preview-at-cursor.png') });
  // Back to the text, and the cursor is where it was.
  await page.keyboard.press('ControlOrMeta+Alt+p');
  await expect(preview).toBeHidden();
  await expect(editor(page).locator('.cm-line', { hasText: 'CHAPTER 20. All Astir.' })).toBeInViewport();
});
