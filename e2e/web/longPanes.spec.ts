/**
 * The side panel on a writer's long text: a Summarize or an Ask over more than GPT-2 can read
 * (1,024 tokens) says, next to the result, how much of the start it did not read; a passage that
 * fits says nothing of the kind.
 */
import fs from 'node:fs';
import path from 'node:path';
import { test, expect, editor, modelReady, openFile, screenshotPath, tempDir, ROOT } from './fixtures';
import { openPane, runPane } from './panes.helpers';

const NOVEL = fs.readFileSync(path.join(ROOT, 'test', 'data', 'moby-dick', 'chapters-1-36.txt'), 'utf8');
/** About 6,000 words, cut at a paragraph end. */
const CHAPTERS = NOVEL.slice(0, NOVEL.indexOf('\n\n', 34_000));

test('Summarize and Ask over a 6,000-word document say what the model did not read', async ({ app: page }) => {
  test.setTimeout(180_000);
  const file = path.join(tempDir('long-panes'), 'moby-dick.md');
  fs.writeFileSync(file, CHAPTERS);
  await modelReady(page);
  await openFile(page, file);

  // The whole document (no selection, cursor in the middle): most of it cannot be read.
  await editor(page).click();
  await page.keyboard.press('ControlOrMeta+f');
  await page.keyboard.type('I suppose this Peter here is an emigrant from there');
  await page.keyboard.press('Enter');
  await page.keyboard.press('Escape');
  await page.keyboard.press('ArrowRight'); // the found sentence is selected: the cursor goes after it
  await openPane(page, 'summarize');
  await expect(page.getByTestId('summarize-source')).toContainText('the whole document');
  await runPane(page, 'summarize');
  const note = page.getByTestId('pane-unread');
  await expect(note).toBeVisible();
  const words = Number((await note.innerText()).match(/its first ([\d,]+) words/)![1].replace(/,/g, ''));
  const total = CHAPTERS.match(/\S+/g)!.length;
  expect(words).toBeGreaterThan(total - 1000); // ~1,000 tokens at most were read
  expect(words).toBeLessThan(total);
  await expect(note).toContainText('the summary knows nothing of them');
  await page.screenshot({ path: screenshotPath('summarize-unread.png') });

  // Ask reads the same document first: the answer's note says the same.
  await openPane(page, 'answer');
  await page.getByTestId('ask-question').fill('Who is Queequeg?');
  await runPane(page, 'ask');
  await expect(page.getByTestId('pane-unread')).toContainText('the answer knows nothing of them');

  // A sentence that fits: selected (found with Ctrl/Cmd+F), summarized, no note.
  await editor(page).click();
  await page.keyboard.press('ControlOrMeta+f');
  await page.getByTestId('find-input').fill('I suppose this Peter here is an emigrant from there');
  await page.keyboard.press('Enter');
  await page.keyboard.press('Escape');
  await openPane(page, 'summarize');
  await expect(page.getByTestId('summarize-source')).toContainText('the selection');
  await runPane(page, 'summarize');
  await expect(page.getByTestId('pane-unread')).toHaveCount(0);
});
