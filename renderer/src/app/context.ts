/**
 * The renderer's world as components see it (React context): the stores, the editor sessions, the
 * commands and the side panel. Built once by the composition root (app/root.ts).
 */
import { createContext, useContext } from 'react';
import type { InklingApi } from '../../../electron/api';
import type { EditorSessions } from '../editor/sessions';
import type { DocumentsStore, EngineStore, GenerationStore, SettingsStore, UiStore } from '../stores';
import type { Commands } from './commands';
import type { Dispatcher } from './dispatch';
import type { Panes } from '../panes/context';
import type { ModelsStore } from '../models';
import type { GenerationSync } from '../desk/generationSync';
import type { DeskStore } from '../desk/deskStore';
import type { Keyboard } from '../keyboard';
import type { EffectiveParams } from '../sampling/effectiveParams';

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
  /** The sampling parameters a task uses in a document (the one place they are decided). */
  effectiveParams: EffectiveParams;
  commands: Commands;
  /** Runs any command by id (keys and menu items). */
  dispatcher: Dispatcher;
  /** The writer's shortcuts (installed by the page). */
  keyboard: Keyboard;
  /** The side panel (panes, sampling controls, probabilities). */
  panes: Panes;
  /** Each open document's generation history, kept in step with the host's copy. */
  generations: GenerationSync;
  /** Focus mode and the Markdown preview. */
  desk: DeskStore;
  dispose(): void;
}

export const AppCtx = createContext<AppContext | null>(null);

export function useApp(): AppContext {
  const ctx = useContext(AppCtx);
  if (!ctx) throw new Error('useApp() outside <AppCtx.Provider>: the renderer was not started through main.tsx.');
  return ctx;
}
