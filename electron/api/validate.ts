/**
 * Hand-written validators for every method's arguments. Each takes the raw argument list (whatever
 * arrived over IPC or WebSocket) and returns it typed, or throws `InklingError('bad_request')` with a
 * message naming the method, the argument and what was expected.
 */
import { describeValue } from '../common/describe';
import { InklingError } from './errors';
import {
  args,
  docId,
  fail,
  filePath,
  int,
  object,
  requestId,
  text,
  completionParams,
  MAX_MEMORY_CHARS,
  MAX_PROMPT_CHARS,
  MAX_TEXT_CHARS,
} from './check';
import { validateSettingsPatch } from './settings';
import { jobId, modelId, precision, pullRequest } from './models';
import { scoreRequest, taskRequest } from './tasks';
import { generationHistory } from './generations';
import { exportRequest } from './exports';
import { remoteServerRequest } from './remote';
import {
  MAX_IMPORT_CHARS,
  presetId,
  presetIdList,
  renamePresetRequest,
  savePresetRequest,
  setExamplesRequest,
  setTaskSettingsRequest,
} from './presets';
import type {
  BackupRequest,
  CompleteRequest,
  ConfirmCloseRequest,
  DocumentMemory,
  InklingMethods,
  MethodName,
  DocumentFileRequest,
  SaveRequest,
  WindowRequest,
} from './types';

function completeRequest(v: unknown): CompleteRequest {
  const w = 'complete: request';
  const o = object(w, v, ['requestId', 'docId', 'textBefore', 'params', 'topAlternatives']);
  const out: CompleteRequest = {
    requestId: requestId(`${w}.requestId`, o.requestId),
    docId: docId(`${w}.docId`, o.docId),
    textBefore: text(`${w}.textBefore`, o.textBefore, MAX_TEXT_CHARS),
  };
  if (o.params !== undefined) out.params = completionParams(`${w}.params`, o.params);
  if (o.topAlternatives !== undefined) out.topAlternatives = int(`${w}.topAlternatives`, o.topAlternatives, 0, 10);
  return out;
}

function windowRequest(v: unknown): WindowRequest {
  const w = 'describeWindow: request';
  const o = object(w, v, ['docId', 'textBefore', 'maxNewTokens']);
  return {
    docId: docId(`${w}.docId`, o.docId),
    textBefore: text(`${w}.textBefore`, o.textBefore, MAX_TEXT_CHARS),
    ...(o.maxNewTokens !== undefined ? { maxNewTokens: int(`${w}.maxNewTokens`, o.maxNewTokens, 1, 1024) } : {}),
  };
}

function documentMemory(v: unknown): DocumentMemory {
  const w = 'setDocumentMemory: request';
  const o = object(w, v, ['docId', 'memory']);
  return { docId: docId(`${w}.docId`, o.docId), memory: text(`${w}.memory`, o.memory, MAX_MEMORY_CHARS) };
}

function saveRequest(method: string, v: unknown): SaveRequest {
  const w = `${method}: request`;
  const o = object(w, v, ['docId', 'text', 'path', 'overwrite', 'baseMtimeMs', 'replaceChanged']);
  const out: SaveRequest = { docId: docId(`${w}.docId`, o.docId), text: text(`${w}.text`, o.text) };
  if (o.path !== undefined) out.path = filePath(`${w}.path`, o.path);
  for (const flag of ['overwrite', 'replaceChanged'] as const) {
    if (o[flag] === undefined) continue;
    if (typeof o[flag] !== 'boolean') fail(`${w}.${flag}`, 'true or false', o[flag]);
    out[flag] = o[flag];
  }
  if (o.baseMtimeMs !== undefined) out.baseMtimeMs = mtime(`${w}.baseMtimeMs`, o.baseMtimeMs);
  return out;
}

function documentFileRequest(method: string, v: unknown): DocumentFileRequest {
  const w = `${method}: request`;
  const o = object(w, v, ['docId', 'path', 'baseMtimeMs']);
  const out: DocumentFileRequest = { docId: docId(`${w}.docId`, o.docId) };
  if (o.path !== undefined) out.path = filePath(`${w}.path`, o.path);
  if (o.baseMtimeMs !== undefined) out.baseMtimeMs = mtime(`${w}.baseMtimeMs`, o.baseMtimeMs);
  return out;
}

function mtime(what: string, v: unknown): number {
  if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) fail(what, 'a time in ms since 1970', v);
  return v as number;
}

function backupRequest(v: unknown): BackupRequest {
  const w = 'writeBackup: request';
  const o = object(w, v, ['docId', 'path', 'text', 'savedText']);
  const out: BackupRequest = {
    docId: docId(`${w}.docId`, o.docId),
    path: o.path === null ? null : filePath(`${w}.path`, o.path),
    text: text(`${w}.text`, o.text),
  };
  if (o.savedText !== undefined) out.savedText = text(`${w}.savedText`, o.savedText);
  return out;
}

function confirmCloseRequest(v: unknown): ConfirmCloseRequest {
  const o = object('confirmClose: request', v, ['proceed']);
  if (typeof o.proceed !== 'boolean') fail('confirmClose: request.proceed', 'true or false', o.proceed);
  return { proceed: o.proceed };
}

const none =
  (m: string) =>
  (raw: unknown): [] => {
    args(m, raw, 0, 0);
    return [];
  };

/** Argument validators, one per method (the mapped type makes a missing one a compile error). */
export const VALIDATORS: { readonly [M in MethodName]: (raw: unknown) => Parameters<InklingMethods[M]> } = {
  getAppInfo: none('getAppInfo'),
  getEngineStatus: none('getEngineStatus'),
  loadModel: (raw) => {
    const a = args('loadModel', raw, 0, 1);
    return a[0] === undefined ? [] : [filePath('loadModel: dir', a[0])];
  },
  complete: (raw) => [completeRequest(args('complete', raw, 1, 1)[0])],
  cancelCompletion: (raw) => [requestId('cancelCompletion: requestId', args('cancelCompletion', raw, 1, 1)[0])],
  countTokens: (raw) => [text('countTokens: text', args('countTokens', raw, 1, 1)[0], MAX_PROMPT_CHARS)],
  describeWindow: (raw) => [windowRequest(args('describeWindow', raw, 1, 1)[0])],
  getDocumentMemory: (raw) => [docId('getDocumentMemory: docId', args('getDocumentMemory', raw, 1, 1)[0])],
  setDocumentMemory: (raw) => [documentMemory(args('setDocumentMemory', raw, 1, 1)[0])],
  newDocument: none('newDocument'),
  openDocument: (raw) => {
    const a = args('openDocument', raw, 0, 1);
    return a[0] === undefined ? [] : [filePath('openDocument: path', a[0])];
  },
  saveDocument: (raw) => [saveRequest('saveDocument', args('saveDocument', raw, 1, 1)[0])],
  saveDocumentAs: (raw) => [saveRequest('saveDocumentAs', args('saveDocumentAs', raw, 1, 1)[0])],
  reloadDocument: (raw) => [documentFileRequest('reloadDocument', args('reloadDocument', raw, 1, 1)[0])],
  checkDocument: (raw) => [documentFileRequest('checkDocument', args('checkDocument', raw, 1, 1)[0])],
  closeDocument: (raw) => [docId('closeDocument: docId', args('closeDocument', raw, 1, 1)[0])],
  listRecentFiles: none('listRecentFiles'),
  clearRecentFiles: none('clearRecentFiles'),
  writeBackup: (raw) => [backupRequest(args('writeBackup', raw, 1, 1)[0])],
  listBackups: none('listBackups'),
  restoreBackup: (raw) => [docId('restoreBackup: id', args('restoreBackup', raw, 1, 1)[0])],
  discardBackup: (raw) => [docId('discardBackup: id', args('discardBackup', raw, 1, 1)[0])],
  confirmClose: (raw) => [confirmCloseRequest(args('confirmClose', raw, 1, 1)[0])],
  getSettings: none('getSettings'),
  updateSettings: (raw) => {
    const a = args('updateSettings', raw, 1, 1);
    return [validateSettingsPatch(a[0])];
  },
  testKillEngine: none('testKillEngine'),
  listCatalog: none('listCatalog'),
  listModels: none('listModels'),
  pullModel: (raw) => [pullRequest(args('pullModel', raw, 1, 1)[0])],
  cancelPull: (raw) => [jobId('cancelPull: jobId', args('cancelPull', raw, 1, 1)[0])],
  listModelJobs: none('listModelJobs'),
  deleteModel: (raw) => [modelId('deleteModel: id', args('deleteModel', raw, 1, 1)[0])],
  setDefaultModel: (raw) => [modelId('setDefaultModel: id', args('setDefaultModel', raw, 1, 1)[0])],
  useModel: (raw) => {
    const a = args('useModel', raw, 1, 2);
    const id = modelId('useModel: id', a[0]);
    return a[1] === undefined ? [id] : [id, precision('useModel: precision', a[1])];
  },
  importModel: (raw) => {
    const a = args('importModel', raw, 0, 2);
    // A precision without a path (Electron's dialog) travels as [null, precision].
    const p = a[0] === undefined || a[0] === null ? undefined : filePath('importModel: path', a[0]);
    if (a[1] === undefined) return p === undefined ? [] : [p];
    return [p, precision('importModel: precision', a[1])];
  },
  showModelInFolder: (raw) => [modelId('showModelInFolder: id', args('showModelInFolder', raw, 1, 1)[0])],
  listDevices: none('listDevices'),
  runTask: (raw) => [taskRequest(args('runTask', raw, 1, 1)[0])],
  cancelTask: (raw) => [requestId('cancelTask: requestId', args('cancelTask', raw, 1, 1)[0])],
  scoreText: (raw) => [scoreRequest(args('scoreText', raw, 1, 1)[0])],
  getPresets: none('getPresets'),
  savePreset: (raw) => [savePresetRequest(args('savePreset', raw, 1, 1)[0])],
  renamePreset: (raw) => [renamePresetRequest(args('renamePreset', raw, 1, 1)[0])],
  deletePreset: (raw) => [presetId('deletePreset: id', args('deletePreset', raw, 1, 1)[0])],
  resetPreset: (raw) => [presetId('resetPreset: id', args('resetPreset', raw, 1, 1)[0])],
  importPresets: (raw) => [text('importPresets: json', args('importPresets', raw, 1, 1)[0], MAX_IMPORT_CHARS)],
  exportPresets: (raw) => {
    const a = args('exportPresets', raw, 0, 1);
    return a[0] === undefined ? [] : [presetIdList('exportPresets: ids', a[0])];
  },
  setTaskSettings: (raw) => [setTaskSettingsRequest(args('setTaskSettings', raw, 1, 1)[0])],
  setTranslationExamples: (raw) => [setExamplesRequest(args('setTranslationExamples', raw, 1, 1)[0])],
  getGenerationHistory: (raw) => [docId('getGenerationHistory: docId', args('getGenerationHistory', raw, 1, 1)[0])],
  setGenerationHistory: (raw) => [
    generationHistory('setGenerationHistory: history', args('setGenerationHistory', raw, 1, 1)[0], docId),
  ],
  exportDocument: (raw) => [exportRequest('exportDocument: request', args('exportDocument', raw, 1, 1)[0])],
  testRemoteServer: (raw) => [remoteServerRequest('testRemoteServer: request', args('testRemoteServer', raw, 1, 1)[0])],
  useRemoteServer: (raw) => [remoteServerRequest('useRemoteServer: request', args('useRemoteServer', raw, 1, 1)[0])],
  useLocalEngine: none('useLocalEngine'),
  shareModel: (raw) => {
    const on = args('shareModel', raw, 1, 1)[0];
    if (typeof on !== 'boolean') fail('shareModel: on', 'true or false', on);
    return [on];
  },
  getShareStatus: none('getShareStatus'),
};

/** Validates `args` for `method`; throws 'unknown_method' for a name outside the contract. */
export function validateArgs<M extends MethodName>(method: M, raw: unknown): Parameters<InklingMethods[M]>;
export function validateArgs(method: string, raw: unknown): unknown[];
export function validateArgs(method: string, raw: unknown): unknown[] {
  if (!isMethodName(method)) {
    throw new InklingError('unknown_method', `Unknown API method ${describeValue(method)}.`);
  }
  return VALIDATORS[method](raw);
}

export function isMethodName(name: unknown): name is MethodName {
  return typeof name === 'string' && Object.prototype.hasOwnProperty.call(VALIDATORS, name);
}
