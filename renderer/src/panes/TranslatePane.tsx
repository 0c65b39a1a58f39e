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
import { usePanes } from './context';
import { ErrorLine, HistoryList, PaneIcon, PromptDetails, ResultBox, RunBar, SourceBox, useSource } from './parts';
import { cutNote, hasResult } from './tasksStore';
import { usePaneTask, useRunner } from './usePaneTask';

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
  const pane = usePaneTask('translate');
  const { ready, run } = pane;
  const [pair, setPair] = useState<LanguagePair>(lastPair);
  const source = useSource('paragraph');
  const examples = useStore(panes.sampling, (s) => s.library?.examples[pair]);

  const translate = () =>
    void pane.startOnSource(
      'paragraph',
      'Select the text to translate, or put the cursor in a paragraph.',
      (src, docId) => ({
        kind: 'translate',
        docId,
        pair,
        text: src.text,
        params: pane.params(),
        ...(examples ? { examples } : {}),
      }),
    );
  useRunner('translate', translate);

  const result = run?.result;
  // Finished, or cut off mid-way (then the sentences that arrived, marked).
  const done = hasResult(run) && result;

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
        onStop={pane.stop}
        disabled={!ready || !source || source.blank}
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
        <ResultBox
          name="translate"
          text={result.text}
          empty="The model wrote no translation."
          cut={cutNote(run)}
          actions={{
            onInsertBelow: () => pane.insertBelowSource(result.text, (view) => view.state.selection.main.to),
            onReplace: () =>
              pane.replaceRunSource(
                result.text,
                'The source text changed since it was translated, so it was not replaced. Insert the translation instead, or translate again.',
              ),
          }}
        />
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
      <HistoryList testId="translate-history" entries={pane.history} onInsert={pane.insertBelowCursor} />
    </div>
  );
}
