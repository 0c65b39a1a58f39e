/**
 * The writer's core loop in a real Chromium against the real web host and engine (tiny random
 * GPT-2): ask, watch the suggestion stream in, cycle, accept, undo; accept a word; stop; keep typing.
 */
import {
  test,
  expect,
  editor,
  docText,
  ghost,
  ghostText,
  holdCallUntilCancel,
  modelReady,
  setSuggestionLength,
  screenshotPath,
} from './fixtures';

test('new document, type, Tab streams ghost text; cycle; accept is one undo step', async ({ app: page }) => {
  await modelReady(page);
  // Long enough that the stream spans many frames: the page shows tokens once per frame, and the
  // tiny model writes the default 32 tokens in about two.
  await setSuggestionLength(page, 200);
  await page.getByTestId('new-document').click();
  await expect(page.getByTestId('tab')).toHaveCount(2);
  await editor(page).click();
  const typed = 'It was a bright cold day in April, and the clocks were striking thirteen.';
  await page.keyboard.type(typed);
  await expect.poll(() => docText(page)).toBe(typed);

  // Sample the ghost text's length every frame, to see it grow token by token.
  await page.evaluate(() => {
    const w = window as unknown as { __lengths: number[] };
    w.__lengths = [];
    const sample = () => {
      const el = document.querySelector('.cm-ghost-text');
      const n = el?.textContent?.length ?? 0;
      if (w.__lengths[w.__lengths.length - 1] !== n) w.__lengths.push(n);
      if (w.__lengths.length < 400) requestAnimationFrame(sample);
    };
    requestAnimationFrame(sample);
  });
  await page.keyboard.press('Tab');
  await expect(ghost(page)).toBeVisible();
  await expect(page.getByTestId('generation-state')).toHaveAttribute('data-state', 'done', { timeout: 60_000 });
  const lengths = await page.evaluate(() => (window as unknown as { __lengths: number[] }).__lengths);
  const growing = lengths.filter((n, i) => i > 0 && n > lengths[i - 1] && lengths[i - 1] > 0);
  expect(growing.length, `ghost text lengths seen: ${lengths.join(',')}`).toBeGreaterThanOrEqual(2);
  // Ghost text is decoration: the document did not change.
  expect(await docText(page)).toBe(typed);

  // Three alternatives by default; Alt+] / Alt+[ cycle through them.
  await expect(page.getByTestId('ghost-count')).toHaveText('1/3');
  const first = await ghostText(page);
  expect(first.length).toBeGreaterThan(0);
  await page.keyboard.press('Alt+]');
  await expect(page.getByTestId('ghost-count')).toHaveText('2/3');
  await page.keyboard.press('Alt+]');
  await expect(page.getByTestId('ghost-count')).toHaveText('3/3');
  await page.keyboard.press('Alt+]');
  await expect(page.getByTestId('ghost-count')).toHaveText('1/3');
  await page.keyboard.press('Alt+[');
  await expect(page.getByTestId('ghost-count')).toHaveText('3/3');
  await page.keyboard.press('Alt+]');
  await expect(page.getByTestId('ghost-count')).toHaveText('1/3');
  expect(await ghostText(page)).toBe(first);

  await page.screenshot({ path: screenshotPath('editor-ghost-text.png') });

  // Tab accepts: the text joins the document, the suggestion goes away.
  await page.keyboard.press('Tab');
  await expect(ghost(page)).toHaveCount(0);
  await expect.poll(() => docText(page)).toBe(typed + first);
  await expect(page.getByTestId('save-state')).toHaveText('Unsaved •');
  await expect(page.getByTestId('dirty-marker')).toBeVisible();

  // One undo step removes exactly the accepted suggestion.
  await page.keyboard.press('ControlOrMeta+z');
  await expect.poll(() => docText(page)).toBe(typed);

  // The dark theme, with a suggestion on show.
  await page.getByTestId('toggle-theme').click();
  await expect(page.locator('html')).toHaveAttribute('data-theme', 'dark');
  await editor(page).click();
  await page.keyboard.press('ControlOrMeta+End');
  await page.keyboard.press('ControlOrMeta+Space');
  await expect(page.getByTestId('generation-state')).toHaveAttribute('data-state', 'done', { timeout: 60_000 });
  await expect(ghost(page)).toBeVisible();
  await page.screenshot({ path: screenshotPath('editor-dark-theme.png') });
});

test('Ctrl/Cmd+→ accepts the next word and keeps the rest on show', async ({ app: page }) => {
  await modelReady(page);
  await editor(page).click();
  await page.keyboard.type('The old house at the end of the lane');
  await page.keyboard.press('Tab');
  await expect(page.getByTestId('generation-state')).toHaveAttribute('data-state', 'done', { timeout: 60_000 });
  const suggestion = await ghostText(page);
  const word = /^\s*\S+/.exec(suggestion)?.[0] ?? '';
  expect(word.length).toBeGreaterThan(0);
  await page.keyboard.press('ControlOrMeta+ArrowRight');
  await expect.poll(() => docText(page)).toBe('The old house at the end of the lane' + word);
  if (suggestion.length > word.length) {
    await expect(page.locator('.cm-ghost-text')).toHaveText(suggestion.slice(word.length));
  } else {
    await expect(ghost(page)).toHaveCount(0);
  }
});

test('Esc dismisses the suggestion and stops a long generation', async ({ app: page }) => {
  // Deterministic: the test holds the page's `complete` call on its way to the host until Esc has
  // sent `cancelCompletion`, then lets both through in order. The engine therefore always gets the
  // cancel while the 1,200-token generation has barely begun; without the hold, a page that lags
  // behind the token stream could press Esc after the engine had already finished.
  const hold = await holdCallUntilCancel(page, 'complete', 'cancelCompletion');
  await page.reload(); // the page's connection now goes through the route
  await modelReady(page);
  await setSuggestionLength(page, 400);
  await editor(page).click();
  await page.keyboard.type('Once upon a time');
  await page.keyboard.press('Tab');
  await expect(page.getByTestId('generation-state')).toHaveAttribute('data-state', 'generating');
  await expect(ghost(page)).toBeVisible(); // the suggestion is on its way
  await expect.poll(() => hold.held()).toBe(true);
  await page.keyboard.press('Escape');
  await expect(ghost(page)).toHaveCount(0);
  await expect.poll(() => hold.released()).toBe(true);
  // The engine stops within a step: the request ends as cancelled, long before 400 tokens × 3.
  const state = page.getByTestId('generation-state');
  await expect(state).toHaveAttribute('data-state', 'stopped', { timeout: 20_000 });
  const tip = (await state.getAttribute('title')) ?? '';
  const generated = Number(/Last suggestion: (\d+) tokens/.exec(tip)?.[1]);
  expect(generated).toBeLessThan(400 * 3);
  expect(await docText(page)).toBe('Once upon a time');
});

test('typing while a suggestion is generating keeps every keystroke', async ({ app: page }) => {
  await modelReady(page);
  await setSuggestionLength(page, 300);
  await editor(page).click();
  await page.keyboard.type('Dear diary,');
  await page.keyboard.press('Tab');
  await expect(page.getByTestId('generation-state')).toHaveAttribute('data-state', 'generating');
  const more = ' today I kept typing while the model was still writing, and nothing was lost.';
  await page.keyboard.type(more);
  await expect.poll(() => docText(page)).toBe('Dear diary,' + more);
  // Typing cancelled the request and its suggestion.
  await expect(page.getByTestId('generation-state')).not.toHaveAttribute('data-state', 'generating');
  await expect(ghost(page)).toHaveCount(0);
  expect(await docText(page)).toBe('Dear diary,' + more);
});

test('auto-suggest (a setting, off by default) asks by itself after a pause in typing', async ({ app: page }) => {
  await modelReady(page);
  await editor(page).click();
  await page.keyboard.type('Off by default');
  await expect(page.getByTestId('generation-state')).toHaveAttribute('data-state', 'idle');

  await page.getByTestId('settings').click();
  const toggle = page.getByTestId('setting-autosuggest');
  await expect(toggle).not.toBeChecked();
  await toggle.check();
  await page.keyboard.press('Escape');
  await editor(page).click();
  await page.keyboard.press('ControlOrMeta+End');
  await page.keyboard.type(', but on now');
  // No Tab: the suggestion arrives after the pause.
  await expect(ghost(page)).toBeVisible({ timeout: 30_000 });
  expect(await docText(page)).toBe('Off by default, but on now');
});
