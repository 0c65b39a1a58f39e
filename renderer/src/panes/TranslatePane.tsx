/**
 * Translate: the selection (or the paragraph at the cursor) in the GPT-2 paper's format — example
 * pairs "english sentence = french sentence", then the sentence and " =", greedy, first sentence
 * kept — one sentence at a time. The examples are visible and editable per language pair.
 */
import { useEffect, useState } from 'react';
import { useStore } from 'zustand';
import {
  DEFAULT_EXAMPLES,
  LANGUAGE_NAMES,
  LANGUAGE_PAIRS,
  type Language,
  type LanguagePair,
  type TranslationExample,
} from '../../../electron/api';
import { useApp } from '../app/context';
import { usePanes } from './context';
import { insertBelow, readSource, replaceSource } from './editorText';
import {
  ErrorLine,
  HistoryList,
  PaneIcon,
  PromptDetails,
  ResultActions,
  RunBar,
  SourceBox,
  useActiveDoc,
  useSource,
} from './parts';
import { runKey, type PaneRun } from './tasksStore';

export function pairLabel(pair: LanguagePair): string {
  const [a, b] = pair.split('-') as [Language, Language];
  return `${LANGUAGE_NAMES[a]} → ${LANGUAGE_NAMES[b]}`;
}

let lastPair: LanguagePair = 'en-fr';

function Examples({ pair }: { pair: LanguagePair }) {
  const { sampling } = usePanes();
  const saved = useStore(sampling, (s) => s.library?.examples[pair]);
  const current = saved ?? DEFAULT_EXAMPLES[pair];
  const [rows, setRows] = useState<TranslationExample[]>(() => current.map((e) => ({ ...e })));
  useEffect(() => setRows(current.map((e) => ({ ...e }))), [pair, saved]); // eslint-disable-line react-hooks/exhaustive-deps
  const dirty = JSON.stringify(rows) !== JSON.stringify(current);
  const valid = rows.length > 0 && rows.every((r) => r.source.trim() && r.target.trim());
  const edit = (i: number, side: 'source' | 'target', value: string) =>
    setRows(rows.map((r, j) => (j === i ? { ...r, [side]: value } : r)));
  const [a, b] = pair.split('-') as [Language, Language];
  return (
    <details className="pane-examples" data-testid="translate-examples">
      <summary>
        Examples the model is shown ({current.length}){saved ? ' · edited' : ''}
      </summary>
      <p className="pane-note">
        The prompt starts with these pairs, one per line as “{LANGUAGE_NAMES[a]} = {LANGUAGE_NAMES[b]}”, so the model
        sees what to do.
      </p>
      <ol className="example-rows">
        {rows.map((r, i) => (
          <li key={i} className="example-row">
            <input
              aria-label={`Example ${i + 1} in ${LANGUAGE_NAMES[a]}`}
              value={r.source}
              onChange={(e) => edit(i, 'source', e.target.value)}
              maxLength={600}
            />
            <span aria-hidden="true">=</span>
            <input
              aria-label={`Example ${i + 1} in ${LANGUAGE_NAMES[b]}`}
              value={r.target}
              onChange={(e) => edit(i, 'target', e.target.value)}
              maxLength={600}
            />
            <button
              type="button"
              className="icon-button small"
              aria-label={`Remove example ${i + 1}`}
              title="Remove this pair"
              onClick={() => setRows(rows.filter((_, j) => j !== i))}
              disabled={rows.length <= 1}
            >
              <PaneIcon name="close" size={14} />
            </button>
          </li>
        ))}
      </ol>
      <div className="pane-actions">
        <button
          type="button"
          className="button small"
          onClick={() => setRows([...rows, { source: '', target: '' }])}
          disabled={rows.length >= 32}
        >
          Add a pair
        </button>
        <button
          type="button"
          className="button primary small"
          disabled={!dirty || !valid}
          onClick={() => void sampling.getState().setExamples(pair, rows)}
          data-testid="examples-save"
          title={valid ? 'Use these pairs from now on' : 'Every pair needs both sides'}
        >
          Save examples
        </button>
        <button
          type="button"
          className="button small"
          disabled={!saved && !dirty}
          onClick={() =>
            saved ? void sampling.getState().setExamples(pair, null) : setRows(current.map((e) => ({ ...e })))
          }
        >
          {saved ? 'Back to the built-in pairs' : 'Undo changes'}
        </button>
      </div>
    </details>
  );
}

export function TranslatePane() {
  const panes = usePanes();
  const { commands, ui, effectiveParams } = useApp();
  const { docId, ready } = useActiveDoc();
  const [pair, setPair] = useState<LanguagePair>(lastPair);
  const source = useSource('paragraph');
  const key = docId ? runKey(docId, 'translate') : '';
  const run = useStore(panes.tasks, (s) => s.runs[key]) as PaneRun | undefined;
  const history = useStore(panes.tasks, (s) => s.history[key]);
  const examples = useStore(panes.sampling, (s) => s.library?.examples[pair]);

  const translate = () => {
    const view = panes.view();
    if (!view || !docId || !ready) return;
    const src = readSource(view, 'paragraph');
    if (!src.text.trim()) {
      ui.getState().notify('info', 'Select the text to translate, or put the cursor in a paragraph.');
      return;
    }
    void panes.tasks.getState().start(
      {
        kind: 'translate',
        docId,
        pair,
        text: src.text,
        params: effectiveParams('translate', docId),
        ...(examples ? { examples } : {}),
      },
      { doc: view.state.doc, source: src },
    );
  };
  useEffect(() => {
    panes.runners.translate = translate;
    return () => {
      if (panes.runners.translate === translate) delete panes.runners.translate;
    };
  });

  const result = run?.result;
  const done = run?.status === 'done' && result;
  const view = panes.view();

  return (
    <div className="pane" data-testid="translate-pane">
      <label className="field">
        <span>Languages</span>
        <select
          value={pair}
          onChange={(e) => {
            lastPair = e.target.value as LanguagePair;
            setPair(lastPair);
          }}
          data-testid="translate-pair"
          title="From which language into which. English ↔ French is the GPT-2 paper's pair."
        >
          {LANGUAGE_PAIRS.map((p) => (
            <option key={p} value={p}>
              {pairLabel(p)}
            </option>
          ))}
        </select>
      </label>
      <SourceBox source={source} label="Translating" testId="translate-source" />
      <RunBar
        kind="translate"
        label="Translate"
        tooltip="Translate sentence by sentence"
        run={run}
        onRun={translate}
        onStop={() => docId && panes.tasks.getState().stop(docId, 'translate')}
        disabled={!ready || !source?.text.trim()}
        disabledReason={ready ? 'Select text or put the cursor in a paragraph' : 'No model is loaded yet'}
      />
      <ErrorLine text={run?.error} />
      {run && run.status === 'running' ? (
        <ol className="segments" data-testid="translate-segments">
          {run.segments.map((s, i) =>
            s ? (
              <li key={i} className={s.result === null ? 'pending' : ''}>
                <div className="segment-source">{s.source}</div>
                <div className="segment-result">
                  {s.result ?? (i === run.segments.length - 1 ? (run.streams[0] ?? '') : '') ?? '…'}
                </div>
              </li>
            ) : null,
          )}
        </ol>
      ) : null}
      {done ? (
        <div className="pane-result" data-testid="translate-result">
          <div className="pane-result-text" data-testid="translate-output">
            {result.text || <em className="muted">The model wrote no translation.</em>}
          </div>
          {result.text ? (
            <ResultActions
              testId="translate-actions"
              text={result.text}
              onInsertBelow={() => {
                if (!view) return;
                insertBelow(
                  view,
                  run.origin.doc === view.state.doc ? run.origin.source.to : view.state.selection.main.to,
                  result.text,
                );
                commands.focus();
              }}
              onReplace={() => {
                if (!view) return;
                if (replaceSource(view, run.origin.source, result.text)) commands.focus();
                else
                  ui.getState().notify(
                    'error',
                    'The source text changed since it was translated, so it was not replaced. Insert the translation instead, or translate again.',
                  );
              }}
            />
          ) : null}
        </div>
      ) : null}
      {done && result.segments && result.segments.length > 1 ? (
        <details className="pane-sentences" data-testid="translate-sentences">
          <summary>Sentence by sentence ({result.segments.length})</summary>
          <ol className="segments">
            {result.segments.map((s, i) => (
              <li key={i}>
                <div className="segment-source">{s.source}</div>
                <div className="segment-result">{s.result}</div>
              </li>
            ))}
          </ol>
        </details>
      ) : null}
      <PromptDetails prompt={result?.prompt} note={result?.promptNote} />
      <Examples pair={pair} />
      <HistoryList
        testId="translate-history"
        entries={history}
        onInsert={(text) => view && insertBelow(view, view.state.selection.main.to, text)}
      />
    </div>
  );
}
