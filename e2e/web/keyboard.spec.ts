/**
 * The keyboard: the cheat sheet (Ctrl/Cmd+/) lists every shortcut as bound; the pane shortcuts and
 * F6 reach every pane; a pane runs from the keyboard; shortcuts can be changed on the settings
 * page, conflicts are detected, and a change applies at once and survives a reload.
 */
import { test, expect, editor, docText, openApp, screenshotPath } from './fixtures';
import { startWith } from './panes.helpers';

test('cheat sheet, pane shortcuts, F6 between text and panel, and running a pane from the keyboard', async ({
  app: page,
}) => {
  await startWith(page, 'The fog rolled in over the harbour.');
  await page.keyboard.press('ControlOrMeta+/');
  const sheet = page.getByTestId('shortcuts-dialog');
  await expect(sheet).toBeVisible();
  await expect(sheet).toContainText('Show or hide the side panel');
  await expect(sheet).toContainText(/Ctrl\+Shift\+P|⇧⌘P/);
  await expect(sheet).toContainText('Tint the text by how surprising each token is');
  await page.keyboard.press('ControlOrMeta+/');
  await expect(sheet).toBeHidden();

  // Each pane has its shortcut; the pane takes the focus.
  for (const [key, pane] of [
    ['1', 'continue'],
    ['2', 'translate'],
    ['3', 'summarize'],
    ['4', 'answer'],
    ['5', 'sampling'],
  ] as const) {
    await page.keyboard.press(`ControlOrMeta+Shift+${key}`);
    await expect(page.getByTestId(`pane-tab-${pane}`)).toHaveAttribute('aria-selected', 'true');
    await expect
      .poll(() => page.evaluate(() => Boolean(document.activeElement?.closest('[data-testid=side-panel]'))))
      .toBe(true);
  }
  // Arrow keys move between the tabs.
  await page.getByTestId('pane-tab-sampling').focus();
  await page.keyboard.press('ArrowLeft');
  await expect(page.getByTestId('pane-tab-answer')).toHaveAttribute('aria-selected', 'true');
  await expect(page.getByTestId('pane-tab-answer')).toBeFocused();

  // F6: back to the text, and into the panel again.
  await page.keyboard.press('F6');
  await expect(page.locator('.cm-content')).toBeFocused();
  await page.keyboard.press('ControlOrMeta+Shift+1');
  // The pane takes the focus once it has rendered; F6 then goes back to the text.
  await expect
    .poll(() => page.evaluate(() => Boolean(document.activeElement?.closest('[data-testid=side-panel]'))))
    .toBe(true);
  await page.keyboard.press('F6');
  await expect(page.locator('.cm-content')).toBeFocused();

  // Ctrl/Cmd+Enter runs the pane on show, even from the text.
  await page.keyboard.press('ControlOrMeta+End');
  await page.keyboard.press('ControlOrMeta+Enter');
  await expect(page.getByTestId('continue-status')).toHaveAttribute('data-state', 'done', { timeout: 60_000 });
  // Tab through a card's controls and insert it with the keyboard.
  const insert = page.getByTestId('card-insert').first();
  await insert.focus();
  await page.keyboard.press('Enter');
  await expect
    .poll(async () => (await docText(page)).length)
    .toBeGreaterThan('The fog rolled in over the harbour.'.length);
  await expect(page.locator('.cm-content')).toBeFocused();
  // The panel hides from the keyboard too.
  await page.keyboard.press('ControlOrMeta+Shift+P');
  await expect(page.getByTestId('side-panel')).toBeHidden();
});

test('shortcuts can be changed, conflicts are caught, and changes apply at once and persist', async ({
  app: page,
  host,
}) => {
  await startWith(page, 'A short note.');
  await page.keyboard.press('ControlOrMeta+,');
  const settings = page.getByTestId('shortcut-settings');
  await expect(settings).toBeVisible();

  // Rebind "Show or hide the side panel" to Ctrl+Alt+K.
  await page.getByTestId('shortcut-panel.toggle').click();
  await expect(page.getByTestId('shortcut-panel.toggle')).toHaveText('Press the keys…');
  await page.keyboard.press('Control+Alt+K');
  await expect(page.getByTestId('shortcut-panel.toggle')).toHaveText(/Ctrl\+Alt\+K|⌃⌥K/);

  // A key that would type text, and one the editor needs, are refused.
  await page.getByTestId('shortcut-heatmap.toggle').click();
  await page.keyboard.press('Shift+K');
  await expect(page.getByTestId('shortcut-problem')).toContainText('would type text');
  await page.getByTestId('shortcut-heatmap.toggle').click();
  await page.keyboard.press('ControlOrMeta+z');
  await expect(page.getByTestId('shortcut-problem')).toContainText("editor's key for undo");

  // Another command's key: the conflict is named; taking it over leaves the other without a key.
  await page.getByTestId('shortcut-heatmap.toggle').click();
  await page.keyboard.press('Control+Alt+K');
  await expect(page.getByTestId('shortcut-conflict')).toContainText(
    'is already the key for “Show or hide the side panel”',
  );
  await page.screenshot({ path: screenshotPath('keyboard-settings.png') });
  await page.getByRole('button', { name: 'Keep it there' }).click();
  await expect(page.getByTestId('shortcut-conflict')).toHaveCount(0);
  await page.getByRole('button', { name: 'Done' }).click();
  await expect(settings).toBeHidden();

  // The new key works at once; the old one no longer does.
  await editor(page).click();
  await page.keyboard.press('Control+Alt+K');
  await expect(page.getByTestId('side-panel')).toBeVisible();
  await page.keyboard.press('Control+Alt+K');
  await expect(page.getByTestId('side-panel')).toBeHidden();
  await page.keyboard.press('ControlOrMeta+Shift+P');
  await expect(page.getByTestId('side-panel')).toBeHidden();

  // Saved in the settings: after a reload the binding holds, and the cheat sheet shows it.
  await expect
    .poll(async () => ((await host.call('getSettings')) as { shortcuts: Record<string, string> }).shortcuts)
    .toEqual({ 'panel.toggle': 'Mod+Alt+K' });
  await openApp(page, host.url);
  await page
    .getByRole('button', { name: 'Discard' })
    .click({ timeout: 5000 })
    .catch(() => undefined);
  await editor(page).click();
  await page.keyboard.press('Control+Alt+K');
  await expect(page.getByTestId('side-panel')).toBeVisible();
  await page.keyboard.press('ControlOrMeta+/');
  await expect(page.getByTestId('shortcuts-dialog')).toContainText(/Ctrl\+Alt\+K|⌃⌥K/);
  await page.getByTestId('change-shortcuts').click();
  await page.getByTestId('shortcut-reset-panel.toggle').click();
  await expect(page.getByTestId('shortcut-panel.toggle')).toHaveText(/Ctrl\+Shift\+P|⇧⌘P/);
  await expect
    .poll(async () => ((await host.call('getSettings')) as { shortcuts: Record<string, string> }).shortcuts)
    .toEqual({});
});
