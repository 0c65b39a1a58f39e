/**
 * The writer's settings: one flat object, its defaults and its validation. Shared by the settings
 * service (which persists it) and the renderer (which shows it), so both agree on ranges.
 */
import { describeValue } from '../common/describe';
import { InklingError } from './errors';
import { remoteServerSettingProblem, type RemoteServerSetting } from './remote';

export type Theme = 'system' | 'light' | 'dark';
export type FontFamily = 'serif' | 'sans' | 'mono';
/** Where the model runs (onnxruntime execution provider); one that fails to start falls back to the CPU. */
export type Device = 'cpu' | 'cuda' | 'dml' | 'coreml';
/** The side panel's panes. */
export type PaneId = 'continue' | 'translate' | 'summarize' | 'answer' | 'sampling';
export const PANE_IDS: readonly PaneId[] = ['continue', 'translate', 'summarize', 'answer', 'sampling'];
/** A key combination as stored: modifiers then the key, e.g. "Mod+Shift+P", "F6", "Alt+Enter" ("Mod" = Ctrl, or ⌘ on macOS). */
export const SHORTCUT_RE = /^(?:(?:Mod|Ctrl|Alt|Shift|Meta)\+){0,4}(?:[A-Za-z0-9]{1,12}|[/,.[\]\\;'`=-])$/;
export const MAX_SHORTCUTS = 100;

export interface Settings {
  /** 'system' follows the OS (prefers-color-scheme). */
  theme: Theme;
  fontFamily: FontFamily;
  /** Editor font size in CSS px. */
  fontSize: number;
  /** Ask for a continuation after a pause in typing (off by default: Tab asks). */
  autoSuggest: boolean;
  /** The pause, in ms, before an automatic suggestion. */
  autoSuggestDelayMs: number;
  /** Save named documents automatically after a pause. Untitled documents are covered by backups. */
  autosave: boolean;
  autosaveDelayMs: number;
  /** How many alternatives a suggestion offers (Alt+] / Alt+[ cycle them). */
  alternatives: number;
  /** Length of a suggestion, in tokens. */
  maxNewTokens: number;
  temperature: number;
  topP: number;
  /** Model folder loaded at start (null = none; the welcome screen explains what to do). */
  modelDir: string | null;
  /** Execution provider for the model; changing it reloads the model. */
  device: Device;
  /** CPU threads for the model (0 = automatic: one per physical core, runtime/threads.ts); changing it reloads the model. */
  threads: number;
  /** The side panel is on show. */
  panelOpen: boolean;
  /** The side panel's width in CSS px. */
  panelWidth: number;
  /** The pane the side panel shows. */
  panelPane: PaneId;
  /** Keyboard shortcuts the writer changed: command id → key combination ("" = no key). */
  shortcuts: Record<string, string>;
  /**
   * The desktop app may look for a new version of Inkling (only builds that carry a release feed
   * ever do; nothing is downloaded without asking). Off: no update check is made at all.
   */
  checkForUpdates: boolean;
  /** The OpenAI-compatible server last used ("Use a server"); its API key is kept apart, never here. */
  remoteServer: RemoteServerSetting | null;
  /** Suggestions come from `remoteServer` instead of the local model (set through useRemoteServer / useLocalEngine). */
  useRemote: boolean;
}

export const DEFAULT_SETTINGS: Readonly<Settings> = Object.freeze({
  theme: 'system',
  fontFamily: 'serif',
  fontSize: 18,
  autoSuggest: false,
  autoSuggestDelayMs: 700,
  autosave: false,
  autosaveDelayMs: 1500,
  alternatives: 3,
  maxNewTokens: 32,
  temperature: 0.8,
  topP: 0.95,
  modelDir: null,
  device: 'cpu',
  threads: 0,
  panelOpen: false,
  panelWidth: 420,
  panelPane: 'continue',
  shortcuts: Object.freeze({}) as Record<string, string>,
  checkForUpdates: true,
  remoteServer: null,
  useRemote: false,
});

type Check = (value: unknown) => string | null;

const oneOf =
  (options: readonly string[]): Check =>
  (v) =>
    typeof v === 'string' && options.includes(v) ? null : `one of ${options.map((o) => `'${o}'`).join(', ')}`;
const bool: Check = (v) => (typeof v === 'boolean' ? null : 'true or false');
const int =
  (min: number, max: number): Check =>
  (v) =>
    typeof v === 'number' && Number.isInteger(v) && v >= min && v <= max
      ? null
      : `a whole number from ${min} to ${max}`;
const num =
  (min: number, max: number): Check =>
  (v) =>
    typeof v === 'number' && Number.isFinite(v) && v >= min && v <= max ? null : `a number from ${min} to ${max}`;
const pathOrNull: Check = (v) =>
  v === null || (typeof v === 'string' && v.length > 0 && v.length <= 4096 && !v.includes('\0'))
    ? null
    : 'a folder path or null';

const shortcutMap: Check = (v) => {
  const expected = `an object of command id → key combination (like {"panel.toggle": "Mod+Shift+P"}), at most ${MAX_SHORTCUTS} entries`;
  if (!v || typeof v !== 'object' || Array.isArray(v)) return expected;
  const entries = Object.entries(v);
  if (entries.length > MAX_SHORTCUTS) return expected;
  for (const [id, key] of entries) {
    if (!/^[a-z][A-Za-z0-9]*(\.[A-Za-z0-9]+){0,3}$/.test(id) || id.length > 48)
      return `${expected}; '${id.slice(0, 48)}' is not a command id`;
    if (typeof key !== 'string' || (key !== '' && !SHORTCUT_RE.test(key)))
      return `${expected}; ${JSON.stringify(String(key).slice(0, 40))} is not a key combination`;
  }
  return null;
};

/** One check per key; a key missing here is not a setting. */
export const SETTINGS_SCHEMA: { readonly [K in keyof Settings]: Check } = {
  theme: oneOf(['system', 'light', 'dark']),
  fontFamily: oneOf(['serif', 'sans', 'mono']),
  fontSize: int(10, 40),
  autoSuggest: bool,
  autoSuggestDelayMs: int(100, 10_000),
  autosave: bool,
  autosaveDelayMs: int(250, 60_000),
  alternatives: int(1, 8),
  maxNewTokens: int(1, 512),
  temperature: num(0, 5),
  topP: num(0, 1),
  modelDir: pathOrNull,
  device: oneOf(['cpu', 'cuda', 'dml', 'coreml']),
  threads: int(0, 256),
  panelOpen: bool,
  panelWidth: int(260, 1200),
  panelPane: oneOf(PANE_IDS),
  shortcuts: shortcutMap,
  checkForUpdates: bool,
  remoteServer: remoteServerSettingProblem,
  useRemote: bool,
};

const KEYS = Object.keys(SETTINGS_SCHEMA) as (keyof Settings)[];

/** Validates a partial update: every key must be a known setting with a valid value. */
export function validateSettingsPatch(patch: unknown): Partial<Settings> {
  if (!patch || typeof patch !== 'object' || Array.isArray(patch)) {
    throw new InklingError(
      'bad_request',
      'updateSettings expects an object of settings to change, e.g. {"theme": "dark"}.',
    );
  }
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(patch)) {
    const check = (SETTINGS_SCHEMA as Record<string, Check | undefined>)[key];
    if (!check || !Object.prototype.hasOwnProperty.call(SETTINGS_SCHEMA, key)) {
      throw new InklingError('bad_request', `Unknown setting '${key}'. Known settings: ${KEYS.join(', ')}.`);
    }
    const problem = check(value);
    if (problem)
      throw new InklingError('bad_request', `Setting '${key}' must be ${problem}; got ${describeValue(value)}.`);
    out[key] = value;
  }
  return out as Partial<Settings>;
}

/**
 * Turns whatever was read from disk into valid settings: unknown keys are dropped, invalid values
 * fall back to their default, and each repair is reported as a warning (never a crash).
 */
export function sanitizeSettings(raw: unknown): { settings: Settings; warnings: string[] } {
  const settings: Settings = { ...DEFAULT_SETTINGS };
  const warnings: string[] = [];
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) {
    warnings.push('The settings file does not hold an object; using the defaults.');
    return { settings, warnings };
  }
  for (const [key, value] of Object.entries(raw)) {
    if (!Object.prototype.hasOwnProperty.call(SETTINGS_SCHEMA, key)) {
      warnings.push(`Ignoring unknown setting '${key}'.`);
      continue;
    }
    const k = key as keyof Settings;
    const problem = SETTINGS_SCHEMA[k](value);
    if (problem) {
      warnings.push(
        `Setting '${key}' must be ${problem}; got ${describeValue(value)}. Using the default (${describeValue(DEFAULT_SETTINGS[k])}).`,
      );
      continue;
    }
    (settings as unknown as Record<string, unknown>)[k] = value;
  }
  return { settings, warnings };
}
