/**
 * Retry, then Esc, in a real Chromium against the real web host and engine (tiny random GPT-2).
 * Retry (Alt+R) leaves the last generation in the text, struck through, with the fresh suggestion
 * after it; Tab puts the fresh one in its place. Esc — while it streams, after it is done, after a
 * second Retry — keeps the old text, puts the cursor back where it was and leaves no undo step and
 * nothing in the history; typing instead keeps the old text too; and when the engine process dies
 * during a retry the old text stays and the status bar says the retry stopped.
 */
import { execFileSync } from 'node:child_process';
import type { Page } from '@playwright/test';
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
  type WebHost,
} from './fixtures';

const struck = (page: Page) => page.getByTestId('retry-replaced');

/** Waits until the suggestion on show has finished streaming. */
async function streamed(page: Page): Promise<void> {
  await expect(ghost(page)).toBeVisible();
  await expect(page.locator('.cm-ghost-pending')).toHaveCount(0, { timeout: 60_000 });
}

/** Types `typed`, asks for a suggestion and takes it; returns the generation's text. */
async function firstGeneration(page: Page, typed: string): Promise<string> {
  await editor(page).click();
  await page.keyboard.type(typed);
  await page.keyboard.press('Tab');
  await streamed(page);
  await page.keyboard.press('Tab');
  await expect(ghost(page)).toHaveCount(0);
  const first = (await docText(page)).slice(typed.length);
  expect(first.length).toBeGreaterThan(0);
  return first;
}

/** The texts the history popover lists at the cursor, and the one marked as in the text. */
async function historyHere(page: Page): Promise<{ titles: (string | null)[]; current: string | null }> {
  await page.keyboard.press('Alt+Shift+h');
  const popover = page.getByTestId('generation-history');
  await expect(popover).toBeVisible();
  const titles = await popover
    .getByTestId('generation-try')
    .evaluateAll((els) => els.map((e) => e.getAttribute('title')));
  const current = await popover.locator('[aria-current="true"]').getAttribute('title');
  await page.keyboard.press('Escape');
  await expect(popover).toBeHidden();
  return { titles, current };
}

/** The engine host process of `host` (the web host's child running the engine entry). */
function enginePid(host: WebHost): number {
  const rows = execFileSync('ps', ['-A', '-o', 'pid=,ppid=,args='], { encoding: 'utf8' })
    .split('\n')
    .map((line) => /^\s*(\d+)\s+(\d+)\s+(.*)$/.exec(line))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => ({ pid: Number(m[1]), ppid: Number(m[2]), args: m[3] }));
  const web = rows.find((r) => r.args.includes('electron/web/main.ts') && r.args.includes(host.dataDir));
  const engine = rows.find((r) => r.ppid === web?.pid && /engine[-/]host|host\/entry\.ts/.test(r.args));
  if (!engine) throw new Error(`No engine process found under the web host for ${host.dataDir}`);
  return engine.pid;
}

test('Esc while a retry streams keeps the text, puts the cursor back, and leaves no undo step', async ({
  app: page,
}) => {
  // Deterministic: the retry's `complete` call is held on its way to the host until Esc has sent
  // `cancelCompletion` (the first suggestion goes through: the hold is switched on just before Alt+R).
  const hold = await holdCallUntilCancel(page, 'complete', 'cancelCompletion', false);
  await page.reload(); // the page's connection now goes through the route
  await modelReady(page);
  await setSuggestionLength(page, 200);
  const typed = 'The tide came in over the flats';
  const first = await firstGeneration(page, typed);
  const history = await historyHere(page);

  // The cursor elsewhere: Retry goes to the generation; the old text stays, struck through.
  await page.keyboard.press('ControlOrMeta+Home');
  hold.active = true;
  await page.keyboard.press('Alt+r');
  await expect(ghost(page)).toBeVisible();
  await expect(ghost(page)).toHaveAttribute('data-replacing', 'true');
  await expect(page.getByTestId('retry-hint')).toHaveText('Tab replaces · Esc keeps');
  await expect(struck(page).first()).toBeVisible();
  // (one mark per line the text spans)
  expect((await struck(page).allTextContents()).join('')).toBe(first.replace(/\n/g, ''));
  expect(await docText(page)).toBe(typed + first);
  await expect.poll(() => hold.held()).toBe(true);
  await page.screenshot({ path: screenshotPath('retry-pending.png') });

  // Esc: the stream stops, the strike goes, the text is as it was.
  await page.keyboard.press('Escape');
  await expect(ghost(page)).toHaveCount(0);
  await expect(struck(page)).toHaveCount(0);
  await expect.poll(() => hold.released()).toBe(true);
  await expect(page.getByTestId('generation-state')).not.toHaveAttribute('data-state', 'generating');
  expect(await docText(page)).toBe(typed + first);
  // The cursor is back at the start, where it was before Alt+R.
  await page.keyboard.type('>');
  await expect.poll(() => docText(page)).toBe('>' + typed + first);
  // One clean undo history: the '>', then the generation itself.
  await page.keyboard.press('ControlOrMeta+z');
  await expect.poll(() => docText(page)).toBe(typed + first);
  await page.keyboard.press('ControlOrMeta+z');
  await expect.poll(() => docText(page)).toBe(typed);
  await page.keyboard.press('ControlOrMeta+Shift+Z');
  await expect.poll(() => docText(page)).toBe(typed + first);
  // The history at the place is as it was: the cancelled retry is not recorded.
  await page.keyboard.press('ControlOrMeta+End');
  expect(await historyHere(page)).toEqual(history);
});

test('Retry twice then Esc goes back to the first text; Tab takes a retry as one undo step', async ({ app: page }) => {
  await modelReady(page);
  await setSuggestionLength(page, 24);
  const typed = 'Snow fell on the quiet village';
  const first = await firstGeneration(page, typed);
  const history = await historyHere(page);

  await page.keyboard.press('Alt+r');
  await streamed(page);
  await expect(struck(page).first()).toBeVisible();
  await page.screenshot({ path: screenshotPath('retry.png') });
  await page.keyboard.press('Alt+r'); // again: another fresh one for the same place
  await streamed(page);
  await expect(struck(page).first()).toBeVisible();
  expect(await docText(page)).toBe(typed + first);
  await page.keyboard.press('Escape');
  await expect(ghost(page)).toHaveCount(0);
  await expect(struck(page)).toHaveCount(0);
  expect(await docText(page)).toBe(typed + first);
  expect(await historyHere(page)).toEqual(history);

  // Now take one: it replaces the old text; one Ctrl+Z brings the old text back.
  await page.keyboard.press('Alt+r');
  await streamed(page);
  const shown = await ghostText(page);
  await page.keyboard.press('Tab');
  await expect(ghost(page)).toHaveCount(0);
  await expect(struck(page)).toHaveCount(0);
  const text = await docText(page);
  expect(text.startsWith(typed)).toBe(true);
  const fresh = text.slice(typed.length);
  expect(fresh.trim()).toBe(shown.trim());
  const after = await historyHere(page);
  expect(after.current).toBe(fresh);
  expect(after.titles).toContain(first);
  await page.keyboard.press('ControlOrMeta+z');
  await expect.poll(() => docText(page)).toBe(typed + first);
  await page.keyboard.press('ControlOrMeta+z');
  await expect.poll(() => docText(page)).toBe(typed);
});

test('typing instead of Esc keeps the old text; the typing undoes on its own', async ({ app: page }) => {
  await modelReady(page);
  await setSuggestionLength(page, 24);
  const typed = 'The train was late again';
  const first = await firstGeneration(page, typed);
  await page.keyboard.press('Alt+r');
  await streamed(page);
  await page.keyboard.type(' Then');
  await expect(ghost(page)).toHaveCount(0);
  await expect(struck(page)).toHaveCount(0);
  await expect.poll(() => docText(page)).toBe(typed + first + ' Then');
  await page.keyboard.press('ControlOrMeta+z');
  await expect.poll(() => docText(page)).toBe(typed + first);
  await page.keyboard.press('ControlOrMeta+z');
  await expect.poll(() => docText(page)).toBe(typed);
});

test('the engine dies during a retry: the old text stays and the status says the retry stopped', async ({
  app: page,
  host,
}) => {
  await modelReady(page);
  await setSuggestionLength(page, 24);
  const typed = 'Rain drummed on the roof';
  const first = await firstGeneration(page, typed);
  await expect(page.getByTestId('generation-state')).toHaveAttribute('data-state', 'done');

  // Deterministic: the engine process is paused, so the retry's request is surely still in flight
  // when it is killed (SIGKILL ends a paused process too).
  const pid = enginePid(host);
  process.kill(pid, 'SIGSTOP');
  let killed = false;
  try {
    await page.keyboard.press('ControlOrMeta+Home');
    await page.keyboard.press('Alt+r');
    await expect(ghost(page)).toBeVisible();
    await expect(struck(page).first()).toBeVisible();
    await expect(page.getByTestId('generation-state')).toHaveAttribute('data-state', 'generating');
    await host.call('testKillEngine');
    killed = true;
  } finally {
    if (!killed) process.kill(pid, 'SIGCONT'); // let the host shut down normally
  }

  await expect(ghost(page)).toHaveCount(0);
  await expect(struck(page)).toHaveCount(0);
  expect(await docText(page)).toBe(typed + first);
  const state = page.getByTestId('generation-state');
  await expect(state).toHaveAttribute('data-state', 'error');
  await expect(state).toHaveAttribute('data-what', 'retry');
  await expect(state).toHaveText('Retry stopped · your text is kept');
  await expect(state).toHaveAttribute('title', /^Retry stopped: .*still there\.$/);
  await page.screenshot({ path: screenshotPath('retry-engine-died.png') });
  // The cursor went back to where it was before Alt+R.
  await page.keyboard.type('>');
  await expect.poll(() => docText(page)).toBe('>' + typed + first);

  // Once the engine is back, Retry works again.
  await modelReady(page);
  await page.keyboard.press('ControlOrMeta+End');
  await page.keyboard.press('Alt+r');
  await streamed(page);
  await expect(struck(page).first()).toBeVisible();
  const shown = await ghostText(page);
  await page.keyboard.press('Tab');
  await expect(struck(page)).toHaveCount(0);
  const text = await docText(page);
  expect(text.startsWith('>' + typed)).toBe(true);
  expect(text.slice(typed.length + 1).trim()).toBe(shown.trim());
});
