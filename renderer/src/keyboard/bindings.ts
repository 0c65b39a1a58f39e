/**
 * The app's keyboard commands (those outside the editor's own keymap): their ids, labels, default
 * keys, and the writer's changes on top (settings.shortcuts). Conflicts are found here, so the
 * settings page can refuse them and the dispatcher never has to guess.
 */
import { normalizeCombo } from './keys';

export type CommandGroup = 'Documents' | 'Side panel' | 'Probabilities' | 'Help';

export interface CommandDef {
  id: string;
  label: string;
  group: CommandGroup;
  defaultKey: string;
}

export const COMMANDS: readonly CommandDef[] = [
  { id: 'file.new', label: 'New document', group: 'Documents', defaultKey: 'Mod+N' },
  { id: 'file.open', label: 'Open a file', group: 'Documents', defaultKey: 'Mod+O' },
  { id: 'file.save', label: 'Save', group: 'Documents', defaultKey: 'Mod+S' },
  { id: 'file.saveAs', label: 'Save as', group: 'Documents', defaultKey: 'Mod+Shift+S' },
  { id: 'file.close', label: 'Close the document', group: 'Documents', defaultKey: 'Mod+W' },
  { id: 'view.models', label: 'Models: download, import and choose', group: 'Documents', defaultKey: 'Mod+Shift+M' },
  { id: 'panel.toggle', label: 'Show or hide the side panel', group: 'Side panel', defaultKey: 'Mod+Shift+P' },
  { id: 'panel.focus', label: 'Move between the text and the side panel', group: 'Side panel', defaultKey: 'F6' },
  { id: 'pane.continue', label: 'Continue pane: alternatives as cards', group: 'Side panel', defaultKey: 'Mod+Shift+1' },
  { id: 'pane.translate', label: 'Translate pane', group: 'Side panel', defaultKey: 'Mod+Shift+2' },
  { id: 'pane.summarize', label: 'Summarize pane', group: 'Side panel', defaultKey: 'Mod+Shift+3' },
  { id: 'pane.answer', label: 'Ask pane: questions about the text', group: 'Side panel', defaultKey: 'Mod+Shift+4' },
  { id: 'pane.sampling', label: 'Sampling controls and presets', group: 'Side panel', defaultKey: 'Mod+Shift+5' },
  { id: 'pane.run', label: 'Run the open pane (generate, translate, summarize, ask)', group: 'Side panel', defaultKey: 'Mod+Enter' },
  { id: 'heatmap.toggle', label: 'Tint the text by how surprising each token is (heat map)', group: 'Probabilities', defaultKey: 'Mod+Shift+H' },
  { id: 'tokens.inspect', label: "Show the model's alternatives for the token at the cursor", group: 'Probabilities', defaultKey: 'Alt+Enter' },
  { id: 'help.shortcuts', label: 'Keyboard cheat sheet', group: 'Help', defaultKey: 'Mod+/' },
  { id: 'help.keyboardSettings', label: 'Change keyboard shortcuts', group: 'Help', defaultKey: 'Mod+,' },
];

export const COMMAND_BY_ID: ReadonlyMap<string, CommandDef> = new Map(COMMANDS.map((c) => [c.id, c]));

/** Keys the editor itself uses (its keymap is not rebindable): combination → what it does. */
export const EDITOR_KEYS: readonly { key: string; label: string }[] = [
  { key: 'Tab', label: 'Ask for a continuation; when one is shown, accept it (at the start of a line Tab indents)' },
  { key: 'Mod+Space', label: 'Ask for a (new) continuation' },
  { key: 'Mod+ArrowRight', label: 'Accept the next word of the suggestion' },
  { key: 'Alt+]', label: 'Next alternative' },
  { key: 'Alt+[', label: 'Previous alternative' },
  { key: 'Escape', label: 'Dismiss the suggestion and stop generating' },
  { key: 'Mod+Z', label: 'Undo (an accepted suggestion is one step)' },
  { key: 'Mod+Shift+Z', label: 'Redo' },
  { key: 'Mod+F', label: 'Find and replace' },
];

/** Reserved combinations (the editor's keys and clipboard / selection basics) → what they do. */
export const RESERVED: ReadonlyMap<string, string> = new Map([
  ...EDITOR_KEYS.map((k) => [normalizeCombo(k.key), k.label.split(';')[0].toLowerCase()] as [string, string]),
  ['Mod+C', 'copy'],
  ['Mod+X', 'cut'],
  ['Mod+V', 'paste'],
  ['Mod+A', 'select all'],
  ['Mod+Y', 'redo'],
  ['Ctrl+Space', 'asking for a continuation'],
]);

/** Every command's key after the writer's changes ("" = no key). Unknown ids in `overrides` are ignored. */
export function effectiveBindings(overrides: Readonly<Record<string, string>>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const c of COMMANDS) {
    const o = overrides[c.id];
    out[c.id] = o === undefined ? c.defaultKey : o === '' ? '' : normalizeCombo(o);
  }
  return out;
}

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
export function withBinding(overrides: Readonly<Record<string, string>>, id: string, combo: string | null): Record<string, string> {
  const next: Record<string, string> = { ...overrides };
  const def = COMMAND_BY_ID.get(id)?.defaultKey;
  if (combo === null || (combo !== '' && normalizeCombo(combo) === def)) delete next[id];
  else next[id] = combo === '' ? '' : normalizeCombo(combo);
  return next;
}
