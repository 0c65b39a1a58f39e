/**
 * Names on the wire. One list of methods and one of event channels; Electron IPC channel strings
 * and the WebSocket format are derived from them, so no string is spelled twice.
 */
import type { EventChannel, InklingApi, MethodName } from './types';

export const METHOD_NAMES = [
  'getAppInfo',
  'getEngineStatus',
  'loadModel',
  'complete',
  'cancelCompletion',
  'countTokens',
  'describeWindow',
  'getDocumentMemory',
  'setDocumentMemory',
  'newDocument',
  'openDocument',
  'saveDocument',
  'saveDocumentAs',
  'reloadDocument',
  'checkDocument',
  'closeDocument',
  'listRecentFiles',
  'clearRecentFiles',
  'writeBackup',
  'listBackups',
  'restoreBackup',
  'discardBackup',
  'confirmClose',
  'getSettings',
  'updateSettings',
  'testKillEngine',
  'listCatalog',
  'listModels',
  'pullModel',
  'cancelPull',
  'listModelJobs',
  'deleteModel',
  'setDefaultModel',
  'useModel',
  'importModel',
  'showModelInFolder',
  'listDevices',
  'runTask',
  'cancelTask',
  'scoreText',
  'getPresets',
  'savePreset',
  'renamePreset',
  'deletePreset',
  'resetPreset',
  'importPresets',
  'exportPresets',
  'setTaskSettings',
  'setTranslationExamples',
  'getGenerationHistory',
  'setGenerationHistory',
  'exportDocument',
  'testRemoteServer',
  'useRemoteServer',
  'useLocalEngine',
  'shareModel',
  'getShareStatus',
] as const satisfies readonly MethodName[];

// Compile-time check that METHOD_NAMES lists every method (a missing one makes this `false`).
type Missing = Exclude<MethodName, (typeof METHOD_NAMES)[number]>;
const allMethodsListed: [Missing] extends [never] ? true : false = true;
void allMethodsListed;

export const EVENT_CHANNELS = [
  'engineStatus',
  'completionEvent',
  'menuCommand',
  'settingsChanged',
  'closeRequested',
  'modelProgress',
  'modelsChanged',
  'taskEvent',
] as const satisfies readonly EventChannel[];

type MissingEvent = Exclude<EventChannel, (typeof EVENT_CHANNELS)[number]>;
const allEventsListed: [MissingEvent] extends [never] ? true : false = true;
void allEventsListed;

/** `InklingApi` subscription function name for each event channel. */
export const SUBSCRIBE_NAMES = {
  engineStatus: 'onEngineStatus',
  completionEvent: 'onCompletionEvent',
  menuCommand: 'onMenuCommand',
  settingsChanged: 'onSettingsChanged',
  closeRequested: 'onCloseRequested',
  modelProgress: 'onModelProgress',
  modelsChanged: 'onModelsChanged',
  taskEvent: 'onTaskEvent',
} as const satisfies { [C in EventChannel]: keyof InklingApi };

/** Electron: `ipcRenderer.invoke(ipcMethodChannel(m), ...args)` ↔ `ipcMain.handle(...)`. */
export const IPC_METHOD_PREFIX = 'inkling:call:';
export function ipcMethodChannel(method: MethodName): string {
  return IPC_METHOD_PREFIX + method;
}
/** Electron: every push travels on this one channel as `{ channel, payload }` (a WireEvent minus `t`). */
export const IPC_EVENT_CHANNEL = 'inkling:event';

/** The path the web host serves the WebSocket API on (same host and port as the page). */
export const WEB_API_PATH = '/api';
/** Web host: answers 204 to a request carrying this launch's key and 401 to any other. */
export const WEB_API_SESSION_PATH = '/api/session';
/** Where the browser page keeps the web host's key (sessionStorage: this tab, this origin only). */
export const WEB_TOKEN_STORAGE_KEY = 'inkling.webToken';
