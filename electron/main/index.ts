/**
 * Electron main process: thin glue between Electron and the plain-Node services. Everything a
 * renderer can ask for goes through the shared dispatcher (electron/services/backend); this file
 * only adds windows, menus, dialogs, the app:// protocol and the engine's utilityProcess, and hands
 * files the operating system asks to open (argv, 'open-file', 'second-instance') to a window.
 *
 * Built by scripts/start-electron.mjs into dist/electron/main/index.js (CommonJS, `electron` external).
 */
import { app, BrowserWindow, dialog, Menu, session, shell } from 'electron';
import * as path from 'node:path';
import { serialRefresh } from '../common/serialRefresh';
import { EngineClient } from '../engine/host/client';
import { Backend, type Client, type PlatformHooks } from '../services/backend/backend';
import { defaultDataDir } from '../services/settings/dataDir';
import { DataDirBusyError, lockDataDir, type DataDirLock } from '../services/settings/dataDirLock';
import {
  OpenQueue,
  checkDocumentPaths,
  documentsFromArgv,
  openErrorMessage,
  type OpenRequest,
} from '../services/window/openFiles';
import { WindowStateStore } from '../services/window/windowState';
import { registerAppScheme, serveRenderer } from './appProtocol';
import { parseMainArgs } from './args';
import { utilityProcessTransport } from './engineTransport';
import { clientFor, wireIpc } from './ipc';
import { buildMenuTemplate } from './menu';
import { desktopSecretStore } from './secrets';
import { guardSession, guardWebContents } from './security';
import { followUpdateSetting, startAutoUpdates } from './updater';
import { allWindows, answerClose, createWindow, loadedWindows, windowForClient, type WindowContext } from './window';

const args = parseMainArgs(process.argv.slice(1));
app.setName('Inkling');
// Same folder the web host uses by default; --data-dir gives tests a fresh profile.
app.setPath('userData', args.dataDir ? path.resolve(args.dataDir) : defaultDataDir());
registerAppScheme();

const TEXT_FILTERS = [
  { name: 'Text and Markdown', extensions: ['md', 'markdown', 'txt'] },
  { name: 'Markdown', extensions: ['md', 'markdown'] },
  { name: 'Plain Text', extensions: ['txt'] },
];

let quitting = false;
let backend: Backend;
let dataLock: DataDirLock | null = null;
let ctx: WindowContext;

// ── files from the operating system ──────────────────────────────────────────────────────────────
// They may arrive before Electron is ready (macOS 'open-file'), before the first window has loaded,
// or while no window is open (macOS): they wait here until a window's page can take them.
const pendingOpens = new OpenQueue();
let windowOpening: Promise<unknown> | null = null;

function requestOpen(request: OpenRequest): void {
  for (const e of request.errors) console.error(`inkling: ${e}`);
  pendingOpens.add(request);
  deliverOpens();
}

/** Hands queued files to the focused (or newest) loaded window, through File › Open's own path. */
function deliverOpens(): void {
  if (!ctx || pendingOpens.empty) return;
  const ready = loadedWindows();
  const focused = BrowserWindow.getFocusedWindow();
  const win = ready.find((w) => w === focused) ?? ready.at(-1);
  if (!win) {
    // No window to take them (macOS keeps running without one): open one; it delivers when loaded.
    if (allWindows().length === 0 && !windowOpening && !quitting) {
      windowOpening = createWindow(ctx).finally(() => {
        windowOpening = null;
      });
    }
    return;
  }
  const { paths, errors } = pendingOpens.take();
  let front = win;
  for (const p of paths) {
    // The writer chose the file outside Inkling, which is as good as choosing it in the Open dialog.
    backend.approvePath(p);
    // A file already open in a window goes to that window (its tab comes forward): one copy of a
    // file, not two windows saving over each other.
    const holder = backend.documents
      .ownersOf(p)
      .map((owner) => windowForClient(owner))
      .find((w): w is BrowserWindow => w !== null && ready.includes(w));
    const target = holder ?? win;
    clientFor(target.webContents).emit('menuCommand', { command: 'file.openPath', path: p });
    front = target;
  }
  const problem = openErrorMessage(errors);
  if (problem) void dialog.showMessageBox(win, { type: 'warning', buttons: ['OK'], ...problem });
  if (front.isMinimized()) front.restore();
  front.focus();
}

// macOS: Finder, the Dock and `open -a Inkling notes.md` send this, also before 'ready' (so the
// listener is registered at once) and while the app runs.
app.on('open-file', (event, filePath) => {
  event.preventDefault();
  requestOpen(checkDocumentPaths([filePath]));
});

function parentWindow(client: Client): BrowserWindow | undefined {
  return windowForClient(client.id) ?? BrowserWindow.getFocusedWindow() ?? undefined;
}

const platform: PlatformHooks = {
  mode: 'electron',
  trustRendererPaths: false,
  async showOpenDialog(client) {
    const win = parentWindow(client);
    const opts = { title: 'Open', properties: ['openFile' as const], filters: TEXT_FILTERS };
    const r = win ? await dialog.showOpenDialog(win, opts) : await dialog.showOpenDialog(opts);
    return r.canceled || !r.filePaths[0] ? null : r.filePaths[0];
  },
  async showSaveDialog(client, defaultPath) {
    const win = parentWindow(client);
    const opts = {
      title: 'Save',
      defaultPath,
      filters: TEXT_FILTERS,
      properties: ['createDirectory' as const, 'showOverwriteConfirmation' as const],
    };
    const r = win ? await dialog.showSaveDialog(win, opts) : await dialog.showSaveDialog(opts);
    return r.canceled || !r.filePath ? null : r.filePath;
  },
  async showModelDialog(client) {
    const win = parentWindow(client);
    const opts = { title: 'Open Model Folder', properties: ['openDirectory' as const] };
    const r = win ? await dialog.showOpenDialog(win, opts) : await dialog.showOpenDialog(opts);
    return r.canceled || !r.filePaths[0] ? null : r.filePaths[0];
  },
  confirmClose(client, proceed) {
    answerClose(client.id, proceed, ctx);
  },
  showItemInFolder(fullPath) {
    shell.showItemInFolder(fullPath);
  },
  async showExportDialog(client, defaultName, format) {
    const win = parentWindow(client);
    const names = { html: 'Web page', pdf: 'PDF', txt: 'Plain text' } as const;
    const opts = {
      title: 'Export',
      defaultPath: defaultName,
      filters: [{ name: names[format], extensions: [format] }],
      properties: ['createDirectory' as const, 'showOverwriteConfirmation' as const],
    };
    const r = win ? await dialog.showSaveDialog(win, opts) : await dialog.showSaveDialog(opts);
    return r.canceled || !r.filePath ? null : r.filePath;
  },
  // The page has put the rendered document in its print-only view (renderer/src/desk/ExportDialog.tsx):
  // printing the window's own page prints just that, with no second window and no file:// page.
  async printToPdf(client) {
    const win = windowForClient(client.id);
    if (!win) throw new Error('the window that asked for the PDF has closed');
    return win.webContents.printToPDF({ pageSize: 'A4', printBackground: false, preferCSSPageSize: true });
  },
};

/** The shortcuts the menu was last asked to show (JSON), so only a change of keys rebuilds it. */
let menuShortcuts = '';

async function buildMenu(): Promise<void> {
  const recent = await backend.documents.recent.list().catch(() => []);
  // The writer's key bindings (the keyboard settings) are the menu's accelerators.
  const shortcuts = backend.settings.get().shortcuts ?? {};
  const template = buildMenuTemplate(
    process.platform,
    recent,
    {
      send: (command) => {
        const win = BrowserWindow.getFocusedWindow() ?? allWindows()[0];
        if (!win) return;
        if (command.path) backend.approvePath(command.path);
        clientFor(win.webContents).emit('menuCommand', command);
      },
      clearRecent: () => void backend.documents.recent.clear().then(rebuildMenu),
      newWindow: () => void createWindow(ctx),
      closeWindow: () => BrowserWindow.getFocusedWindow()?.close(),
    },
    { dev: !app.isPackaged, shortcuts },
  );
  Menu.setApplicationMenu(Menu.buildFromTemplate(template));
}

// Rebuilds never overlap, so a slow read of the recent files cannot replace a newer menu.
const menuRefresh = serialRefresh(buildMenu, (e) => console.error('inkling: could not rebuild the menu:', e));
const rebuildMenu = (): Promise<void> => menuRefresh.request();
/** Resolves when no menu rebuild is running or pending (for the main-process wiring test). */
export const menuSettled = (): Promise<void> => menuRefresh.settled();

function hardenSessions(): void {
  guardSession(session.defaultSession);
}

// Navigation, redirects, <webview> and window.open are locked down (electron/main/security.ts).
app.on('web-contents-created', (_event, contents) => {
  guardWebContents(
    contents,
    (url) => void shell.openExternal(url),
    (reason) =>
      void dialog.showMessageBox({
        type: 'warning',
        message: 'Inkling did not open this link',
        detail: reason,
        buttons: ['OK'],
      }),
  );
});

if (!app.requestSingleInstanceLock()) {
  app.quit();
} else {
  // One Inkling at a time: a second launch (e.g. double-clicking a file on Windows / Linux) hands
  // its command line to this one and quits.
  app.on('second-instance', (_event, argv: string[], workingDirectory: string) => {
    const request = documentsFromArgv(argv, {
      cwd: workingDirectory || process.cwd(),
      appPath: app.getAppPath(),
      defaultApp: Boolean(process.defaultApp),
    });
    if (request.paths.length || request.errors.length) {
      requestOpen(request);
      return;
    }
    const win = BrowserWindow.getFocusedWindow() ?? allWindows()[0];
    if (win) {
      if (win.isMinimized()) win.restore();
      win.focus();
    }
  });
  app
    .whenReady()
    .then(start)
    .catch((e: Error) => {
      dialog.showErrorBox('Inkling could not start', e.stack ?? e.message);
      app.exit(1);
    });
}

async function start(): Promise<void> {
  const root = app.getAppPath();
  const dataDir = app.getPath('userData');
  // Electron's single-instance lock keeps a second desktop app out; this keeps out a web host or an
  // `inkling pull` on the same folder (they take the same lock file).
  try {
    dataLock = await lockDataDir(dataDir, { kind: 'desktop app' });
  } catch (e) {
    if (!(e instanceof DataDirBusyError)) throw e;
    dialog.showErrorBox('Inkling is already using this data folder', e.message);
    app.exit(1);
    return;
  }
  hardenSessions();
  serveRenderer(path.join(root, 'dist', 'renderer'));
  const engineEntry = path.join(root, 'dist', 'electron', 'engine', 'host.js');
  backend = await Backend.create({
    dataDir,
    version: app.getVersion(),
    platform,
    testHooks: process.env.INKLING_TEST_HOOKS === '1',
    createEngine: () => new EngineClient({ transport: () => utilityProcessTransport(engineEntry) }),
    initialModelDir: args.modelDir ? path.resolve(args.modelDir) : null,
    secrets: desktopSecretStore(dataDir),
    log: (m) => console.error(`inkling: ${m}`),
  });
  ctx = {
    backend,
    windowState: new WindowStateStore(dataDir),
    preloadPath: path.join(root, 'dist', 'electron', 'preload', 'index.js'),
    dev: !app.isPackaged,
    isQuitting: () => quitting,
    cancelQuit: () => {
      quitting = false;
    },
    onPageLoaded: () => deliverOpens(),
  };
  wireIpc(backend, () => void rebuildMenu());
  menuShortcuts = JSON.stringify(backend.settings.get().shortcuts ?? {});
  backend.settings.onChange((s) => {
    const shortcuts = JSON.stringify(s.shortcuts ?? {});
    if (shortcuts === menuShortcuts) return;
    menuShortcuts = shortcuts;
    void rebuildMenu();
  });
  await rebuildMenu();
  windowOpening = createWindow(ctx).finally(() => {
    windowOpening = null;
  });
  // Windows / Linux: the files this launch was asked to open (macOS sends 'open-file' instead). They
  // and any sent before 'ready' go to the first window when its page has loaded.
  requestOpen(
    documentsFromArgv(process.argv, { cwd: process.cwd(), appPath: root, defaultApp: Boolean(process.defaultApp) }),
  );
  await windowOpening;
  // Off unless this build carries a release feed (see docs/RELEASING.md) and the writer's setting
  // allows it; never downloads unasked. Turning the setting off stops the checks at once.
  const updates = followUpdateSetting(backend.settings.get().checkForUpdates, (writerEnabled) =>
    startAutoUpdates({
      isPackaged: app.isPackaged,
      resourcesPath: process.resourcesPath,
      testMode: process.env.INKLING_TEST_HOOKS === '1',
      writerEnabled,
      parentWindow: () => BrowserWindow.getFocusedWindow() ?? undefined,
      log: (m) => console.error(`inkling: ${m}`),
    }),
  );
  backend.settings.onChange((s) => updates.set(s.checkForUpdates));
}

app.on('activate', () => {
  // Not while a window is on its way (e.g. for a file dropped on the Dock icon).
  if (ctx && allWindows().length === 0 && !windowOpening) void createWindow(ctx);
});
app.on('before-quit', () => {
  quitting = true;
});
app.on('window-all-closed', () => {
  if (process.platform !== 'darwin' || quitting) app.quit();
});

let disposed = false;
app.on('will-quit', (event) => {
  if (disposed || !backend) return;
  event.preventDefault();
  disposed = true;
  void backend
    .dispose()
    .then(() => dataLock?.release())
    .finally(() => app.exit(0));
});
