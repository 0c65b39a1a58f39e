/**
 * Inkling's API contract — the ONE place that says what the renderer can ask of the host.
 *
 *   window.inkling (Electron preload)  ─┐                        ┌─ ipcMain wiring (electron/main)
 *   connectWebSocketApi() (browser)    ─┴─ InklingApi ── wire ──┴─ web host (electron/web)
 *                                                                   both → electron/services/backend
 *
 * How to use it from the renderer:
 *   const api: InklingApi = window.inkling ?? connectWebSocketApi();   // web: ws://<host>/api
 *   const info = await api.getAppInfo();                              // { mode: 'electron' | 'web', ... }
 *   const off = api.onCompletionEvent(({ requestId, event }) => ...); // token deltas per alternative
 *   const result = await api.complete({ requestId, docId, textBefore, params: { alternatives: 3 } });
 *   try { ... } catch (e) { show(errorMessage(e)); if (errorCode(e) === 'path_required') askForPath(); }
 *
 * Rules:
 * - Every method returns a Promise; failures reject with an error whose message a writer can act on.
 *   Use `errorCode(e)` / `errorMessage(e)` (Electron's contextBridge keeps only an error's message, so
 *   the code travels as a "[code] " prefix that these helpers read and strip).
 * - Arguments are validated on both sides (client for early errors, host because the renderer is
 *   untrusted): `VALIDATORS[method](args)`.
 * - Subscriptions (`onX(cb)`) return an unsubscribe function.
 * - This folder imports nothing from Node or Electron (it runs in the renderer too); engine types
 *   are type-only imports from electron/engine/host/protocol.
 */
export type {
  AppInfo,
  BackupInfo,
  BackupRequest,
  CloseRequest,
  CompleteRequest,
  CompletionEvent,
  CompletionParams,
  ConfirmCloseRequest,
  EngineState,
  EngineStatus,
  EventChannel,
  FinishReason,
  GenerateEvent,
  GenerateResult,
  GenerateStats,
  GeneratedAlternative,
  InklingApi,
  InklingEvents,
  InklingMethods,
  LineEnding,
  MenuCommand,
  MenuCommandName,
  MethodName,
  ModelInfo,
  OpenedDocument,
  RecentFile,
  RestoredDocument,
  SaveRequest,
  SavedDocument,
  Unsubscribe,
  DocumentMemory,
  WindowInfo,
  WindowReport,
  WindowRequest,
} from './types';
export { CSP, contentSecurityPolicy, type CspOptions } from './csp';
export {
  TASK_KINDS,
  LANGUAGE_PAIRS,
  LANGUAGE_NAMES,
  DEFAULT_EXAMPLES,
  MAX_TOP_ALTERNATIVES,
  rankBucket,
  cutShortReason,
  type TaskKind,
  type TaskRequest,
  type ContinueTask,
  type TranslateTask,
  type SummarizeTask,
  type AnswerTask,
  type TaskResult,
  type TaskAlternative,
  type TaskToken,
  type TaskSegment,
  type TaskModel,
  type TaskEvent,
  type TaskEventMessage,
  type TokenChoice,
  type ScoreRequest,
  type ScoredSpan,
  type ScoreTextResult,
  type RankBucket,
  type Language,
  type LanguagePair,
  type QaTurn,
  type TranslationExample,
} from './tasks';
export {
  PRESET_EXPORT_FORMAT,
  MAX_PRESET_NAME,
  documentKey,
  jsonSafeParams,
  parsePresetExport,
  type Preset,
  type TaskSettings,
  type PresetLibrary,
  type SavePresetRequest,
  type SavedPreset,
  type RenamePresetRequest,
  type SetTaskSettingsRequest,
  type SetExamplesRequest,
  type ImportedPresets,
  type PresetExport,
} from './presets';
// The sampling parameters' table (labels, ranges, plain-words tooltips) for the sampling controls:
// pure data and the engine's own validator, so the UI and the engine agree on every range.
export {
  PARAM_SPECS,
  DEFAULT_PARAMS,
  DEFAULT_SAMPLER_ORDER,
  SAMPLER_NAMES,
  MAX_SEED,
  MAX_LIST_LENGTH,
  ParamError,
  validateParams,
  type ParamSpec,
  type SamplerName,
  type SamplingParams,
} from '../engine/generate/params';
export { MODEL_PRECISIONS } from './models';
export {
  GENERATION_SOURCES,
  GENERATION_CONTEXT_CHARS,
  MAX_GENERATIONS,
  MAX_HISTORY_CHARS,
  MAX_TRIES,
  MAX_GENERATION_CHARS,
  type GenerationSource,
  type GenerationTry,
  type StoredGeneration,
  type GenerationHistory,
} from './generations';
export { EXPORT_FORMATS, exportName, type ExportFormat, type ExportRequest, type ExportResult } from './exports';
export type {
  Catalog,
  CatalogModel,
  DeleteResult,
  DeviceName,
  DeviceOption,
  DeviceReport,
  FitLabel,
  InstalledPrecision,
  EvalVsFp32,
  LibraryModel,
  ModelJob,
  ModelJobPhase,
  ModelJobState,
  ModelLibrary,
  ModelPrecision,
  PrecisionMemory,
  PullRequest,
  QuantErrorInfo,
} from './models';
export type { Settings, Theme, FontFamily, Device } from './settings';
export {
  isLoopbackHost,
  normalizeBaseUrl,
  type RemoteFeatures,
  type RemoteSampler,
  type RemoteServerRequest,
  type RemoteServerSetting,
  type RemoteTestResult,
  type ShareStatus,
} from './remote';
export { DEFAULT_SETTINGS, SETTINGS_SCHEMA, sanitizeSettings, validateSettingsPatch } from './settings';
export { PANE_IDS, SHORTCUT_RE, type PaneId } from './settings';
export {
  COMMANDS,
  COMMAND_BY_ID,
  EDITOR_KEYS,
  MODIFIERS,
  RESERVED,
  effectiveBindings,
  isKeymapCommandId,
  normalizeCombo,
  parseCombo,
  type CommandDef,
  type CommandGroup,
  type KeymapCommandId,
  type Modifier,
} from './keymap';
export { InklingError, errorFromPayload, isApiErrorCode, type ApiErrorCode, type ApiErrorPayload } from './errors';
export { VALIDATORS, validateArgs, isMethodName } from './validate';
export { completionParams, MAX_TEXT_CHARS, MAX_PROMPT_CHARS, MAX_PATH_CHARS } from './check';
export {
  METHOD_NAMES,
  EVENT_CHANNELS,
  SUBSCRIBE_NAMES,
  WEB_API_PATH,
  WEB_API_SESSION_PATH,
  WEB_TOKEN_STORAGE_KEY,
  IPC_METHOD_PREFIX,
  IPC_EVENT_CHANNEL,
  ipcMethodChannel,
} from './channels';
export {
  parseCall,
  parseServerMessage,
  MAX_FRAME_BYTES,
  type WireCall,
  type WireReply,
  type WireEvent,
  type ReplyEnvelope,
} from './wire';
export {
  createApi,
  connectWebSocketApi,
  errorCode,
  errorMessage,
  encodeErrorForBridge,
  type ApiTransport,
  type WebSocketApi,
  type WebSocketLike,
  type WebSocketApiOptions,
  type ConnectionState,
  type KeyCheck,
} from './client';
