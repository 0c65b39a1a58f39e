/** Quality measurements of installed models (`inkling eval`) and what the Models page shows of them. */
export {
  DATASETS,
  EVAL_TASKS,
  fetchDataset,
  wikitextText,
  datasetsRoot,
  type DatasetSpec,
  type EvalTask,
  type LoadedDataset,
  type DatasetOrigin,
} from './datasets';
export {
  runEval,
  DEFAULT_STRIDE,
  MAX_CONTEXT,
  type EvalOptions,
  type EvalReport,
  type EvalEvent,
  type PrecisionResult,
} from './run';
export {
  recordEvals,
  currentRecords,
  compareWithFp32,
  precisionAdvice,
  MUCH_WORSE_PERPLEXITY,
  MUCH_WORSE_ACCURACY,
  type VsFp32,
} from './records';
