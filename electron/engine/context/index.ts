/**
 * What the model reads of a document: memory + a window anchored to the document, with the
 * document's tokens kept incrementally (documentWindow.ts).
 */
export {
  DocumentWindows,
  MemoryTooLongError,
  SLIDE_STEP,
  memoryPrefix,
  type PlanOptions,
  type WindowPlan,
} from './documentWindow';
