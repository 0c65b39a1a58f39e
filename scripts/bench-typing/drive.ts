/**
 * The two pages, driven with Playwright: Inkling's (a document opened from disk through the Open
 * dialog, as a writer would) and the peer's; and one scenario's key presses, each timed in the page
 * by the probe (page/probe.ts) from its keydown to the next painted frame.
 */
import type { Page } from '@playwright/test';
import type { ProbeWindow } from './page/probe';
import type { PeerWindow } from './page/peer';
import { keyStats, longTasksBetween, type ScenarioFigures } from './report';

export interface PressPlan {
  keys: string[];
  /**
   * What every press must do, checked afterwards so a press that went elsewhere (focus lost to a
   * pane) cannot pass as a fast one: insert one character, or shrink the selection by one.
   */
  effect: 'insert' | 'shrink-selection';
  /** Uncounted presses first (the same keys' pattern), so the JIT and caches are warm. */
  warmup: number;
  /** A press starts at most this often (a fast typist: 150 ms is ~80 words a minute). */
  cadenceMs: number;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** The page is quiet: no long task for 1 s (at most 30 s), so one scenario's leftovers do not land in the next. */
export async function settle(page: Page): Promise<void> {
  await page.evaluate(() => (window as unknown as ProbeWindow).__typingProbe.settle(1000, 30_000));
}

/** Presses `plan.keys` (after the warm-up) and returns their latencies and the long tasks meanwhile. */
export async function pressKeys(page: Page, plan: PressPlan): Promise<ScenarioFigures> {
  const presses = [...plan.keys.slice(0, plan.warmup), ...plan.keys];
  const before = await editorSizes(page);
  const samples: number[] = [];
  let from = 0;
  for (let i = 0; i < presses.length; i++) {
    if (i === plan.warmup) from = await page.evaluate(() => (window as unknown as ProbeWindow).__typingProbe.now());
    const started = Date.now();
    // press() returns once the page has handled the keydown, so the probe's promise for it exists.
    await page.keyboard.press(presses[i]);
    const ms = await page.evaluate(() => (window as unknown as ProbeWindow).__typingProbe.take());
    if (i >= plan.warmup) samples.push(ms);
    await sleep(plan.cadenceMs - (Date.now() - started));
  }
  const to = await page.evaluate(() => (window as unknown as ProbeWindow).__typingProbe.now());
  const after = await editorSizes(page);
  const [what, change] =
    plan.effect === 'insert'
      ? ['characters inserted', after.length - before.length]
      : ['characters taken off the selection', before.selection - after.selection];
  if (change !== presses.length) throw new Error(`${presses.length} key presses, but ${change} ${what}`);
  // Long-task entries are delivered to the observer a little after the task ends.
  await sleep(300);
  const entries = await page.evaluate(() => (window as unknown as ProbeWindow).__typingProbe.longTasks());
  return { keys: keyStats(samples), longTasks: longTasksBetween(entries, from, to) };
}

async function editorSizes(page: Page): Promise<{ length: number; selection: number }> {
  return page.evaluate(() => {
    const probe = (window as unknown as ProbeWindow).__typingProbe;
    return { length: probe.docLength(), selection: probe.selectionSize() };
  });
}

async function docLength(page: Page): Promise<number> {
  return page.evaluate(() => (window as unknown as ProbeWindow).__typingProbe.docLength());
}

export async function setCursor(page: Page, pos: number): Promise<void> {
  await page.evaluate((p) => (window as unknown as ProbeWindow).__typingProbe.setCursor(p), pos);
}

export async function focusEditor(page: Page): Promise<void> {
  await page.evaluate(() => (window as unknown as ProbeWindow).__typingProbe.focus());
}

/** Ctrl/Cmd+A in the editor, then checks the whole document is selected. */
export async function selectAll(page: Page): Promise<void> {
  await focusEditor(page);
  await page.keyboard.press('ControlOrMeta+A');
  const [size, length] = await page.evaluate(() => {
    const probe = (window as unknown as ProbeWindow).__typingProbe;
    return [probe.selectionSize(), probe.docLength()];
  });
  if (size !== length) throw new Error(`Ctrl/Cmd+A selected ${size} of ${length} characters`);
}

export async function openPeer(page: Page, url: string, text: string): Promise<void> {
  await page.goto(url);
  await page.evaluate((t) => (window as unknown as PeerWindow).__peer.open(t), text);
  const length = await docLength(page);
  if (length !== text.length) throw new Error(`the peer holds ${length} characters, not ${text.length}`);
}

/** Opens Inkling on the host, waits for the model, and opens `file` through the Open dialog. */
export async function openInkling(page: Page, url: string, file: string, chars: number): Promise<void> {
  await page.goto(url);
  await page.getByRole('toolbar', { name: 'Inkling' }).waitFor();
  await page.locator('[data-testid="engine-state"][data-state="ready"]').waitFor({ timeout: 120_000 });
  await page.getByTestId('open-document').click();
  const dialog = page.getByTestId('open-dialog');
  await dialog.getByTestId('path-input').fill(file);
  await dialog.getByTestId('path-submit').click();
  await dialog.waitFor({ state: 'hidden', timeout: 60_000 });
  await page.waitForFunction((n) => (window as unknown as ProbeWindow).__typingProbe.docLength() === n, chars, {
    timeout: 60_000,
    polling: 250,
  });
}

/** The side panel open on the Summarize pane (through the toolbar button and the pane's tab). */
export async function openSummarize(page: Page): Promise<void> {
  if (!(await page.getByTestId('side-panel').isVisible())) await page.getByTestId('panel-toggle').click();
  await page.getByTestId('pane-tab-summarize').click();
  await page.locator('[data-testid="pane-tab-summarize"][aria-selected="true"]').waitFor();
}

export async function closePanel(page: Page): Promise<void> {
  await page.getByTestId('panel-close').click();
  await page.getByTestId('side-panel').waitFor({ state: 'hidden' });
}

/** Turns the heat map on and waits for its first scoring of the whole document; returns its seconds. */
export async function heatmapOn(page: Page, timeoutMs: number): Promise<number> {
  const started = Date.now();
  await page.getByTestId('heatmap-toggle').click();
  await page.waitForFunction(
    () => {
      const legend = document.querySelector('[data-testid="heat-legend"]');
      const m = /^(\d+)\/(\d+)$/.exec(legend?.getAttribute('data-progress') ?? '');
      return m !== null && m[1] === m[2] && legend?.getAttribute('data-busy') === 'false';
    },
    null,
    { timeout: timeoutMs, polling: 500 },
  );
  return (Date.now() - started) / 1000;
}

export async function heatmapOff(page: Page): Promise<void> {
  await page.getByTestId('heatmap-toggle').click();
  await page.getByTestId('heat-legend').waitFor({ state: 'hidden' });
}
