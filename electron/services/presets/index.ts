export { PresetsService, MAX_USER_PRESETS, MAX_DOCUMENT_OVERRIDES } from './presets';
export { BUILTIN_PRESETS, BUILTIN_BY_ID, TASK_DEFAULT_PRESET, type BuiltinPreset } from './builtins';
