/**
 * Summarize: the selection (or the whole document) followed by "\nTL;DR:", sampled with top-k 2 for
 * up to 100 tokens, the first three sentences kept — the GPT-2 paper's settings, adjustable in the
 * sampling pane.
 */
import { useEffect, useState } from 'react';
import { useStore } from 'zustand';
import { useApp } from '../app/context';
import { usePanes } from './context';
import { insertBelow, readSource, replaceSource } from './editorText';
import {
  ErrorLine,
  HistoryList,
  PromptDetails,
  ResultActions,
  RunBar,
  SourceBox,
  useActiveDoc,
  useSource,
} from './parts';
import { runKey, type PaneRun } from './tasksStore';

export function SummarizePane() {
  const panes = usePanes();
  const { commands, ui, effectiveParams } = useApp();
  const { docId, ready } = useActiveDoc();
  const [sentences, setSentences] = useState(3);
  const source = useSource('document');
  const key = docId ? runKey(docId, 'summarize') : '';
  const run = useStore(panes.tasks, (s) => s.runs[key]) as PaneRun | undefined;
  const history = useStore(panes.tasks, (s) => s.history[key]);

  const summarize = () => {
    const view = panes.view();
    if (!view || !docId || !ready) return;
    const src = readSource(view, 'document');
    if (!src.text.trim()) {
      ui.getState().notify('info', 'There is nothing to summarize yet.');
      return;
    }
    void panes.tasks
      .getState()
      .start(
        { kind: 'summarize', docId, text: src.text, sentences, params: effectiveParams('summarize', docId) },
        { doc: view.state.doc, source: src },
      );
  };
  useEffect(() => {
    panes.runners.summarize = summarize;
    return () => {
      if (panes.runners.summarize === summarize) delete panes.runners.summarize;
    };
  });

  const result = run?.result;
  const view = panes.view();
  return (
    <div className="pane" data-testid="summarize-pane">
      <SourceBox source={source} label="Summarizing" testId="summarize-source" />
      <label className="field" title="How many sentences of the model's text to keep (the paper keeps 3)">
        <span>Sentences to keep</span>
        <select
          value={sentences}
          onChange={(e) => setSentences(Number(e.target.value))}
          data-testid="summarize-sentences"
        >
          {[1, 2, 3, 4, 5].map((n) => (
            <option key={n} value={n}>
              {n}
            </option>
          ))}
        </select>
      </label>
      <RunBar
        kind="summarize"
        label="Summarize"
        tooltip="Write a summary (TL;DR)"
        run={run}
        onRun={summarize}
        onStop={() => docId && panes.tasks.getState().stop(docId, 'summarize')}
        disabled={!ready || !source?.text.trim()}
        disabledReason={ready ? 'Write or select some text first' : 'No model is loaded yet'}
      />
      <ErrorLine text={run?.error} />
      {run?.status === 'running' ? (
        <div className="pane-result streaming" data-testid="summarize-stream">
          {run.streams[0] ?? ''}
        </div>
      ) : null}
      {result && run?.status !== 'running' ? (
        <div className="pane-result" data-testid="summarize-result">
          <div className="pane-result-text" data-testid="summarize-output">
            {result.text || (
              <em className="muted">
                The model wrote no sentence to keep. Try again (the sampling differs each time).
              </em>
            )}
          </div>
          {result.text ? (
            <ResultActions
              testId="summarize-actions"
              text={result.text}
              onInsertBelow={() => {
                if (!view || !run) return;
                insertBelow(
                  view,
                  run.origin.doc === view.state.doc ? run.origin.source.to : view.state.doc.length,
                  result.text,
                );
                commands.focus();
              }}
              onReplace={
                run?.origin.source.kind === 'selection'
                  ? () => {
                      if (!view || !run) return;
                      if (replaceSource(view, run.origin.source, result.text)) commands.focus();
                      else
                        ui.getState().notify(
                          'error',
                          'The selected text changed since it was summarized, so it was not replaced.',
                        );
                    }
                  : undefined
              }
            />
          ) : null}
        </div>
      ) : null}
      <PromptDetails prompt={result?.prompt} note={result?.promptNote} />
      <HistoryList
        testId="summarize-history"
        entries={history}
        onInsert={(text) => view && insertBelow(view, view.state.selection.main.to, text)}
      />
    </div>
  );
}
