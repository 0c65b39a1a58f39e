export { createSettingsStore, resolvedTheme, type SettingsStore, type SettingsState } from './settings';
export { createEngineStore, engineStateLabel, modelLabel, type EngineStore, type EngineStoreState } from './engine';
export { createGenerationStore, type ContextUse, type GenerationStore, type GenerationState } from './generation';
export {
  createDocumentsStore,
  UNTITLED,
  type DocumentsStore,
  type DocumentsState,
  type DocMeta,
  type DocumentTexts,
  type SaveOutcome,
  type SaveState,
} from './documents';
export { createUiStore, type UiStore, type UiState, type Dialog, type Notice } from './ui';
