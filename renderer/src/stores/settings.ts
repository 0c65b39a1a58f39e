/**
 * Settings store: the writer's settings as the host keeps them, plus the system colour scheme so
 * the theme can follow it. Updates are optimistic (the UI reacts at once) and rolled back, with the
 * host's message, if the host refuses them.
 */
import { createStore, type StoreApi } from 'zustand/vanilla';
import { DEFAULT_SETTINGS, type InklingApi, type Settings } from '../../../electron/api';
import { errorMessage } from '../../../electron/api';

export interface SettingsState {
  settings: Settings;
  loaded: boolean;
  /** prefers-color-scheme: dark, as last reported by the system. */
  systemDark: boolean;
  error: string | null;
  load(): Promise<void>;
  update(patch: Partial<Settings>): Promise<void>;
  setSystemDark(dark: boolean): void;
  /** Applies settings pushed by the host (another window, the menu). */
  receive(settings: Settings): void;
}

export type SettingsStore = StoreApi<SettingsState>;

/** 'light' | 'dark' after resolving 'system' against the OS preference. */
export function resolvedTheme(s: Pick<SettingsState, 'settings' | 'systemDark'>): 'light' | 'dark' {
  if (s.settings.theme === 'system') return s.systemDark ? 'dark' : 'light';
  return s.settings.theme;
}

export function createSettingsStore(api: Pick<InklingApi, 'getSettings' | 'updateSettings'>): SettingsStore {
  // Changes sent but not yet answered, oldest first: whatever the host sends meanwhile (the answer to
  // an earlier change, another window's broadcast) is shown with them on top, so a quick second
  // change never flickers back; a failed change reverts only its own keys.
  const pending: Partial<Settings>[] = [];
  let host: Settings = { ...DEFAULT_SETTINGS };
  const shown = (): Settings => pending.reduce<Settings>((s, p) => ({ ...s, ...p }), { ...host });
  const settle = (patch: Partial<Settings>) => {
    const i = pending.indexOf(patch);
    if (i >= 0) pending.splice(i, 1);
  };
  return createStore<SettingsState>()((set) => ({
    settings: { ...DEFAULT_SETTINGS },
    loaded: false,
    systemDark: false,
    error: null,
    async load() {
      try {
        host = await api.getSettings();
        set({ settings: shown(), loaded: true, error: null });
      } catch (e) {
        set({ loaded: true, error: `Could not read your settings: ${errorMessage(e)}` });
      }
    },
    async update(patch) {
      pending.push(patch);
      set({ settings: shown() });
      try {
        const answer = await api.updateSettings(patch);
        settle(patch);
        host = answer;
        set({ settings: shown(), error: null });
      } catch (e) {
        settle(patch);
        set({ settings: shown(), error: errorMessage(e) });
      }
    },
    setSystemDark(dark) {
      set({ systemDark: dark });
    },
    receive(settings) {
      host = settings;
      set({ settings: shown() });
    },
  }));
}
