/**
 * The writer's key bindings (electron/api/keymap's stored form, e.g. "Mod+Shift+P") as Electron
 * menu accelerators ("CmdOrCtrl+Shift+P"), so the application menu shows — and answers to — the keys
 * the writer chose in the keyboard settings. Pure: no Electron import.
 */
import {
  COMMANDS,
  RESERVED,
  WINDOW_KEYS,
  effectiveBindings,
  normalizeCombo,
  parseCombo,
  type KeymapCommandId,
} from '../api/keymap';

/** DOM key names (as stored) whose Electron accelerator name differs or must be spelled out. */
const NAMED_KEYS: Readonly<Record<string, string>> = {
  ArrowUp: 'Up',
  ArrowDown: 'Down',
  ArrowLeft: 'Left',
  ArrowRight: 'Right',
  Enter: 'Enter',
  Escape: 'Escape',
  Tab: 'Tab',
  Space: 'Space',
  Plus: 'Plus',
  Backspace: 'Backspace',
  Delete: 'Delete',
  Insert: 'Insert',
  Home: 'Home',
  End: 'End',
  PageUp: 'PageUp',
  PageDown: 'PageDown',
  PrintScreen: 'PrintScreen',
};

/** Punctuation Electron accepts as a key (the unshifted US-layout characters the keymap stores). */
const PUNCTUATION = new Set(['/', ',', '.', '[', ']', '\\', ';', "'", '`', '=', '-']);

function electronKey(key: string): string | null {
  if (/^[A-Za-z0-9]$/.test(key)) return key.toUpperCase();
  if (/^F([1-9]|1[0-9]|2[0-4])$/.test(key)) return key;
  if (PUNCTUATION.has(key)) return key;
  return NAMED_KEYS[key] ?? null;
}

/**
 * A stored combination in Electron's accelerator syntax, or null when it has no key or Electron has
 * no name for the key (the menu item then shows no key; the renderer's dispatcher still handles it).
 * "Mod" is CmdOrCtrl; "Ctrl" is the Control key everywhere; "Meta" is ⌘ on macOS and the
 * Super/Windows key elsewhere (that is how renderer/src/keyboard reads key events).
 */
export function toAccelerator(combo: string, platform: NodeJS.Platform): string | null {
  if (!combo) return null;
  const { mods, key } = parseCombo(combo);
  const k = electronKey(key);
  if (!k) return null;
  const mac = platform === 'darwin';
  const out: string[] = [];
  if (mods.has('Mod')) out.push('CmdOrCtrl');
  // Off macOS, Mod already is Ctrl; on macOS, Mod already is ⌘.
  if (mods.has('Ctrl') && (mac || !mods.has('Mod'))) out.push('Ctrl');
  if (mods.has('Meta') && !(mac && mods.has('Mod'))) out.push(mac ? 'Cmd' : 'Super');
  if (mods.has('Alt')) out.push('Alt');
  if (mods.has('Shift')) out.push('Shift');
  out.push(k);
  return out.join('+');
}

/**
 * Whether a combination may be registered as a global menu accelerator: it must not type text (a
 * modifier other than Shift, or a function key) and must not take one of the editor's keys — the
 * same rules the keyboard settings apply, checked again because settings.json can be hand-edited.
 */
export function isMenuSafeCombo(combo: string): boolean {
  const { mods, key } = parseCombo(combo);
  if (!key) return false;
  const fn = /^F([1-9]|1[0-9]|2[0-4])$/.test(key);
  const strong = mods.has('Mod') || mods.has('Ctrl') || mods.has('Meta') || mods.has('Alt');
  return (fn || strong) && !RESERVED.has(normalizeCombo(combo)) && !WINDOW_KEYS.has(normalizeCombo(combo));
}

export interface MenuKeymap {
  /** Keymap command → its accelerator (absent = the item shows no key). */
  accelerators: ReadonlyMap<KeymapCommandId, string>;
  /** Stored combinations the writer's bindings occupy (normalized), for the menu's fixed keys to avoid. */
  taken: ReadonlySet<string>;
}

/**
 * The accelerators of the rebindable commands after the writer's changes (settings.shortcuts). As in
 * the renderer's dispatcher, the first command wins when a hand-edited file gives two the same key.
 */
export function menuKeymap(overrides: Readonly<Record<string, string>>, platform: NodeJS.Platform): MenuKeymap {
  const bindings = effectiveBindings(overrides);
  const accelerators = new Map<KeymapCommandId, string>();
  const taken = new Set<string>();
  for (const c of COMMANDS) {
    const combo = bindings[c.id];
    if (!combo || taken.has(combo)) continue;
    taken.add(combo);
    if (!isMenuSafeCombo(combo)) continue;
    const accelerator = toAccelerator(combo, platform);
    if (accelerator) accelerators.set(c.id, accelerator);
  }
  return { accelerators, taken };
}
