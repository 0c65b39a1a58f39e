/**
 * The renderer's composition root: builds the app from a bridge in one direction —
 *   stores → the editor (completion bridge, probability views, sessions) → documents
 *   → commands → the dispatcher (commands by id) → keyboard and menu
 * — then wires the host's pushes. Nothing built here refers to anything built after it, with one
 * exception said where it stands: the per-document settings key reads the documents store, which
 * sits on the editor it serves (it is read only when a request runs, never while building).
 */
import type { Bridge } from '../bridge';
import { documentKey, type Unsubscribe } from '../../../electron/api';
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
} from '../stores';
import { createModelsStore, deviceNotice } from '../models';
import { createGenerationSync } from '../desk/generationSync';
import { createDeskStore, typewriterScrolling } from '../desk/deskStore';
import { createKeyboard, effectiveBindings } from '../keyboard';
import { createProbabilities } from '../probabilities';
import { createSamplingStore } from '../sampling/samplingStore';
import { createEffectiveParams } from '../sampling/effectiveParams';
import { panelCommands } from '../panes/commands';
import { createEditorTick, keepSettingsWithDocuments, type Panes } from '../panes/context';
import { createPanelStore } from '../panes/panelStore';
import { createTasksStore } from '../panes/tasksStore';
import { appCommands, createCommands } from './commands';
import type { AppContext } from './context';
import { createDispatcher } from './dispatch';

/** The window getting the focus back (a page without a window, in tests, never does). */
function onWindowFocus(fn: () => void): Unsubscribe {
  if (typeof window === 'undefined') return () => undefined;
  window.addEventListener('focus', fn);
  return () => window.removeEventListener('focus', fn);
}

export function createApp(bridge: Bridge): AppContext {
  const { api, mode } = bridge;

  // 1. The stores. Each stands on the API alone (the panel reads its width from the settings).
  const settings = createSettingsStore(api);
  const engine = createEngineStore(api);
  const ui = createUiStore();
  const notify = (kind: 'info' | 'error', text: string) => ui.getState().notify(kind, text);
  const models = createModelsStore(api, { notify });
  const desk = createDeskStore();
  const sampling = createSamplingStore(api);
  const panel = createPanelStore(settings);
  const tasks = createTasksStore(api);

  // The documents store is built below, on the editor; its keys are read only when a task runs.
  const docKey = (docId: string | null): string | null => {
    const meta = docId ? documents.getState().docs[docId] : undefined;
    return meta ? documentKey(meta) : docId ? `doc:${docId}` : null;
  };
  const effectiveParams = createEffectiveParams({ sampling, settings: () => settings.getState().settings, docKey });
  const continueParams = (docId: string) => effectiveParams('continue', docId);
  // The status bar's window plan asks with the length Tab will ask for, so both plan the same window.
  const generation = createGenerationStore({
    describeWindow: (req) => {
      const n = continueParams(req.docId).maxNewTokens;
      return api.describeWindow(typeof n === 'number' ? { ...req, maxNewTokens: n } : req);
    },
  });

  // 2. The editor: every document's state gets the ghost text, the probability views and the tick.
  const probabilities = createProbabilities(api, { params: continueParams, notify });
  const completion = createCompletionBridge(api, generation, () => settings.getState().settings, {
    params: continueParams,
    topAlternatives: 5,
    onResult: (id, result) => probabilities.recorder.onResult(id, result),
  });
  const tick = createEditorTick();
  const sessions = new EditorSessions({
    ghost: completion.config,
    extensions: [...probabilities.extensions, tick.extension, typewriterScrolling(() => desk.getState().focusMode)],
  });

  // 3. What sits on the editor: the documents (tabs, saves, backups) and each one's generation history.
  const documents: DocumentsStore = createDocumentsStore(api, sessions, {
    autosave: () => ({
      enabled: settings.getState().settings.autosave,
      delayMs: settings.getState().settings.autosaveDelayMs,
    }),
  });
  const generations = createGenerationSync({
    api,
    stateOf: (docId) => sessions.stateOf(docId),
    apply: (docId, spec) => sessions.apply(docId, spec),
    notify: (kind, text) => ui.getState().notify(kind, text, 'generations'),
  });

  // 4. The commands, then the dispatcher that runs them by id, then the keys that name them.
  const commands = createCommands({ api, mode, documents, ui, sessions, settings, engine, models, generations });
  const runners: Panes['runners'] = {};
  const view = () => sessions.editorView;
  const dispatcher = createDispatcher({
    commands: {
      ...appCommands(commands),
      ...panelCommands({ panel, ui, documents, desk, probabilities, runners, view, focus: commands.focus }),
    },
    paused: () => panel.getState().capturing || panel.getState().shortcutSettings,
    dialogOpen: () => ui.getState().dialog !== null,
    inDialog: ['help.shortcuts'],
  });
  const keyboard = createKeyboard({
    bindings: () => effectiveBindings(settings.getState().settings.shortcuts ?? {}),
    commands: dispatcher,
  });
  const panes: Panes = { panel, tasks, sampling, probabilities, tick: tick.tick, runners, docKey, view };

  // 5. The wiring: the editor's events, the host's pushes, the menu.
  const subs: Unsubscribe[] = [
    completion.dispose,
    sessions.listen({
      created: (docId) => void generations.created(docId),
      dropped: (docId) => generations.dropped(docId),
      changed: (docId) => {
        documents.getState().edited(docId);
        generations.changed(docId);
      },
      cursor: (docId, u) => {
        const head = u.state.selection.main.head;
        generation.getState().measureContext(docId, u.state.doc.sliceString(0, head));
      },
    }),
    keepSettingsWithDocuments(documents, sampling),
    // An autosave met a file another program changed: ask the writer, unless another question is open
    // (then the status bar says it, and the next save asks).
    documents.subscribe((s, prev) => {
      for (const id of s.order) {
        if (!s.docs[id]?.conflict || prev.docs[id]?.conflict) continue;
        if (ui.getState().dialog === null) ui.getState().openDialog({ kind: 'fileChanged', docId: id });
        return;
      }
    }),
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
    api.onMenuCommand((c) => void dispatcher.menu(c)),
    api.onCloseRequested(() => void commands.closeWindowRequested()),
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
    // Back from another program: files it changed are loaded again (or, with unsaved changes here, asked about).
    onWindowFocus(() => {
      void documents
        .getState()
        .checkOnDisk()
        .then(({ reloaded, missing }) => {
          for (const name of reloaded)
            ui.getState().notify(
              'info',
              `“${name}” was changed by another program and is shown as it is now. Undo brings back what was here.`,
            );
          for (const name of missing)
            ui.getState().notify(
              'info',
              `“${name}” is no longer on disk (deleted or moved). Your text is still here; saving writes the file again.`,
            );
        });
    }),
  ];
  engine.getState().setConnection(bridge.connection());
  void sampling.getState().load();

  return {
    api,
    mode,
    settings,
    engine,
    generation,
    documents,
    ui,
    models,
    sessions,
    effectiveParams,
    commands,
    dispatcher,
    keyboard,
    panes,
    generations,
    desk,
    dispose: () => {
      for (const off of subs) off();
      generations.dispose();
      documents.getState().dispose();
      tasks.getState().dispose();
      probabilities.dispose();
      generation.getState().dispose();
      models.getState().dispose();
    },
  };
}
