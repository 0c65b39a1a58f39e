/**
 * What happens when the window opens: read settings and engine status, then either offer the
 * hot-exit backups left by a crash (recovery dialog) or start with a fresh document.
 */
import type { AppContext } from './context';

export async function startApp(ctx: AppContext): Promise<void> {
  try {
    await begin(ctx);
  } finally {
    // Files opened from the operating system wait for this (app/commands.ts).
    ctx.commands.started();
  }
}

async function begin(ctx: AppContext): Promise<void> {
  await Promise.all([ctx.settings.getState().load(), ctx.engine.getState().load()]);
  if (ctx.engine.getState().status.state !== 'no_model') ctx.ui.getState().dismissWelcome();
  let backups: Awaited<ReturnType<AppContext['api']['listBackups']>> = [];
  try {
    backups = await ctx.api.listBackups();
  } catch (e) {
    ctx.ui
      .getState()
      .notify('error', `Could not look for backups of unsaved work: ${e instanceof Error ? e.message : String(e)}`);
  }
  if (backups.length > 0) {
    ctx.ui.getState().openDialog({ kind: 'recovery', backups });
    return;
  }
  await ctx.commands.ensureDocument();
}
