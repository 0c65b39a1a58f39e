export { TaskService, alignTokens, type TaskEngine, type TaskServiceOptions } from './taskService';
export {
  planTask,
  taskParams,
  sentencesByParagraph,
  TASK_PARAMS,
  MAX_TRANSLATE_SENTENCES,
  type TaskPlan,
  type PlanStep,
} from './plan';
export { scoreSpans, type TokenBytes } from './spans';
export { modelTokenizer } from './tokenizers';
export { paneHandlers, type PaneHandlers } from './handlers';
