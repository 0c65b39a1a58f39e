/**
 * Accessibility: axe-core (WCAG 2.x A and AA rules) over every screen and pane, in the light and
 * the dark theme. A serious or critical violation fails the test and is listed with its elements;
 * minor and moderate ones are attached to the report. Colour contrast is one of the rules, so the
 * status bar, help lines and the ghost-text suggestion are held to 4.5:1, and so is text on the heat
 * map's tints.
 */
import fs from 'node:fs';
import path from 'node:path';
import AxeBuilder from '@axe-core/playwright';
import type { Page, TestInfo } from '@playwright/test';
import { test, expect, editor, ghost, modelReady, openApp } from './fixtures';
import { openPane, runPane, type PaneId } from './panes.helpers';

/** Runs axe over the page (or `include`) and fails on serious/critical violations, naming them. */
async function check(page: Page, info: TestInfo, what: string, include?: string): Promise<void> {
  let builder = new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']);
  if (include) builder = builder.include(include);
  const result = await builder.analyze();
  const bad = result.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  const describe = (v: (typeof result.violations)[number]) =>
    `${v.id} (${v.impact}): ${v.help}\n${v.nodes.map((n) => `  ${n.target.join(' ')} — ${n.failureSummary?.split('\n').join(' ')}`).join('\n')}`;
  const rest = result.violations.filter((v) => !bad.includes(v));
  if (rest.length)
    await info.attach(`axe-${what}-minor.txt`, { body: rest.map(describe).join('\n\n'), contentType: 'text/plain' });
  expect(bad.map(describe), `serious/critical accessibility violations on ${what}`).toEqual([]);
}

async function setTheme(page: Page, theme: 'light' | 'dark'): Promise<void> {
  await page.getByTestId('settings').click();
  await page.getByTestId('setting-theme').selectOption(theme);
  await page.keyboard.press('Escape');
  await expect(page.locator('html')).toHaveAttribute('data-theme', theme);
}

for (const theme of ['light', 'dark'] as const) {
  test(`the editor, a suggestion and the dialogs pass axe (${theme} theme)`, async ({ app: page }, info) => {
    test.setTimeout(300_000);
    await modelReady(page);
    await setTheme(page, theme);
    await editor(page).click();
    await page.keyboard.type('The lighthouse keeper climbed the stairs at dusk and looked out over the grey water.');
    await check(page, info, `${theme}-editor`);

    // A suggestion on show: the ghost text is text a writer reads, so it is held to contrast too.
    await page.keyboard.press('Tab');
    await expect(ghost(page)).toBeVisible();
    await expect(page.getByTestId('generation-state')).not.toHaveAttribute('data-state', 'generating');
    await check(page, info, `${theme}-ghost-text`);
    await page.keyboard.press('Escape');

    await page.getByTestId('settings').click();
    await check(page, info, `${theme}-settings`);
    await page.keyboard.press('Escape');

    await page.getByTestId('shortcuts').click();
    await check(page, info, `${theme}-shortcuts`);
    await page.keyboard.press('Escape');

    await page.getByTestId('context-use').click();
    await expect(page.getByTestId('memory-dialog')).toBeVisible();
    await check(page, info, `${theme}-memory`);
    await page.keyboard.press('Escape');
    await expect(page.getByTestId('memory-dialog')).toBeHidden();
  });

  test(`every pane and the Models page pass axe (${theme} theme)`, async ({ app: page }, info) => {
    test.setTimeout(300_000);
    await modelReady(page);
    await setTheme(page, theme);
    await editor(page).click();
    await page.keyboard.type('The lighthouse keeper climbed the stairs at dusk.');
    for (const pane of ['continue', 'translate', 'summarize', 'answer', 'sampling'] as PaneId[]) {
      await openPane(page, pane);
      // The side panel only: the rest of the page was checked above.
      await check(page, info, `${theme}-pane-${pane}`, '[data-testid=side-panel]');
    }
    // A pane with results on show (cards, their statistics).
    await openPane(page, 'continue');
    await runPane(page, 'continue');
    await check(page, info, `${theme}-continue-cards`, '[data-testid=side-panel]');

    await page.getByTestId('open-models').click();
    await expect(page.getByTestId('models-page')).toBeVisible();
    await check(page, info, `${theme}-models`, '[data-testid=models-page]');
  });
}

for (const theme of ['light', 'dark'] as const) {
  test(`the heat map, a token's popup and find and replace pass axe (${theme} theme)`, async ({ app: page }, info) => {
    test.setTimeout(300_000);
    await modelReady(page);
    await setTheme(page, theme);
    await editor(page).click();
    await page.keyboard.type('The harbour was quiet. The boats came in at dusk, and the boats went out at dawn.');

    // The heat map: every token tinted by its rank, and the legend that explains the colours. The
    // tints are backgrounds behind body text, so they are held to contrast like the text itself.
    await page.getByTestId('heatmap-toggle').click();
    await expect(page.getByTestId('heat-legend')).toBeVisible();
    await expect.poll(() => page.locator('.cm-content .cm-heat').count(), { timeout: 30_000 }).toBeGreaterThan(10);
    await check(page, info, `${theme}-heatmap`);

    // The popup for the token at the cursor (keyboard path), its alternatives focusable.
    await page.keyboard.press('ControlOrMeta+End');
    await page.keyboard.press('Alt+Enter');
    const popup = page.getByTestId('token-popup');
    await expect(popup).toBeVisible();
    await expect(popup.getByTestId('token-alternative').first()).toBeFocused();
    await check(page, info, `${theme}-token-popup`, '[data-testid=token-popup]');
    await page.keyboard.press('Escape');
    await expect(popup).toBeHidden();
    await page.keyboard.press('ControlOrMeta+Shift+H');
    await expect(page.getByTestId('heat-legend')).toBeHidden();

    // Find and replace with matches counted, and with a pattern that is not valid.
    await page.keyboard.press('ControlOrMeta+f');
    await expect(page.getByTestId('find-panel')).toBeVisible();
    await page.keyboard.type('boats');
    await expect(page.getByTestId('find-count')).toHaveText('2 matches');
    await check(page, info, `${theme}-find`);
    await page.getByTestId('find-input').fill('zzz(');
    await page.getByTestId('find-regexp').check();
    await expect(page.getByTestId('find-count')).toHaveText('Not a valid pattern');
    await check(page, info, `${theme}-find-invalid`, '[data-testid=find-panel]');
    await page.keyboard.press('Escape');
    await expect(page.getByTestId('find-panel')).toBeHidden();
  });
}

for (const theme of ['light', 'dark'] as const) {
  test(`the desk's dialogs, the history popover, focus mode and the preview pass axe (${theme} theme)`, async ({
    app: page,
  }, info) => {
    test.setTimeout(300_000);
    await modelReady(page);
    await setTheme(page, theme);
    await editor(page).click();
    await page.keyboard.type(
      '# The Harbour\n\nMorning came *slowly* to the harbour.\n\n> Nobody counted them.\n\nThe boats',
    );

    // A generation accepted, then its history (the other alternatives at that place).
    await page.keyboard.press('Tab');
    await expect(ghost(page)).toBeVisible();
    await expect(page.getByTestId('generation-state')).not.toHaveAttribute('data-state', 'generating');
    await page.keyboard.press('Tab');
    await expect(ghost(page)).toHaveCount(0);
    /** Opens a popover or dialog by keys (in the text, cursor kept) or a click, checks it, closes it with Esc. */
    const checkOpened = async (testId: string, open: string | (() => Promise<void>)) => {
      await editor(page).focus();
      if (typeof open === 'string') await page.keyboard.press(open);
      else await open();
      const shown = page.getByTestId(testId);
      await expect(shown).toBeVisible();
      await check(page, info, `${theme}-${testId}`, `[data-testid=${testId}]`);
      await page.keyboard.press('Escape');
      await expect(shown).toBeHidden();
    };
    // A retry on show: the old text struck through beside the fresh suggestion (both are read).
    await page.keyboard.press('Alt+r');
    await expect(ghost(page)).toBeVisible();
    await expect(page.getByTestId('generation-state')).not.toHaveAttribute('data-state', 'generating');
    await check(page, info, `${theme}-retry`);
    await page.keyboard.press('Escape');
    await expect(ghost(page)).toHaveCount(0);
    await checkOpened('generation-history', 'Alt+Shift+h');
    await checkOpened('open-dialog', () => page.getByTestId('open-document').click());
    await checkOpened('save-dialog', 'ControlOrMeta+s');
    await checkOpened('export-dialog', 'ControlOrMeta+Shift+E');

    await editor(page).click();
    await page.keyboard.press('ControlOrMeta+Shift+F');
    await expect(page.locator('.app')).toHaveAttribute('data-focus-mode', 'on');
    await check(page, info, `${theme}-focus-mode`);
    await page.getByTestId('focus-exit').click();

    await page.keyboard.press('ControlOrMeta+Alt+P');
    await expect(page.getByTestId('markdown-preview').locator('h1')).toHaveText('The Harbour');
    await check(page, info, `${theme}-preview`);
    await page.keyboard.press('ControlOrMeta+Alt+P');
    await expect(page.getByTestId('markdown-preview')).toBeHidden();
  });
}

for (const theme of ['light', 'dark'] as const) {
  test(`a notice, and the page while the host is away, pass axe (${theme} theme)`, async ({
    app: page,
    host,
    filesDir,
  }, info) => {
    test.setTimeout(300_000);
    await modelReady(page);
    await setTheme(page, theme);
    // A notice: a model file opened as a document says why.
    const onnx = path.join(filesDir, 'model.onnx');
    fs.writeFileSync(onnx, 'not text');
    await page.getByTestId('open-document').click();
    await page.getByTestId('open-dialog').getByTestId('path-input').fill(onnx);
    await page.getByTestId('open-dialog').getByTestId('path-submit').click();
    await expect(page.getByTestId('notice').first()).toContainText('model.onnx is a ".onnx" file');
    await page.keyboard.press('Escape');
    await check(page, info, `${theme}-notice`);

    // The host is gone: the status says so, and what is typed is kept in the browser.
    await editor(page).click();
    await page.keyboard.type('The harbour was quiet.');
    await host.kill();
    await expect(page.getByTestId('connection-state')).toHaveAttribute('data-state', 'reconnecting');
    await page.keyboard.type(' The boats lay still.');
    await expect(page.getByTestId('unsent-edits')).toHaveText('1 document kept in this browser', { timeout: 10_000 });
    await check(page, info, `${theme}-host-away`);
  });
}

test.describe('without a model', () => {
  test.use({ hostOptions: { model: false } });

  test('the welcome screen passes axe', async ({ page, host }, info) => {
    await openApp(page, host.url);
    await expect(page.getByTestId('welcome')).toBeVisible();
    await check(page, info, 'welcome');
    await setTheme(page, 'dark');
    await check(page, info, 'welcome-dark');
  });
});
