/**
 * The app's keyboard commands (those outside the editor's own keymap): their ids, labels, default
 * keys (electron/api/keymap), and the writer's changes on top (settings.shortcuts). Conflicts are
 * found here, so the settings page can refuse them and the dispatcher never has to guess.
 */
import { COMMAND_BY_ID, COMMANDS } from '../../../electron/api/keymap';
import { normalizeCombo } from './keys';

// The command table, the editor's reserved keys and the writer's effective bindings are shared with
// the Electron main process (the application menu's accelerators): they live in electron/api/keymap.
export {
  COMMANDS,
  COMMAND_BY_ID,
  EDITOR_KEYS,
  RESERVED,
  effectiveBindings,
  isKeymapCommandId,
  type CommandDef,
  type CommandGroup,
  type KeymapCommandId,
} from '../../../electron/api/keymap';

/** combination → command id, for the dispatcher (the first command wins if the file has a clash). */
export function keyMap(bindings: Readonly<Record<string, string>>): Map<string, string> {
  const map = new Map<string, string>();
  for (const c of COMMANDS) {
    const k = bindings[c.id];
    if (k && !map.has(k)) map.set(k, c.id);
  }
  return map;
}

/** Pairs of commands sharing a key. */
export function conflicts(bindings: Readonly<Record<string, string>>): { key: string; ids: string[] }[] {
  const by = new Map<string, string[]>();
  for (const c of COMMANDS) {
    const k = bindings[c.id];
    if (k) by.set(k, [...(by.get(k) ?? []), c.id]);
  }
  return [...by].filter(([, ids]) => ids.length > 1).map(([key, ids]) => ({ key, ids }));
}

/** The command already on `combo`, other than `id`. */
export function takenBy(bindings: Readonly<Record<string, string>>, combo: string, id: string): string | null {
  const k = normalizeCombo(combo);
  for (const c of COMMANDS) if (c.id !== id && bindings[c.id] === k) return c.id;
  return null;
}

/**
 * The overrides after giving `id` the key `combo` ("" = none; null = back to its default). Only
 * differences from the defaults are kept, so a later change of a default still reaches the writer.
 */
export function withBinding(
  overrides: Readonly<Record<string, string>>,
  id: string,
  combo: string | null,
): Record<string, string> {
  const next: Record<string, string> = { ...overrides };
  const def = COMMAND_BY_ID.get(id)?.defaultKey;
  if (combo === null || (combo !== '' && normalizeCombo(combo) === def)) delete next[id];
  else next[id] = combo === '' ? '' : normalizeCombo(combo);
  return next;
}
