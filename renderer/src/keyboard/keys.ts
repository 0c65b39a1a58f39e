/**
 * Key combinations as text: read from a keyboard event, written for people, checked for sense.
 *
 * Stored form (settings.shortcuts): modifiers in a fixed order then the key, joined by "+":
 * "Mod+Shift+P", "Alt+Enter", "F6", "Mod+/". "Mod" is ⌘ on macOS and Ctrl elsewhere, so one
 * binding works on every platform. Letters are upper case; "+" is spelled "Plus", " " "Space".
 */

import { MODIFIERS, WINDOW_KEYS, normalizeCombo, parseCombo, type Modifier } from '../../../electron/api/keymap';

// The stored spelling is shared with the Electron main process (menu accelerators).
export { MODIFIERS, normalizeCombo, parseCombo, type Modifier };

export const isMacPlatform = (): boolean =>
  typeof navigator !== 'undefined' && /Mac|iPhone|iPad/.test(navigator.platform || navigator.userAgent);

/** Punctuation keys by physical code, so Shift+/ reads as "Shift+/" and not "?". */
const CODE_KEYS: Record<string, string> = {
  Slash: '/',
  Comma: ',',
  Period: '.',
  BracketLeft: '[',
  BracketRight: ']',
  Backslash: '\\',
  Semicolon: ';',
  Quote: "'",
  Backquote: '`',
  Minus: '-',
  Equal: '=',
};

const NAMED: Record<string, string> = { ' ': 'Space', '+': 'Plus', Esc: 'Escape', Spacebar: 'Space', Del: 'Delete' };

/** The minimal event shape needed (a DOM KeyboardEvent fits). */
export interface KeyLike {
  key: string;
  code?: string;
  ctrlKey: boolean;
  metaKey: boolean;
  altKey: boolean;
  shiftKey: boolean;
}

/** The combination an event stands for, or null for a lone modifier press. */
export function eventCombo(e: KeyLike, mac = isMacPlatform()): string | null {
  if (
    ['Control', 'Shift', 'Alt', 'Meta', 'OS', 'AltGraph', 'CapsLock', 'Dead', 'Unidentified', 'Process'].includes(e.key)
  )
    return null;
  const mods: Modifier[] = [];
  if (mac ? e.metaKey : e.ctrlKey) mods.push('Mod');
  if (mac && e.ctrlKey) mods.push('Ctrl');
  if (!mac && e.metaKey) mods.push('Meta');
  if (e.altKey) mods.push('Alt');
  if (e.shiftKey) mods.push('Shift');
  const code = e.code ?? '';
  let key = NAMED[e.key] ?? e.key;
  if (/^Digit\d$/.test(code)) key = code.slice(5);
  else if (/^Numpad\d$/.test(code)) key = code.slice(6);
  else if (/^[a-zA-Z]$/.test(key)) key = key.toUpperCase();
  else if (/^Key[A-Z]$/.test(code) && (e.altKey || e.ctrlKey || e.metaKey))
    key = code.slice(3); // ⌥ letters type symbols
  else if (CODE_KEYS[code] && key.length === 1) key = CODE_KEYS[code];
  else if (key.length === 1) key = key.toUpperCase();
  return [...mods, key].join('+');
}

const MAC_SYMBOLS: Record<Modifier, string> = { Mod: '⌘', Ctrl: '⌃', Meta: '⌘', Alt: '⌥', Shift: '⇧' };
const PC_NAMES: Record<Modifier, string> = { Mod: 'Ctrl', Ctrl: 'Ctrl', Meta: 'Super', Alt: 'Alt', Shift: 'Shift' };
const KEY_LABELS: Record<string, string> = {
  ArrowUp: '↑',
  ArrowDown: '↓',
  ArrowLeft: '←',
  ArrowRight: '→',
  Escape: 'Esc',
  Plus: '+',
  Space: 'Space',
};

/** "Ctrl+Shift+P" / "⇧⌘P" for the writer's platform. "" shows as "—" (no key). */
export function formatCombo(combo: string, mac = isMacPlatform()): string {
  if (!combo) return '—';
  const { mods, key } = parseCombo(combo);
  const k = KEY_LABELS[key] ?? key;
  if (mac) {
    const order: Modifier[] = ['Ctrl', 'Alt', 'Shift', 'Mod', 'Meta'];
    return (
      order
        .filter((m) => mods.has(m))
        .map((m) => MAC_SYMBOLS[m])
        .join('') + k
    );
  }
  return [...MODIFIERS.filter((m) => mods.has(m)).map((m) => PC_NAMES[m]), k].join('+');
}

/**
 * Why a combination cannot be a shortcut, or null when it can: it must not type text (a modifier
 * other than Shift, or a function key) and must not take a key the editor needs.
 */
export function comboProblem(combo: string, reserved: ReadonlyMap<string, string>): string | null {
  const { mods, key } = parseCombo(combo);
  if (!key) return 'Press a key together with Ctrl, Alt or ⌘.';
  const fn = /^F([1-9]|1[0-9]|2[0-4])$/.test(key);
  const strong = mods.has('Mod') || mods.has('Ctrl') || mods.has('Meta') || mods.has('Alt');
  if (!fn && !strong) return `${formatCombo(combo)} would type text; add Ctrl, Alt or ⌘ (or use a function key).`;
  const taken = reserved.get(normalizeCombo(combo));
  if (taken) return `${formatCombo(combo)} is the editor's key for ${taken}.`;
  const windowKey = WINDOW_KEYS.get(normalizeCombo(combo));
  if (windowKey) return `${formatCombo(combo)} is the window's key for ${windowKey}.`;
  return null;
}
