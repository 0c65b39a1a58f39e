export {
  COMMANDS,
  COMMAND_BY_ID,
  EDITOR_KEYS,
  RESERVED,
  conflicts,
  effectiveBindings,
  isKeymapCommandId,
  keyMap,
  takenBy,
  withBinding,
  type CommandDef,
  type CommandGroup,
  type KeymapCommandId,
} from './bindings';
export { comboProblem, eventCombo, formatCombo, isMacPlatform, normalizeCombo, parseCombo, type KeyLike } from './keys';
export { createKeyboard, type Keyboard, type KeyCommands, type KeyboardOptions } from './dispatcher';
