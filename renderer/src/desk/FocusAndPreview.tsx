/**
 * Focus mode's way out (a quiet button that appears when the pointer comes near the top) and the
 * Markdown preview (the text rendered as the export renders it, read-only, updating as it changes).
 */
import { useLayoutEffect, useRef } from 'react';
import { useStore } from 'zustand';
import { useApp } from '../app/context';
import { effectiveBindings } from '../../../electron/api';
import { formatCombo } from '../keyboard';
import { isMarkdownDoc } from './ExportDialog';
import { markdownToHtml, plainToHtml } from './exportDocument';
import './desk.css';

export function FocusExit() {
  const { desk, settings, commands } = useApp();
  const on = useStore(desk, (s) => s.focusMode);
  const key = useStore(settings, (s) => effectiveBindings(s.settings.shortcuts ?? {})['view.focusMode']);
  if (!on) return null;
  return (
    <button
      type="button"
      className="focus-exit"
      data-testid="focus-exit"
      title="Leave focus mode: show the toolbar, status bar and side panel again"
      onClick={() => {
        desk.getState().toggleFocusMode();
        commands.focus();
      }}
    >
      Leave focus mode{key ? ` (${formatCombo(key)})` : ''}
    </button>
  );
}

/**
 * The preview opens where the writer is: scrolled to the block that holds the cursor (each block
 * is marked with where it starts in the text).
 */
export function MarkdownPreview() {
  const { desk, documents, sessions, panes } = useApp();
  const on = useStore(desk, (s) => s.preview);
  const activeId = useStore(documents, (s) => s.activeId);
  const meta = useStore(documents, (s) => (s.activeId ? s.docs[s.activeId] : undefined));
  useStore(panes.tick, (s) => s.tick);
  const ref = useRef<HTMLElement>(null);
  useLayoutEffect(() => {
    const el = ref.current;
    const head = activeId ? sessions.stateOf(activeId)?.selection.main.head : undefined;
    if (!on || !el || head === undefined) return;
    let target: HTMLElement | null = null;
    for (const m of el.querySelectorAll<HTMLElement>('.src-mark')) {
      if (Number(m.dataset.src) > head) break;
      target = m;
    }
    const block = target?.nextElementSibling;
    if (block instanceof HTMLElement) block.scrollIntoView({ block: 'start' });
  }, [on, activeId, sessions]);
  if (!on || !activeId || !meta) return null;
  const text = sessions.text(activeId) ?? '';
  const html = isMarkdownDoc(meta) ? markdownToHtml(text, { marks: true }) : plainToHtml(text, { marks: true });
  return (
    <article
      ref={ref}
      className="markdown-preview"
      data-testid="markdown-preview"
      aria-label={`Preview of ${meta.name}`}
      tabIndex={0}
      // Rendered by exportDocument.ts: raw HTML in the text is escaped, unsafe link addresses dropped.
      dangerouslySetInnerHTML={{ __html: html || '<p class="muted">Nothing to preview yet.</p>' }}
    />
  );
}
