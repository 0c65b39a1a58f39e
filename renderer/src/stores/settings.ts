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
  return createStore<SettingsState>()((set, get) => ({
    settings: { ...DEFAULT_SETTINGS },
    loaded: false,
    systemDark: false,
    error: null,
    async load() {
      try {
        set({ settings: await api.getSettings(), loaded: true, error: null });
      } catch (e) {
        set({ loaded: true, error: `Could not read your settings: ${errorMessage(e)}` });
      }
    },
    async update(patch) {
      const before = get().settings;
      set({ settings: { ...before, ...patch } });
      try {
        set({ settings: await api.updateSettings(patch), error: null });
      } catch (e) {
        set({ settings: before, error: errorMessage(e) });
      }
    },
    setSystemDark(dark) {
      set({ systemDark: dark });
    },
    receive(settings) {
      set({ settings });
    },
  }));
}
