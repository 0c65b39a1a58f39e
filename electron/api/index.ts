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
  AppInfo, BackupInfo, BackupRequest, CloseRequest, CompleteRequest, CompletionEvent, CompletionParams,
  ConfirmCloseRequest, EngineState, EngineStatus, EventChannel, FinishReason, GenerateEvent, GenerateResult,
  GenerateStats, GeneratedAlternative, InklingApi, InklingEvents, InklingMethods, LineEnding, MenuCommand,
  MenuCommandName, MethodName, ModelInfo, OpenedDocument, RecentFile, RestoredDocument, SaveRequest,
  SavedDocument, Unsubscribe,
} from './types';
export { CSP, contentSecurityPolicy, type CspOptions } from './csp';
export type { Settings, Theme, FontFamily } from './settings';
export { DEFAULT_SETTINGS, SETTINGS_SCHEMA, sanitizeSettings, validateSettingsPatch } from './settings';
export { InklingError, errorFromPayload, isApiErrorCode, type ApiErrorCode, type ApiErrorPayload } from './errors';
export {
  VALIDATORS, validateArgs, isMethodName, completionParams, MAX_TEXT_CHARS, MAX_PROMPT_CHARS, MAX_PATH_CHARS,
} from './validate';
export {
  METHOD_NAMES, EVENT_CHANNELS, SUBSCRIBE_NAMES, WEB_API_PATH, IPC_METHOD_PREFIX, IPC_EVENT_CHANNEL, ipcMethodChannel,
} from './channels';
export {
  parseCall, parseServerMessage, MAX_FRAME_BYTES, type WireCall, type WireReply, type WireEvent, type ReplyEnvelope,
} from './wire';
export {
  createApi, connectWebSocketApi, errorCode, errorMessage, encodeErrorForBridge,
  type ApiTransport, type WebSocketApi, type WebSocketLike,
} from './client';
