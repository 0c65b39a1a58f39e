/**
 * The shapes that cross the API boundary and `InklingApi`, the object the renderer sees as
 * `window.inkling` (Electron preload) or gets from `connectWebSocketApi()` (web host).
 * Type-only imports from the engine protocol: nothing here pulls Node or Electron into the renderer.
 */
import type { GenerateEvent, GenerateResult, ModelInfo, WindowReport } from '../engine/host/protocol';
import type { SamplingParams } from '../engine/generate/params';
import type { Settings } from './settings';
import type { KeymapCommandId } from './keymap';
import type {
  Catalog,
  DeleteResult,
  DeviceReport,
  ModelJob,
  ModelLibrary,
  ModelPrecision,
  PullRequest,
} from './models';
import type { ScoreRequest, ScoreTextResult, TaskEventMessage, TaskRequest, TaskResult } from './tasks';
import type { GenerationHistory } from './generations';
import type { ExportRequest, ExportResult } from './exports';
import type { RemoteFeatures, RemoteServerRequest, RemoteTestResult, ShareStatus } from './remote';
import type {
  ImportedPresets,
  PresetLibrary,
  RenamePresetRequest,
  SavedPreset,
  SavePresetRequest,
  SetExamplesRequest,
  SetTaskSettingsRequest,
} from './presets';

export type {
  GenerateEvent,
  GenerateResult,
  ModelInfo,
  GeneratedAlternative,
  GenerateStats,
  FinishReason,
  WindowInfo,
  WindowReport,
} from '../engine/host/protocol';

export type Unsubscribe = () => void;

// ── app ──────────────────────────────────────────────────────────────────────────────────────────
export interface AppInfo {
  name: string;
  version: string;
  /** process.platform of the host: 'linux' | 'darwin' | 'win32' ... */
  platform: string;
  mode: 'electron' | 'web';
  /** True when INKLING_TEST_HOOKS=1 (enables `testKillEngine`). */
  testHooks: boolean;
  /** Folder holding settings, backups and recent files. */
  dataDir: string;
}

export type EngineState = 'no_model' | 'loading' | 'ready' | 'crashed' | 'restarting';

export interface EngineStatus {
  state: EngineState;
  model: ModelInfo | null;
  /** For the writer: why there is no model, what crashed, what is loading. */
  message?: string;
  /** Set while a remote server is the engine: what it is and what it supports. */
  remote?: RemoteFeatures;
}

// ── completion ───────────────────────────────────────────────────────────────────────────────────
/**
 * Sampling parameters of one request: any subset of the engine's `SamplingParams`
 * (electron/engine/generate/params.ts — names, ranges and tooltips in PARAM_SPECS). Fields left out
 * take the writer's settings (alternatives, maxNewTokens, temperature, topP), then the engine's defaults.
 * JSON cannot carry -Infinity: ban a token in logitBias with the string "-inf".
 */
export type CompletionParams = Partial<SamplingParams>;

export interface CompleteRequest {
  /** Chosen by the renderer (e.g. crypto.randomUUID()); names the request in events and cancel. */
  requestId: string;
  docId: string;
  /**
   * All the text before the cursor, from the start of the document (up to 20M characters). The
   * engine chooses the window the model reads, anchored to the document, and keeps the document's
   * tokens between requests: never cut the text here, or the window's start moves with every
   * keystroke and every Tab re-reads the whole window. The document's memory is added by the host.
   */
  textBefore: string;
  params?: CompletionParams;
  /** Also return, per generated token, this many top alternatives (0–10; for the probability popup). */
  topAlternatives?: number;
}

/** A document's memory: read before its window on every continuation (stored in app data, not in the file). */
export interface DocumentMemory {
  docId: string;
  memory: string;
}

/** What the model would read for a continuation at the cursor (the status bar, the window marker). */
export interface WindowRequest {
  docId: string;
  /** All the text before the cursor, as for `complete`. */
  textBefore: string;
  /**
   * The length the next suggestion will ask for (the document's Continue settings), so the plan
   * matches the one `complete` will make. Left out: the length in Settings.
   */
  maxNewTokens?: number;
}

export interface CompletionEvent {
  requestId: string;
  event: GenerateEvent;
}

// ── documents ────────────────────────────────────────────────────────────────────────────────────
export type LineEnding = '\n' | '\r\n';

export interface OpenedDocument {
  docId: string;
  path: string;
  /** File name for the title bar, e.g. "notes.md". */
  name: string;
  /** The file's text with line endings normalised to '\n' (saving restores `lineEnding`). */
  text: string;
  lineEnding: LineEnding;
  mtimeMs: number;
}

export interface SavedDocument {
  docId: string;
  path: string;
  name: string;
  mtimeMs: number;
  /** Bytes written. */
  size: number;
  /**
   * Saved with `replaceChanged` over a file another program had changed: where that program's
   * version was kept (a new file beside it), so the writer's choice loses nothing.
   */
  keptCopy?: string;
}

export interface SaveRequest {
  docId: string;
  text: string;
  /**
   * Where to save. Optional: without it, a document that has a path is saved there; an untitled one
   * shows the native save dialog (Electron) or fails with code 'path_required' (web: ask the writer).
   */
  path?: string;
  /**
   * The writer confirmed replacing the file at `path`. Without it, a save onto an existing file that
   * is not the document's own fails with code 'file_exists' (no client overwrites silently).
   */
  overwrite?: boolean;
  /**
   * The file's modification time when this client last opened or saved it. A host that no longer
   * remembers the document (restarted) uses it to tell whether another program changed the file.
   */
  baseMtimeMs?: number;
  /**
   * The writer chose to keep their version over a file another program changed (code
   * 'file_changed' without it). The other version is kept first, as a copy beside the file.
   */
  replaceChanged?: boolean;
}

export interface DocumentFileRequest {
  docId: string;
  /** The document's file, for a host that no longer remembers the document (restarted). */
  path?: string;
  /** checkDocument: the file's modification time this client last saw (for such a host too). */
  baseMtimeMs?: number;
}

export interface RecentFile {
  path: string;
  name: string;
  /** ms since epoch of the last open/save. */
  openedAt: number;
}

export interface BackupRequest {
  docId: string;
  /** null for an untitled document. */
  path: string | null;
  text: string;
  /** The text as last saved (lets restore tell whether the backup holds unsaved work). */
  savedText?: string;
}

export interface BackupInfo {
  /** The backup's id (equals the document's docId). */
  id: string;
  docId: string;
  path: string | null;
  /** File name, or "Untitled". */
  name: string;
  updatedAt: number;
  /** Length of the backed-up text in characters. */
  chars: number;
  /** First line(s) of the text, at most 120 characters. */
  preview: string;
  /** True when the backup differs from the saved text (or the document was never saved). */
  dirty: boolean;
}

export interface RestoredDocument {
  docId: string;
  path: string | null;
  name: string;
  text: string;
  /** The saved text recorded with the backup, if any. */
  savedText: string | null;
  lineEnding: LineEnding;
}

// ── menus and closing ────────────────────────────────────────────────────────────────────────────
export type MenuCommandName =
  | 'file.new'
  | 'file.open'
  | 'file.openRecent'
  | 'file.openPath'
  | 'file.save'
  | 'file.saveAs'
  | 'file.close'
  | 'edit.suggest'
  | 'edit.accept'
  | 'edit.acceptWord'
  | 'edit.acceptLine'
  | 'edit.nextAlternative'
  | 'edit.previousAlternative'
  | 'edit.stop'
  | 'view.toggleTheme'
  | 'view.fontBigger'
  | 'view.fontSmaller'
  | 'model.open'
  | 'view.models'
  // Every rebindable keyboard command (side panel, panes, heat map, help…) is also a menu command.
  | KeymapCommandId;

export interface MenuCommand {
  command: MenuCommandName;
  /**
   * For 'file.openRecent' (a recent file) and 'file.openPath' (a file the writer opened from the
   * operating system: Finder / Explorer, "Open With", the command line): the file to open.
   */
  path?: string;
}

/** Sent when the writer closes the window: answer with `confirmClose(proceed)`. */
export interface CloseRequest {
  reason: 'window' | 'quit';
}

export interface ConfirmCloseRequest {
  /** true = close now (the renderer saved or the writer chose to discard); false = stay open. */
  proceed: boolean;
}

// ── the API ──────────────────────────────────────────────────────────────────────────────────────
/** Request/response methods. Every one returns a Promise that rejects with an `InklingError`. */
export interface InklingMethods {
  getAppInfo(): Promise<AppInfo>;
  getEngineStatus(): Promise<EngineStatus>;
  /**
   * Loads a model folder (and remembers it in settings.modelDir). Without `dir`, Electron shows a
   * folder dialog (null = cancelled); web mode requires `dir`.
   */
  loadModel(dir?: string): Promise<EngineStatus | null>;

  /**
   * Streams `completionEvent`s for `requestId`, then resolves with the result. A newer request for
   * the same docId cancels this one (it then resolves with finishReason 'cancelled'; a request
   * cancelled before its first token has `alternatives` of empty text, all 'cancelled'). A remote
   * server's stream cut after some text resolves with that text, marked 'cut', and `interrupted`.
   */
  complete(request: CompleteRequest): Promise<GenerateResult>;
  /** Stops a request; its `complete` promise resolves (finishReason 'cancelled'). Unknown ids are ignored. */
  cancelCompletion(requestId: string): Promise<void>;
  /** Number of GPT-2 tokens in `text` (rejects 'no_model' without a model). */
  countTokens(text: string): Promise<number>;
  /**
   * What a continuation at the cursor would read: memory + window (where it starts in the text,
   * token counts), planned exactly as `complete` plans it with the writer's suggestion length.
   */
  describeWindow(request: WindowRequest): Promise<WindowReport>;
  /** The document's memory ('' when it has none). */
  getDocumentMemory(docId: string): Promise<DocumentMemory>;
  /** Replaces the document's memory ('' removes it); resolves with what was stored. */
  setDocumentMemory(request: DocumentMemory): Promise<DocumentMemory>;

  newDocument(): Promise<{ docId: string }>;
  /** Without `path`: native open dialog in Electron (null = cancelled); web mode requires a path. */
  openDocument(path?: string): Promise<OpenedDocument | null>;
  /** null = the writer cancelled the save dialog. */
  saveDocument(request: SaveRequest): Promise<SavedDocument | null>;
  /** Always asks where (Electron dialog) unless `path` is given; null = cancelled. */
  saveDocumentAs(request: SaveRequest): Promise<SavedDocument | null>;
  /**
   * Reads the document's file again (another program changed it): the host's record of what is
   * saved becomes the file as it is now. Rejects like openDocument when the file cannot be read.
   */
  reloadDocument(request: DocumentFileRequest): Promise<OpenedDocument>;
  /**
   * Whether another program changed the document's file since it was opened, saved or reloaded here
   * (its text, not only its time), and whether the file is gone (deleted or moved: a save writes it again).
   */
  checkDocument(request: DocumentFileRequest): Promise<{ changed: boolean; missing: boolean }>;
  /** Forgets the document and its backup (call when a tab/window closes cleanly). */
  closeDocument(docId: string): Promise<void>;
  listRecentFiles(): Promise<RecentFile[]>;
  clearRecentFiles(): Promise<void>;

  writeBackup(request: BackupRequest): Promise<void>;
  listBackups(): Promise<BackupInfo[]>;
  restoreBackup(id: string): Promise<RestoredDocument>;
  discardBackup(id: string): Promise<void>;
  /**
   * The renderer's answer to a `closeRequested` event (Electron closes the window on proceed:true;
   * web mode only acknowledges). Before proceeding, call closeDocument(docId) for the documents
   * whose changes the writer chose to discard; otherwise their backups are offered at next start.
   */
  confirmClose(request: ConfirmCloseRequest): Promise<void>;

  getSettings(): Promise<Settings>;
  /** Validates and persists a partial update; resolves with the full settings. */
  updateSettings(patch: Partial<Settings>): Promise<Settings>;

  /** Test-only (INKLING_TEST_HOOKS=1, else rejects 'not_allowed'): SIGKILLs the engine process. */
  testKillEngine(): Promise<void>;

  // ── model library (types in ./models) ──
  /** Known GPT-2 checkpoints with memory needed per precision and a fit label for this machine. */
  listCatalog(): Promise<Catalog>;
  /** Installed models, the default, and which one is loaded. */
  listModels(): Promise<ModelLibrary>;
  /**
   * Starts (or resumes) a download from the Hub; resolves at once with the job, then `modelProgress`
   * events follow. The same repo and precision while it runs returns the running job.
   */
  pullModel(request: PullRequest): Promise<ModelJob>;
  /**
   * A running download or import: stops it (a partial download is kept, so pulling again resumes).
   * A stopped or interrupted one: discards it and deletes its partial files. Unknown ids are ignored.
   */
  cancelPull(jobId: string): Promise<void>;
  /** Running jobs, and downloads that stopped before finishing (cancelled, failed, or cut by quitting the app). */
  listModelJobs(): Promise<ModelJob[]>;
  /** Removes a model (or an unfinished download) from disk; unloads it first if it is in use. */
  deleteModel(id: string): Promise<DeleteResult>;
  /** Makes `id` the model Inkling opens at start, and loads it. */
  setDefaultModel(id: string): Promise<EngineStatus>;
  /** Loads an installed model now (a precision, or the best installed one). */
  useModel(id: string, precision?: ModelPrecision): Promise<EngineStatus>;
  /**
   * Imports a Hugging Face checkpoint or ONNX export folder (copied, then converted to `precision`).
   * Without `path`, Electron shows a folder dialog (null = cancelled); web mode requires a path.
   */
  importModel(path?: string, precision?: ModelPrecision): Promise<ModelJob | null>;
  /** Electron: reveals the model's folder in the file manager. Web mode rejects 'not_allowed'. */
  showModelInFolder(id: string): Promise<void>;
  /** Devices a model can run on here (unavailable ones say why) and the number of CPU threads. */
  listDevices(): Promise<DeviceReport>;

  // ── panes: tasks, scoring and sampling presets (types in ./tasks and ./presets) ──
  /**
   * Runs a task main-side (prompt built with the GPT-2 paper's formats, result extracted), streaming
   * `taskEvent`s for `requestId`. Cancelled runs resolve with finishReason 'cancelled'.
   */
  runTask(request: TaskRequest): Promise<TaskResult>;
  /** Stops a task run or a queued score; unknown ids are ignored. */
  cancelTask(requestId: string): Promise<void>;
  /** Each token of `text` with its probability, rank and top alternatives, by character offset. */
  scoreText(request: ScoreRequest): Promise<ScoreTextResult>;
  getPresets(): Promise<PresetLibrary>;
  savePreset(request: SavePresetRequest): Promise<SavedPreset>;
  renamePreset(request: RenamePresetRequest): Promise<PresetLibrary>;
  /** Removes one of the writer's presets (built-in ones can only be reset). */
  deletePreset(id: string): Promise<PresetLibrary>;
  /** Restores a built-in preset's shipped name and parameters. */
  resetPreset(id: string): Promise<PresetLibrary>;
  /** Adds the presets of an exported JSON file (validated). */
  importPresets(json: string): Promise<ImportedPresets>;
  /** JSON text of the given presets (all when omitted), for a file the writer keeps or shares. */
  exportPresets(ids?: string[]): Promise<string>;
  setTaskSettings(request: SetTaskSettingsRequest): Promise<PresetLibrary>;
  setTranslationExamples(request: SetExamplesRequest): Promise<PresetLibrary>;

  // ── the writer's desk (types in ./generations and ./exports) ──
  /** The document's generation history (kept in the app's data folder, never in the file). */
  getGenerationHistory(docId: string): Promise<GenerationHistory>;
  /** Replaces the document's generation history; resolves once it is stored. */
  setGenerationHistory(history: GenerationHistory): Promise<void>;
  /**
   * Desktop: asks where to save the export (HTML, PDF printed from the HTML, or plain text) and
   * writes it; null = cancelled. Browser mode rejects 'not_allowed': the page downloads it itself.
   */
  exportDocument(request: ExportRequest): Promise<ExportResult | null>;
  // ── remote engines (types in ./remote) ──
  /**
   * "Test connection": lists the server's models and probes what it supports. Never throws for a
   * server failure: the verdict says what went wrong ({ok: false, message}); a bad address or plain
   * http:// to another computer without `allowInsecure` rejects ('bad_request' / 'insecure_url').
   */
  testRemoteServer(request: RemoteServerRequest): Promise<RemoteTestResult>;
  /**
   * Suggestions, panes and scoring go to this server from now on (remembered in settings; the key,
   * if given, goes to the host's secret store). The local model stays loaded for the way back.
   */
  useRemoteServer(request: RemoteServerRequest): Promise<EngineStatus>;
  /** Back to the local model (one click). */
  useLocalEngine(): Promise<EngineStatus>;
  /**
   * Starts (true) or stops (false) serving the local model to other apps on this computer over the
   * OpenAI API (127.0.0.1, a free port, a fresh key); rejects 'no_model' without a local model.
   */
  shareModel(on: boolean): Promise<ShareStatus>;
  getShareStatus(): Promise<ShareStatus>;
}

/** Server → renderer pushes: channel name → payload. */
export interface InklingEvents {
  engineStatus: EngineStatus;
  completionEvent: CompletionEvent;
  menuCommand: MenuCommand;
  settingsChanged: Settings;
  closeRequested: CloseRequest;
  /** A download or import moved (progress, finished, failed, cancelled). */
  modelProgress: ModelJob;
  /** Installed models changed (installed, deleted, new default): call listModels again. */
  modelsChanged: { reason: 'installed' | 'deleted' | 'default' | 'discarded' };
  /** A task run's streamed progress (tokens, sentences). */
  taskEvent: TaskEventMessage;
}

export type MethodName = keyof InklingMethods;
export type EventChannel = keyof InklingEvents;

export interface InklingApi extends InklingMethods {
  onEngineStatus(cb: (status: EngineStatus) => void): Unsubscribe;
  onCompletionEvent(cb: (event: CompletionEvent) => void): Unsubscribe;
  onMenuCommand(cb: (command: MenuCommand) => void): Unsubscribe;
  onSettingsChanged(cb: (settings: Settings) => void): Unsubscribe;
  onCloseRequested(cb: (request: CloseRequest) => void): Unsubscribe;
  onModelProgress(cb: (job: ModelJob) => void): Unsubscribe;
  onModelsChanged(cb: (change: InklingEvents['modelsChanged']) => void): Unsubscribe;
  onTaskEvent(cb: (message: TaskEventMessage) => void): Unsubscribe;
}
