/**
 * What the side panel adds around the page: the keyboard dispatcher (installed once), the keyboard
 * settings page, the heat map's legend, and the toolbar buttons for the panel and the heat map.
 */
import { useEffect } from 'react';
import { useStore } from 'zustand';
import { useApp } from '../app/context';
import { ShortcutSettings } from '../keyboard/ShortcutSettings';
import { rankLabels } from '../probabilities';
import { usePanes } from './context';
import { PaneIcon, useShortcut } from './parts';
import './panes.css';

export function PanesOverlay() {
  const { keyboard } = useApp();
  const { panel } = usePanes();
  const open = useStore(panel, (s) => s.shortcutSettings);
  useEffect(() => keyboard.install(), [keyboard]);
  return open ? <ShortcutSettings /> : null;
}

export function HeatLegend() {
  const { probabilities } = usePanes();
  const on = useStore(probabilities.store, (s) => s.heatmap);
  const busy = useStore(probabilities.store, (s) => s.busy);
  const skipped = useStore(probabilities.store, (s) => s.skippedChars);
  const error = useStore(probabilities.store, (s) => s.error);
  const progress = useStore(probabilities.store, (s) => s.progress);
  const key = useShortcut('heatmap.toggle');
  if (!on) return null;
  const updating =
    progress && progress.total > 0 && progress.done < progress.total
      ? `Scoring the document… ${Math.floor((100 * progress.done) / progress.total)}%`
      : 'Updating…';
  return (
    <div
      className="heat-legend"
      role="note"
      aria-label="Heat map legend"
      data-testid="heat-legend"
      data-busy={busy ? 'true' : 'false'}
      data-progress={progress ? `${progress.done}/${progress.total}` : ''}
    >
      <span
        className="heat-legend-title"
        title="How expected each token was to the model (GLTR's rank buckets). Hover a token for the alternatives."
      >
        Surprise
      </span>
      {rankLabels.map((r) => (
        <span key={r.bucket} className="heat-legend-item" title={r.description}>
          <span className={`heat-swatch cm-heat-${r.bucket}`} aria-hidden="true" />
          {r.label}
        </span>
      ))}
      <span className="heat-legend-state" role="status">
        {error
          ? `Could not score: ${error}`
          : busy
            ? updating
            : skipped > 0
              ? `The first ${skipped.toLocaleString()} characters are beyond the model's window`
              : ''}
      </span>
      <button
        type="button"
        className="link small"
        onClick={() => probabilities.store.getState().setHeatmap(false)}
        title={`Turn the heat map off (${key})`}
      >
        Hide
      </button>
    </div>
  );
}

export function PanelButtons() {
  const { panel, probabilities } = usePanes();
  const { engine } = useApp();
  const open = useStore(panel, (s) => s.open);
  const heat = useStore(probabilities.store, (s) => s.heatmap);
  const ready = useStore(engine, (s) => s.status.state === 'ready');
  const panelKey = useShortcut('panel.toggle');
  const heatKey = useShortcut('heatmap.toggle');
  return (
    <>
      <button
        type="button"
        className="icon-button"
        aria-label="Heat map"
        aria-pressed={heat}
        title={
          ready ? `Tint the text by how surprising each token is to the model (${heatKey})` : 'No model is loaded yet'
        }
        disabled={!ready}
        onClick={() => probabilities.store.getState().setHeatmap(!heat)}
        data-testid="heatmap-toggle"
      >
        <PaneIcon name="heat" size={18} />
      </button>
      <button
        type="button"
        className="icon-button"
        aria-label="Side panel"
        aria-pressed={open}
        title={`Continue, translate, summarize, ask, and the sampling controls (${panelKey})`}
        onClick={() => panel.getState().toggle()}
        data-testid="panel-toggle"
      >
        <PaneIcon name="panel" size={18} />
      </button>
    </>
  );
}
