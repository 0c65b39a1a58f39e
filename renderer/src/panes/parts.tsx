/** Pieces every pane uses: the run bar, the source box, result actions, history, the prompt. */
import { useEffect, useState, useSyncExternalStore, type ReactNode } from 'react';
import { useStore } from 'zustand';
import type { TaskModel, TaskResult } from '../../../electron/api';
import { useApp } from '../app/context';
import { StrokeIcon } from '../components/Icon';
import { formatCombo, effectiveBindings } from '../keyboard';
import { usePanes } from './context';
import { docCounts } from '../desk/counts';
import { countWords } from '../editor/ghost-text/state';
import { copyText, viewSource, type SourceView } from './editorText';
import type { HistoryEntry, PaneRun } from './tasksStore';

const ICONS = {
  panel: 'M3 5h18v14H3z M15 5v14',
  heat: 'M12 3c2 3 5 5 5 9a5 5 0 0 1-10 0c0-2 1-3 2-4 0 2 1 3 2 3 0-3-1-5 1-8z',
  play: 'M8 5l11 7-11 7z',
  stop: 'M7 7h10v10H7z',
  refresh: 'M4 12a8 8 0 0 1 14-5.3 M18 3v4h-4 M20 12a8 8 0 0 1-14 5.3 M6 21v-4h4',
  insert: 'M12 4v11 M7 10l5 5 5-5 M5 20h14',
  copy: 'M8 8h11v12H8z M5 16V4h11',
  replace: 'M4 7h12l-3-3 M20 17H8l3 3',
  close: 'M7 7l10 10 M17 7L7 17',
  up: 'M12 5v14 M6 11l6-6 6 6',
  down: 'M12 19V5 M6 13l6 6 6-6',
  dice: 'M5 5h14v14H5z M9 9h.01 M15 15h.01 M15 9h.01 M9 15h.01',
} as const;

export type PaneIconName = keyof typeof ICONS;

export function PaneIcon({ name, size = 16 }: { name: PaneIconName; size?: number }) {
  return <StrokeIcon d={ICONS[name]} size={size} strokeWidth={1.7} />;
}

/** The writer's key for a command, for tooltips ("Ctrl+Enter"). */
export function useShortcut(id: string): string {
  const { settings } = useApp();
  const overrides = useStore(settings, (s) => s.settings.shortcuts);
  return formatCombo(effectiveBindings(overrides ?? {})[id] ?? '');
}

/** The active document, its view and a re-render whenever its text or selection changes. */
export function useActiveDoc(): { docId: string | null; ready: boolean } {
  const { documents, engine } = useApp();
  const { tick } = usePanes();
  const docId = useStore(documents, (s) => s.activeId);
  useSyncExternalStore(tick.subscribe, () => tick.getState().tick);
  const ready = useStore(engine, (s) => s.status.state === 'ready');
  return { docId, ready };
}

/** The task's source as it is now (selection, else the paragraph or the document). */
/** What a pane would read, with its word count (the status bar's way of counting words). */
export function useSource(fallback: 'paragraph' | 'document'): (SourceView & { words: number }) | null {
  const { view } = usePanes();
  useActiveDoc();
  const v = view();
  if (!v) return null;
  // This runs on every keystroke while the pane is open: no copy of the whole document (the run
  // itself reads it), and the whole document is counted incrementally.
  const source = viewSource(v, fallback);
  const words =
    source.kind === 'document'
      ? docCounts(v.state.doc).words
      : countWords(v.state.doc.sliceString(source.from, source.to));
  return { ...source, words };
}

export function ModelTag({ model }: { model: TaskModel | null | undefined }) {
  if (!model) return null;
  return (
    <span className="pane-model" data-testid="pane-model" title="The model that wrote this">
      by {model.name} · {model.precision}
    </span>
  );
}

export function RunBar(props: {
  kind: string;
  label: string;
  tooltip: string;
  run: PaneRun | undefined;
  onRun: () => void;
  onStop: () => void;
  disabled?: boolean;
  disabledReason?: string;
  children?: ReactNode;
}) {
  const key = useShortcut('pane.run');
  const running = props.run?.status === 'running' || Object.keys(props.run?.regen ?? {}).length > 0;
  return (
    <div className="pane-runbar">
      {running ? (
        <button
          type="button"
          className="button"
          onClick={props.onStop}
          data-testid={`${props.kind}-stop`}
          title="Stop (Esc)"
        >
          <PaneIcon name="stop" /> Stop
        </button>
      ) : (
        <button
          type="button"
          className="button primary"
          onClick={props.onRun}
          disabled={props.disabled}
          data-testid={`${props.kind}-run`}
          title={props.disabled ? props.disabledReason : `${props.tooltip} (${key})`}
        >
          <PaneIcon name="play" /> {props.label}
        </button>
      )}
      {props.children}
      <span
        className="pane-status"
        role="status"
        data-testid={`${props.kind}-status`}
        data-state={props.run?.status ?? 'idle'}
        data-run={props.run?.requestId ?? ''}
      >
        {props.run?.status === 'running'
          ? props.run.total > 1
            ? `Sentence ${Math.min(props.run.segments.filter((s) => s?.result !== null).length + 1, props.run.total)} of ${props.run.total}…`
            : 'Writing…'
          : null}
        {props.run?.status === 'stopped' ? 'Stopped' : null}
        {props.run?.status === 'cut' ? 'Cut off' : null}
        {props.run?.status === 'done' ? <ModelTag model={props.run.result?.model} /> : null}
      </span>
    </div>
  );
}

export function SourceBox({
  source,
  label,
  testId,
}: {
  source: (SourceView & { words: number }) | null;
  label: string;
  testId: string;
}) {
  if (!source) return null;
  const { words } = source;
  const what =
    source.kind === 'selection'
      ? 'the selection'
      : source.kind === 'paragraph'
        ? 'the paragraph at the cursor'
        : 'the whole document';
  return (
    <div className="pane-source" data-testid={testId}>
      <div className="pane-source-label">
        {label} <strong>{what}</strong> · {words.toLocaleString()} word{words === 1 ? '' : 's'}
      </div>
      <div className="pane-source-text">
        {!source.blank ? (
          source.preview
        ) : (
          <em className="muted">Nothing there yet — select text or write a paragraph.</em>
        )}
      </div>
    </div>
  );
}

export function useCopied(): [string | null, (id: string, text: string) => void] {
  const [copied, setCopied] = useState<string | null>(null);
  useEffect(() => {
    if (!copied) return;
    const t = setTimeout(() => setCopied(null), 1500);
    return () => clearTimeout(t);
  }, [copied]);
  return [copied, (id, text) => void copyText(text).then((ok) => ok && setCopied(id))];
}

interface ResultActionsProps {
  testId: string;
  text: string;
  onInsertBelow?: () => void;
  onReplace?: () => void;
  onInsert?: () => void;
}

function ActionButton(props: {
  icon: PaneIconName;
  label: string;
  title: string;
  testId: string;
  primary?: boolean;
  onClick: () => void;
}) {
  return (
    <button
      type="button"
      className={props.primary ? 'button primary small' : 'button small'}
      onClick={props.onClick}
      data-testid={props.testId}
      title={props.title}
    >
      <PaneIcon name={props.icon} /> {props.label}
    </button>
  );
}

export function ResultActions(props: ResultActionsProps) {
  const [copied, copy] = useCopied();
  const id = props.testId;
  return (
    <div className="pane-actions" data-testid={id}>
      {props.onInsert ? (
        <ActionButton
          primary
          icon="insert"
          label="Insert"
          title="Insert at the cursor"
          testId={`${id}-insert`}
          onClick={props.onInsert}
        />
      ) : null}
      {props.onInsertBelow ? (
        <ActionButton
          primary
          icon="insert"
          label="Insert below"
          title="Insert as a new paragraph below the source"
          testId={`${id}-insert-below`}
          onClick={props.onInsertBelow}
        />
      ) : null}
      {props.onReplace ? (
        <ActionButton
          icon="replace"
          label="Replace"
          title="Replace the source text with this (one undo step)"
          testId={`${id}-replace`}
          onClick={props.onReplace}
        />
      ) : null}
      <ActionButton
        icon="copy"
        label={copied ? 'Copied' : 'Copy'}
        title="Copy to the clipboard"
        testId={`${id}-copy`}
        onClick={() => copy('r', props.text)}
      />
    </div>
  );
}

/**
 * A pane's finished result: its text (or why there is none) and what can be done with it; a result
 * broken off mid-way (`cut`) says so under its text. Test ids `<name>-result`, `<name>-output`,
 * `<name>-cut`, `<name>-actions`.
 */
export function ResultBox(props: {
  name: string;
  text: string;
  /** Said instead of an empty result. */
  empty: ReactNode;
  /** Shown above the text (Ask: the question). */
  head?: ReactNode;
  /** The note of a result broken off mid-way (cutNote), or null. */
  cut?: string | null;
  actions: Omit<ResultActionsProps, 'testId' | 'text'>;
}) {
  return (
    <div
      className={`pane-result${props.cut ? ' cut' : ''}`}
      data-testid={`${props.name}-result`}
      data-cut={props.cut ? 'true' : undefined}
    >
      {props.head}
      <div className="pane-result-text" data-testid={`${props.name}-output`}>
        {props.text || <em className="muted">{props.empty}</em>}
      </div>
      {props.cut ? (
        <p className="pane-note" data-testid={`${props.name}-cut`}>
          {props.cut}
        </p>
      ) : null}
      {props.text ? <ResultActions testId={`${props.name}-actions`} text={props.text} {...props.actions} /> : null}
    </div>
  );
}

/** The text a running task has written so far (test id `<name>-stream`). */
export function StreamBox({ name, run, head }: { name: string; run: PaneRun; head?: ReactNode }) {
  return (
    <div className="pane-result streaming" data-testid={`${name}-stream`}>
      {head}
      {run.streams[0] ?? ''}
    </div>
  );
}

export function HistoryList({
  entries,
  onInsert,
  testId,
}: {
  entries: HistoryEntry[] | undefined;
  onInsert: (text: string) => void;
  testId: string;
}) {
  const [copied, copy] = useCopied();
  const list = entries?.slice(1) ?? []; // the newest is on show above
  if (list.length === 0) return null;
  return (
    <details className="pane-history" data-testid={testId}>
      <summary>Earlier results ({list.length})</summary>
      <ol>
        {list.map((h) => (
          <li key={h.id} data-testid="history-item">
            <div className="pane-history-input" title={h.input}>
              {h.input}
            </div>
            <div className="pane-history-output">{h.output}</div>
            <div className="pane-history-meta">
              {new Date(h.at).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' })}
              {h.model ? ` · ${h.model}` : ''}
              <button type="button" className="link" onClick={() => onInsert(h.output)}>
                Insert
              </button>
              <button type="button" className="link" onClick={() => copy(h.id, h.output)}>
                {copied === h.id ? 'Copied' : 'Copy'}
              </button>
            </div>
          </li>
        ))}
      </ol>
    </details>
  );
}

/** The prompt exactly as the model read it (memory, then its window of the text), and what was left out. */
export function PromptDetails({ prompt, note }: { prompt: string | undefined; note?: string }) {
  if (!prompt) return null;
  return (
    <details className="pane-prompt" data-testid="pane-prompt">
      <summary>The prompt the model read</summary>
      {note ? (
        <p className="muted" data-testid="pane-prompt-note">
          {note}
        </p>
      ) : null}
      <pre>{prompt.length > 4000 ? `…${prompt.slice(-4000)}` : prompt}</pre>
    </details>
  );
}

export function ErrorLine({ text }: { text: string | null | undefined }) {
  if (!text) return null;
  return (
    <p className="field-error" role="alert">
      {text}
    </p>
  );
}

/**
 * Said next to a result when the start of the writer's text did not fit in the model's context
 * (GPT-2 reads 1,024 tokens, the answer's room included): the result knows nothing of that part.
 */
export function UnreadNote({ unread, what }: { unread: TaskResult['unread']; what: string }) {
  if (!unread || unread.words === 0) return null;
  const words = unread.words.toLocaleString();
  return (
    <p className="pane-unread" role="note" data-testid="pane-unread">
      The model read only the end of the text: its first {words} word{unread.words === 1 ? '' : 's'} (
      {unread.tokens.toLocaleString()} tokens) did not fit in GPT-2’s 1,024-token context, so {what} knows nothing of
      them. Select a shorter passage to include all of it.
    </p>
  );
}
