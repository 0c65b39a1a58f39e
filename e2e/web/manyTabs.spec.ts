/**
 * Many documents open: the tab strip narrows its tabs, then scrolls, and the toolbar's buttons stay
 * in the window (they used to be pushed off its right edge, Settings and Help first).
 */
import fs from 'node:fs';
import path from 'node:path';
import { test, expect, openFile, screenshotPath } from './fixtures';

test.use({ hostOptions: { model: false } });

test('twelve open documents: every toolbar button stays in the window, the active tab in view', async ({
  app: page,
  filesDir,
}) => {
  for (let i = 0; i < 12; i++) {
    const file = path.join(filesDir, `the long voyage out, part ${i + 1}.md`);
    fs.writeFileSync(file, `Chapter ${i + 1}.\n`);
    await openFile(page, file);
  }
  await expect(page.getByTestId('tab')).toHaveCount(13); // and the start-up "Untitled"
  const buttons = page.getByRole('toolbar', { name: 'Inkling' }).locator('.toolbar-actions button');
  expect(await buttons.count()).toBeGreaterThan(8);
  for (const b of await buttons.all()) await expect(b).toBeInViewport({ ratio: 1 });
  await expect(page.getByTestId('settings')).toBeInViewport({ ratio: 1 });
  // The head keeps a few characters too.
  await expect(page.locator('.tab.selected .tab-name-head')).toHaveText('the long voyage out, par');
  // The newest document is the active one, and its tab is in view; so is the first when chosen.
  await expect(page.locator('.tab.selected')).toBeInViewport();
  // A narrow tab cuts its name in the middle: the end and the extension stay whole.
  const tail = page.locator('.tab.selected').getByTestId('tab-name').locator('.tab-name-tail');
  await expect(tail).toHaveText('t 12.md'); // "the …t 12.md": the part number shows
  await expect(tail).toBeInViewport({ ratio: 0.9 });
  await page.keyboard.press('ControlOrMeta+Home'); // (the editor keeps the focus; nothing else moves)
  await page.getByTestId('tab').first().locator('.tab-label').click();
  await expect(page.locator('.tab.selected')).toBeInViewport();
  await page.screenshot({ path: screenshotPath('many-tabs.png') });
  // The page itself never scrolls sideways.
  expect(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth)).toBe(true);
});
