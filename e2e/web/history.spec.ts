/**
 * The generation history in a real Chromium against the real web host and engine (tiny random
 * GPT-2): a suggestion taken word by word is one undo step; the next line can be taken alone; the
 * suggestion says how many words and tokens it has; Retry replaces the last generation; the history
 * popover lists the tries at that place and swaps one back in; and all of it is still there after
 * the page is reloaded and the file opened again (kept in the host's data folder, not in the file).
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Page } from '@playwright/test';
import {
  test,
  expect,
  editor,
  docText,
  ghost,
  ghostText,
  modelReady,
  setSuggestionLength,
  screenshotPath,
} from './fixtures';

async function suggestionDone(page: Page): Promise<void> {
  await expect(ghost(page)).toBeVisible();
  await expect(page.getByTestId('generation-state')).toHaveAttribute('data-state', 'done', { timeout: 60_000 });
}

async function saveAs(page: Page, file: string): Promise<void> {
  await page.keyboard.press('ControlOrMeta+s');
  const dialog = page.getByTestId('save-dialog');
  await dialog.getByTestId('path-input').fill(file);
  await dialog.getByTestId('path-submit').click();
  await expect(page.getByTestId('save-state')).toHaveText('Saved');
}

test('a suggestion taken word by word undoes in one step; the next line alone; its size is shown', async ({
  app: page,
}) => {
  await modelReady(page);
  await setSuggestionLength(page, 60);
  await editor(page).click();
  const typed = 'The lighthouse keeper counted the ships';
  await page.keyboard.type(typed);
  await page.keyboard.press('Tab');
  await suggestionDone(page);
  await expect(page.getByTestId('ghost-size')).toHaveText(/^\d+ words? · \d+ tokens?$/);
  const before = (await page.getByTestId('ghost-size').textContent()) ?? '';

  const suggestion = await ghostText(page);
  for (let i = 0; i < 3; i++) await page.keyboard.press('ControlOrMeta+ArrowRight');
  await expect.poll(() => docText(page)).not.toBe(typed);
  const taken = (await docText(page)).slice(typed.length);
  expect(suggestion.startsWith(taken)).toBe(true);
  // Fewer words are left on show.
  if (await ghost(page).count()) await expect(page.getByTestId('ghost-size')).not.toHaveText(before);

  // One Ctrl+Z takes back all three words.
  await page.keyboard.press('ControlOrMeta+z');
  await expect.poll(() => docText(page)).toBe(typed);

  // The next line: up to and including the suggestion's first line break (or all of it).
  await page.keyboard.press('Tab');
  await suggestionDone(page);
  const next = await ghostText(page);
  await page.keyboard.press('ControlOrMeta+Shift+ArrowRight');
  const m = /^\s*[^\n]*\n?/.exec(next)![0];
  await expect.poll(() => docText(page)).toBe(typed + m);
});

test('Retry, the history popover and swapping a try back; the history survives a reload', async ({
  app: page,
  filesDir,
  host,
}) => {
  await modelReady(page);
  await setSuggestionLength(page, 24);
  const file = path.join(filesDir, 'harbour.md');
  await editor(page).click();
  const typed = 'Morning came to the harbour';
  await page.keyboard.type(typed);
  await saveAs(page, file);

  await page.keyboard.press('Tab');
  await suggestionDone(page);
  await page.keyboard.press('Tab');
  await expect(ghost(page)).toHaveCount(0);
  const first = (await docText(page)).slice(typed.length);
  expect(first.length).toBeGreaterThan(0);

  // Retry (Alt+R): a fresh suggestion is asked for at the generation's place; the generation stays,
  // struck through, until Tab puts the fresh one in its place (retry.spec.ts: Esc, typing, a crash).
  await page.keyboard.press('Alt+r');
  await expect(page.getByTestId('retry-replaced').first()).toBeVisible();
  expect(await docText(page)).toBe(typed + first);
  await expect(page.locator('.cm-ghost-pending')).toHaveCount(0, { timeout: 60_000 });
  await page.keyboard.press('Tab');
  await expect(ghost(page)).toHaveCount(0);
  await expect(page.getByTestId('retry-replaced')).toHaveCount(0);
  const second = (await docText(page)).slice(typed.length);
  expect(second.length).toBeGreaterThan(0);

  // The history here lists both tries (and the alternatives not chosen).
  await page.keyboard.press('Alt+Shift+h');
  const popover = page.getByTestId('generation-history');
  await expect(popover).toBeVisible();
  const tries = popover.getByTestId('generation-try');
  expect(await tries.count()).toBeGreaterThanOrEqual(2);
  await expect(popover.locator('[aria-current="true"]')).toHaveAttribute('title', second);
  await page.screenshot({ path: screenshotPath('generation-history.png') });
  // Keyboard: ↓ to the first try, Enter swaps it in.
  const firstTry = popover.locator(`[data-testid="generation-try"][title="${first.replace(/"/g, '\\"')}"]`);
  await expect(firstTry).toHaveCount(1);
  const titles = await tries.evaluateAll((els) => els.map((e) => e.getAttribute('title')));
  const steps = titles.indexOf(first) - titles.indexOf(second);
  for (let i = 0; i < Math.abs(steps); i++) await page.keyboard.press(steps > 0 ? 'ArrowDown' : 'ArrowUp');
  await expect(firstTry).toBeFocused();
  await page.keyboard.press('Enter');
  await expect(popover).toBeHidden();
  await expect.poll(() => docText(page)).toBe(typed + first);
  await page.keyboard.press('ControlOrMeta+s');
  await expect(page.getByTestId('save-state')).toHaveText('Saved');
  expect(fs.readFileSync(file, 'utf8')).toBe(typed + first); // the file holds only the text

  // Stored in the host's data folder (half a second after the last change).
  const folder = path.join(host.dataDir, 'generations');
  await expect
    .poll(() =>
      fs.existsSync(folder)
        ? fs
            .readdirSync(folder)
            .map((f) => fs.readFileSync(path.join(folder, f), 'utf8'))
            .join('\n')
        : '',
    )
    .toContain(JSON.stringify(second).slice(1, -1));
  // …and the swap itself is stored: the place's text is now the first try.
  await expect
    .poll(() =>
      fs
        .readdirSync(folder)
        .flatMap(
          (f) =>
            (JSON.parse(fs.readFileSync(path.join(folder, f), 'utf8')) as { generations: { text: string }[] })
              .generations,
        )
        .some((g) => g.text === first),
    )
    .toBe(true);

  // Reload the page and open the file again: the history of that place is back.
  await page.reload();
  await expect(page.getByRole('toolbar', { name: 'Inkling' })).toBeVisible();
  await page.getByTestId('open-document').click();
  const open = page.getByTestId('open-dialog');
  await open.getByTestId('path-input').fill(file);
  await open.getByTestId('path-submit').click();
  await expect(page.locator('.tab.selected')).toHaveText(/harbour\.md/);
  await expect.poll(() => docText(page)).toBe(typed + first);
  await editor(page).click();
  await page.keyboard.press('ControlOrMeta+End');
  // The history is loaded from the host when the document opens, a moment after its text shows:
  // ask again until it has arrived.
  await expect(async () => {
    await page.keyboard.press('Alt+Shift+h');
    await expect(popover).toBeVisible({ timeout: 1_000 });
  }).toPass();
  await expect(popover.locator(`[data-testid="generation-try"][title="${second.replace(/"/g, '\\"')}"]`)).toHaveCount(
    1,
  );
  await expect(popover.locator('[aria-current="true"]')).toHaveAttribute('title', first);
  await page.keyboard.press('Escape');
  await expect(popover).toBeHidden();
});

test('an inserted Continue card keeps the other cards as alternatives at its place', async ({ app: page }) => {
  await modelReady(page);
  await editor(page).click();
  const typed = 'The ferry left at noon';
  await page.keyboard.type(typed);
  if (!(await page.getByTestId('side-panel').isVisible())) await page.getByTestId('panel-toggle').click();
  await page.getByTestId('pane-tab-continue').click();
  await page.getByTestId('continue-run').click();
  await expect(page.getByTestId('continue-status')).toHaveAttribute('data-state', 'done', { timeout: 60_000 });
  const cards = await page.getByTestId('card-text').allInnerTexts();
  expect(cards.length).toBe(3);
  await page.getByTestId('continue-card').nth(0).getByTestId('card-insert').click();
  await expect.poll(() => docText(page)).toBe(typed + cards[0]);

  await page.keyboard.press('Alt+Shift+h');
  const popover = page.getByTestId('generation-history');
  await expect(popover).toBeVisible();
  const tries = popover.getByTestId('generation-try');
  await expect(tries).toHaveCount(new Set(cards.filter((c) => c.trim())).size);
  await expect(popover.getByText('Continue card').first()).toBeVisible();
  // Click the third card's text: it takes the first one's place, as one undo step.
  const third = await tries.evaluateAll(
    (els, want) => els.findIndex((e) => e.getAttribute('title') === want),
    cards[2],
  );
  expect(third).toBeGreaterThanOrEqual(0);
  await tries.nth(third).click();
  await expect.poll(() => docText(page)).toBe(typed + cards[2]);
  await page.keyboard.press('ControlOrMeta+z');
  await expect.poll(() => docText(page)).toBe(typed + cards[0]);
});
