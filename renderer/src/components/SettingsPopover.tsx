/** The settings a writer changes while writing. Each control says what it does. */
import { useEffect, useRef, type ReactNode } from 'react';
import { useStore } from 'zustand';
import type { FontFamily, Theme } from '../../../electron/api';
import { useApp } from '../app/context';
import { DeviceSettings } from '../models';
import { SuggestionSummary } from '../sampling/SuggestionSummary';

/** A switch: the box, what it does in a few words, and a tooltip that says it in full. */
function CheckRow(props: {
  title: string;
  checked: boolean;
  onChange: (checked: boolean) => void;
  testId: string;
  children: ReactNode;
}) {
  return (
    <label className="check" title={props.title}>
      <input
        type="checkbox"
        checked={props.checked}
        onChange={(e) => props.onChange(e.target.checked)}
        data-testid={props.testId}
      />
      <span>{props.children}</span>
    </label>
  );
}

/** A whole number in a range; an emptied box changes nothing. */
function NumberRow(props: {
  title: string;
  label: string;
  value: number;
  min: number;
  max: number;
  step?: number;
  disabled?: boolean;
  onChange: (value: number) => void;
}) {
  return (
    <label className="field" title={props.title}>
      <span>{props.label}</span>
      <input
        type="number"
        min={props.min}
        max={props.max}
        step={props.step}
        value={props.value}
        disabled={props.disabled}
        onChange={(e) => e.target.value && props.onChange(Math.round(Number(e.target.value)))}
      />
    </label>
  );
}

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
      <NumberRow
        title="Size of your text in pixels"
        label="Text size"
        min={10}
        max={40}
        value={s.fontSize}
        onChange={(fontSize) => void update({ fontSize })}
      />
      <hr />
      <CheckRow
        title="Ask the model for a continuation by itself when you pause typing (otherwise press Tab)"
        checked={s.autoSuggest}
        onChange={(autoSuggest) => void update({ autoSuggest })}
        testId="setting-autosuggest"
      >
        Suggest when I pause
      </CheckRow>
      <NumberRow
        title="How long a pause, in milliseconds, before a suggestion appears by itself"
        label="Pause (ms)"
        min={100}
        max={10000}
        step={100}
        value={s.autoSuggestDelayMs}
        disabled={!s.autoSuggest}
        onChange={(autoSuggestDelayMs) => void update({ autoSuggestDelayMs })}
      />
      <SuggestionSummary onOpen={onClose} />
      <hr />
      <DeviceSettings compact />
      <hr />
      <CheckRow
        title="Save files that already have a name by themselves after a pause. Untitled documents are always backed up."
        checked={s.autosave}
        onChange={(autosave) => void update({ autosave })}
        testId="setting-autosave"
      >
        Save automatically
      </CheckRow>
      {desktop ? (
        <CheckRow
          title="Look for a new version of Inkling now and then. Nothing is downloaded or installed without asking you. Off: Inkling never checks."
          checked={s.checkForUpdates}
          onChange={(checkForUpdates) => void update({ checkForUpdates })}
          testId="setting-check-updates"
        >
          Check for updates
        </CheckRow>
      ) : null}
      {error ? (
        <p className="field-error" role="alert">
          {error}
        </p>
      ) : null}
    </div>
  );
}
