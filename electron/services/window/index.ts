export {
  WindowStateStore,
  fitToDisplays,
  parseWindowState,
  DEFAULT_SIZE,
  MIN_SIZE,
  type Rect,
  type WindowState,
} from './windowState';
export {
  OpenQueue,
  checkDocumentPaths,
  documentArgs,
  documentsFromArgv,
  openErrorMessage,
  type ArgvContext,
  type OpenRequest,
  type StatFn,
} from './openFiles';
