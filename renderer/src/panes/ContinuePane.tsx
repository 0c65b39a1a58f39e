/**
 * Continue: several continuations of the text before the cursor, side by side as cards, each with
 * its length, speed and average log-probability; insert one, regenerate one, or regenerate all.
 */
import { useStore } from 'zustand';
import { cutShortReason, type TaskAlternative } from '../../../electron/api';
import { useApp } from '../app/context';
import { usePanes } from './context';
import { insertAt } from './editorText';
import { ErrorLine, HistoryList, PaneIcon, PromptDetails, RunBar } from './parts';
import { cutNote } from './tasksStore';
import { usePaneTask, useRunner } from './usePaneTask';
import { SuggestionSummary } from '../sampling/SuggestionSummary';

/** A different but reproducible seed for regenerating card `index` when the seed is fixed. */
function regenSeed(seed: unknown, index: number, round: number): number | null {
  if (typeof seed !== 'number') return null;
  return (seed + 7919 * (index + 1) + 104_729 * round) >>> 0;
}

const rounds = new Map<string, number>();

function Stats({ alt }: { alt: TaskAlternative }) {
  const mean = alt.meanLogprob;
  return (
    <div className="alt-card-stats" data-testid="card-stats">
      <span title="Tokens in this continuation (a token is about ¾ of a word)">{alt.tokenCount} tokens</span>
      <span title="How fast the model wrote it">{alt.tokensPerS.toFixed(1)} tok/s</span>
      {mean !== null ? (
        <span
          title={`Average log-probability per token (natural log): closer to 0 means the model found the text more expected. About ${(Math.exp(mean) * 100).toFixed(1)}% per token on average.`}
        >
          avg log-prob {mean.toFixed(2)}
        </span>
      ) : null}
      {alt.finishReason === 'cancelled' ? <span className="muted">stopped</span> : null}
      {alt.finishReason === 'cut' ? (
        <span className="muted" title="The engine broke off before this one finished: this is what arrived">
          cut off
        </span>
      ) : null}
    </div>
  );
}

export function ContinuePane() {
  const panes = usePanes();
  const { commands, ui } = useApp();
  const pane = usePaneTask('continue');
  const { docId, ready, run } = pane;
  useStore(panes.sampling, (s) => s.library); // re-render when the parameters change
  const params = pane.params();

  const generate = () => {
    const view = panes.view();
    if (!view || !docId || !ready) return;
    const head = view.state.selection.main.head;
    const textBefore = view.state.doc.sliceString(0, head); // all of it: the host picks the window
    void panes.tasks
      .getState()
      .start(
        { kind: 'continue', docId, textBefore, params, topAlternatives: 5 },
        { doc: view.state.doc, source: { kind: 'document', text: textBefore, from: head, to: head } },
      );
  };

  useRunner('continue', generate);

  const insert = (alt: TaskAlternative) => {
    const view = panes.view();
    if (!view || !run) return;
    const unchanged = view.state.doc === run.origin.doc;
    // The other cards go into the generation history as alternatives at the same place.
    const others = (run.result?.alternatives ?? []).filter((a) => a !== alt).map((a) => a.text);
    const at = insertAt(view, unchanged ? run.origin.source.from : view.state.selection.main.head, alt.text, {
      source: 'card',
      others,
    });
    panes.probabilities.record(view, at, alt.tokens);
    if (!unchanged) ui.getState().notify('info', 'The text changed since these were written: inserted at the cursor.');
    commands.focus();
  };

  const regenerate = (index: number) => {
    if (!run || !docId) return;
    const round = (rounds.get(run.requestId) ?? 0) + 1;
    rounds.set(run.requestId, round);
    void panes.tasks.getState().regenerate(docId, index, {
      kind: 'continue',
      docId,
      textBefore: run.origin.source.text,
      params: { ...params, alternatives: 1, seed: regenSeed(params.seed, index, round) },
      topAlternatives: 5,
    });
  };

  const count =
    run?.result?.alternatives.length ??
    Math.max(run?.streams.length ?? 0, run ? (typeof params.alternatives === 'number' ? params.alternatives : 1) : 0);
  const cards = Array.from({ length: count }, (_, i) => i);

  return (
    <div className="pane" data-testid="continue-pane">
      <p className="pane-lede">Alternatives for what comes next at the cursor. Insert the one you like.</p>
      <SuggestionSummary compact />
      <RunBar
        kind="continue"
        label={run?.result ? 'Regenerate all' : 'Generate'}
        tooltip="Write new alternatives from the cursor"
        run={run}
        onRun={generate}
        onStop={pane.stop}
        disabled={!ready || !docId}
        disabledReason="No model is loaded yet"
      />
      <ErrorLine text={run?.error} />
      {cutNote(run) ? (
        <p className="pane-note" data-testid="continue-cut">
          {cutNote(run)}
        </p>
      ) : null}
      <PromptDetails prompt={run?.result?.prompt} note={run?.result?.promptNote} />
      <div className="alt-cards" data-testid="continue-cards">
        {cards.map((i) => {
          const regen = run?.regen[i];
          const alt = run?.result?.alternatives[i];
          const text = regen ? regen.text : alt ? alt.text : (run?.streams[i] ?? '');
          const busy = Boolean(regen) || run?.status === 'running';
          return (
            <article
              key={i}
              className={`alt-card${busy ? ' busy' : ''}`}
              data-testid="continue-card"
              aria-label={`Alternative ${i + 1}`}
            >
              <div className="alt-card-head">
                <span className="alt-card-number">{i + 1}</span>
                {alt && !regen ? <Stats alt={alt} /> : <span className="muted alt-card-stats">writing…</span>}
              </div>
              <p className="alt-card-text" data-testid="card-text">
                {text || <span className="muted">…</span>}
              </p>
              {alt && !regen && cutShortReason(alt) ? (
                <p className="pane-note" data-testid="card-cut-short">
                  {cutShortReason(alt)}
                </p>
              ) : null}
              <div className="pane-actions">
                <button
                  type="button"
                  className="button primary small"
                  disabled={!alt || Boolean(regen) || !alt.text}
                  onClick={() => alt && insert(alt)}
                  data-testid="card-insert"
                  title="Insert this continuation at the cursor (one undo step)"
                >
                  <PaneIcon name="insert" /> Insert
                </button>
                <button
                  type="button"
                  className="button small"
                  disabled={!run?.result || busy || !ready}
                  onClick={() => regenerate(i)}
                  data-testid="card-regenerate"
                  title="Write this alternative again (the others stay)"
                >
                  <PaneIcon name="refresh" /> Regenerate
                </button>
              </div>
            </article>
          );
        })}
      </div>
      {!run ? (
        <p className="pane-empty">
          Put the cursor where the text should go on, then Generate. Each card can be inserted, or written again on its
          own.
        </p>
      ) : null}
      <HistoryList
        testId="continue-history"
        entries={pane.history}
        onInsert={(text) => {
          const view = panes.view();
          if (view) insertAt(view, view.state.selection.main.head, text);
        }}
      />
    </div>
  );
}
