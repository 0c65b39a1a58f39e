/**
 * One writing window: secure preferences, remembered bounds, and the close handshake with the
 * renderer (which knows about unsaved work): close → `closeRequested` event → the renderer saves or
 * asks the writer → `confirmClose({ proceed })`.
 */
import { BrowserWindow, dialog, screen } from 'electron';
import type { Backend } from '../services/backend/backend';
import { fitToDisplays, MIN_SIZE, type WindowStateStore } from '../services/window/windowState';
import { clientFor, clientId } from './ipc';
import { APP_URL, browserWindowOptions } from './security';

export interface WindowContext {
  backend: Backend;
  windowState: WindowStateStore;
  preloadPath: string;
  dev: boolean;
  /** True while the app is quitting (so a refused close also cancels the quit). */
  isQuitting(): boolean;
  cancelQuit(): void;
  /** The window's page has loaded (it now receives events, e.g. files to open). */
  onPageLoaded?(win: BrowserWindow): void;
}

/** How long the renderer has to answer a close request before the writer is asked natively. */
const CLOSE_ANSWER_MS = 8000;

const windows = new Map<string, { win: BrowserWindow; allowClose: boolean; loaded: boolean }>();

export function windowForClient(id: string): BrowserWindow | null {
  return windows.get(id)?.win ?? null;
}

/** The renderer's answer to closeRequested. */
export function answerClose(id: string, proceed: boolean, ctx: WindowContext): void {
  const entry = windows.get(id);
  if (!entry) return;
  if (proceed) {
    entry.allowClose = true;
    entry.win.close();
  } else {
    ctx.cancelQuit();
  }
}

export async function createWindow(ctx: WindowContext): Promise<BrowserWindow> {
  const saved = await ctx.windowState.load();
  const displays = screen.getAllDisplays();
  const primary = screen.getPrimaryDisplay();
  const areas = [primary, ...displays.filter((d) => d.id !== primary.id)].map((d) => d.workArea);
  // A second window opens offset from the first, not on top of it.
  const state = fitToDisplays(
    saved && windows.size > 0
      ? { ...saved, bounds: { ...saved.bounds, x: saved.bounds.x + 32, y: saved.bounds.y + 32 } }
      : saved,
    areas,
  );

  // The one place a window is made; its options come from a pure function the security tests check.
  const options = browserWindowOptions({
    bounds: state.bounds,
    minSize: MIN_SIZE,
    preload: ctx.preloadPath,
    devTools: ctx.dev,
  });
  // Test hook: Electron does not report a window's preferences back, so e2e tests read them here.
  if (process.env.INKLING_TEST_HOOKS === '1') {
    const g = globalThis as { __inklingWebPreferences?: unknown; __inklingWindowOptions?: unknown[] };
    g.__inklingWebPreferences = options.webPreferences;
    (g.__inklingWindowOptions ??= []).push(options);
  }
  const win = new BrowserWindow(options);
  const contents = win.webContents;
  const id = clientId(contents);
  const entry = { win, allowClose: false, loaded: false };
  windows.set(id, entry);
  ctx.backend.addClient(clientFor(contents));
  if (state.maximized) win.maximize();
  win.once('ready-to-show', () => win.show());

  let saveTimer: NodeJS.Timeout | undefined;
  const saveState = () => {
    if (win.isDestroyed() || win.isMinimized() || win.isFullScreen()) return;
    void ctx.windowState.save({
      bounds: win.isMaximized() ? win.getNormalBounds() : win.getBounds(),
      maximized: win.isMaximized(),
    });
  };
  const saveSoon = () => {
    clearTimeout(saveTimer);
    saveTimer = setTimeout(saveState, 500);
  };
  win.on('resize', saveSoon);
  win.on('move', saveSoon);
  win.on('maximize', saveSoon);
  win.on('unmaximize', saveSoon);

  let answerTimer: NodeJS.Timeout | undefined;
  win.on('close', (event) => {
    clearTimeout(saveTimer);
    saveState();
    if (entry.allowClose || contents.isCrashed()) return;
    event.preventDefault();
    ctx.backend.broadcastTo(id, 'closeRequested', { reason: ctx.isQuitting() ? 'quit' : 'window' });
    clearTimeout(answerTimer);
    answerTimer = setTimeout(async () => {
      if (win.isDestroyed() || entry.allowClose) return;
      // The page did not answer (hung or still loading): ask here. Backups keep unsaved text either way.
      const { response } = await dialog.showMessageBox(win, {
        type: 'warning',
        buttons: ['Close Anyway', 'Cancel'],
        defaultId: 1,
        cancelId: 1,
        message: 'Inkling is not responding.',
        detail:
          'Close the window anyway? Unsaved text is kept in a backup and offered the next time you start Inkling.',
      });
      if (response === 0) answerClose(id, true, ctx);
      else ctx.cancelQuit();
    }, CLOSE_ANSWER_MS);
  });
  win.on('closed', () => {
    clearTimeout(answerTimer);
    windows.delete(id);
  });
  contents.on('destroyed', () => ctx.backend.removeClient(id));
  // A reload (development) empties the page: it can take events again once it has loaded.
  contents.on('did-start-loading', () => {
    entry.loaded = false;
  });
  contents.on('did-finish-load', () => {
    entry.loaded = true;
    ctx.onPageLoaded?.(win);
  });

  await win.loadURL(APP_URL);
  if (!entry.loaded && !win.isDestroyed()) {
    entry.loaded = true;
    ctx.onPageLoaded?.(win);
  }
  return win;
}

/** The windows whose page has loaded, most recently created last. */
export function loadedWindows(): BrowserWindow[] {
  return [...windows.values()].filter((e) => e.loaded && !e.win.isDestroyed()).map((e) => e.win);
}

export function allWindows(): BrowserWindow[] {
  return [...windows.values()].map((e) => e.win);
}
