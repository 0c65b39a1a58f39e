/** Steps the side-panel specs share: open a pane, run it, read its output, set a parameter. */
import type { Page } from '@playwright/test';
import { editor, expect, modelReady } from './fixtures';

export type PaneId = 'continue' | 'translate' | 'summarize' | 'answer' | 'sampling';

/** The model is ready and the document holds `text` (typed as a writer would). */
export async function startWith(page: Page, text: string): Promise<void> {
  await modelReady(page);
  await editor(page).click();
  await page.keyboard.type(text);
}

/** Shows the side panel on `pane` (through the toolbar button and the pane's tab). */
export async function openPane(page: Page, pane: PaneId): Promise<void> {
  if (!(await page.getByTestId('side-panel').isVisible())) await page.getByTestId('panel-toggle').click();
  await page.getByTestId(`pane-tab-${pane}`).click();
  await expect(page.getByTestId(`pane-tab-${pane}`)).toHaveAttribute('aria-selected', 'true');
}

/** Runs the pane's main action and waits until it finished (status 'done'). */
export async function runPane(page: Page, kind: 'continue' | 'translate' | 'summarize' | 'ask'): Promise<void> {
  const status = page.getByTestId(`${kind}-status`);
  const before = (await status.getAttribute('data-run')) ?? '';
  await page.getByTestId(`${kind}-run`).click();
  // A new run (its own request id), finished.
  await expect(status).not.toHaveAttribute('data-run', before);
  await expect(status).toHaveAttribute('data-state', 'done', { timeout: 60_000 });
}

export async function cardTexts(page: Page): Promise<string[]> {
  return page.getByTestId('card-text').allInnerTexts();
}

/** Types a value into a sampling parameter's number field and confirms it with Enter. */
export async function setParam(page: Page, name: string, value: string): Promise<void> {
  const input = page.getByTestId(`param-${name}-input`);
  await input.fill(value);
  await input.press('Enter');
}
