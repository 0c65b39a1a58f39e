/**
 * The engine process can die (here: SIGKILL through the test hook) and the writer keeps working;
 * without a model the app opens on the welcome screen and the editor still works.
 */
import { test, expect, editor, docText, ghost, ghostText, modelReady, screenshotPath } from './fixtures';

test('kill the engine: the writer is told, keeps typing, and the next suggestion works', async ({
  app: page,
  host,
}) => {
  await modelReady(page);
  await editor(page).click();
  await page.keyboard.type('The lighthouse keeper');
  await page.keyboard.press('Tab');
  await expect(page.getByTestId('generation-state')).toHaveAttribute('data-state', 'done', { timeout: 60_000 });
  await page.keyboard.press('Escape');
  await expect(ghost(page)).toHaveCount(0);

  await host.call('testKillEngine');
  await expect(page.getByTestId('notice').filter({ hasText: /restart/i })).toBeVisible();
  // Typing never waits for the engine.
  await page.keyboard.type(' climbed the stairs');
  await expect.poll(() => docText(page)).toBe('The lighthouse keeper climbed the stairs');
  await modelReady(page);

  await page.keyboard.press('Tab');
  await expect(page.getByTestId('generation-state')).toHaveAttribute('data-state', 'done', { timeout: 60_000 });
  const suggestion = await ghostText(page);
  expect(suggestion.length).toBeGreaterThan(0);
  await page.keyboard.press('Tab');
  await expect.poll(() => docText(page)).toBe('The lighthouse keeper climbed the stairs' + suggestion);
});

test.describe('without a model', () => {
  test.use({ hostOptions: { model: false } });

  test('opens on the welcome screen, and the editor works without a model', async ({ app: page }) => {
    const welcome = page.getByTestId('welcome');
    await expect(welcome).toBeVisible();
    await expect(welcome).toContainText('npx inkling pull openai-community/gpt2');
    await expect(page.getByTestId('engine-state')).toHaveAttribute('data-state', 'no_model');
    await expect(page.getByTestId('suggest')).toBeDisabled();
    await page.screenshot({ path: screenshotPath('welcome-screen.png') });

    // The theme follows the system's appearance until the writer picks one.
    await expect(page.locator('html')).toHaveAttribute('data-theme', 'light');
    await page.emulateMedia({ colorScheme: 'dark' });
    await expect(page.locator('html')).toHaveAttribute('data-theme', 'dark');
    await page.emulateMedia({ colorScheme: 'light' });
    await expect(page.locator('html')).toHaveAttribute('data-theme', 'light');

    await page.getByTestId('start-writing').click();
    await expect(welcome).toBeHidden();
    await page.keyboard.type('Notes without a model.');
    await expect.poll(() => docText(page)).toBe('Notes without a model.');
    // Asking for a suggestion explains why there is none instead of failing silently.
    await page.keyboard.press('Tab');
    await expect(page.getByTestId('notice').first()).toBeVisible();
    await expect(ghost(page)).toHaveCount(0);
    expect(await docText(page)).toBe('Notes without a model.');
  });
});
