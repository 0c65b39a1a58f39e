/**
 * The app's remote engine in Chromium: the web host (with the tiny model as its local engine) is
 * pointed at a real `inkling serve` child process (the same model, port 0) through the Models page.
 * Ghost text, cycling, the token popup and the heat map then come from the server; typing cancels;
 * a pane whose stream is cut, and a suggestion whose server is killed mid-stream, keep what arrived,
 * marked cut, with the message, and change no text until the writer takes it; one click goes back
 * to local. The server is reached through a pass-through gate (streamGate.ts) that can hold a
 * stream after a number of tokens, so the cut always lands mid-way however fast the tiny model writes.
 */
import { spawn, type ChildProcess } from 'node:child_process';
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
  ROOT,
} from './fixtures';
import { openPane } from './panes.helpers';
import { StreamGate } from './streamGate';

class Serve {
  private constructor(
    readonly url: string,
    private readonly child: ChildProcess,
  ) {}

  static async start(modelDir: string): Promise<Serve> {
    const child = spawn(
      process.execPath,
      [
        path.join(ROOT, 'bin', 'inkling.mjs'),
        'serve',
        '--model',
        modelDir,
        '--port',
        '0',
        '--model-name',
        'tiny-remote',
      ],
      {
        cwd: ROOT,
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let err = '';
    child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
    const url = await new Promise<string>((resolve, reject) => {
      let out = '';
      const timer = setTimeout(() => reject(new Error(`inkling serve did not start within 60 s.\n${err}`)), 60_000);
      child.stdout!.on('data', (d: Buffer) => {
        out += d.toString();
        const m = /Inkling server ready at (http:\/\/127\.0\.0\.1:\d+\/v1)/.exec(out);
        if (m) {
          clearTimeout(timer);
          resolve(m[1]);
        }
      });
      child.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`inkling serve exited (${code}) before it was ready.\n${err}`));
      });
    });
    return new Serve(url, child);
  }

  /** SIGKILL: the server vanishes mid-stream, as a crashed or unplugged machine would. */
  async kill(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    const gone = new Promise((r) => this.child.once('exit', r));
    this.child.kill('SIGKILL');
    await gone;
  }
}

async function openModels(page: Page): Promise<void> {
  await page.getByTestId('open-models').click();
  await expect(page.getByTestId('models-page')).toBeVisible();
}

async function backToWriting(page: Page): Promise<void> {
  await page.getByTestId('models-back').click();
  await expect(page.getByTestId('models-page')).toBeHidden();
}

test('write with a server: switch, Tab, cycle, token popup, heat map, cancel by typing, a cut pane, server killed mid-stream, back to local', async ({
  app: page,
  modelDir,
}) => {
  test.setTimeout(180_000);
  const serve = await Serve.start(modelDir);
  const gate = await StreamGate.start(serve.url);
  try {
    await modelReady(page);
    await expect(page.getByTestId('model-name')).not.toContainText('server');

    // Models → Use a server: test the connection, see what it supports, use it.
    await openModels(page);
    await page.getByTestId('remote-url').fill(gate.url);
    await page.getByTestId('remote-test').click();
    const verdict = page.getByTestId('remote-verdict');
    await expect(verdict).toHaveAttribute('data-ok', 'true', { timeout: 30_000 });
    await expect(verdict).toContainText('Connected to inkling serve, model "tiny-remote"');
    await expect(page.getByTestId('remote-model')).toHaveValue('tiny-remote');
    await expect(page.getByTestId('remote-feature-heatmap')).toHaveText('Heat map: yes');
    await page.getByTestId('remote-use').click();
    await expect(page.getByTestId('remote-active')).toContainText('tiny-remote');
    await page.screenshot({ path: screenshotPath('remote-server.png') });
    await backToWriting(page);
    await expect(page.getByTestId('model-name')).toHaveText('tiny-remote · server');

    // Tab: ghost text from the server, three alternatives to cycle.
    await editor(page).click();
    const typed = 'The train left the station at dawn, and the city slowly fell away behind us.';
    await page.keyboard.type(typed);
    await page.keyboard.press('Tab');
    await expect(ghost(page)).toBeVisible({ timeout: 30_000 });
    await expect(page.getByTestId('generation-state')).toHaveAttribute('data-state', 'done', { timeout: 60_000 });
    await expect(page.getByTestId('ghost-count')).toHaveText('1/3');
    const first = await ghostText(page);
    expect(first.length).toBeGreaterThan(0);
    await page.keyboard.press('Alt+]');
    await expect(page.getByTestId('ghost-count')).toHaveText('2/3');
    await page.keyboard.press('Alt+[');
    await expect(page.getByTestId('ghost-count')).toHaveText('1/3');
    expect(await ghostText(page)).toBe(first);

    // Accept; the accepted tokens carry the server's alternatives (logprobs N → the token popup).
    await page.keyboard.press('Tab');
    await expect(ghost(page)).toHaveCount(0);
    await expect.poll(() => docText(page)).toBe(typed + first);
    const tokens = page.locator('.cm-content .cm-gen');
    await expect.poll(() => tokens.count()).toBeGreaterThan(3);
    await tokens.nth(1).hover();
    await expect(page.getByTestId('token-popup').getByTestId('token-alternative')).toHaveCount(5);
    await page.mouse.move(5, 5);

    // The heat map: echo + logprobs from the server, tinted by rank where the server's top list tells it.
    await page.getByTestId('heatmap-toggle').click();
    await expect(page.getByTestId('heat-legend')).toBeVisible();
    const heat = page.locator('.cm-content .cm-heat');
    await expect.poll(() => heat.count(), { timeout: 30_000 }).toBeGreaterThan(0);
    const ranks = await heat.evaluateAll((els) => els.map((e) => Number(e.getAttribute('data-rank'))));
    for (const r of ranks) expect(r).toBeGreaterThanOrEqual(1);
    await page.getByTestId('heatmap-toggle').click();
    await expect(heat).toHaveCount(0);

    // Cancel by typing: a long suggestion is dropped (the stream closed), every keystroke kept.
    await setSuggestionLength(page, 200);
    await editor(page).click();
    await page.keyboard.press('ControlOrMeta+End');
    const before = await docText(page);
    await page.keyboard.press('Tab');
    await expect(page.getByTestId('generation-state')).toHaveAttribute('data-state', 'generating', { timeout: 30_000 });
    await page.keyboard.type(' Then', { delay: 20 });
    await expect(ghost(page)).toHaveCount(0);
    await expect.poll(() => docText(page)).toBe(before + ' Then');
    await expect(page.getByTestId('generation-state')).not.toHaveAttribute('data-state', 'generating', {
      timeout: 30_000,
    });

    // A pane's stream is cut after six tokens (the connection drops; the server lives on): the summary
    // that arrived stays on show, marked cut, with the message; the document is not touched.
    const beforePane = await docText(page);
    await openPane(page, 'summarize');
    const paneHeld = gate.holdAfter(6);
    await page.getByTestId('summarize-run').click();
    await paneHeld;
    gate.drop();
    await expect(page.getByTestId('summarize-status')).toHaveAttribute('data-state', 'cut', { timeout: 30_000 });
    await expect(page.getByTestId('summarize-status')).toHaveText('Cut off');
    await expect(page.getByTestId('summarize-result')).toHaveAttribute('data-cut', 'true');
    await expect(page.getByTestId('summarize-cut')).toHaveText(
      'Cut off: the server stopped before finishing, so this is only what arrived. Use it as it is, or run again.',
    );
    await expect(page.getByTestId('summarize-pane').getByRole('alert')).toContainText(
      'broke in the middle of a response',
    );
    expect((await page.getByTestId('summarize-output').innerText()).trim()).not.toBe('');
    await expect(page.getByTestId('summarize-actions-insert-below')).toBeEnabled();
    await page.screenshot({ path: screenshotPath('remote-cut-pane.png') });
    expect(await docText(page)).toBe(beforePane);
    await page.getByTestId('panel-close').click();

    // The server dies mid-stream, twelve tokens into a suggestion: what arrived stays on show as a
    // suggestion, with a note in words; the status says why; the text changes only when Tab takes it.
    await editor(page).click();
    await page.keyboard.press('ControlOrMeta+End');
    const kept = await docText(page);
    const held = gate.holdAfter(12);
    await page.keyboard.press('Tab');
    await held;
    await serve.kill();
    gate.drop();
    const failed = page.getByTestId('generation-state');
    await expect(failed).toHaveAttribute('data-state', 'error', { timeout: 30_000 });
    await expect(failed).toHaveText('Suggestion cut off');
    await expect(failed).toHaveAttribute('title', /broke in the middle of a response/);
    await expect(ghost(page)).toHaveAttribute('data-cut', 'true');
    await expect(page.getByTestId('ghost-cut')).toHaveText(
      /^The server stopped (after \d+ words?|before finishing); Tab keeps what arrived\.$/,
    );
    await expect(page.getByTestId('ghost-count')).toHaveText('1/3');
    const partial = await ghostText(page);
    expect(partial.length).toBeGreaterThan(0);
    await page.screenshot({ path: screenshotPath('remote-cut-suggestion.png') });
    expect(await docText(page)).toBe(kept);
    await page.keyboard.press('Tab');
    await expect(ghost(page)).toHaveCount(0);
    await expect.poll(() => docText(page)).toBe(kept + partial);

    // Asked again, the dead server sends nothing to keep: the suggestion fails as before, no text changes.
    await page.keyboard.press('Tab');
    await expect(failed).toHaveText('Suggestion failed', { timeout: 30_000 });
    await expect(failed).toHaveAttribute('title', /Cannot reach the server/);
    await expect(ghost(page)).toHaveCount(0);
    expect(await docText(page)).toBe(kept + partial);

    // One click back to the local engine, which still has its model: Tab works again.
    await openModels(page);
    await page.getByTestId('remote-use-local').click();
    await expect(page.getByTestId('remote-active')).toHaveCount(0);
    await backToWriting(page);
    await expect(page.getByTestId('model-name')).not.toContainText('server');
    await setSuggestionLength(page, 8);
    await editor(page).click();
    await page.keyboard.press('ControlOrMeta+End');
    await page.keyboard.press('Tab');
    await expect(page.getByTestId('generation-state')).toHaveAttribute('data-state', 'done', { timeout: 60_000 });
    await expect(ghost(page)).toBeVisible();
  } finally {
    await gate.close();
    await serve.kill();
  }
});

test('share this model with other apps on this computer: the address and key work for an OpenAI client, and stop', async ({
  app: page,
}) => {
  await modelReady(page);
  await openModels(page);
  await page.getByTestId('share-toggle').click();
  await expect(page.getByTestId('share-info')).toBeVisible({ timeout: 30_000 });
  const url = await page.getByTestId('share-url').inputValue();
  const key = await page.getByTestId('share-key').inputValue();
  expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/v1$/);
  const auth = { Authorization: `Bearer ${key}`, 'Content-Type': 'application/json' };
  const models = (await (await fetch(`${url}/models`, { headers: auth })).json()) as { data: { id: string }[] };
  const r = await fetch(`${url}/completions`, {
    method: 'POST',
    headers: auth,
    body: JSON.stringify({ model: models.data[0].id, prompt: 'Hello', max_tokens: 3 }),
  });
  expect(r.status).toBe(200);
  expect(((await r.json()) as { usage: { completion_tokens: number } }).usage.completion_tokens).toBe(3);
  expect((await fetch(`${url}/models`)).status).toBe(401);
  await page.getByTestId('share-toggle').click();
  await expect(page.getByTestId('share-info')).toHaveCount(0);
  await expect(fetch(`${url}/models`, { headers: auth })).rejects.toThrow();
});
