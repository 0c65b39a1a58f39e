/**
 * The side panel's part of the app: the panel, tasks, sampling and probability stores and the
 * editor tick the panes follow. Built by the composition root (app/root.ts) with the rest of the
 * app; components reach it with `usePanes()`.
 */
import { EditorView } from '@codemirror/view';
import type { Extension } from '@codemirror/state';
import { createStore, type StoreApi } from 'zustand/vanilla';
import type { PaneId, Unsubscribe } from '../../../electron/api';
import { useApp } from '../app/context';
import type { Probabilities } from '../probabilities';
import type { SamplingStore } from '../sampling/samplingStore';
import type { DocumentsStore } from '../stores';
import type { PanelStore } from './panelStore';
import type { TasksStore } from './tasksStore';

/** Bumped (at most once a frame) when the shown document's text or selection changes. */
export type EditorTick = StoreApi<{ tick: number }>;

export interface Panes {
  panel: PanelStore;
  tasks: TasksStore;
  sampling: SamplingStore;
  probabilities: Probabilities;
  tick: EditorTick;
  /** What each pane runs on "run the pane" (registered by the pane components). */
  runners: Partial<Record<PaneId, () => void>>;
  /** The per-document settings key of a document ("path:…" once saved, else "doc:<id>"). */
  docKey(docId: string | null): string | null;
  view(): EditorView | null;
}

/** The tick and the editor extension that bumps it. */
export function createEditorTick(): { tick: EditorTick; extension: Extension } {
  const tick: EditorTick = createStore(() => ({ tick: 0 }));
  let frame = 0;
  const extension = EditorView.updateListener.of((u) => {
    if (!(u.docChanged || u.selectionSet) || frame) return;
    frame = requestAnimationFrame(() => {
      frame = 0;
      tick.setState({ tick: tick.getState().tick + 1 });
    });
  });
  return { tick, extension };
}

/** Per-document settings are kept by file path: when a document is saved somewhere new, they follow. */
export function keepSettingsWithDocuments(documents: DocumentsStore, sampling: SamplingStore): Unsubscribe {
  return documents.subscribe((s, prev) => {
    for (const id of s.order) {
      const now = s.docs[id]?.path ?? null;
      const before = prev.docs[id]?.path ?? null;
      if (now && now !== before)
        void sampling.getState().copyOverrides(before ? `path:${before}` : `doc:${id}`, `path:${now}`, !before);
    }
  });
}

export function usePanes(): Panes {
  return useApp().panes;
}
