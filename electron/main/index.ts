/**
 * Electron main process: thin glue between Electron and the plain-Node services. Everything a
 * renderer can ask for goes through the shared dispatcher (electron/services/backend); this file
 * only adds windows, menus, dialogs, the app:// protocol and the engine's utilityProcess.
 *
 * Built by scripts/start-electron.mjs into dist/electron/main/index.js (CommonJS, `electron` external).
 */
import { app, BrowserWindow, dialog, Menu, session, shell } from 'electron';
import * as path from 'node:path';
import { EngineClient } from '../engine/host/client';
import { Backend, type Client, type PlatformHooks } from '../services/backend/backend';
import { defaultDataDir } from '../services/settings/dataDir';
import { WindowStateStore } from '../services/window/windowState';
import { registerAppScheme, serveRenderer } from './appProtocol';
import { parseMainArgs } from './args';
import { utilityProcessTransport } from './engineTransport';
import { clientFor, wireIpc } from './ipc';
import { buildMenuTemplate } from './menu';
import { guardSession, guardWebContents } from './security';
import { startAutoUpdates } from './updater';
import { allWindows, answerClose, createWindow, windowForClient, type WindowContext } from './window';

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
let ctx: WindowContext;

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
    const opts = { title: 'Save', defaultPath, filters: TEXT_FILTERS, properties: ['createDirectory' as const, 'showOverwriteConfirmation' as const] };
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
};

async function rebuildMenu(): Promise<void> {
  const recent = await backend.documents.recent.list().catch(() => []);
  const template = buildMenuTemplate(process.platform, recent, {
    send: (command) => {
      const win = BrowserWindow.getFocusedWindow() ?? allWindows()[0];
      if (!win) return;
      if (command.path) backend.approvePath(command.path);
      clientFor(win.webContents).emit('menuCommand', command);
    },
    clearRecent: () => void backend.documents.recent.clear().then(rebuildMenu),
    newWindow: () => void createWindow(ctx),
  }, { dev: !app.isPackaged });
  Menu.setApplicationMenu(Menu.buildFromTemplate(template));
}

function hardenSessions(): void {
  guardSession(session.defaultSession);
}

// Navigation, redirects, <webview> and window.open are locked down (electron/main/security.ts).
app.on('web-contents-created', (_event, contents) => {
  guardWebContents(contents, (url) => void shell.openExternal(url));
});

if (!app.requestSingleInstanceLock()) {
  app.quit();
} else {
  app.on('second-instance', () => {
    const win = allWindows()[0];
    if (win) {
      if (win.isMinimized()) win.restore();
      win.focus();
    }
  });
  app.whenReady().then(start).catch((e: Error) => {
    dialog.showErrorBox('Inkling could not start', e.stack ?? e.message);
    app.exit(1);
  });
}

async function start(): Promise<void> {
  const root = app.getAppPath();
  const dataDir = app.getPath('userData');
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
  };
  wireIpc(backend, () => void rebuildMenu());
  await rebuildMenu();
  await createWindow(ctx);
  // Off unless this build carries a release feed (see docs/RELEASING.md); never downloads unasked.
  void startAutoUpdates({
    isPackaged: app.isPackaged,
    resourcesPath: process.resourcesPath,
    testMode: process.env.INKLING_TEST_HOOKS === '1',
    parentWindow: () => BrowserWindow.getFocusedWindow() ?? undefined,
    log: (m) => console.error(`inkling: ${m}`),
  });
}

app.on('activate', () => {
  if (ctx && allWindows().length === 0) void createWindow(ctx);
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
  void backend.dispose().finally(() => app.exit(0));
});
