/**
 * The page and a host that goes away (docs/RELIABILITY.md): the page reconnects with backoff when the
 * host comes back, says so in the status bar, and keeps what was typed meanwhile in the browser
 * (IndexedDB) until the host has it — through a reconnect, a closed tab, or a restart with a new key.
 * Real Chromium, real web host processes (SIGKILLed and restarted on the same port), real files.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Page } from '@playwright/test';
import { test, expect, editor, docText, openApp, WebHost } from './fixtures';

/** A key kept across restarts (INKLING_WEB_TOKEN), as a writer restarting the host would set it. */
const PINNED = { INKLING_WEB_TOKEN: 'e2e-pinned-key-0123456789-abcdefghijklmnop' };

/** The texts of the host's backup files (the hot-exit backups on disk). */
function backupTexts(dataDir: string): string[] {
  const dir = path.join(dataDir, 'backups');
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir)
    .filter((n) => n.endsWith('.json'))
    .map((n) => {
      try {
        return (JSON.parse(fs.readFileSync(path.join(dir, n), 'utf8').split('\n')[0]) as { text: string }).text;
      } catch {
        return '';
      }
    });
}

async function typeWhileAway(page: Page, host: WebHost, before: string, during: string): Promise<void> {
  await page.getByTestId('start-writing').click(); // no model: past the welcome screen
  await editor(page).click();
  await page.keyboard.type(before);
  await expect(page.getByTestId('save-state')).toHaveAttribute('data-backup', 'written', { timeout: 10_000 });
  await host.kill();
  await expect(page.getByTestId('connection-state')).toHaveAttribute('data-state', 'reconnecting');
  await page.keyboard.type(during);
  // A second after typing stops the backup is due: with no host, it is kept in the browser.
  await expect(page.getByTestId('unsent-edits')).toHaveText('1 document kept in this browser', { timeout: 10_000 });
  await expect(page.getByTestId('save-state')).toHaveAttribute('data-backup', 'written');
  expect(await docText(page)).toBe(before + during);
}

test('the host restarts: the page reconnects by itself and sends what was typed meanwhile', async ({
  page,
  dataDir,
  rendererBuilt,
}) => {
  void rendererBuilt;
  const first = await WebHost.start({ modelDir: null, dataDir, env: PINNED });
  let again: WebHost | null = null;
  try {
    await openApp(page, first.url);
    const before = 'Typed while the host ran. ';
    const during = 'Typed while the host was away, every character of it.';
    await typeWhileAway(page, first, before, during);
    expect(backupTexts(dataDir)).toEqual([before]); // the host never got the rest

    again = await WebHost.start({ modelDir: null, dataDir, port: first.port, env: PINNED });
    await expect(page.getByTestId('connection-state')).toHaveCount(0, { timeout: 30_000 });
    await expect(page.getByTestId('notice').filter({ hasText: 'Reconnected to the Inkling host' })).toBeVisible();
    await expect(page.getByTestId('unsent-edits')).toHaveCount(0);
    await expect.poll(() => backupTexts(dataDir)).toEqual([before + during]);
    await expect(page.getByTestId('engine-state')).toHaveAttribute('data-state', 'no_model');
    // And the connection is a working one: the page saves through it.
    const file = path.join(path.dirname(dataDir), `${path.basename(dataDir)}-saved.md`);
    await page.keyboard.press('ControlOrMeta+Shift+s');
    await page.getByTestId('save-dialog').getByTestId('path-input').fill(file);
    await page.getByTestId('save-dialog').getByTestId('path-submit').click();
    await expect(page.getByTestId('save-state')).toHaveText('Saved');
    expect(fs.readFileSync(file, 'utf8')).toBe(before + during);
    fs.rmSync(file);
  } finally {
    await again?.stop();
    await first.stop();
  }
});

test('the tab is closed while the host is away: a page opened later offers everything that was typed', async ({
  page,
  dataDir,
  rendererBuilt,
}) => {
  void rendererBuilt;
  const first = await WebHost.start({ modelDir: null, dataDir, env: PINNED });
  let again: WebHost | null = null;
  try {
    await openApp(page, first.url);
    const before = 'The first lines reached the host. ';
    const during = 'These were typed after it died and before the tab was closed.';
    await typeWhileAway(page, first, before, during);
    const context = page.context();
    await page.close();

    again = await WebHost.start({ modelDir: null, dataDir, port: first.port, env: PINNED });
    const fresh = await context.newPage();
    await openApp(fresh, again.url);
    const dialog = fresh.getByTestId('recovery-dialog');
    await expect(dialog).toContainText(during.slice(0, 30));
    await dialog.getByTestId('restore-backups').click();
    await expect.poll(() => docText(fresh)).toBe(before + during);
    // Now the host has it too.
    await expect.poll(() => backupTexts(dataDir)).toContain(before + during);
  } finally {
    await again?.stop();
    await first.stop();
  }
});

test('the host restarts with a new key: the page says so, and the new address offers the kept text', async ({
  page,
  dataDir,
  rendererBuilt,
}) => {
  void rendererBuilt;
  const first = await WebHost.start({ modelDir: null, dataDir });
  let again: WebHost | null = null;
  try {
    await openApp(page, first.url);
    const before = 'Before the restart. ';
    const during = 'After the host died, before it came back with another key.';
    await typeWhileAway(page, first, before, during);

    again = await WebHost.start({ modelDir: null, dataDir, port: first.port });
    expect(again.token).not.toBe(first.token);
    const state = page.getByTestId('connection-state');
    await expect(state).toHaveAttribute('data-state', 'unauthorized', { timeout: 30_000 });
    await expect(state).toHaveText('Key refused — open the new address');
    await expect(state).toHaveAttribute('title', /#token=/);
    await expect(page.getByTestId('unsent-edits')).toBeVisible();

    const fresh = await page.context().newPage();
    await openApp(fresh, again.url);
    const dialog = fresh.getByTestId('recovery-dialog');
    await expect(dialog).toContainText(during.slice(0, 30));
    await dialog.getByTestId('restore-backups').click();
    await expect.poll(() => docText(fresh)).toBe(before + during);
  } finally {
    await again?.stop();
    await first.stop();
  }
});

test('a page opened without its key is told how to get in, and nothing reaches the API', async ({ page, host }) => {
  await page.goto(host.origin + '/');
  const state = page.getByTestId('connection-state');
  await expect(state).toHaveAttribute('data-state', 'unauthorized', { timeout: 30_000 });
  await expect(state).toHaveAttribute('title', /#token=/);
  expect(host.log).not.toMatch(/internal error/);
});
