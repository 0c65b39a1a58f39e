/**
 * The side panel's world: the panel, tasks, sampling and probability stores, the keyboard
 * dispatcher and the commands it runs. Built in two steps because the editor needs its extensions
 * before the rest of the app exists:
 *   createPanesEditor(api, …)  → editor extensions + ghost-text hooks   (before EditorSessions)
 *   createPanes(app, early)    → everything else                        (once the AppContext is built)
 */
import { EditorView } from '@codemirror/view';
import type { Extension } from '@codemirror/state';
import { createStore, type StoreApi } from 'zustand/vanilla';
import { documentKey, type CompletionParams, type InklingApi, type PaneId, type TaskKind } from '../../../electron/api';
import type { AppContext } from '../app/context';
import { useApp } from '../app/context';
import type { CompletionHooks } from '../editor/completions';
import { COMMAND_BY_ID, createKeyboard, effectiveBindings, type Keyboard, type KeyAction } from '../keyboard';
import { createProbabilities, type Probabilities } from '../probabilities';
import { requestSuggestion } from '../editor/ghost-text';
import { generationAt, newestGeneration, retrySpec } from '../editor/generations/state';
import { createSamplingStore, type SamplingStore } from '../sampling/samplingStore';
import { createPanelStore, type PanelStore } from './panelStore';
import { createTasksStore, type TasksStore } from './tasksStore';

/** Bumped (at most once a frame) when the shown document's text or selection changes. */
export type EditorTick = StoreApi<{ tick: number }>;

export interface PanesEditor {
  probabilities: Probabilities;
  /** Extensions for every document: the probability views and the tick the panes follow. */
  extensions: Extension[];
  tick: EditorTick;
  completionHooks: CompletionHooks;
  /** Binds the late parts (the sampling store) once they exist. */
  bind(panes: Panes): void;
}

export interface Panes {
  panel: PanelStore;
  tasks: TasksStore;
  sampling: SamplingStore;
  probabilities: Probabilities;
  tick: EditorTick;
  keyboard: Keyboard;
  /** What each pane runs on "run the pane" (registered by the pane components). */
  runners: Partial<Record<PaneId, () => void>>;
  /** The per-document settings key of a document ("path:…" once saved, else "doc:<id>"). */
  docKey(docId: string | null): string | null;
  /** The parameters `task` uses in document `docId`. */
  paramsFor(task: TaskKind, docId: string | null): CompletionParams;
  view(): EditorView | null;
  /** True when the keyboard dispatcher owns `commandId` (its key may have been changed). */
  handlesCommand(commandId: string): boolean;
  dispose(): void;
}

export function createPanesEditor(
  api: Pick<InklingApi, 'scoreText' | 'cancelTask' | 'runTask' | 'onTaskEvent' | 'onCompletionEvent'>,
  notify: (kind: 'info' | 'error', text: string) => void,
  fallbackParams: () => CompletionParams,
): PanesEditor {
  let panes: Panes | null = null;
  const params = (docId: string) => (panes ? panes.paramsFor('continue', docId) : fallbackParams());
  const probabilities = createProbabilities(api, { params, notify });
  const tick: EditorTick = createStore(() => ({ tick: 0 }));
  let frame = 0;
  const watch = EditorView.updateListener.of((u) => {
    if (!(u.docChanged || u.selectionSet) || frame) return;
    frame = requestAnimationFrame(() => {
      frame = 0;
      tick.setState({ tick: tick.getState().tick + 1 });
    });
  });
  return {
    probabilities,
    extensions: [...probabilities.extensions, watch],
    tick,
    completionHooks: {
      params,
      topAlternatives: 5,
      onResult: (id, result) => probabilities.recorder.onResult(id, result),
    },
    bind(p) {
      panes = p;
    },
  };
}

export function createPanes(app: AppContext, early: PanesEditor): Panes {
  const { api, settings, documents, ui, commands, sessions } = app;
  const panel = createPanelStore(settings);
  const tasks = createTasksStore(api);
  const sampling = createSamplingStore(api);
  const probabilities = early.probabilities;
  const runners: Panes['runners'] = {};

  const docKey = (docId: string | null) => {
    const meta = docId ? documents.getState().docs[docId] : undefined;
    return meta ? documentKey(meta) : docId ? `doc:${docId}` : null;
  };
  const view = () => sessions.editorView;
  const inPanel = () => Boolean(document.activeElement?.closest('[data-testid="side-panel"]'));
  const menu = (command: Parameters<AppContext['commands']['menu']>[0]['command']): KeyAction => ({
    run: () => commands.menu({ command }),
  });
  const showPane = (pane: PaneId): KeyAction => ({ run: () => panel.getState().show(pane, true) });

  const actions: Record<string, KeyAction> = {
    'file.new': menu('file.new'),
    'file.open': menu('file.open'),
    'file.save': menu('file.save'),
    'file.saveAs': menu('file.saveAs'),
    'file.close': menu('file.close'),
    'view.models': menu('view.models'),
    'panel.toggle': {
      run: () => {
        const wasIn = inPanel();
        panel.getState().toggle();
        if (wasIn && !panel.getState().open) commands.focus();
      },
    },
    'panel.focus': {
      run: () => {
        if (inPanel()) commands.focus();
        else panel.getState().show(undefined, true);
      },
    },
    'pane.continue': showPane('continue'),
    'pane.translate': showPane('translate'),
    'pane.summarize': showPane('summarize'),
    'pane.answer': showPane('answer'),
    'pane.sampling': showPane('sampling'),
    'pane.run': {
      enabled: () => panel.getState().open && Boolean(runners[panel.getState().pane]),
      run: () => runners[panel.getState().pane]?.(),
    },
    'memory.edit': {
      run: () => {
        const id = documents.getState().activeId;
        if (id) ui.getState().openDialog({ kind: 'memory', docId: id });
      },
    },
    'view.focusMode': {
      run: () => {
        app.desk.getState().toggleFocusMode();
        commands.focus();
      },
    },
    'view.preview': {
      run: () => {
        app.desk.getState().togglePreview();
        if (!app.desk.getState().preview) commands.focus();
      },
    },
    'file.export': {
      run: () => {
        const id = documents.getState().activeId;
        if (id) ui.getState().openDialog({ kind: 'export', docId: id });
      },
    },
    'generation.retry': {
      run: () => {
        const v = view();
        const spec = v && retrySpec(v.state);
        if (!v || !spec) {
          ui.getState().notify('info', 'Nothing to retry yet: accept a suggestion or insert a card first.');
          return;
        }
        v.dispatch(spec);
        requestSuggestion(v);
        v.focus();
      },
    },
    'generation.history': {
      run: () => {
        const v = view();
        const docId = documents.getState().activeId;
        const g = v && (generationAt(v.state, v.state.selection.main.head) ?? newestGeneration(v.state));
        if (!v || !docId || !g) {
          ui.getState().notify(
            'info',
            'No generation here yet: the history lists what the model wrote into this document.',
          );
          return;
        }
        ui.getState().openDialog({ kind: 'generations', docId, id: g.id });
      },
    },
    'heatmap.toggle': {
      run: () => {
        const s = probabilities.store.getState();
        s.setHeatmap(!s.heatmap);
      },
    },
    'tokens.inspect': {
      run: () => {
        const v = view();
        if (v && probabilities.inspect(v)) return;
        ui.getState().notify(
          'info',
          'Nothing is known about the token at the cursor: generate some text, or turn on the heat map.',
        );
      },
    },
    'help.shortcuts': {
      run: () =>
        ui.getState().dialog?.kind === 'shortcuts'
          ? ui.getState().closeDialog()
          : ui.getState().openDialog({ kind: 'shortcuts' }),
    },
    'help.keyboardSettings': {
      run: () => {
        ui.getState().closeDialog();
        panel.getState().openShortcutSettings();
      },
    },
  };

  const keyboard = createKeyboard({
    bindings: () => effectiveBindings(settings.getState().settings.shortcuts ?? {}),
    actions,
    paused: () => panel.getState().capturing || panel.getState().shortcutSettings,
    dialogOpen: () => ui.getState().dialog !== null,
    inDialog: ['help.shortcuts'],
  });

  const panes: Panes = {
    panel,
    tasks,
    sampling,
    probabilities,
    tick: early.tick,
    keyboard,
    runners,
    docKey,
    paramsFor: (task, docId) => {
      if (!sampling.getState().library) {
        const s = settings.getState().settings;
        return { temperature: s.temperature, topP: s.topP };
      }
      return sampling.getState().paramsFor(task, docKey(docId));
    },
    view,
    handlesCommand: (id) => COMMAND_BY_ID.has(id),
    dispose: () => {
      offDocs();
      tasks.getState().dispose();
      probabilities.dispose();
    },
  };
  early.bind(panes);
  void sampling.getState().load();
  // Per-document settings are kept by file path: when a document is saved somewhere new, they follow.
  const offDocs = documents.subscribe((s, prev) => {
    for (const id of s.order) {
      const now = s.docs[id]?.path ?? null;
      const before = prev.docs[id]?.path ?? null;
      if (now && now !== before)
        void sampling.getState().copyOverrides(before ? `path:${before}` : `doc:${id}`, `path:${now}`, !before);
    }
  });
  return panes;
}

export function usePanes(): Panes {
  const app = useApp();
  if (!app.panes) throw new Error('usePanes(): the side panel was not created (createPanes in app/context.ts).');
  return app.panes;
}
