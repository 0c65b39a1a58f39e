/**
 * The generation history at one place: a popover under the generated text listing every text that
 * was or could have been there (accepted suggestion, alternatives not chosen, other cards, branches,
 * retries, the writer's own edit). Choosing one puts it in place of what is there (one undo step);
 * "Write a fresh one" is Retry for this place. ↑/↓ move, Enter chooses, Esc closes.
 */
import { useEffect, useRef, type KeyboardEvent } from 'react';
import { useApp } from '../app/context';
import { requestReplacement } from '../editor/ghost-text';
import { countWords } from '../editor/ghost-text/state';
import './desk.css';
import { currentText, generationsOf, retryTarget, sourceLabel, swapSpec } from '../editor/generations/state';

function preview(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > 180 ? `${flat.slice(0, 177)}…` : flat || '(empty)';
}

export function GenerationHistory({ docId, id }: { docId: string; id: string }) {
  const { ui, sessions } = useApp();
  const ref = useRef<HTMLDivElement>(null);
  const view = sessions.editorView;
  const g =
    view && sessions.shownId === docId ? (generationsOf(view.state).list.find((x) => x.id === id) ?? null) : null;
  const close = () => {
    ui.getState().closeDialog();
    view?.focus();
  };

  useEffect(() => {
    const el = ref.current;
    (el?.querySelector<HTMLElement>('[aria-current="true"]') ?? el?.querySelector<HTMLElement>('button'))?.focus();
  }, []);

  if (!view || !g) return null;
  const shown = currentText(view.state, g);
  // Below the generated text, so the popover does not hide it.
  const coords = view.coordsAtPos(g.to, -1) ?? view.coordsAtPos(view.state.selection.main.head);
  const top = Math.min((coords?.bottom ?? 120) + 8, window.innerHeight - 240);
  const left = Math.max(12, Math.min(coords?.left ?? 120, window.innerWidth - 452));

  const choose = (index: number) => {
    const spec = swapSpec(view.state, id, index);
    if (spec) view.dispatch(spec);
    close();
  };
  const retry = () => {
    const target = retryTarget(view.state, id);
    close();
    if (target) requestReplacement(view, target);
  };
  const onKey = (e: KeyboardEvent<HTMLDivElement>) => {
    if (e.key === 'Escape') {
      e.preventDefault();
      e.stopPropagation();
      close();
      return;
    }
    if (e.key !== 'ArrowDown' && e.key !== 'ArrowUp') return;
    e.preventDefault();
    const buttons = [...(ref.current?.querySelectorAll<HTMLButtonElement>('button') ?? [])];
    const at = buttons.indexOf(document.activeElement as HTMLButtonElement);
    const next = (at + (e.key === 'ArrowDown' ? 1 : -1) + buttons.length) % buttons.length;
    buttons[next]?.focus();
  };

  // Newest first: the latest tries are the ones a writer usually wants back.
  const rows = g.tries.map((t, i) => ({ t, i })).reverse();
  return (
    <div className="gen-backdrop" onMouseDown={(e) => e.target === e.currentTarget && close()}>
      <div
        className="gen-history"
        role="dialog"
        aria-modal="true"
        aria-labelledby="gen-history-title"
        data-testid="generation-history"
        ref={ref}
        style={{ top, left }}
        onKeyDown={onKey}
      >
        <h2 id="gen-history-title" className="gen-history-title">
          History here{' '}
          <span className="gen-history-count">
            {g.tries.length} {g.tries.length === 1 ? 'text' : 'texts'}
          </span>
        </h2>
        <ul className="gen-history-list">
          {rows.map(({ t, i }) => {
            const onShow = t.text === shown;
            return (
              <li key={i}>
                <button
                  type="button"
                  className="gen-try"
                  aria-current={onShow ? 'true' : undefined}
                  title={t.text}
                  data-testid="generation-try"
                  onClick={() => choose(i)}
                >
                  <span className="gen-try-meta">
                    {sourceLabel(t.source)} · {countWords(t.text)} words{onShow ? ' · in the text now' : ''}
                  </span>
                  <span className="gen-try-text">{preview(t.text)}</span>
                </button>
              </li>
            );
          })}
        </ul>
        <div className="gen-history-actions">
          <button type="button" className="button" onClick={retry} data-testid="generation-retry">
            Write a fresh one here
          </button>
          <button type="button" className="button" onClick={close}>
            Close
          </button>
        </div>
      </div>
    </div>
  );
}
