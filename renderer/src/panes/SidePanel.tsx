/**
 * The side panel: pane tabs (Continue, Translate, Summarize, Ask, Sampling), the pane on show, and
 * a resize handle (drag it, or focus it and use ←/→, Shift for bigger steps, Home/End). The panel
 * remembers whether it is open, its width and its pane.
 */
import { useEffect, useRef, type KeyboardEvent, type PointerEvent } from 'react';
import { useStore } from 'zustand';
import type { PaneId } from '../../../electron/api';
import { useApp } from '../app/context';
import { SamplingPane } from '../sampling/SamplingPane';
import { AskPane } from './AskPane';
import { ContinuePane } from './ContinuePane';
import { usePanes } from './context';
import { MAX_PANEL_WIDTH, MIN_PANEL_WIDTH } from './panelStore';
import { PaneIcon, useShortcut } from './parts';
import { SummarizePane } from './SummarizePane';
import { runKey } from './tasksStore';
import { TranslatePane } from './TranslatePane';
import './panes.css';

const TABS: { id: PaneId; label: string; command: string; what: string }[] = [
  { id: 'continue', label: 'Continue', command: 'pane.continue', what: 'Alternatives for what comes next, as cards' },
  { id: 'translate', label: 'Translate', command: 'pane.translate', what: 'Translate the selection or paragraph' },
  {
    id: 'summarize',
    label: 'Summarize',
    command: 'pane.summarize',
    what: 'Summarize the selection or document (TL;DR)',
  },
  { id: 'answer', label: 'Ask', command: 'pane.answer', what: 'Ask a question about the text' },
  { id: 'sampling', label: 'Sampling', command: 'pane.sampling', what: 'Temperature, top-k, presets and more' },
];

function Tab({
  tab,
  selected,
  onKey,
}: {
  tab: (typeof TABS)[number];
  selected: boolean;
  onKey: (e: KeyboardEvent<HTMLButtonElement>) => void;
}) {
  const { panel } = usePanes();
  const key = useShortcut(tab.command);
  return (
    <button
      type="button"
      role="tab"
      id={`pane-tab-${tab.id}`}
      aria-selected={selected}
      aria-controls="pane-body"
      tabIndex={selected ? 0 : -1}
      className={`pane-tab${selected ? ' selected' : ''}`}
      onClick={() => panel.getState().show(tab.id)}
      onKeyDown={onKey}
      title={`${tab.what} (${key})`}
      data-testid={`pane-tab-${tab.id}`}
    >
      {tab.label}
    </button>
  );
}

function Resizer() {
  const { panel } = usePanes();
  const width = useStore(panel, (s) => s.width);
  const drag = useRef<{ x: number; width: number } | null>(null);
  const onPointerDown = (e: PointerEvent<HTMLDivElement>) => {
    drag.current = { x: e.clientX, width: panel.getState().width };
    e.currentTarget.setPointerCapture(e.pointerId);
  };
  const onPointerMove = (e: PointerEvent<HTMLDivElement>) => {
    if (drag.current) panel.getState().setWidth(drag.current.width + (drag.current.x - e.clientX));
  };
  const onKey = (e: KeyboardEvent<HTMLDivElement>) => {
    const step = e.shiftKey ? 64 : 16;
    const w = panel.getState().width;
    const next =
      e.key === 'ArrowLeft'
        ? w + step
        : e.key === 'ArrowRight'
          ? w - step
          : e.key === 'Home'
            ? MAX_PANEL_WIDTH
            : e.key === 'End'
              ? MIN_PANEL_WIDTH
              : null;
    if (next === null) return;
    e.preventDefault();
    panel.getState().setWidth(next);
  };
  return (
    <div
      className="panel-resizer"
      role="separator"
      aria-orientation="vertical"
      aria-label="Side panel width"
      aria-valuemin={MIN_PANEL_WIDTH}
      aria-valuemax={MAX_PANEL_WIDTH}
      aria-valuenow={width}
      tabIndex={0}
      title="Drag to resize; or focus and press ← / → (Shift: bigger steps)"
      onPointerDown={onPointerDown}
      onPointerMove={onPointerMove}
      onPointerUp={() => (drag.current = null)}
      onPointerCancel={() => (drag.current = null)}
      onKeyDown={onKey}
      data-testid="panel-resizer"
    />
  );
}

export function SidePanel() {
  const panes = usePanes();
  const { documents } = useApp();
  const { panel } = panes;
  const open = useStore(panel, (s) => s.open);
  const width = useStore(panel, (s) => s.width);
  const pane = useStore(panel, (s) => s.pane);
  const focusSeq = useStore(panel, (s) => s.focusSeq);
  const root = useRef<HTMLElement>(null);
  const toggleKey = useShortcut('panel.toggle');

  // A pane shortcut (or F6) asks for the focus: the pane's first control, else its tab.
  const handled = useRef(0);
  useEffect(() => {
    if (!focusSeq || !open || handled.current === focusSeq) return;
    handled.current = focusSeq;
    const frame = requestAnimationFrame(() => {
      const body = root.current?.querySelector<HTMLElement>('#pane-body');
      const target =
        body?.querySelector<HTMLElement>(
          'button:not(:disabled), select, textarea, input:not([type=hidden]), [tabindex="0"]',
        ) ?? root.current?.querySelector<HTMLElement>('[role=tab][aria-selected=true]');
      target?.focus();
    });
    return () => cancelAnimationFrame(frame);
  }, [focusSeq, open, pane]);

  if (!open) return null;
  const onTabKey = (e: KeyboardEvent<HTMLButtonElement>) => {
    const i = TABS.findIndex((t) => t.id === pane);
    const next =
      e.key === 'ArrowRight'
        ? i + 1
        : e.key === 'ArrowLeft'
          ? i - 1
          : e.key === 'Home'
            ? 0
            : e.key === 'End'
              ? TABS.length - 1
              : null;
    if (next === null) return;
    e.preventDefault();
    const tab = TABS[(next + TABS.length) % TABS.length];
    panel.getState().show(tab.id);
    requestAnimationFrame(() => document.getElementById(`pane-tab-${tab.id}`)?.focus());
  };
  const onKeyDown = (e: KeyboardEvent<HTMLElement>) => {
    // Esc in a pane stops what it is writing for the document on show.
    if (e.key !== 'Escape' || e.defaultPrevented || pane === 'sampling') return;
    const docId = documents.getState().activeId;
    const run = docId ? panes.tasks.getState().runs[runKey(docId, pane)] : undefined;
    if (docId && run && (run.status === 'running' || Object.keys(run.regen).length)) {
      e.preventDefault();
      panes.tasks.getState().stop(docId, pane);
    }
  };
  return (
    <aside
      className="side-panel"
      style={{ width }}
      aria-label="Side panel"
      ref={root}
      data-testid="side-panel"
      onKeyDown={onKeyDown}
    >
      <Resizer />
      <div className="panel-head">
        <div className="pane-tabs" role="tablist" aria-label="Panes">
          {TABS.map((t) => (
            <Tab key={t.id} tab={t} selected={t.id === pane} onKey={onTabKey} />
          ))}
        </div>
        <button
          type="button"
          className="icon-button"
          aria-label="Hide the side panel"
          title={`Hide the side panel (${toggleKey})`}
          onClick={() => panel.getState().hide()}
          data-testid="panel-close"
        >
          <PaneIcon name="close" />
        </button>
      </div>
      <div id="pane-body" className="pane-body" role="tabpanel" aria-labelledby={`pane-tab-${pane}`}>
        {pane === 'continue' ? <ContinuePane /> : null}
        {pane === 'translate' ? <TranslatePane /> : null}
        {pane === 'summarize' ? <SummarizePane /> : null}
        {pane === 'answer' ? <AskPane /> : null}
        {pane === 'sampling' ? <SamplingPane /> : null}
      </div>
    </aside>
  );
}
