/**
 * Builds the renderer's world from a bridge: the stores, the editor sessions, the completion
 * bridge and the commands, wired to the host's pushes. Components get it through React context.
 */
import { createContext, useContext } from 'react';
import type { Bridge } from '../bridge';
import type { InklingApi, Unsubscribe } from '../../../electron/api';
import { createCompletionBridge } from '../editor/completions';
import { EditorSessions } from '../editor/sessions';
import { setWindowMark } from '../editor/windowMarker';
import {
  createDocumentsStore,
  createEngineStore,
  createGenerationStore,
  createSettingsStore,
  createUiStore,
  type DocumentsStore,
  type EngineStore,
  type GenerationStore,
  type SettingsStore,
  type UiStore,
} from '../stores';
import { createCommands, type Commands } from './commands';
import { createPanes, createPanesEditor, type Panes } from '../panes/context';
import { createModelsStore, deviceNotice, type ModelsStore } from '../models';
import { createGenerationSync, type GenerationSync } from '../desk/generationSync';
import { createDeskStore, typewriterScrolling, type DeskStore } from '../desk/deskStore';

export interface AppContext {
  api: InklingApi;
  mode: 'electron' | 'web';
  settings: SettingsStore;
  engine: EngineStore;
  generation: GenerationStore;
  documents: DocumentsStore;
  ui: UiStore;
  /** The model library (Models page). */
  models: ModelsStore;
  sessions: EditorSessions;
  commands: Commands;
  /** The side panel (panes, sampling controls, probabilities, keyboard shortcuts). */
  panes: Panes;
  /** Each open document's generation history, kept in step with the host's copy. */
  generations: GenerationSync;
  /** Focus mode and the Markdown preview. */
  desk: DeskStore;
  dispose(): void;
}

export function createAppContext(bridge: Bridge): AppContext {
  const { api } = bridge;
  const settings = createSettingsStore(api);
  const engine = createEngineStore(api);
  // The status bar's window plan asks with the length Tab will ask for (the Continue settings), so
  // both plan the same window. Bound late: the side panel's settings exist only further down.
  let suggestionLength: (docId: string) => number | undefined = () => undefined;
  const generation = createGenerationStore({
    describeWindow: (req) => {
      const n = suggestionLength(req.docId);
      return api.describeWindow(n === undefined ? req : { ...req, maxNewTokens: n });
    },
  });
  const ui = createUiStore();
  const models = createModelsStore(api, { notify: (kind, text) => ui.getState().notify(kind, text) });
  // The side panel's editor half first: its extensions go into every document's state.
  const panesEditor = createPanesEditor(
    api,
    (kind, text) => ui.getState().notify(kind, text),
    () => {
      const s = settings.getState().settings;
      return { temperature: s.temperature, topP: s.topP };
    },
  );
  const completion = createCompletionBridge(
    api,
    generation,
    () => settings.getState().settings,
    panesEditor.completionHooks,
  );
  suggestionLength = (docId) => {
    const n = panesEditor.completionHooks.params?.(docId).maxNewTokens;
    return typeof n === 'number' ? n : undefined;
  };

  // The documents store and the sessions refer to each other through these late-bound hooks.
  let documents: DocumentsStore | null = null;
  let sessionsRef: EditorSessions | null = null;
  const desk = createDeskStore();
  const generations = createGenerationSync({
    api,
    stateOf: (docId) => sessionsRef?.stateOf(docId) ?? null,
    apply: (docId, spec) => sessionsRef?.apply(docId, spec) ?? false,
    notify: (kind, text) => ui.getState().notify(kind, text, 'generations'),
  });
  const sessions = new EditorSessions({
    ghost: completion.config,
    extensions: [...panesEditor.extensions, typewriterScrolling(() => desk.getState().focusMode)],
    onCreate: (docId) => void generations.created(docId),
    onDrop: (docId) => generations.dropped(docId),
    onChange: (docId) => {
      documents?.getState().edited(docId);
      generations.changed(docId);
    },
    onCursor: (docId, u) => {
      const head = u.state.selection.main.head;
      generation.getState().measureContext(docId, u.state.doc.sliceString(0, head));
    },
  });
  sessionsRef = sessions;
  documents = createDocumentsStore(api, sessions, {
    autosave: () => ({
      enabled: settings.getState().settings.autosave,
      delayMs: settings.getState().settings.autosaveDelayMs,
    }),
  });

  const ctx: AppContext = {
    api,
    mode: bridge.mode,
    settings,
    engine,
    generation,
    documents,
    ui,
    models,
    sessions,
    generations,
    desk,
    commands: null as unknown as Commands, // set just below: commands need the finished context
    panes: null as unknown as Panes, // set just below, after the commands it uses
    dispose: () => undefined,
  };
  ctx.commands = createCommands(ctx);
  ctx.panes = createPanes(ctx, panesEditor);

  const subs: Unsubscribe[] = [
    completion.dispose,
    // The marker where the model's window starts follows the host's latest plan for the shown document.
    generation.subscribe((s, prev) => {
      const c = s.context;
      if (c === prev.context || !c) return;
      const view = sessions.editorView;
      if (!view || sessions.shownId !== c.docId) return;
      const mark =
        c.droppedTokens > 0 && c.windowStart <= view.state.doc.length
          ? {
              pos: c.windowStart,
              droppedTokens: c.droppedTokens,
              promptTokens: c.promptTokens,
              memoryTokens: c.memoryTokens,
            }
          : null;
      view.dispatch({ effects: setWindowMark.of(mark) });
    }),
    api.onEngineStatus((s) => {
      const fallback = deviceNotice(s, engine.getState().status);
      if (fallback) ui.getState().notify('info', fallback);
      const before = engine.getState().status.state;
      engine.getState().receive(s);
      // The welcome screen is for starting without a model, never for interrupting writing later.
      if (s.state === 'ready') ui.getState().dismissWelcome();
      if (s.state === 'crashed')
        ui.getState().notify(
          'error',
          s.message ?? 'The model process stopped. It is restarting; your text is safe.',
          'engine',
        );
      // Replaces the crash notice (same key): the problem is gone.
      if (s.state === 'ready' && (before === 'crashed' || before === 'restarting'))
        ui.getState().notify('info', 'The model restarted and is back. Press Tab to continue writing.', 'engine');
      // The restart could not bring the model back (it failed to load, or kept crashing the engine): say so.
      if (s.state === 'no_model' && (before === 'crashed' || before === 'restarting') && s.message)
        ui.getState().notify('error', s.message, 'engine');
    }),
    api.onSettingsChanged((s) => settings.getState().receive(s)),
    api.onMenuCommand((c) => ctx.commands.menu(c)),
    api.onCloseRequested(() => void ctx.commands.closeWindowRequested()),
    bridge.onDisconnect(() => engine.getState().disconnected()),
    bridge.onConnectionChange((state) => {
      engine.getState().setConnection(state);
      if (state.state === 'open' && state.reconnected) {
        // The host may have restarted: read its state again (unsent edits are resent by the bridge).
        void engine.getState().load();
        void settings.getState().load();
        ui.getState().notify(
          'info',
          'Reconnected to the Inkling host. Text typed meanwhile was kept in this browser and has been sent.',
        );
      }
    }),
    bridge.onUnsentChange((n) => engine.getState().setUnsent(n)),
  ];
  engine.getState().setConnection(bridge.connection());
  ctx.dispose = () => {
    for (const off of subs) off();
    generations.dispose();
    documents?.getState().dispose();
    ctx.panes.dispose();
    generation.getState().dispose();
    models.getState().dispose();
  };
  return ctx;
}

export const AppCtx = createContext<AppContext | null>(null);

export function useApp(): AppContext {
  const ctx = useContext(AppCtx);
  if (!ctx) throw new Error('useApp() outside <AppCtx.Provider>: the renderer was not started through main.tsx.');
  return ctx;
}
