/**
 * THE server-side dispatcher: method name → validated arguments → service call → reply envelope.
 * Electron's ipcMain wiring and the web host's WebSocket both call `Backend.call`, so the desktop app
 * and the browser behave identically. Plain Node: platform specifics (dialogs, closing windows)
 * come in through `PlatformHooks`.
 */
import { listModels } from '../models/library';
import * as path from 'node:path';
import { InklingError, toInklingError } from '../../api/errors';
import type { Settings } from '../../api/settings';
import type {
  AppInfo,
  CompletionParams,
  EventChannel,
  InklingEvents,
  InklingMethods,
  MethodName,
  ModelInfo,
  SaveRequest,
} from '../../api/types';
import { validateArgs } from '../../api/validate';
import type { ReplyEnvelope } from '../../api/wire';
import { DocumentService } from '../documents/documents';
import { MemoryStore } from '../documents/memory';
import { GenerationStore } from '../documents/generations';
import { atomicWriteFile } from '../../common/fs';
import type { ExportFormat } from '../../api/exports';
import { normalizeDocumentPath } from '../documents/textFile';
import { EngineManager, type EngineLike } from '../engine/engineManager';
import { LibraryService, libraryHandlers } from '../library';
import { SettingsService } from '../settings/settings';
import { PresetsService } from '../presets';
import { TaskService, modelTokenizer, paneHandlers } from '../tasks';
import { RemoteService } from '../remote/remoteService';
import { FileSecretStore, PLAIN_CODEC, type SecretStore } from '../secrets';
import { ShareService } from '../share';

/** One renderer: an Electron window (webContents) or a WebSocket connection. */
export interface Client {
  readonly id: string;
  emit<C extends EventChannel>(channel: C, payload: InklingEvents[C]): void;
}

export interface PlatformHooks {
  mode: 'electron' | 'web';
  /**
   * Web: the writer types paths, so any path is acceptable. Electron: the renderer is untrusted, so
   * it may only name paths the writer chose in a dialog, files it has open, or recent files.
   */
  trustRendererPaths: boolean;
  showOpenDialog?(client: Client): Promise<string | null>;
  /** Must ask before replacing an existing file (the path it returns is saved over without asking again). */
  showSaveDialog?(client: Client, defaultPath: string): Promise<string | null>;
  showModelDialog?(client: Client): Promise<string | null>;
  /** The renderer answered a closeRequested event. */
  confirmClose?(client: Client, proceed: boolean): void;
  /** Reveals a file in the file manager (Electron: shell.showItemInFolder). Absent in web mode. */
  showItemInFolder?(fullPath: string): void;
  /** Desktop: asks where to save an export (it asks before replacing a file); null = cancelled. */
  showExportDialog?(client: Client, defaultName: string, format: ExportFormat): Promise<string | null>;
  /**
   * Desktop: prints the client's page to PDF (Electron: its webContents.printToPDF). The page shows
   * only the rendered document to print media while it asks for the export.
   */
  printToPdf?(client: Client): Promise<Uint8Array>;
}

export interface BackendOptions {
  dataDir: string;
  version: string;
  platform: PlatformHooks;
  testHooks?: boolean;
  createEngine: () => EngineLike | Promise<EngineLike>;
  /** Model to load at start (e.g. --model); falls back to settings.modelDir. */
  initialModelDir?: string | null;
  /**
   * Where remote servers' API keys are kept. The desktop app passes one encrypted with the OS
   * keychain (electron/main/secrets.ts); default: `<dataDir>/secrets.json` in plain text, mode 0600.
   */
  secrets?: SecretStore;
  log?: (message: string) => void;
}

type Handlers = {
  [M in MethodName]: (client: Client, ...args: Parameters<InklingMethods[M]>) => ReturnType<InklingMethods[M]>;
};

/** What a save request asks of the document service besides the text and the place. */
type SaveFlags = Pick<SaveRequest, 'overwrite' | 'baseMtimeMs' | 'replaceChanged'>;

function saveFlags(req: SaveRequest): SaveFlags {
  return {
    ...(req.overwrite !== undefined ? { overwrite: req.overwrite } : {}),
    ...(req.baseMtimeMs !== undefined ? { baseMtimeMs: req.baseMtimeMs } : {}),
    ...(req.replaceChanged !== undefined ? { replaceChanged: req.replaceChanged } : {}),
  };
}

function samePathKey(p: string): string {
  return process.platform === 'win32' || process.platform === 'darwin' ? p.toLowerCase() : p;
}

export class Backend {
  readonly documents: DocumentService;
  /** Each document's memory (read before its window on every continuation). */
  readonly memory: MemoryStore;
  /** Each document's generation history (the model's text in it and the other tries at each place). */
  readonly generations: GenerationStore;
  readonly settings: SettingsService;
  readonly engine: EngineManager;
  /** Sampling presets and per-task / per-document parameters (the panes). */
  readonly presets: PresetsService;
  /** The panes' tasks (continue, translate, summarize, answer) and scoring. */
  readonly tasks: TaskService;
  readonly library: LibraryService;
  /** "Use a server": remote OpenAI-compatible engines. */
  readonly remote: RemoteService;
  /** "Share this model with other apps on this computer". */
  readonly share: ShareService;
  private readonly clients = new Map<string, Client>();
  private readonly approvedPaths = new Set<string>();
  private readonly log: (m: string) => void;
  private readonly handlers: Handlers;
  /** The ready model last written to the log. */
  private loggedModel: ModelInfo | null = null;

  private constructor(private readonly options: BackendOptions) {
    this.log = options.log ?? ((m) => console.error(m));
    this.documents = new DocumentService(options.dataDir);
    this.memory = new MemoryStore(options.dataDir);
    this.generations = new GenerationStore(options.dataDir);
    this.settings = new SettingsService(options.dataDir);
    this.engine = new EngineManager({
      createEngine: options.createEngine,
      onStatus: (s) => {
        this.broadcast('engineStatus', s);
        // The log says how each model that became ready runs (for a writer's report of slowness).
        const ready = s.state === 'ready' && s.model ? s.model : null;
        if (ready && ready !== this.loggedModel && ready.format !== 'remote')
          this.log(
            `model ready: ${ready.name} (${ready.precision}) on ${ready.device} in ${Math.round(ready.loadMs)} ms` +
              (ready.cpuNote ? `; ${ready.cpuNote}` : '') +
              (ready.deviceNote ? `; ${ready.deviceNote}` : ''),
          );
        this.loggedModel = ready;
        // The shared server serves the local model: another model loaded (or none) stops it.
        void this.share
          ?.modelChanged(this.engine.localStatus().model)
          .catch((e: Error) => this.log(`warning: ${e.message}`));
      },
      loadOptions: () => ({ device: this.settings.get().device, threads: this.settings.get().threads }),
      onEngineChoice: (remote) => {
        // Loading a local model leaves the server: the next start opens the local engine too.
        if (!remote && this.settings.get().useRemote)
          this.settings.update({ useRemote: false }).catch((e: Error) => this.log(`warning: ${e.message}`));
      },
    });
    this.share = new ShareService({ local: () => this.engine.localEngine(), log: this.log });
    this.remote = new RemoteService({
      engine: this.engine,
      settings: this.settings,
      secrets: options.secrets ?? FileSecretStore.inDataDir(options.dataDir, PLAIN_CODEC),
      log: this.log,
    });
    this.library = new LibraryService({
      dataDir: options.dataDir,
      engine: this.engine,
      settings: this.settings,
      broadcast: (channel, payload) => this.broadcast(channel, payload),
      platform: {
        mode: options.platform.mode,
        trustRendererPaths: options.platform.trustRendererPaths,
        showItemInFolder: options.platform.showItemInFolder,
      },
      log: this.log,
    });
    this.presets = new PresetsService(options.dataDir);
    this.tasks = new TaskService(this.engine, {
      tokenizerFor: modelTokenizer,
      memoryFor: (docId) => this.memoryOf(docId),
    });
    this.settings.onChange((s) => this.broadcast('settingsChanged', s));
    this.handlers = this.makeHandlers();
  }

  /** Loads settings, prepares the data folder and starts loading the initial model in the background. */
  static async create(options: BackendOptions): Promise<Backend> {
    const b = new Backend(options);
    await b.documents.init();
    await b.settings.load();
    await b.presets.load();
    await b.memory.load();
    if (b.memory.warning) b.log(`warning: ${b.memory.warning}`);
    for (const w of b.presets.warnings) b.log(`warning: ${w}`);
    for (const w of b.settings.warnings) b.log(`warning: ${w}`);
    const modelDir =
      options.initialModelDir ?? b.settings.get().modelDir ?? (await libraryDefault(options.dataDir, (m) => b.log(m)));
    if (modelDir) {
      b.engine.load(modelDir).catch((e: Error) => b.log(`warning: ${e.message}`));
    }
    // The server the writer was using (after the local load started: loading switches to local).
    void b.remote.restore();
    return b;
  }

  addClient(client: Client): void {
    this.clients.set(client.id, client);
  }

  /** The window / connection is gone: its documents are released (their backups stay for restore). */
  removeClient(clientId: string): void {
    this.clients.delete(clientId);
    this.documents.release(clientId);
  }

  broadcast<C extends EventChannel>(channel: C, payload: InklingEvents[C]): void {
    for (const c of this.clients.values()) {
      try {
        c.emit(channel, payload);
      } catch (e) {
        this.log(`could not send ${channel} to client ${c.id}: ${(e as Error).message}`);
      }
    }
  }

  /** Sends an event to one client (e.g. closeRequested to the window being closed). */
  broadcastTo<C extends EventChannel>(clientId: string, channel: C, payload: InklingEvents[C]): void {
    this.clients.get(clientId)?.emit(channel, payload);
  }

  /** Validates and runs one call. Never throws: failures become `{ ok: false, error }`. */
  async call(method: string, rawArgs: unknown, client: Client): Promise<ReplyEnvelope> {
    try {
      const args = validateArgs(method, rawArgs);
      const handler = this.handlers[method as MethodName] as (c: Client, ...a: unknown[]) => Promise<unknown>;
      const value = await handler(client, ...args);
      return { ok: true, value: value === undefined ? null : value };
    } catch (e) {
      const err = toInklingError(e);
      if (err === e) return { ok: false, error: err.toPayload() };
      // Not thrown as an InklingError: a bug, or an operating-system error (io_error, disk_space)
      // nothing translated on its way here. Logged with its stack; the reply names the method.
      this.log(
        `${err.code === 'internal' ? 'internal' : err.code} error in ${method}: ${(e as Error)?.stack ?? String(e)}`,
      );
      return { ok: false, error: { code: err.code, message: `Something went wrong in ${method}: ${err.message}` } };
    }
  }

  async dispose(): Promise<void> {
    await this.share.stop();
    await this.library.dispose();
    await this.engine.dispose();
  }

  /** Marks a path as chosen by the writer (dialogs, main-process menus). */
  approvePath(p: string): void {
    this.approvedPaths.add(samePathKey(path.resolve(p)));
  }

  private async checkPathAllowed(p: string, docId?: string): Promise<string> {
    const full = normalizeDocumentPath(p);
    if (this.options.platform.trustRendererPaths) return full;
    const key = samePathKey(full);
    const own = docId ? this.documents.pathOf(docId) : null;
    if (this.approvedPaths.has(key) || (own && samePathKey(own) === key) || (await this.documents.recent.has(full)))
      return full;
    throw new InklingError(
      'not_allowed',
      `Inkling can only use ${path.basename(full)} after you choose it in an Open or Save dialog.`,
    );
  }

  private memoryOf(docId: string): string {
    return this.memory.get(docId, this.documents.pathOf(docId));
  }

  /** Saves, then moves the document's memory to the path it was saved under. */
  private async saveWithDialog(
    client: Client,
    docId: string,
    text: string,
    always: boolean,
    given?: string,
    opts: SaveFlags = {},
  ) {
    const before = this.documents.pathOf(docId);
    const saved = await this.saveOrAsk(client, docId, text, always, given, opts);
    if (saved)
      await this.memory
        .moved(docId, before, saved.path)
        .catch((e: Error) => this.log(`warning: the document's memory was not moved: ${e.message}`));
    if (saved) {
      await this.generations
        .moved(docId, before, saved.path)
        .catch((e: Error) => this.log(`warning: the document's generation history was not moved: ${e.message}`));
    }
    return saved;
  }

  private async saveOrAsk(
    client: Client,
    docId: string,
    text: string,
    always: boolean,
    given?: string,
    opts: SaveFlags = {},
  ) {
    if (given !== undefined) {
      return this.documents.save(docId, text, client.id, await this.checkPathAllowed(given, docId), opts);
    }
    const current = this.documents.pathOf(docId);
    if (current && !always) return this.documents.save(docId, text, client.id, undefined, opts);
    const dialog = this.options.platform.showSaveDialog;
    if (!dialog) {
      throw new InklingError(
        'path_required',
        current
          ? 'Choose where to save the copy (a full path ending in .md or .txt).'
          : 'This document has not been saved yet: choose where to save it (a full path ending in .md or .txt).',
      );
    }
    const chosen = await dialog(client, current ?? 'Untitled.md');
    if (!chosen) return null;
    this.approvePath(chosen);
    // The operating system's save dialog already asked before replacing an existing file.
    return this.documents.save(docId, text, client.id, chosen, { ...opts, overwrite: true });
  }

  private makeHandlers(): Handlers {
    const platform = this.options.platform;
    return {
      getAppInfo: async (): Promise<AppInfo> => ({
        name: 'Inkling',
        version: this.options.version,
        platform: process.platform,
        mode: platform.mode,
        testHooks: Boolean(this.options.testHooks),
        dataDir: this.options.dataDir,
      }),
      getEngineStatus: async () => this.engine.status(),
      loadModel: async (client, dir) => {
        let target: string | null | undefined = dir;
        if (target === undefined) {
          target = await askWriter(platform.showModelDialog, client, 'Give the full path of a model folder to load.');
          if (target === null) return null;
        } else if (!platform.trustRendererPaths && target !== this.settings.get().modelDir) {
          throw new InklingError('not_allowed', 'Choose the model folder in the Open Model dialog.');
        }
        const status = await this.engine.load(path.resolve(target));
        await this.settings.update({ modelDir: path.resolve(target) });
        return status;
      },
      complete: async (client, req) => {
        const s: Settings = this.settings.get();
        const params: CompletionParams = {
          alternatives: s.alternatives,
          maxNewTokens: s.maxNewTokens,
          temperature: s.temperature,
          topP: s.topP,
          ...req.params,
        };
        return this.engine.complete(
          req,
          params,
          (event) => client.emit('completionEvent', { requestId: req.requestId, event }),
          this.memoryOf(req.docId),
        );
      },
      cancelCompletion: async (_client, requestId) => this.engine.cancel(requestId),
      countTokens: async (_client, text) => this.engine.countTokens(text),
      describeWindow: async (_client, req) =>
        this.engine.describeWindow(
          req.docId,
          req.textBefore,
          req.maxNewTokens ?? this.settings.get().maxNewTokens,
          this.memoryOf(req.docId),
        ),
      getDocumentMemory: async (_client, docId) => ({ docId, memory: this.memoryOf(docId) }),
      setDocumentMemory: async (_client, req) => ({
        docId: req.docId,
        memory: await this.memory.set(req.docId, this.documents.pathOf(req.docId), req.memory),
      }),

      newDocument: async (client) => this.documents.newDocument(client.id),
      openDocument: async (client, p) => {
        let target: string | null | undefined = p;
        if (target === undefined) {
          target = await askWriter(
            platform.showOpenDialog,
            client,
            'Type the full path of the .md or .txt file to open.',
          );
          if (target === null) return null;
          this.approvePath(target);
        } else {
          target = await this.checkPathAllowed(target);
        }
        return this.documents.open(target, client.id);
      },
      saveDocument: async (client, req) =>
        this.saveWithDialog(client, req.docId, req.text, false, req.path, saveFlags(req)),
      saveDocumentAs: async (client, req) =>
        this.saveWithDialog(client, req.docId, req.text, true, req.path, saveFlags(req)),
      reloadDocument: async (client, req) => {
        const known = this.documents.pathOf(req.docId);
        const given = known === null && req.path !== undefined ? await this.checkPathAllowed(req.path) : undefined;
        return this.documents.reload(req.docId, client.id, given);
      },
      checkDocument: async (_client, req) => {
        const known = this.documents.pathOf(req.docId);
        const given = known === null && req.path !== undefined ? await this.checkPathAllowed(req.path) : undefined;
        const state = await this.documents.changedOnDisk(req.docId, given, req.baseMtimeMs);
        return { changed: state === 'changed', missing: state === 'missing' };
      },
      closeDocument: async (_client, docId) => {
        const docPath = this.documents.pathOf(docId);
        await this.documents.close(docId);
        await this.memory.closed(docId);
        await this.generations.closed(docId, docPath);
        this.tasks.forgetDocument(docId);
        // Not awaited: closing never waits on the engine (a restarting host answers later, or not at all).
        void this.engine.forgetDocument(docId);
      },
      listRecentFiles: async () => this.documents.recent.list(),
      clearRecentFiles: async () => this.documents.recent.clear(),

      writeBackup: async (client, req) => {
        // A backup's path is trusted again on restore, so it must be one the renderer may name now.
        if (req.path !== null) req = { ...req, path: await this.checkPathAllowed(req.path, req.docId) };
        return this.documents.writeBackup(req, client.id);
      },
      listBackups: async () => this.documents.listBackups(),
      restoreBackup: async (client, id) => {
        const doc = await this.documents.restoreBackup(id, client.id);
        if (doc.path) this.approvePath(doc.path);
        return doc;
      },
      discardBackup: async (_client, id) => this.documents.discardBackup(id),
      confirmClose: async (client, req) => platform.confirmClose?.(client, req.proceed),

      getSettings: async () => this.settings.get(),
      updateSettings: async (_client, patch) => {
        // The desktop renderer is untrusted: it may forget the model folder, but a folder it names
        // itself is one the writer never chose (loadModel's dialog records the choice).
        if (
          !platform.trustRendererPaths &&
          typeof patch.modelDir === 'string' &&
          patch.modelDir !== this.settings.get().modelDir
        ) {
          throw new InklingError('not_allowed', 'Choose the model folder in the Open Model dialog.');
        }
        // A server is chosen through useRemoteServer (which checks plain http:// and probes it), never a bare patch.
        for (const k of RemoteService.guardedSettings) {
          if (k in patch)
            throw new InklingError(
              'not_allowed',
              `'${k}' changes through "Use a server" on the Models page (useRemoteServer / useLocalEngine).`,
            );
        }
        const before = this.settings.get();
        const after = await this.settings.update(patch);
        void this.library.settingsChanged(before, after); // device / threads: reload the model in the background
        return after;
      },
      ...libraryHandlers<Client>(this.library, platform.showModelDialog),

      ...paneHandlers<Client>(this.presets, this.tasks),

      getGenerationHistory: async (_client, docId) => {
        const history = await this.generations.get(docId, this.documents.pathOf(docId));
        for (const w of this.generations.warnings.splice(0)) this.log(`warning: ${w}`);
        return history;
      },
      setGenerationHistory: async (_client, history) =>
        this.generations.set(history.docId, this.documents.pathOf(history.docId), history.generations),
      exportDocument: async (client, req) => {
        const ask = platform.showExportDialog;
        if (!ask)
          throw new InklingError(
            'not_allowed',
            'In the browser, exports are downloaded by the page (and PDF comes from its Print dialog).',
          );
        const target = await ask(client, req.name, req.format);
        if (!target) return null;
        let data: Uint8Array | string = req.content;
        if (req.format === 'pdf') {
          if (!platform.printToPdf)
            throw new InklingError('not_allowed', 'This version of Inkling cannot print to PDF.');
          data = await platform.printToPdf(client);
        }
        await atomicWriteFile(target, data);
        return { path: target, bytes: typeof data === 'string' ? Buffer.byteLength(data) : data.byteLength };
      },
      testRemoteServer: async (_client, req) => this.remote.test(req),
      useRemoteServer: async (_client, req) => this.remote.use(req),
      useLocalEngine: async () => this.remote.useLocal(),
      shareModel: async (_client, on) => (on ? this.share.start() : this.share.stop()),
      getShareStatus: async () => this.share.status(),

      testKillEngine: async () => {
        if (!this.options.testHooks)
          throw new InklingError('not_allowed', 'Test hooks are off (start the host with INKLING_TEST_HOOKS=1).');
        this.engine.kill();
      },
    };
  }
}

/**
 * The model library's default model (or its only one), so a model installed with `inkling pull`
 * opens in the app without further steps. A broken library is logged, never fatal.
 */
async function libraryDefault(dataDir: string, log: (m: string) => void): Promise<string | null> {
  try {
    const models = await listModels(dataDir);
    const chosen = models.find((m) => m.isDefault) ?? (models.length === 1 ? models[0] : undefined);
    return chosen?.dir ?? null;
  } catch (e) {
    log(`warning: the model library could not be read: ${(e as Error).message}`);
    return null;
  }
}

/**
 * The path the writer picks in the operating system's dialog (null: cancelled). Where there is no
 * dialog (browser mode) the page must ask for a path itself: `path_required`, saying what to type.
 */
async function askWriter<C>(
  dialog: ((client: C) => Promise<string | null>) | undefined,
  client: C,
  typeIt: string,
): Promise<string | null> {
  if (!dialog) throw new InklingError('path_required', typeIt);
  return (await dialog(client)) || null;
}
