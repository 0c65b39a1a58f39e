/**
 * What every task pane (Continue, Translate, Summarize, Ask) does the same way: follow its latest
 * run and history in the active document, answer "run the pane", start on its source text with
 * the task's effective parameters, and put a result back into the document (one undo step each).
 */
import { useEffect } from 'react';
import type { EditorView } from '@codemirror/view';
import { useStore } from 'zustand';
import type { CompletionParams, TaskKind, TaskResult } from '../../../electron/api';
import { useApp } from '../app/context';
import { usePanes } from './context';
import { insertBelow, readSource, replaceSource, type Source } from './editorText';
import { useActiveDoc } from './parts';
import { runKey, type HistoryEntry, type PaneRun, type TaskInput } from './tasksStore';

export interface PaneTask {
  docId: string | null;
  /** A model is loaded. */
  ready: boolean;
  run: PaneRun | undefined;
  history: HistoryEntry[] | undefined;
  view: EditorView | null;
  /** The parameters the task uses in the active document (effectiveParams). */
  params(): CompletionParams;
  stop(): void;
  /**
   * Starts the task on the source: the selection, else `fallback`. With no text there it says
   * `empty` instead; with no document or no model it does nothing.
   */
  startOnSource(
    fallback: 'paragraph' | 'document',
    empty: string,
    input: (src: Source, docId: string) => TaskInput,
    extra?: { question?: string },
  ): Promise<TaskResult | null> | undefined;
  /**
   * Inserts `text` as a paragraph below the run's source, or below `elsewhere` (a position in the
   * current text) once the text has changed since the run started; then back to the text.
   */
  insertBelowSource(text: string, elsewhere: (view: EditorView) => number): void;
  /** Replaces the run's source with `text`, or says `changed` when the source is no longer as it was. */
  replaceRunSource(text: string, changed: string): void;
  /** Inserts `text` as a paragraph below the cursor (an earlier result from the history). */
  insertBelowCursor(text: string): void;
}

export function usePaneTask(task: TaskKind): PaneTask {
  const panes = usePanes();
  const { commands, ui, effectiveParams } = useApp();
  const { docId, ready } = useActiveDoc();
  const key = docId ? runKey(docId, task) : '';
  const run = useStore(panes.tasks, (s) => s.runs[key]) as PaneRun | undefined;
  const history = useStore(panes.tasks, (s) => s.history[key]);
  const view = panes.view();
  return {
    docId,
    ready,
    run,
    history,
    view,
    params: () => effectiveParams(task, docId),
    stop: () => {
      if (docId) panes.tasks.getState().stop(docId, task);
    },
    startOnSource(fallback, empty, input, extra) {
      const v = panes.view();
      if (!v || !docId || !ready) return undefined;
      const src = readSource(v, fallback);
      if (!src.text.trim()) {
        ui.getState().notify('info', empty);
        return undefined;
      }
      return panes.tasks.getState().start(input(src, docId), { doc: v.state.doc, source: src }, extra);
    },
    insertBelowSource(text, elsewhere) {
      if (!view || !run) return;
      insertBelow(view, run.origin.doc === view.state.doc ? run.origin.source.to : elsewhere(view), text);
      commands.focus();
    },
    replaceRunSource(text, changed) {
      if (!view || !run) return;
      if (replaceSource(view, run.origin.source, text)) commands.focus();
      else ui.getState().notify('error', changed);
    },
    insertBelowCursor(text) {
      if (view) insertBelow(view, view.state.selection.main.to, text);
    },
  };
}

/** Registers what "run the pane" (the pane.run command) does while the pane is shown. */
export function useRunner(pane: TaskKind, run: () => void): void {
  const { runners } = usePanes();
  useEffect(() => {
    runners[pane] = run;
    return () => {
      if (runners[pane] === run) delete runners[pane];
    };
  });
}
