/** The settings a writer changes while writing. Each control says what it does. */
import { useEffect, useRef } from 'react';
import { useStore } from 'zustand';
import type { FontFamily, Theme } from '../../../electron/api';
import { useApp } from '../app/context';
import { DeviceSettings } from '../models';
import { SuggestionSummary } from '../sampling/SuggestionSummary';

export function SettingsPopover({ onClose }: { onClose: () => void }) {
  const { settings, mode } = useApp();
  const s = useStore(settings, (st) => st.settings);
  // Update checks exist only in the desktop app (the browser version is updated with the project).
  const desktop = mode === 'electron';
  const error = useStore(settings, (st) => st.error);
  const update = settings.getState().update;
  const ref = useRef<HTMLDivElement>(null);

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => e.key === 'Escape' && onClose();
    const onDown = (e: MouseEvent) => {
      const el = ref.current;
      if (el && !el.contains(e.target as Node) && !(e.target as Element).closest?.('[data-testid="settings"]'))
        onClose();
    };
    window.addEventListener('keydown', onKey);
    window.addEventListener('mousedown', onDown);
    ref.current?.querySelector<HTMLElement>('select, input')?.focus();
    return () => {
      window.removeEventListener('keydown', onKey);
      window.removeEventListener('mousedown', onDown);
    };
  }, [onClose]);

  return (
    <div className="popover" role="dialog" aria-label="Settings" ref={ref} data-testid="settings-popover">
      <h2 className="popover-title">Settings</h2>
      <label className="field" title="Light, dark, or follow the system's appearance">
        <span>Theme</span>
        <select
          value={s.theme}
          onChange={(e) => void update({ theme: e.target.value as Theme })}
          data-testid="setting-theme"
        >
          <option value="system">Follow system</option>
          <option value="light">Light</option>
          <option value="dark">Dark</option>
        </select>
      </label>
      <label className="field" title="The typeface of your text">
        <span>Typeface</span>
        <select value={s.fontFamily} onChange={(e) => void update({ fontFamily: e.target.value as FontFamily })}>
          <option value="serif">Serif (book)</option>
          <option value="sans">Sans-serif</option>
          <option value="mono">Monospace</option>
        </select>
      </label>
      <label className="field" title="Size of your text in pixels">
        <span>Text size</span>
        <input
          type="number"
          min={10}
          max={40}
          value={s.fontSize}
          onChange={(e) => e.target.value && void update({ fontSize: Math.round(Number(e.target.value)) })}
        />
      </label>
      <hr />
      <label
        className="check"
        title="Ask the model for a continuation by itself when you pause typing (otherwise press Tab)"
      >
        <input
          type="checkbox"
          checked={s.autoSuggest}
          onChange={(e) => void update({ autoSuggest: e.target.checked })}
          data-testid="setting-autosuggest"
        />
        <span>Suggest when I pause</span>
      </label>
      <label className="field" title="How long a pause, in milliseconds, before a suggestion appears by itself">
        <span>Pause (ms)</span>
        <input
          type="number"
          min={100}
          max={10000}
          step={100}
          value={s.autoSuggestDelayMs}
          disabled={!s.autoSuggest}
          onChange={(e) => e.target.value && void update({ autoSuggestDelayMs: Math.round(Number(e.target.value)) })}
        />
      </label>
      <SuggestionSummary onOpen={onClose} />
      <hr />
      <DeviceSettings compact />
      <hr />
      <label
        className="check"
        title="Save files that already have a name by themselves after a pause. Untitled documents are always backed up."
      >
        <input
          type="checkbox"
          checked={s.autosave}
          onChange={(e) => void update({ autosave: e.target.checked })}
          data-testid="setting-autosave"
        />
        <span>Save automatically</span>
      </label>
      {desktop ? (
        <label
          className="check"
          title="Look for a new version of Inkling now and then. Nothing is downloaded or installed without asking you. Off: Inkling never checks."
        >
          <input
            type="checkbox"
            checked={s.checkForUpdates}
            onChange={(e) => void update({ checkForUpdates: e.target.checked })}
            data-testid="setting-check-updates"
          />
          <span>Check for updates</span>
        </label>
      ) : null}
      {error ? (
        <p className="field-error" role="alert">
          {error}
        </p>
      ) : null}
    </div>
  );
}
