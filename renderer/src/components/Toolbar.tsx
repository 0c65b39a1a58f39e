/**
 * The top bar: document tabs (unsaved marker, close button) and the writer's commands. Every
 * control has a label, a tooltip in plain words with its shortcut, and a keyboard path.
 */
import { useEffect, useRef, useState } from 'react';
import { useStore } from 'zustand';
import { useApp } from '../app/context';
import { resolvedTheme } from '../stores';
import { IconButton } from './IconButton';
import { Icon } from './Icon';
import { SettingsPopover } from './SettingsPopover';
import { alt, mod, shortcut } from './keys';
import { PanelButtons } from '../panes/Overlays';

/**
 * A document's name in its tab. A narrow tab cuts the middle, not the end: its last characters and
 * extension stay ("chapter 0…ng 12.md"), since names in a series differ at the end.
 */
function TabName({ name }: { name: string }) {
  const dot = name.lastIndexOf('.');
  const stem = dot > 0 ? name.slice(0, dot) : name;
  const keep = Math.min(4, Math.max(0, stem.length - 1));
  const head = stem.slice(0, stem.length - keep);
  const tail = name.slice(head.length);
  return (
    <span className="tab-name" data-testid="tab-name">
      <span className={`tab-name-head${head.length > 6 ? ' long' : ''}`}>{head}</span>
      <span className="tab-name-tail">{tail}</span>
    </span>
  );
}

function Tabs() {
  const { documents, commands } = useApp();
  const order = useStore(documents, (s) => s.order);
  const docs = useStore(documents, (s) => s.docs);
  const activeId = useStore(documents, (s) => s.activeId);
  const strip = useRef<HTMLDivElement>(null);
  // With more documents than fit, the strip scrolls: the active one is brought into view.
  useEffect(() => {
    strip.current?.querySelector('.tab.selected')?.scrollIntoView({ block: 'nearest', inline: 'nearest' });
  }, [activeId, order.length]);
  return (
    // A group of buttons, not an ARIA tablist: each document has a close button next to its name,
    // and a tablist may hold nothing but tabs (axe: aria-required-children).
    <div className="tabs" role="group" aria-label="Open documents" ref={strip}>
      {order.map((id) => {
        const d = docs[id];
        if (!d) return null;
        const selected = id === activeId;
        return (
          <div key={id} className={`tab${selected ? ' selected' : ''}`} data-testid="tab" data-doc-id={id}>
            <button
              type="button"
              aria-current={selected ? 'true' : undefined}
              className="tab-label"
              title={`${d.path ?? 'Not saved yet'}${d.dirty ? ' — unsaved changes' : ''}`}
              onClick={() => commands.activate(id)}
            >
              <TabName name={d.name} />
              {d.dirty ? (
                <span className="dirty-dot" aria-label="unsaved changes" data-testid="dirty-marker">
                  •
                </span>
              ) : null}
            </button>
            <button
              type="button"
              className="tab-close"
              aria-label={`Close ${d.name}`}
              title={`Close ${d.name} (${shortcut(mod(), 'W')}) — asks first if there are unsaved changes`}
              onClick={() => void commands.close(id)}
            >
              <Icon name="close" size={14} />
            </button>
          </div>
        );
      })}
    </div>
  );
}

export function Toolbar() {
  const { commands, settings, generation, engine, ui, models } = useApp();
  const theme = useStore(settings, resolvedTheme);
  const generating = useStore(generation, (s) => s.active !== null);
  const ready = useStore(engine, (s) => s.status.state === 'ready');
  const [settingsOpen, setSettingsOpen] = useState(false);
  const modelsOpen = useStore(models, (s) => s.pageOpen);
  return (
    <header className="toolbar" role="toolbar" aria-label="Inkling">
      <div className="brand" aria-hidden="true">
        <span className="brand-mark">✒</span>
      </div>
      <Tabs />
      <div className="toolbar-actions">
        <IconButton
          icon="new"
          label="New document"
          tooltip={`New document (${shortcut(mod(), 'N')})`}
          onClick={() => void commands.newDocument()}
          testId="new-document"
        />
        <IconButton
          icon="open"
          label="Open…"
          tooltip={`Open a .txt or .md file (${shortcut(mod(), 'O')})`}
          onClick={() => void commands.open()}
          testId="open-document"
        />
        <IconButton
          icon="save"
          label="Save"
          tooltip={`Save (${shortcut(mod(), 'S')}); Save As is ${shortcut(mod(), 'Shift', 'S')}`}
          onClick={() => void commands.save()}
          testId="save-document"
        />
        <span className="toolbar-sep" aria-hidden="true" />
        {generating ? (
          <IconButton
            icon="stop"
            label="Stop generating"
            tooltip="Stop the suggestion being written (Esc)"
            onClick={commands.stop}
            testId="stop"
          />
        ) : (
          <IconButton
            icon="sparkle"
            label="Suggest a continuation"
            tooltip={
              ready
                ? `Ask the model to continue from the cursor (Tab or ${shortcut(mod(), 'Space')}); ${shortcut(alt(), ']')} shows another alternative`
                : 'No model is loaded yet — see the welcome screen'
            }
            onClick={commands.suggest}
            disabled={!ready}
            testId="suggest"
          />
        )}
        <PanelButtons />
        <IconButton
          icon="models"
          label="Models"
          tooltip={`Models: download, import and choose GPT-2 models (${shortcut(mod(), 'Shift', 'M')})`}
          onClick={commands.models}
          pressed={modelsOpen}
          testId="open-models"
        />
        <IconButton
          icon={theme === 'dark' ? 'sun' : 'moon'}
          label={theme === 'dark' ? 'Use light theme' : 'Use dark theme'}
          tooltip={`Switch to the ${theme === 'dark' ? 'light' : 'dark'} theme (Settings can follow the system again)`}
          onClick={commands.toggleTheme}
          testId="toggle-theme"
        />
        <div className="popover-anchor">
          <IconButton
            icon="settings"
            label="Settings"
            tooltip="Settings: suggestions, autosave, theme, type size"
            onClick={() => setSettingsOpen((o) => !o)}
            pressed={settingsOpen}
            testId="settings"
          />
          {settingsOpen ? <SettingsPopover onClose={() => setSettingsOpen(false)} /> : null}
        </div>
        <IconButton
          icon="help"
          label="Keyboard shortcuts"
          tooltip="Keyboard shortcuts"
          onClick={() => ui.getState().openDialog({ kind: 'shortcuts' })}
          testId="shortcuts"
        />
      </div>
    </header>
  );
}
