/**
 * Ask: a question about the selection (or the document) in the GPT-2 paper's reading-comprehension
 * format — the passage, the conversation so far as Q:/A: lines, the question and a final "A:",
 * greedy, the first line as the answer. Follow-up questions carry the earlier turns.
 */
import { useEffect, useRef, useState, type FormEvent } from 'react';
import { useStore } from 'zustand';
import { useApp } from '../app/context';
import { usePanes } from './context';
import { insertAt, readSource } from './editorText';
import { ErrorLine, PromptDetails, ResultActions, RunBar, SourceBox, useActiveDoc, useSource } from './parts';
import { runKey, type PaneRun } from './tasksStore';

export function AskPane() {
  const panes = usePanes();
  const { commands, ui, effectiveParams } = useApp();
  const { docId, ready } = useActiveDoc();
  const [question, setQuestion] = useState('');
  const input = useRef<HTMLTextAreaElement>(null);
  const source = useSource('document');
  const key = docId ? runKey(docId, 'answer') : '';
  const run = useStore(panes.tasks, (s) => s.runs[key]) as PaneRun | undefined;
  const turns = useStore(panes.tasks, (s) => (docId ? s.conversations[docId] : undefined));

  const ask = (e?: FormEvent) => {
    e?.preventDefault();
    const view = panes.view();
    const q = question.trim();
    if (!view || !docId || !ready) return;
    if (!q) {
      input.current?.focus();
      return;
    }
    const src = readSource(view, 'document');
    if (!src.text.trim()) {
      ui.getState().notify('info', 'There is no text to ask about yet.');
      return;
    }
    void panes.tasks
      .getState()
      .start(
        {
          kind: 'answer',
          docId,
          passage: src.text,
          question: q,
          history: turns ?? [],
          params: effectiveParams('answer', docId),
        },
        { doc: view.state.doc, source: src },
        { question: q },
      )
      .then((r) => {
        if (r && r.finishReason !== 'cancelled') setQuestion('');
      });
  };
  useEffect(() => {
    panes.runners.answer = () => ask();
    return () => {
      delete panes.runners.answer;
    };
  });

  const view = panes.view();
  const latest = run?.status === 'done' ? run.result : null;
  // The latest answer is on show below with its actions; the list holds the turns before it.
  const earlier = (turns ?? []).slice(0, latest && latest.text ? -1 : undefined);
  return (
    <div className="pane" data-testid="ask-pane">
      <SourceBox source={source} label="Reading" testId="ask-source" />
      {earlier.length > 0 ? (
        <ol className="qa-turns" data-testid="ask-turns">
          {earlier.map((t, i) => (
            <li key={i}>
              <div className="qa-q">
                <span className="qa-mark">Q</span> {t.q}
              </div>
              <div className="qa-a">
                <span className="qa-mark">A</span> {t.a}
              </div>
            </li>
          ))}
        </ol>
      ) : null}
      {run?.status === 'running' ? (
        <div className="pane-result streaming" data-testid="ask-stream">
          {run.question ? (
            <div className="qa-q">
              <span className="qa-mark">Q</span> {run.question}
            </div>
          ) : null}
          {run.streams[0] ?? ''}
        </div>
      ) : null}
      {latest ? (
        <div className="pane-result" data-testid="ask-result">
          {run?.question ? (
            <div className="qa-q">
              <span className="qa-mark">Q</span> {run.question}
            </div>
          ) : null}
          <div className="pane-result-text" data-testid="ask-output">
            {latest.text || <em className="muted">The model gave no answer.</em>}
          </div>
          {latest.text ? (
            <ResultActions
              testId="ask-actions"
              text={latest.text}
              onInsert={() => {
                if (!view) return;
                insertAt(view, view.state.selection.main.head, latest.text);
                commands.focus();
              }}
            />
          ) : null}
        </div>
      ) : null}
      {/* One conversation in reading order: earlier turns, the latest, then the question box. */}
      <ErrorLine text={run?.error} />
      <form onSubmit={ask} className="ask-form">
        <label className="field stacked">
          <span>Your question</span>
          <textarea
            ref={input}
            rows={2}
            value={question}
            onChange={(e) => setQuestion(e.target.value)}
            onKeyDown={(e) => {
              if (e.key === 'Enter' && !e.shiftKey && !e.ctrlKey && !e.metaKey && !e.altKey) {
                e.preventDefault();
                ask();
              }
            }}
            placeholder="Who is the story about?"
            maxLength={2000}
            data-testid="ask-question"
            aria-label="Your question"
          />
        </label>
        <RunBar
          kind="ask"
          label="Ask"
          tooltip="Ask the model (Enter)"
          run={run}
          onRun={() => ask()}
          onStop={() => docId && panes.tasks.getState().stop(docId, 'answer')}
          disabled={!ready || !question.trim() || !source?.text.trim()}
          disabledReason={ready ? 'Type a question about the text' : 'No model is loaded yet'}
        >
          {turns?.length ? (
            <button
              type="button"
              className="button small"
              onClick={() => docId && panes.tasks.getState().clearConversation(docId)}
              title="Forget the earlier questions (they are part of the prompt)"
            >
              New conversation
            </button>
          ) : null}
        </RunBar>
      </form>
      <PromptDetails prompt={latest?.prompt} note={latest?.promptNote} />
    </div>
  );
}
