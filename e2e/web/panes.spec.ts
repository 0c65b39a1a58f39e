/**
 * The side panel's panes in a real Chromium against the web host and a tiny real model: each pane
 * streams output from the engine, shows which model wrote it, and puts it into the document; the
 * panel shows, hides, resizes and remembers itself. Screenshots of each pane go to artifacts/.
 */
import { test, expect, editor, docText, holdCallUntilCancel, modelReady, openApp, screenshotPath } from './fixtures';
import { cardTexts, openPane, runPane, setParam, startWith } from './panes.helpers';

const TEXT = 'The lighthouse keeper climbed the stairs. The lamp was cold. He lit it before the storm came.';

test('Continue: cards with their figures; insert one; regenerate one; regenerate all', async ({ app: page }) => {
  await startWith(page, TEXT);
  await openPane(page, 'continue');
  await runPane(page, 'continue');
  const cards = page.getByTestId('continue-card');
  await expect(cards).toHaveCount(3);
  await expect(page.getByTestId('card-stats').first()).toHaveText(/\d+ tokens.*tok\/s.*avg log-prob -\d+\.\d\d/);
  await expect(page.getByTestId('pane-model')).toHaveText(/by .+ · fp32/);
  const texts = await cardTexts(page);
  expect(texts.every((t) => t.trim().length > 0)).toBe(true);
  await page.screenshot({ path: screenshotPath('pane-continue.png') });

  // Regenerate the second card alone: the first and third stay as they were.
  await cards.nth(1).getByTestId('card-regenerate').click();
  await expect(cards.nth(1).getByTestId('card-insert')).toBeEnabled({ timeout: 60_000 });
  const after = await cardTexts(page);
  expect(after[0]).toBe(texts[0]);
  expect(after[2]).toBe(texts[2]);
  expect(after[1]).not.toBe(texts[1]);

  // Insert the second card: it lands at the cursor as one undo step; focus returns to the text.
  await cards.nth(1).getByTestId('card-insert').click();
  await expect.poll(() => docText(page)).toBe(TEXT + after[1]);
  await expect(page.locator('.cm-content')).toBeFocused();
  await page.keyboard.press('ControlOrMeta+z');
  await expect.poll(() => docText(page)).toBe(TEXT);

  // Regenerate all: new cards; the earlier result is kept in the history.
  await runPane(page, 'continue');
  await expect(page.getByTestId('continue-history')).toContainText('Earlier results (1)');
});

test('Translate: sentence by sentence, insert below, replace, copy; the examples are editable', async ({
  app: page,
  context,
}) => {
  await context.grantPermissions(['clipboard-read', 'clipboard-write']);
  await startWith(page, 'The cat sleeps. The dog barks.');
  await openPane(page, 'translate');
  await expect(page.getByTestId('translate-source')).toContainText('the paragraph at the cursor · 6 words');
  await runPane(page, 'translate');
  const output = (await page.getByTestId('translate-output').innerText()).trim();
  expect(output.length).toBeGreaterThan(0);
  await expect(page.getByTestId('translate-sentences')).toContainText('Sentence by sentence (2)');
  await expect(page.getByTestId('pane-model')).toBeVisible();
  await page.screenshot({ path: screenshotPath('pane-translate.png') });
  // The paper's format is visible: example pairs, then the sentence and " =".
  await page.getByText('The prompt the model read').click();
  await expect(page.locator('.pane-prompt pre')).toContainText(
    'The cat is sleeping on the chair. = Le chat dort sur la chaise.',
  );
  await expect(page.locator('.pane-prompt pre')).toContainText('The dog barks. =');

  await page.getByTestId('translate-actions-copy').click();
  await expect(page.getByTestId('translate-actions-copy')).toHaveText(/Copied/);
  expect((await page.evaluate(() => navigator.clipboard.readText())).trim()).toBe(output);

  await page.getByTestId('translate-actions-insert-below').click();
  await expect.poll(() => docText(page)).toBe(`The cat sleeps. The dog barks.\n\n${output}`);
  await page.keyboard.press('ControlOrMeta+z');
  await page.getByTestId('translate-actions-replace').click();
  await expect.poll(() => docText(page)).toBe(output);
  await page.keyboard.press('ControlOrMeta+z');
  await expect.poll(() => docText(page)).toBe('The cat sleeps. The dog barks.');

  // Edit an example pair: the next prompt shows it.
  await page.getByText(/Examples the model is shown/).click();
  const first = page.getByLabel('Example 1 in French');
  await first.fill('Le chat dort sur le canapé.');
  await page.getByTestId('examples-save').click();
  await expect(page.getByTestId('translate-examples')).toContainText('edited');
  await editor(page).click();
  await runPane(page, 'translate');
  await expect(page.locator('.pane-prompt pre')).toContainText('= Le chat dort sur le canapé.');
});

test('Summarize: TL;DR with the paper settings, stop, insert below', async ({ app: page }) => {
  // The tiny model writes 1024 tokens in well under a second, so on a busy machine a stop clicked
  // after the first words could arrive after the end. Once the hold is active, the page's runTask call
  // is held until its cancelTask is sent, so the stop is always first to be decided.
  const hold = await holdCallUntilCancel(page, 'runTask', 'cancelTask', false);
  await page.reload(); // the page's connection now goes through the route
  await startWith(page, TEXT);
  // The paper's settings sample (top-k 2): a fixed seed makes this run repeatable.
  await openPane(page, 'sampling');
  await page.getByTestId('sampling-target-summarize').click();
  await expect(page.getByTestId('preset-select')).toHaveValue('builtin:gpt2-summarize');
  await expect(page.getByTestId('param-topK-input')).toHaveValue('2');
  await page.getByTestId('seed-fixed').check();
  await page.getByTestId('seed-input').fill('42');
  await page.getByTestId('seed-input').press('Enter');
  await openPane(page, 'summarize');
  await expect(page.getByTestId('summarize-source')).toContainText('the whole document');
  await runPane(page, 'summarize');
  const summary = (await page.getByTestId('summarize-output').innerText()).trim();
  expect(summary.length).toBeGreaterThan(0);
  await page.screenshot({ path: screenshotPath('pane-summarize.png') });
  await page.getByText('The prompt the model read').click();
  await expect(page.locator('.pane-prompt pre')).toContainText(`${TEXT}\nTL;DR:`);
  await page.getByTestId('summarize-actions-insert-below').click();
  await expect.poll(() => docText(page)).toBe(`${TEXT}\n\n${summary}`);

  // Stop: a long summary (1024 tokens) stops on request and says so.
  await openPane(page, 'sampling');
  await page.getByTestId('sampling-target-summarize').click();
  await setParam(page, 'maxNewTokens', '1024');
  await openPane(page, 'summarize');
  hold.active = true;
  await page.getByTestId('summarize-run').click();
  await expect.poll(() => hold.held()).toBe(true);
  await page.getByTestId('summarize-stop').click();
  await expect.poll(() => hold.released()).toBe(true);
  await expect(page.getByTestId('summarize-status')).toHaveAttribute('data-state', 'stopped', { timeout: 30_000 });
});

test('Ask: an answer in the Q:/A: format, follow-ups carry the conversation, insert', async ({ app: page }) => {
  await startWith(page, TEXT);
  await openPane(page, 'answer');
  await page.getByTestId('ask-question').fill('Who climbed the stairs?');
  await page.getByTestId('ask-question').press('Enter');
  await expect(page.getByTestId('ask-status')).toHaveAttribute('data-state', 'done', { timeout: 60_000 });
  const answer = (await page.getByTestId('ask-output').innerText()).trim();
  expect(answer.length).toBeGreaterThan(0);
  await expect(page.getByTestId('ask-result')).toContainText('Who climbed the stairs?');
  await page.getByTestId('ask-question').fill('What was cold?');
  await runPane(page, 'ask');
  await expect(page.getByTestId('ask-turns')).toContainText('Who climbed the stairs?');
  await page.screenshot({ path: screenshotPath('pane-ask.png') });
  await page.getByText('The prompt the model read').click();
  await expect(page.locator('.pane-prompt pre')).toContainText(
    `${TEXT}\nQ: Who climbed the stairs?\nA: ${answer}\nQ: What was cold?\nA:`,
  );
  await editor(page).click();
  await page.keyboard.press('ControlOrMeta+End');
  const latest = (await page.getByTestId('ask-output').innerText()).trim();
  await page.getByTestId('ask-actions-insert').click();
  await expect.poll(() => docText(page)).toContain(latest);
});

test('the panel shows, hides, resizes from the keyboard and remembers itself', async ({ app: page, host }) => {
  await modelReady(page);
  await editor(page).click();
  const panel = page.getByTestId('side-panel');
  await expect(panel).toBeHidden();
  await page.keyboard.press('ControlOrMeta+Shift+P');
  await expect(panel).toBeVisible();
  await page.keyboard.press('ControlOrMeta+Shift+3');
  await expect(page.getByTestId('pane-tab-summarize')).toHaveAttribute('aria-selected', 'true');
  const before = (await panel.boundingBox())!.width;
  await page.getByTestId('panel-resizer').focus();
  await page.keyboard.press('Shift+ArrowLeft');
  await page.keyboard.press('ArrowLeft');
  await expect.poll(async () => Math.round((await panel.boundingBox())!.width)).toBe(Math.round(before + 80));
  // Dragging works too.
  const handle = (await page.getByTestId('panel-resizer').boundingBox())!;
  await page.mouse.move(handle.x + handle.width / 2, handle.y + 200);
  await page.mouse.down();
  await page.mouse.move(handle.x + handle.width / 2 - 40, handle.y + 200, { steps: 4 });
  await page.mouse.up();
  await expect.poll(async () => Math.round((await panel.boundingBox())!.width)).toBe(Math.round(before + 120));
  // The width, the pane and "open" are settings: a reload brings them back.
  await expect
    .poll(async () => ((await host.call('getSettings')) as { panelWidth: number }).panelWidth)
    .toBe(Math.round(before + 120));
  await openApp(page, host.url);
  await expect(panel).toBeVisible();
  await expect(page.getByTestId('pane-tab-summarize')).toHaveAttribute('aria-selected', 'true');
  await expect.poll(async () => Math.round((await panel.boundingBox())!.width)).toBe(Math.round(before + 120));
  await page.getByTestId('panel-close').click();
  await expect(panel).toBeHidden();
});
