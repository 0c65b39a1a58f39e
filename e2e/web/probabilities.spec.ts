/**
 * Token probabilities: hovering generated text shows the model's alternatives with their
 * probabilities; clicking one branches (the text after it is rewritten from there); the keyboard
 * opens the same popup; the heat map tints the text by rank bucket with a legend and follows edits
 * without holding up typing.
 */
import { test, expect, editor, docText, ghost, screenshotPath } from './fixtures';
import { cardTexts, openPane, runPane, setParam, startWith } from './panes.helpers';

const TEXT = 'The train left the station at dawn, and the city slowly fell away behind us.';

test('hover a generated token for its alternatives; click one to branch from there', async ({ app: page }) => {
  await startWith(page, TEXT);
  await openPane(page, 'sampling');
  await setParam(page, 'maxNewTokens', '20');
  await openPane(page, 'continue');
  await runPane(page, 'continue');
  const card = (await cardTexts(page))[0];
  await page.getByTestId('card-insert').first().click();
  await expect.poll(() => docText(page)).toBe(TEXT + card);

  const tokens = page.locator('.cm-content .cm-gen');
  expect(await tokens.count()).toBeGreaterThanOrEqual(10);
  const target = tokens.nth(3);
  await target.hover();
  const popup = page.getByTestId('token-popup');
  await expect(popup).toBeVisible();
  await expect(popup.getByTestId('token-alternative')).toHaveCount(5);
  await expect(popup.getByTestId('token-alternative').first()).toHaveText(/\d.*%$/);
  await page.screenshot({ path: screenshotPath('probabilities-popup.png') });

  // Branch: the chosen alternative replaces the token and the model rewrites what followed.
  const tokenText = await target.innerText();
  const before = await docText(page);
  const tokenStart = await target.evaluate((el) => {
    const content = el.closest('.cm-content')!;
    const range = document.createRange();
    range.setStart(content, 0);
    range.setEndBefore(el);
    return range.toString().length;
  });
  const choice = popup.locator('[data-testid=token-alternative]:not([aria-disabled])').first();
  const alternative = (await choice.getAttribute('data-token'))!;
  await choice.click();
  await expect(popup).toBeHidden();
  await expect
    .poll(async () => (await docText(page)).slice(0, tokenStart + alternative.length), { timeout: 30_000 })
    .toBe(before.slice(0, tokenStart) + alternative);
  // The continuation streams in after the chosen token, and is itself generated text with alternatives.
  await expect
    .poll(async () => (await docText(page)).length, { timeout: 60_000 })
    .toBeGreaterThan(tokenStart + alternative.length + 5);
  expect(alternative).not.toBe(tokenText);
  await page.waitForFunction(() => document.querySelectorAll('.cm-content .cm-gen').length > 5);
  // The whole branch — the chosen token and everything streamed after it — is one undo step.
  expect(await docText(page)).not.toBe(before);
  await editor(page).focus();
  await page.keyboard.press('ControlOrMeta+z');
  await expect.poll(() => docText(page)).toBe(before);
});

test('the heat map tints by rank bucket with a legend, follows edits, and the keyboard opens a token popup', async ({
  app: page,
}) => {
  await startWith(page, TEXT);
  // Some of the model's own text too (accepted with Tab): it is what the model expects, so it tints differently.
  await page.keyboard.press('Tab');
  await expect(page.getByTestId('generation-state')).toHaveAttribute('data-state', 'done', { timeout: 60_000 });
  await page.keyboard.press('Tab');
  await expect(ghost(page)).toHaveCount(0);
  const start = await docText(page);
  await page.getByTestId('heatmap-toggle').click();
  await expect(page.getByTestId('heat-legend')).toBeVisible();
  await expect(page.getByTestId('heat-legend')).toContainText('top 10');
  await expect(page.getByTestId('heat-legend')).toContainText('beyond');
  const heat = page.locator('.cm-content .cm-heat');
  await expect.poll(() => heat.count(), { timeout: 30_000 }).toBeGreaterThan(10);
  // Every tinted token is in one of the four buckets, and its rank says which.
  const buckets = await heat.evaluateAll((els) =>
    els.map((e) => ({
      cls: [...e.classList].find((c) => /^cm-heat-\d$/.test(c)),
      rank: Number(e.getAttribute('data-rank')),
    })),
  );
  for (const b of buckets) {
    const expected =
      b.rank <= 10 ? 'cm-heat-0' : b.rank <= 100 ? 'cm-heat-1' : b.rank <= 1000 ? 'cm-heat-2' : 'cm-heat-3';
    expect(b.cls).toBe(expected);
  }
  await page.screenshot({ path: screenshotPath('probabilities-heatmap.png') });

  // Typing goes on while scoring; the new words get their colours after a pause.
  const count = await heat.count();
  await editor(page).click();
  await page.keyboard.press('ControlOrMeta+End');
  const typed = ' We did not look back at the lights for a long time.';
  await page.keyboard.type(typed, { delay: 15 });
  await expect.poll(() => docText(page)).toBe(start + typed);
  await expect.poll(() => heat.count(), { timeout: 30_000 }).toBeGreaterThan(count + 5);

  // Hovering any scored token shows what the model expected there.
  await heat.nth(4).hover();
  await expect(page.getByTestId('token-popup')).toBeVisible();
  await expect(page.getByTestId('token-popup')).toContainText('rank');
  await page.mouse.move(5, 5);

  // Keyboard: the popup for the token at the cursor, its alternatives focusable, Esc closes.
  await editor(page).click();
  await page.keyboard.press('ControlOrMeta+End');
  await page.keyboard.press('Alt+Enter');
  const popup = page.getByTestId('token-popup');
  await expect(popup).toBeVisible();
  await expect(popup.getByTestId('token-alternative').first()).toBeFocused();
  await page.keyboard.press('ArrowDown');
  await expect(popup.getByTestId('token-alternative').nth(1)).toBeFocused();
  await page.keyboard.press('Escape');
  await expect(popup).toBeHidden();
  await expect(page.locator('.cm-content')).toBeFocused();

  // Off: the colours and the legend go.
  await page.keyboard.press('ControlOrMeta+Shift+H');
  await expect(page.getByTestId('heat-legend')).toBeHidden();
  await expect(heat).toHaveCount(0);
  // On again over the same text: the colours come back (the host still has every part).
  await page.keyboard.press('ControlOrMeta+Shift+H');
  await expect(page.getByTestId('heat-legend')).toBeVisible();
  await expect(heat.first()).toBeVisible();
});

test('an accepted Tab suggestion keeps its token probabilities', async ({ app: page }) => {
  await startWith(page, TEXT);
  await page.keyboard.press('Tab');
  await expect(ghost(page)).toBeVisible();
  await expect(page.getByTestId('generation-state')).toHaveAttribute('data-state', 'done', { timeout: 60_000 });
  await page.keyboard.press('Tab');
  await expect(ghost(page)).toHaveCount(0);
  const tokens = page.locator('.cm-content .cm-gen');
  await expect.poll(() => tokens.count()).toBeGreaterThan(5);
  await tokens.nth(2).hover();
  await expect(page.getByTestId('token-popup').getByTestId('token-alternative')).toHaveCount(5);
});
