/**
 * Panel store: whether the side panel is shown, its width, which pane it shows, and the keyboard
 * settings page. The first three live in the writer's settings (so the panel comes back as it was);
 * width changes are saved after the drag or key presses stop.
 */
import { createStore, type StoreApi } from 'zustand/vanilla';
import type { PaneId, Settings } from '../../../electron/api';
import type { SettingsStore } from '../stores';

export const MIN_PANEL_WIDTH = 280;
export const MAX_PANEL_WIDTH = 900;

export interface PanelState {
  open: boolean;
  width: number;
  pane: PaneId;
  /** Bumped to ask the panel to take the keyboard focus (after a pane shortcut). */
  focusSeq: number;
  /** The keyboard settings page is open. */
  shortcutSettings: boolean;
  /** A shortcut field is listening for keys: app shortcuts must not fire. */
  capturing: boolean;
  show(pane?: PaneId, focus?: boolean): void;
  hide(): void;
  toggle(): void;
  setWidth(px: number): void;
  openShortcutSettings(): void;
  closeShortcutSettings(): void;
  setCapturing(on: boolean): void;
}

export type PanelStore = StoreApi<PanelState>;

export function clampWidth(px: number): number {
  const viewport = typeof window !== 'undefined' ? window.innerWidth : 1600;
  return Math.round(
    Math.min(Math.max(MIN_PANEL_WIDTH, px), Math.max(MIN_PANEL_WIDTH, Math.min(MAX_PANEL_WIDTH, viewport - 320))),
  );
}

export function createPanelStore(settings: SettingsStore): PanelStore {
  let widthTimer: ReturnType<typeof setTimeout> | null = null;
  const persist = (patch: Partial<Settings>) => void settings.getState().update(patch);

  const store = createStore<PanelState>()((set, get) => ({
    open: settings.getState().settings.panelOpen,
    width: settings.getState().settings.panelWidth,
    pane: settings.getState().settings.panelPane,
    focusSeq: 0,
    shortcutSettings: false,
    capturing: false,
    show(pane, focus = false) {
      const next = pane ?? get().pane;
      const changed = !get().open || next !== get().pane;
      set({ open: true, pane: next, focusSeq: focus ? get().focusSeq + 1 : get().focusSeq });
      if (changed) persist({ panelOpen: true, panelPane: next });
    },
    hide() {
      if (!get().open) return;
      set({ open: false });
      persist({ panelOpen: false });
    },
    toggle() {
      if (get().open) get().hide();
      else get().show(undefined, true);
    },
    setWidth(px) {
      const width = clampWidth(px);
      if (width === get().width) return;
      set({ width });
      if (widthTimer) clearTimeout(widthTimer);
      widthTimer = setTimeout(() => persist({ panelWidth: width }), 400);
    },
    openShortcutSettings() {
      set({ shortcutSettings: true });
    },
    closeShortcutSettings() {
      set({ shortcutSettings: false, capturing: false });
    },
    setCapturing(on) {
      set({ capturing: on });
    },
  }));

  // The settings arrive after start-up (and from other windows): follow them until the writer acts here.
  settings.subscribe((s, prev) => {
    if (s.loaded && !prev.loaded) {
      store.setState({ open: s.settings.panelOpen, width: s.settings.panelWidth, pane: s.settings.panelPane });
    }
  });
  return store;
}
