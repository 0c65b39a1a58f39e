/**
 * The heat map on a novel: turned on with the middle of a 61,000-word document on screen, it tints
 * what the writer sees first (the first scoring request starts there, not at the top), then goes on
 * to the end and from the start, and finishes with every part scored once, the text sent once.
 */
import fs from 'node:fs';
import path from 'node:path';
import { test, expect, editor, modelReady, openFile, screenshotPath, tempDir, ROOT } from './fixtures';

const NOVEL = fs.readFileSync(path.join(ROOT, 'test', 'data', 'moby-dick', 'chapters-1-36.txt'), 'utf8');

test('heat map on a 61,000-word novel scores the visible middle first, then the rest', async ({ app: page }) => {
  test.setTimeout(300_000);
  const file = path.join(tempDir('heat-long'), 'moby-dick.md');
  fs.writeFileSync(file, NOVEL);
  expect(NOVEL.match(/\S+/g)!.length).toBeGreaterThan(60_000);

  // Every scoring request the page sends: where it asks to start.
  const froms: number[] = [];
  let withText = 0;
  page.on('websocket', (ws) =>
    ws.on('framesent', (f) => {
      const text = typeof f.payload === 'string' ? f.payload : f.payload.toString('utf8');
      if (!text.includes('"scoreText"')) return;
      const call = JSON.parse(text) as { method: string; args: [{ from?: number; text: string }] };
      if (call.method !== 'scoreText' || call.args[0].from === undefined) return;
      froms.push(call.args[0].from);
      if (call.args[0].text !== '') withText++;
    }),
  );

  // The page's connection was opened before the listener: open it again, now observed.
  await page.reload();
  await modelReady(page);
  await openFile(page, file);

  // Halfway through the novel, as a writer finds a place.
  const phrase = 'CHAPTER 20. All Astir.';
  const at = NOVEL.indexOf(phrase);
  expect(at).toBeGreaterThan(NOVEL.length * 0.4);
  await editor(page).click();
  await page.keyboard.press('ControlOrMeta+f');
  await page.getByTestId('find-input').fill(phrase);
  await page.keyboard.press('Enter');
  await page.keyboard.press('Escape');
  await expect(editor(page).locator('.cm-line', { hasText: 'All Astir' })).toBeVisible();

  await page.keyboard.press('ControlOrMeta+Shift+H');
  const legend = page.getByTestId('heat-legend');
  await expect(legend).toBeVisible();
  // The chapter on screen is tinted while most of the novel is still to do.
  await expect(editor(page).locator('.cm-line', { hasText: 'All Astir' }).locator('.cm-heat').first()).toBeVisible({
    timeout: 60_000,
  });
  await page.screenshot({ path: screenshotPath('heatmap-long-middle.png') });
  expect(froms.length).toBeGreaterThan(0);
  // The first request starts on the screen's first line, which is above the chapter heading by less than a screen.
  expect(froms[0]).toBeGreaterThan(NOVEL.length * 0.35);
  expect(froms[0]).toBeLessThanOrEqual(at);

  // The whole novel in the end, every part once.
  await expect(legend).toHaveAttribute('data-progress', /^(\d+)\/\1$/, { timeout: 240_000 });
  await expect(legend).toHaveAttribute('data-busy', 'false', { timeout: 60_000 });
  const [done, total] = ((await legend.getAttribute('data-progress')) ?? '').split('/').map(Number);
  expect(total).toBeGreaterThan(100);
  expect(done).toBe(total);
  // It went on to the end, then came back to the start: some request starts before the first one.
  expect(froms.some((f) => f < froms[0])).toBe(true);
  expect(froms.length).toBeLessThan(total * 1.5); // no part asked for over and over
  expect(withText).toBe(1); // the 340,000-character text went once; every other request said "the same text"
  await page.keyboard.press('ControlOrMeta+Home');
  await expect(page.locator('.cm-line').first().locator('.cm-heat').first()).toBeVisible();
});
