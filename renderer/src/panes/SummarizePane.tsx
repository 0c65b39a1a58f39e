/**
 * Summarize: the selection (or the whole document) followed by "\nTL;DR:", sampled with top-k 2 for
 * up to 100 tokens, the first three sentences kept — the GPT-2 paper's settings, adjustable in the
 * sampling pane.
 */
import { useState } from 'react';
import {
  ErrorLine,
  HistoryList,
  PromptDetails,
  ResultBox,
  RunBar,
  SourceBox,
  StreamBox,
  UnreadNote,
  useSource,
} from './parts';
import { cutNote } from './tasksStore';
import { usePaneTask, useRunner } from './usePaneTask';

export function SummarizePane() {
  const pane = usePaneTask('summarize');
  const { ready, run } = pane;
  const [sentences, setSentences] = useState(3);
  const source = useSource('document');

  const summarize = () =>
    void pane.startOnSource('document', 'There is nothing to summarize yet.', (src, docId) => ({
      kind: 'summarize',
      docId,
      text: src.text,
      sentences,
      params: pane.params(),
    }));
  useRunner('summarize', summarize);

  const result = run?.result;
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
        onStop={pane.stop}
        disabled={!ready || !source || source.blank}
        disabledReason={ready ? 'Write or select some text first' : 'No model is loaded yet'}
      />
      <ErrorLine text={run?.error} />
      {result && run?.status !== 'running' ? <UnreadNote unread={result.unread} what="the summary" /> : null}
      {run?.status === 'running' ? <StreamBox name="summarize" run={run} /> : null}
      {result && run?.status !== 'running' ? (
        <ResultBox
          name="summarize"
          text={result.text}
          empty="The model wrote no sentence to keep. Try again (the sampling differs each time)."
          cut={cutNote(run)}
          actions={{
            onInsertBelow: () => pane.insertBelowSource(result.text, (view) => view.state.doc.length),
            onReplace:
              run?.origin.source.kind === 'selection'
                ? () =>
                    pane.replaceRunSource(
                      result.text,
                      'The selected text changed since it was summarized, so it was not replaced.',
                    )
                : undefined,
          }}
        />
      ) : null}
      <PromptDetails prompt={result?.prompt} note={result?.promptNote} />
      <HistoryList testId="summarize-history" entries={pane.history} onInsert={pane.insertBelowCursor} />
    </div>
  );
}
