/**
 * The basics a writer expects, in a real Chromium against the real web host: the word count in the
 * status bar (with the selection, and GPT-2 tokens in its tooltip), export as HTML / plain text
 * downloads and PDF through the browser's print, focus mode, the Markdown preview, and find and
 * replace with a match count.
 */
import fs from 'node:fs';
import type { Page } from '@playwright/test';
import { test, expect, editor, docText, modelReady, screenshotPath } from './fixtures';

const STORY =
  '# The Harbour\n\nMorning came *slowly* to the harbour. The boats went out; the boats came back.\n\n> Nobody counted them.';

async function typeStory(page: Page): Promise<void> {
  await editor(page).click();
  // Typed line by line (Enter for the breaks), as a writer would.
  const lines = STORY.split('\n');
  for (let i = 0; i < lines.length; i++) {
    if (i > 0) await page.keyboard.press('Enter');
    await page.keyboard.type(lines[i]);
  }
  await expect.poll(() => docText(page)).toBe(STORY);
}

test('the status bar counts words, the selection, and GPT-2 tokens in its tooltip', async ({ app: page }) => {
  await modelReady(page);
  await typeStory(page);
  const count = page.getByTestId('word-count');
  await expect(count).toHaveText('19 words · under a minute');
  await expect(count).toHaveAttribute('data-characters', String(STORY.length));
  // Select the last line ("> Nobody counted them.": 3 words).
  await page.keyboard.press('ControlOrMeta+End');
  await page.keyboard.press('Shift+Home');
  await expect(count).toHaveText('3 of 19 words · under a minute');
  await count.hover();
  await expect(count).toHaveAttribute('data-document-tokens', /^\d+$/);
  await expect(count).toHaveAttribute('title', /GPT-2 tokens: \d+ tokens in the document, \d+ tokens selected\./);
  await expect(count).toHaveAttribute(
    'title',
    /Document: 19 words, \d+ characters \(\d+ without spaces\), under a minute to read\./,
  );
});

test('export: HTML and plain text download with the title; PDF prints only the rendered page', async ({
  app: page,
}) => {
  await typeStory(page);
  await page.keyboard.press('ControlOrMeta+Shift+E');
  const dialog = page.getByTestId('export-dialog');
  await expect(dialog).toBeVisible();
  await page.screenshot({ path: screenshotPath('export-dialog.png') });

  const htmlDownload = page.waitForEvent('download');
  await dialog.getByTestId('export-html').click();
  const html = await htmlDownload;
  expect(html.suggestedFilename()).toBe('Untitled.html');
  const page1 = fs.readFileSync((await html.path())!, 'utf8');
  expect(page1).toContain('<title>The Harbour</title>');
  expect(page1).toContain('<h1>The Harbour</h1>');
  expect(page1).toContain('<em>slowly</em>');
  expect(page1).toContain('<blockquote>');

  await page.keyboard.press('ControlOrMeta+Shift+E');
  const textDownload = page.waitForEvent('download');
  await dialog.getByTestId('export-txt').click();
  const text = fs.readFileSync((await (await textDownload).path())!, 'utf8');
  expect(text).toBe(
    'The Harbour\n\nMorning came slowly to the harbour. The boats went out; the boats came back.\n\nNobody counted them.\n',
  );

  // PDF in the browser: the Print dialog on the rendered page. The dialog itself cannot be driven
  // here, so window.print is replaced by a recorder; the print style is checked with print media.
  await page.evaluate(() => {
    (window as unknown as { __printed: number }).__printed = 0;
    window.print = () => void ((window as unknown as { __printed: number }).__printed += 1);
  });
  await page.keyboard.press('ControlOrMeta+Shift+E');
  await dialog.getByTestId('export-pdf').click();
  await expect.poll(() => page.evaluate(() => (window as unknown as { __printed: number }).__printed)).toBe(1);
  await page.emulateMedia({ media: 'print' });
  await expect(page.locator('#print-root h1')).toHaveText('The Harbour');
  await expect(page.getByRole('toolbar', { name: 'Inkling' })).toBeHidden();
  await expect(page.locator('.editor-pane')).toBeHidden();
  await page.screenshot({ path: screenshotPath('export-print.png') });
  await page.emulateMedia({ media: 'screen' });
});

test('focus mode hides the chrome and keeps the line in the middle; the preview renders the Markdown', async ({
  app: page,
}) => {
  await typeStory(page);
  const toolbar = page.getByRole('toolbar', { name: 'Inkling' });
  await page.keyboard.press('ControlOrMeta+Shift+F');
  await expect(page.locator('.app')).toHaveAttribute('data-focus-mode', 'on');
  await expect(toolbar).toBeHidden();
  await expect(page.getByTestId('word-count')).toBeHidden();
  // Typewriter scrolling: after typing many lines, the cursor's line sits near the middle.
  for (let i = 0; i < 30; i++) {
    await page.keyboard.press('Enter');
    await page.keyboard.insertText(`Line ${i} of the long night.`);
  }
  // The page fills the window (nothing but the text).
  const height = await page.evaluate(
    () => document.querySelector('.cm-scroller')!.getBoundingClientRect().height / window.innerHeight,
  );
  expect(height).toBeGreaterThan(0.95);
  await expect(page.locator('.cm-line', { hasText: 'Line 29 of the long night.' })).toBeInViewport();
  const middle = await page.evaluate(() => {
    const cursor = document.querySelector('.cm-cursor')!.getBoundingClientRect();
    const scroller = document.querySelector('.cm-scroller')!.getBoundingClientRect();
    return (cursor.top + cursor.bottom) / 2 - (scroller.top + scroller.bottom) / 2;
  });
  expect(Math.abs(middle)).toBeLessThan(60);
  await page.screenshot({ path: screenshotPath('focus-mode.png') });
  await page.getByTestId('focus-exit').click();
  await expect(toolbar).toBeVisible();

  await page.keyboard.press('ControlOrMeta+Alt+P');
  const preview = page.getByTestId('markdown-preview');
  await expect(preview.locator('h1')).toHaveText('The Harbour');
  await expect(preview.locator('em')).toHaveText('slowly');
  await expect(preview.locator('blockquote')).toContainText('Nobody counted them.');
  await expect(page.locator('.editor-pane')).toBeHidden();
  await page.screenshot({ path: screenshotPath('markdown-preview.png') });
  await page.keyboard.press('ControlOrMeta+Alt+P');
  await expect(preview).toBeHidden();
  await expect(editor(page)).toBeVisible();
});

test('find and replace: styled panel with a match count, replace one, replace all', async ({ app: page }) => {
  await typeStory(page);
  await page.keyboard.press('ControlOrMeta+f');
  const panel = page.getByTestId('find-panel');
  await expect(panel).toBeVisible();
  await expect(page.getByTestId('find-input')).toBeFocused();
  await page.keyboard.type('boats');
  await expect(page.getByTestId('find-count')).toHaveText('2 matches');
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('find-count')).toHaveText('1 of 2');
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('find-count')).toHaveText('2 of 2');
  await page.screenshot({ path: screenshotPath('find-replace.png') });
  await page.getByTestId('replace-input').fill('ships');
  await page.getByTestId('replace-all').click();
  await expect.poll(() => docText(page)).toBe(STORY.replace(/boats/g, 'ships'));
  await expect(page.getByTestId('find-count')).toHaveText('No matches');
  await page.getByTestId('find-input').fill('zzz(');
  await page.getByTestId('find-regexp').check();
  await expect(page.getByTestId('find-count')).toHaveText('Not a valid pattern');
  await page.keyboard.press('Escape');
  await expect(panel).toBeHidden();
  // Ctrl+Z takes the replacement back.
  await page.keyboard.press('ControlOrMeta+z');
  await expect.poll(() => docText(page)).toBe(STORY);
});
