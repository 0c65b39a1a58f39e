/**
 * A stand-in for the `electron` module, just wide enough to run electron/main/index.ts under Node
 * (Electron's binary cannot be downloaded here). It records what the main process asks of Electron —
 * window options, session handlers, protocol handlers, IPC handlers — so the security tests can check
 * the real wiring, not a copy of it. It is a mock of Electron only; everything Inkling's own code does
 * (backend, services, the app:// file server) runs for real.
 */
import { EventEmitter } from 'node:events';

export type Listener = (...args: unknown[]) => unknown;

export class FakeEvent {
  defaultPrevented = false;
  preventDefault(): void {
    this.defaultPrevented = true;
  }
}

let nextContentsId = 1;

export class FakeWebContents extends EventEmitter {
  readonly id = nextContentsId++;
  windowOpenHandler: ((details: { url: string }) => { action: string }) | null = null;
  readonly sent: { channel: string; payload: unknown }[] = [];
  setWindowOpenHandler(handler: (details: { url: string }) => { action: string }): void {
    this.windowOpenHandler = handler;
  }
  isDestroyed(): boolean {
    return false;
  }
  isCrashed(): boolean {
    return false;
  }
  send(channel: string, payload: unknown): void {
    this.sent.push({ channel, payload });
  }
  /** Emits a cancellable event the way Electron does; returns whether a listener prevented it. */
  attempt(event: string, ...args: unknown[]): boolean {
    const e = new FakeEvent();
    this.emit(event, e, ...args);
    return e.defaultPrevented;
  }
}

export interface Recorder {
  app: FakeApp;
  windows: FakeBrowserWindow[];
  privilegedSchemes: unknown[];
  protocolHandlers: Map<string, (request: Request) => Promise<Response> | Response>;
  ipcHandlers: Map<string, Listener>;
  permissionRequestHandler: Listener | null;
  permissionCheckHandler: Listener | null;
  headersReceived: Listener | null;
  openedExternally: string[];
  menus: unknown[];
  utilityForks: unknown[];
  /** dialog.showErrorBox calls (start-up failures). */
  errors: string[];
  /** dialog.showMessageBox calls: the options (the window, when one is given, is left out). */
  messageBoxes: Record<string, unknown>[];
}

class FakeApp extends EventEmitter {
  isPackaged = false;
  exitCode: number | null = null;
  readonly paths = new Map<string, string>();
  private readyResolve!: () => void;
  private readonly ready = new Promise<void>((r) => (this.readyResolve = r));
  constructor(private readonly appPath: string) {
    super();
  }
  setName(): void {}
  getName(): string {
    return 'Inkling';
  }
  getVersion(): string {
    return '0.0.0-test';
  }
  getAppPath(): string {
    return this.appPath;
  }
  setPath(name: string, value: string): void {
    this.paths.set(name, value);
  }
  getPath(name: string): string {
    return this.paths.get(name) ?? `/nonexistent/${name}`;
  }
  requestSingleInstanceLock(): boolean {
    return true;
  }
  whenReady(): Promise<void> {
    return this.ready;
  }
  /** The test decides when Electron is "ready". */
  becomeReady(): void {
    this.readyResolve();
  }
  quit(): void {}
  exit(code = 0): void {
    this.exitCode = code;
  }
  getAppMetrics(): unknown[] {
    return [];
  }
}

export class FakeBrowserWindow extends EventEmitter {
  static recorder: Recorder;
  readonly webContents = new FakeWebContents();
  loadedUrl: string | null = null;
  private destroyed = false;
  constructor(readonly options: Record<string, unknown>) {
    super();
    FakeBrowserWindow.recorder.windows.push(this);
    // Electron announces every new web contents to the app before the page loads.
    FakeBrowserWindow.recorder.app.emit('web-contents-created', new FakeEvent(), this.webContents);
  }
  static getAllWindows(): FakeBrowserWindow[] {
    return FakeBrowserWindow.recorder.windows.filter((w) => !w.destroyed);
  }
  static getFocusedWindow(): FakeBrowserWindow | null {
    return FakeBrowserWindow.getAllWindows()[0] ?? null;
  }
  async loadURL(url: string): Promise<void> {
    this.loadedUrl = url;
  }
  maximize(): void {}
  show(): void {}
  /** How often the main process brought this window to the front. */
  focusCount = 0;
  focus(): void {
    this.focusCount++;
  }
  restore(): void {}
  isDestroyed(): boolean {
    return this.destroyed;
  }
  isMinimized(): boolean {
    return false;
  }
  isMaximized(): boolean {
    return false;
  }
  isFullScreen(): boolean {
    return false;
  }
  getBounds() {
    return { x: 0, y: 0, width: 1100, height: 780 };
  }
  getNormalBounds() {
    return this.getBounds();
  }
  close(): void {
    this.destroyed = true;
    this.emit('closed');
  }
}

/** Builds the fake module and its recorder. `appPath` plays app.getAppPath() (holds dist/renderer). */
export function createFakeElectron(appPath: string): { module: Record<string, unknown>; recorder: Recorder } {
  const app = new FakeApp(appPath);
  const recorder: Recorder = {
    app,
    windows: [],
    privilegedSchemes: [],
    protocolHandlers: new Map(),
    ipcHandlers: new Map(),
    permissionRequestHandler: null,
    permissionCheckHandler: null,
    headersReceived: null,
    openedExternally: [],
    menus: [],
    utilityForks: [],
    errors: [],
    messageBoxes: [],
  };
  FakeBrowserWindow.recorder = recorder;
  const display = {
    id: 1,
    workArea: { x: 0, y: 0, width: 1920, height: 1080 },
    bounds: { x: 0, y: 0, width: 1920, height: 1080 },
  };
  const module = {
    app,
    BrowserWindow: FakeBrowserWindow,
    screen: { getAllDisplays: () => [display], getPrimaryDisplay: () => display },
    dialog: {
      showOpenDialog: async () => ({ canceled: true, filePaths: [] }),
      showSaveDialog: async () => ({ canceled: true }),
      showMessageBox: async (...args: unknown[]) => {
        recorder.messageBoxes.push(args.at(-1) as Record<string, unknown>);
        return { response: 1 };
      },
      showErrorBox: (title: string, body: string) => void recorder.errors.push(`${title}: ${body}`),
    },
    Menu: {
      buildFromTemplate: (template: unknown) => template,
      setApplicationMenu: (menu: unknown) => void recorder.menus.push(menu),
      getApplicationMenu: () => recorder.menus.at(-1) ?? null,
    },
    shell: {
      openExternal: async (url: string) => void recorder.openedExternally.push(url),
    },
    session: {
      defaultSession: {
        setPermissionRequestHandler: (h: Listener | null) => void (recorder.permissionRequestHandler = h),
        setPermissionCheckHandler: (h: Listener | null) => void (recorder.permissionCheckHandler = h),
        webRequest: { onHeadersReceived: (h: Listener | null) => void (recorder.headersReceived = h) },
      },
    },
    protocol: {
      registerSchemesAsPrivileged: (schemes: unknown[]) => void recorder.privilegedSchemes.push(...schemes),
      handle: (scheme: string, handler: (request: Request) => Promise<Response>) =>
        void recorder.protocolHandlers.set(scheme, handler),
    },
    ipcMain: {
      handle: (channel: string, handler: Listener) => {
        if (recorder.ipcHandlers.has(channel)) throw new Error(`second handler for ${channel}`);
        recorder.ipcHandlers.set(channel, handler);
      },
      on: () => undefined,
    },
    // Stands in for the OS keychain: a reversible scramble (never the plain text), and the backend
    // name Linux reports; tests set `backend` to 'basic_text' for a Linux without a keyring.
    safeStorage: {
      backend: 'gnome_libsecret',
      isEncryptionAvailable: () => true,
      getSelectedStorageBackend(): string {
        return this.backend;
      },
      encryptString: (plain: string) =>
        Buffer.from(`fake-keychain:${Buffer.from(plain, 'utf8').toString('base64').split('').reverse().join('')}`),
      decryptString: (data: Buffer) => {
        const text = data.toString('utf8');
        if (!text.startsWith('fake-keychain:'))
          throw new Error('Error while decrypting the ciphertext provided to safeStorage.decryptString.');
        return Buffer.from(text.slice('fake-keychain:'.length).split('').reverse().join(''), 'base64').toString('utf8');
      },
    },
    utilityProcess: {
      fork: (...args: unknown[]) => {
        recorder.utilityForks.push(args);
        throw new Error('the fake Electron runs no utility process');
      },
    },
  };
  return { module: { ...module, default: module }, recorder };
}

/** Polls `check` every 5 ms until it holds (20 s at most): the main process reacts asynchronously. */
export async function until(check: () => boolean, what: string): Promise<void> {
  const start = Date.now();
  while (!check()) {
    if (Date.now() - start > 20_000) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}
