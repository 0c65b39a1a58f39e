/**
 * The status bar: save state, the generation in flight or the figures of the last one, how much of
 * the model's context the text before the cursor fills, and the model, device and engine state.
 */
import { useStore } from 'zustand';
import { useApp } from '../app/context';
import { engineStateLabel, modelLabel, type SaveState } from '../stores';
import { DownloadStatus } from '../models';
import { WordCount } from '../desk/WordCount';

const SAVE_LABEL: Record<SaveState, string> = {
  saved: 'Saved',
  unsaved: 'Unsaved •',
  saving: 'Saving…',
  autosaved: 'Autosaved',
  error: 'Not saved — error',
};

function SaveStatus() {
  const { documents } = useApp();
  const meta = useStore(documents, (s) => (s.activeId ? s.docs[s.activeId] : undefined));
  if (!meta) return null;
  const label = meta.conflict
    ? 'Not saved — changed on disk'
    : meta.path === null && !meta.dirty
      ? 'Not saved yet'
      : SAVE_LABEL[meta.saveState];
  const tip =
    meta.saveState === 'error'
      ? (meta.error ?? 'The last save failed.')
      : meta.path
        ? `${meta.path}${meta.dirty ? ' — a backup keeps your changes until you save' : ''}`
        : 'This document has no file yet; it is backed up as you type. Save it with Ctrl/Cmd+S.';
  return (
    <span
      className={`status-item save-${meta.saveState}`}
      title={tip}
      data-testid="save-state"
      data-backup={meta.dirty ? (meta.backupVersion === meta.version ? 'written' : 'pending') : 'none'}
    >
      {label}
    </span>
  );
}

function GenerationStatus() {
  const { generation } = useApp();
  const active = useStore(generation, (s) => s.active);
  const last = useStore(generation, (s) => s.last);
  const error = useStore(generation, (s) => s.error);
  const failedWhat = useStore(generation, (s) => s.failedWhat);
  if (active) {
    return (
      <span
        className="status-item generating"
        data-testid="generation-state"
        data-state="generating"
        title="The model is writing a suggestion. Keep typing to cancel it, or press Esc."
      >
        Generating… {active.tokens > 0 ? `${active.tokens} tokens` : ''}
      </span>
    );
  }
  if (error) {
    return (
      <span
        className="status-item status-error"
        data-testid="generation-state"
        data-state="error"
        data-what={failedWhat ?? 'suggestion'}
        title={error}
      >
        {failedWhat === 'retry'
          ? 'Retry stopped · your text is kept'
          : failedWhat === 'cut'
            ? 'Suggestion cut off'
            : 'Suggestion failed'}
      </span>
    );
  }
  if (!last) {
    return <span className="status-item muted" data-testid="generation-state" data-state="idle" />;
  }
  const { decodeTokensPerS, timeToFirstTokenMs, generatedTokens } = last.stats;
  const stopped = last.finishReason === 'cancelled';
  return (
    <span
      className="status-item"
      data-testid="generation-state"
      data-state={stopped ? 'stopped' : 'done'}
      data-read-tokens={last.stats.readTokens}
      data-prompt-tokens={last.stats.promptTokens}
      title={`Last suggestion: ${generatedTokens} tokens${stopped ? ', stopped early' : ''}; ${decodeTokensPerS.toFixed(1)} tokens per second; first token after ${Math.round(timeToFirstTokenMs)} ms; the model read ${last.stats.readTokens} new tokens of the ${last.stats.promptTokens} in its window (the rest was cached)`}
    >
      {stopped ? 'Stopped · ' : ''}
      {decodeTokensPerS.toFixed(1)} tok/s · first {Math.round(timeToFirstTokenMs)} ms
    </span>
  );
}

function ContextStatus() {
  const { generation, documents, ui } = useApp();
  const context = useStore(generation, (s) => s.context);
  const activeId = useStore(documents, (s) => s.activeId);
  if (!context || context.docId !== activeId) return null;
  const { promptTokens, memoryTokens, droppedTokens, contextLength, documentTokens } = context;
  const windowTokens = promptTokens - memoryTokens;
  const tip = [
    `A suggestion here reads ${promptTokens} of the model's ${contextLength} tokens`,
    memoryTokens > 0
      ? `: the memory (${memoryTokens}) and the last ${windowTokens} tokens before the cursor.`
      : `: the last ${windowTokens} tokens before the cursor.`,
    droppedTokens > 0
      ? ` The ${droppedTokens} tokens before the marker (⟩) in the text are outside its window; of ${documentTokens} tokens before the cursor.`
      : ` All ${documentTokens} tokens before the cursor fit.`,
    ' Click to edit the memory.',
  ].join('');
  return (
    <button
      type="button"
      className="status-item status-button"
      data-testid="context-use"
      data-memory={memoryTokens}
      data-dropped={droppedTokens}
      title={tip}
      aria-label={`Context: ${promptTokens} of ${contextLength} tokens. Edit the memory.`}
      onClick={() => activeId && ui.getState().openDialog({ kind: 'memory', docId: activeId })}
    >
      {memoryTokens > 0 ? `memory ${memoryTokens} + ` : ''}
      {windowTokens} / {contextLength} tokens
    </button>
  );
}

/**
 * The web host connection: nothing while it is up; "Reconnecting…" while the host is away (the page
 * retries with backoff); "Key refused" when the host runs with a new key; and how many documents have
 * text kept in this browser that the host has not acknowledged yet.
 */
function ConnectionState() {
  const { engine } = useApp();
  const connection = useStore(engine, (s) => s.connection);
  const unsent = useStore(engine, (s) => s.unsent);
  const down =
    connection.state === 'reconnecting' || connection.state === 'unauthorized' || connection.state === 'closed';
  const kept =
    unsent > 0
      ? ` Text typed meanwhile in ${unsent === 1 ? 'one document' : `${unsent} documents`} is kept in this browser until the host has it.`
      : '';
  return (
    <>
      {connection.state === 'reconnecting' ? (
        <span
          className="status-item status-error"
          role="status"
          data-testid="connection-state"
          data-state="reconnecting"
          title={`The Inkling host stopped or is restarting. Trying again every few seconds (attempt ${connection.attempt}).${kept}`}
        >
          Reconnecting…
        </span>
      ) : connection.state === 'unauthorized' ? (
        <span
          className="status-item status-error"
          role="status"
          data-testid="connection-state"
          data-state="unauthorized"
          title={`The Inkling host refused this page's key (it was restarted with a new one, or this page was opened without one). Open the address \`npm run web\` printed — it ends in #token=…${kept}`}
        >
          Key refused — open the new address
        </span>
      ) : connection.state === 'closed' ? (
        <span
          className="status-item status-error"
          role="status"
          data-testid="connection-state"
          data-state="closed"
          title="The connection to the Inkling host was closed. Reload the page."
        >
          Disconnected
        </span>
      ) : null}
      {unsent > 0 && down ? (
        <span
          className="status-item status-warn"
          data-testid="unsent-edits"
          data-count={unsent}
          title={`Not yet on the host: ${unsent === 1 ? 'one document' : `${unsent} documents`} with text kept in this browser (IndexedDB). It is sent as soon as the host is back; a page opened later offers it for restore.`}
        >
          {unsent === 1 ? '1 document' : `${unsent} documents`} kept in this browser
        </span>
      ) : null}
    </>
  );
}

function EngineState() {
  const { engine } = useApp();
  const status = useStore(engine, (s) => s.status);
  const connected = useStore(engine, (s) => s.connected);
  if (!connected) {
    return (
      <span
        className="status-item status-error"
        data-testid="engine-state"
        data-state="disconnected"
        title="The Inkling host is not connected, so no suggestions for now. Your text is kept; see the connection state."
      >
        No host
      </span>
    );
  }
  const model = status.model;
  return (
    <>
      {model ? (
        <span className="status-item" title={`Model folder: ${model.dir}`} data-testid="model-name">
          {modelLabel(model)}
        </span>
      ) : null}
      {model ? (
        <span
          className={`status-item${model.deviceNote ? ' status-warn' : ''}`}
          title={
            model.deviceNote
              ? `Running on the CPU instead: ${model.deviceNote}`
              : 'Where the model runs (change it under Models → Where models run)'
          }
          data-testid="model-device"
        >
          {model.device.toUpperCase()}
          {model.deviceNote ? ' (fallback)' : ''}
        </span>
      ) : null}
      <span
        className={`status-item engine-${status.state}`}
        role="status"
        data-testid="engine-state"
        data-state={status.state}
        title={status.message ?? `Model process: ${engineStateLabel(status)}`}
      >
        <span className="dot" aria-hidden="true" />
        {engineStateLabel(status)}
      </span>
    </>
  );
}

export function StatusBar() {
  return (
    <footer className="statusbar" aria-label="Status">
      <div className="status-left">
        <SaveStatus />
        <WordCount />
        <GenerationStatus />
      </div>
      <div className="status-right">
        <DownloadStatus />
        <ContextStatus />
        <ConnectionState />
        <EngineState />
      </div>
    </footer>
  );
}
