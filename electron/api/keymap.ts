/**
 * The app's keymap as data, shared by the renderer (keyboard dispatcher, shortcut settings) and the
 * Electron main process (the application menu's accelerators), so a key the writer rebinds moves in
 * both places. Reading key events and writing combinations for people stay in renderer/src/keyboard.
 *
 * Stored form (settings.shortcuts): modifiers in a fixed order then the key, joined by "+":
 * "Mod+Shift+P", "Alt+Enter", "F6", "Mod+/". "Mod" is ⌘ on macOS and Ctrl elsewhere, so one
 * binding works on every platform. Letters are upper case; "+" is spelled "Plus", " " "Space".
 */

export const MODIFIERS = ['Mod', 'Ctrl', 'Meta', 'Alt', 'Shift'] as const;
export type Modifier = (typeof MODIFIERS)[number];

/** Splits "Mod+Shift+P" into modifiers and key (the key may itself be "+"-free punctuation). */
export function parseCombo(combo: string): { mods: Set<Modifier>; key: string } {
  const parts = combo.split('+');
  const key = parts.pop() ?? '';
  return { mods: new Set(parts.filter((p): p is Modifier => (MODIFIERS as readonly string[]).includes(p))), key };
}

/** The stored spelling: modifiers in canonical order (so "Shift+Mod+P" equals "Mod+Shift+P"). */
export function normalizeCombo(combo: string): string {
  const { mods, key } = parseCombo(combo);
  return [...MODIFIERS.filter((m) => mods.has(m)), key].join('+');
}

export type CommandGroup = 'Documents' | 'Writing' | 'Side panel' | 'Probabilities' | 'Help';

export interface CommandDef {
  id: string;
  label: string;
  group: CommandGroup;
  defaultKey: string;
}

/** The app's keyboard commands (those outside the editor's own keymap): ids, labels, default keys. */
export const COMMANDS = [
  { id: 'file.new', label: 'New document', group: 'Documents', defaultKey: 'Mod+N' },
  { id: 'file.open', label: 'Open a file', group: 'Documents', defaultKey: 'Mod+O' },
  { id: 'file.save', label: 'Save', group: 'Documents', defaultKey: 'Mod+S' },
  { id: 'file.saveAs', label: 'Save as', group: 'Documents', defaultKey: 'Mod+Shift+S' },
  { id: 'file.close', label: 'Close the document', group: 'Documents', defaultKey: 'Mod+W' },
  {
    id: 'file.export',
    label: 'Export as a web page, PDF or plain text',
    group: 'Documents',
    defaultKey: 'Mod+Shift+E',
  },
  { id: 'view.models', label: 'Models: download, import and choose', group: 'Documents', defaultKey: 'Mod+Shift+M' },
  {
    id: 'memory.edit',
    label: "Memory: what the model reads before this document's text",
    group: 'Documents',
    defaultKey: 'Mod+Shift+Y',
  },
  {
    id: 'generation.retry',
    label: 'Retry: a fresh suggestion in place of the last generation (Tab takes it, Esc keeps the old)',
    group: 'Writing',
    defaultKey: 'Alt+R',
  },
  {
    id: 'generation.history',
    label: 'Generation history here: earlier tries, alternatives, other cards',
    group: 'Writing',
    defaultKey: 'Alt+Shift+H',
  },
  {
    id: 'view.focusMode',
    label: 'Focus mode: hide everything but the text, keep the line you write in the middle',
    group: 'Writing',
    defaultKey: 'Mod+Shift+F',
  },
  {
    id: 'view.preview',
    label: 'Markdown preview: show the text as it will read, or edit it again',
    group: 'Writing',
    defaultKey: 'Mod+Alt+P',
  },
  { id: 'panel.toggle', label: 'Show or hide the side panel', group: 'Side panel', defaultKey: 'Mod+Shift+P' },
  { id: 'panel.focus', label: 'Move between the text and the side panel', group: 'Side panel', defaultKey: 'F6' },
  {
    id: 'pane.continue',
    label: 'Continue pane: alternatives as cards',
    group: 'Side panel',
    defaultKey: 'Mod+Shift+1',
  },
  { id: 'pane.translate', label: 'Translate pane', group: 'Side panel', defaultKey: 'Mod+Shift+2' },
  { id: 'pane.summarize', label: 'Summarize pane', group: 'Side panel', defaultKey: 'Mod+Shift+3' },
  { id: 'pane.answer', label: 'Ask pane: questions about the text', group: 'Side panel', defaultKey: 'Mod+Shift+4' },
  { id: 'pane.sampling', label: 'Sampling controls and presets', group: 'Side panel', defaultKey: 'Mod+Shift+5' },
  {
    id: 'pane.run',
    label: 'Run the open pane (generate, translate, summarize, ask)',
    group: 'Side panel',
    defaultKey: 'Mod+Enter',
  },
  {
    id: 'heatmap.toggle',
    label: 'Tint the text by how surprising each token is (heat map)',
    group: 'Probabilities',
    defaultKey: 'Mod+Shift+H',
  },
  {
    id: 'tokens.inspect',
    label: "Show the model's alternatives for the token at the cursor",
    group: 'Probabilities',
    defaultKey: 'Alt+Enter',
  },
  { id: 'help.shortcuts', label: 'Keyboard cheat sheet', group: 'Help', defaultKey: 'Mod+/' },
  { id: 'help.keyboardSettings', label: 'Change keyboard shortcuts', group: 'Help', defaultKey: 'Mod+,' },
] as const satisfies readonly CommandDef[];

/** The id of a command the writer can rebind. */
export type KeymapCommandId = (typeof COMMANDS)[number]['id'];

export const COMMAND_BY_ID: ReadonlyMap<string, CommandDef> = new Map(COMMANDS.map((c) => [c.id, c]));

export function isKeymapCommandId(id: string): id is KeymapCommandId {
  return COMMAND_BY_ID.has(id);
}

/** Keys the editor itself uses (its keymap is not rebindable): combination → what it does. */
export const EDITOR_KEYS: readonly { key: string; label: string }[] = [
  { key: 'Tab', label: 'Ask for a continuation; when one is shown, accept it (at the start of a line Tab indents)' },
  { key: 'Mod+Space', label: 'Ask for a (new) continuation' },
  { key: 'Mod+ArrowRight', label: 'Accept the next word of the suggestion' },
  { key: 'Mod+Shift+ArrowRight', label: 'Accept the next line of the suggestion' },
  { key: 'Alt+]', label: 'Next alternative' },
  { key: 'Alt+[', label: 'Previous alternative' },
  { key: 'Escape', label: 'Dismiss the suggestion and stop generating; after Retry, the text stays as it was' },
  { key: 'Mod+Z', label: 'Undo (a generation is one step, even when accepted word by word)' },
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

/**
 * Keys the desktop app's own window menu items keep (Electron roles with built-in accelerators):
 * binding a command to one would fire both. Refused like the editor's keys.
 */
export const WINDOW_KEYS: ReadonlyMap<string, string> = new Map(
  (
    [
      ['Mod+M', 'minimizing the window'],
      ['Mod+Q', 'quitting Inkling'],
      ['Mod+H', 'hiding Inkling (macOS)'],
      ['Mod+Alt+H', 'hiding other apps (macOS)'],
      ['Ctrl+Mod+F', 'full screen (macOS)'],
      ['F11', 'full screen'],
    ] as [string, string][]
  ).map(([k, what]) => [normalizeCombo(k), what]),
);

/** Every command's key after the writer's changes ("" = no key). Unknown ids in `overrides` are ignored. */
export function effectiveBindings(overrides: Readonly<Record<string, string>>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const c of COMMANDS) {
    const o = overrides[c.id];
    out[c.id] = o === undefined ? c.defaultKey : o === '' ? '' : normalizeCombo(o);
  }
  return out;
}
