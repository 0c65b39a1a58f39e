/**
 * What the model reads of a document: memory + a window anchored to the document, with the
 * document's tokens kept incrementally (documentWindow.ts).
 */
export {
  DocumentWindows,
  MemoryTooLongError,
  SCORE_PARTS,
  scorePartsFrom,
  type PartSpan,
  SLIDE_STEP,
  memoryPrefix,
  ofDocument,
  paneKey,
  windowInfo,
  windowReport,
  type PlanOptions,
  type WindowPlan,
} from './documentWindow';
export { ScoredPartCache, SCORED_PARTS_BUDGET_BYTES } from './scoredParts';
