/**
 * Ask: a question about the selection (or the document) in the GPT-2 paper's reading-comprehension
 * format — the passage, the conversation so far as Q:/A: lines, the question and a final "A:",
 * greedy, the first line as the answer. Follow-up questions carry the earlier turns.
 */
import { useRef, useState, type FormEvent } from 'react';
import { useStore } from 'zustand';
import { useApp } from '../app/context';
import { usePanes } from './context';
import { insertAt } from './editorText';
import { ErrorLine, PromptDetails, ResultBox, RunBar, SourceBox, StreamBox, UnreadNote, useSource } from './parts';
import { cutNote, hasResult } from './tasksStore';
import { usePaneTask, useRunner } from './usePaneTask';

/** One line of the conversation: a question (Q) or an answer (A). */
function QaLine({ mark, text }: { mark: 'Q' | 'A'; text: string }) {
  return (
    <div className={mark === 'Q' ? 'qa-q' : 'qa-a'}>
      <span className="qa-mark">{mark}</span> {text}
    </div>
  );
}

export function AskPane() {
  const panes = usePanes();
  const { commands } = useApp();
  const pane = usePaneTask('answer');
  const { docId, ready, run } = pane;
  const [question, setQuestion] = useState('');
  const input = useRef<HTMLTextAreaElement>(null);
  const source = useSource('document');
  const turns = useStore(panes.tasks, (s) => (docId ? s.conversations[docId] : undefined));

  const ask = (e?: FormEvent) => {
    e?.preventDefault();
    const q = question.trim();
    if (!panes.view() || !docId || !ready) return;
    if (!q) {
      input.current?.focus();
      return;
    }
    void pane
      .startOnSource(
        'document',
        'There is no text to ask about yet.',
        (src, docId) => ({
          kind: 'answer',
          docId,
          passage: src.text,
          question: q,
          history: turns ?? [],
          params: pane.params(),
        }),
        { question: q },
      )
      ?.then((r) => {
        // A cut answer keeps the question in the box, to ask again.
        if (r && r.finishReason !== 'cancelled' && !r.interrupted) setQuestion('');
      });
  };
  useRunner('answer', () => ask());

  const latest = hasResult(run) ? run.result : null;
  const asked = run?.question ? <QaLine mark="Q" text={run.question} /> : null;
  // The latest answer is on show below with its actions; the list holds the turns before it (a cut
  // answer is not one of the turns).
  const earlier = (turns ?? []).slice(0, run?.status === 'done' && latest?.text ? -1 : undefined);
  return (
    <div className="pane" data-testid="ask-pane">
      <SourceBox source={source} label="Reading" testId="ask-source" />
      {earlier.length > 0 ? (
        <ol className="qa-turns" data-testid="ask-turns">
          {earlier.map((t, i) => (
            <li key={i}>
              <QaLine mark="Q" text={t.q} />
              <QaLine mark="A" text={t.a} />
            </li>
          ))}
        </ol>
      ) : null}
      {run?.status === 'running' ? <StreamBox name="ask" run={run} head={asked} /> : null}
      {latest ? <UnreadNote unread={latest.unread} what="the answer" /> : null}
      {latest ? (
        <ResultBox
          name="ask"
          text={latest.text}
          empty="The model gave no answer."
          cut={cutNote(run)}
          head={asked}
          actions={{
            onInsert: () => {
              const view = pane.view;
              if (!view) return;
              insertAt(view, view.state.selection.main.head, latest.text);
              commands.focus();
            },
          }}
        />
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
          onStop={pane.stop}
          disabled={!ready || !question.trim() || !source || source.blank}
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
