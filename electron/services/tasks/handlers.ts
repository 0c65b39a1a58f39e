/**
 * The Backend's handlers for the panes' methods (tasks, scoring, presets), spread into its handler
 * table so backend.ts stays one line per feature.
 */
import type { EventChannel, InklingEvents, InklingMethods } from '../../api/types';
import type { PresetsService } from '../presets';
import type { TaskService } from './taskService';

type PaneMethod =
  | 'runTask'
  | 'cancelTask'
  | 'scoreText'
  | 'getPresets'
  | 'savePreset'
  | 'renamePreset'
  | 'deletePreset'
  | 'resetPreset'
  | 'importPresets'
  | 'exportPresets'
  | 'setTaskSettings'
  | 'setTranslationExamples';

interface Emitter {
  emit<Ch extends EventChannel>(channel: Ch, payload: InklingEvents[Ch]): void;
}

export type PaneHandlers<C extends Emitter> = {
  [M in PaneMethod]: (client: C, ...args: Parameters<InklingMethods[M]>) => ReturnType<InklingMethods[M]>;
};

export function paneHandlers<C extends Emitter>(presets: PresetsService, tasks: TaskService): PaneHandlers<C> {
  return {
    // Events go to the client that asked only (another window has its own runs).
    runTask: async (client, req) =>
      tasks.run(req, (event) => client.emit('taskEvent', { requestId: req.requestId, event })),
    cancelTask: async (_c, requestId) => tasks.cancel(requestId),
    scoreText: async (_c, req) => tasks.score(req),
    getPresets: async () => presets.library(),
    savePreset: async (_c, req) => presets.save(req),
    renamePreset: async (_c, req) => presets.rename(req),
    deletePreset: async (_c, id) => presets.delete(id),
    resetPreset: async (_c, id) => presets.reset(id),
    importPresets: async (_c, json) => presets.import(json),
    exportPresets: async (_c, ids) => presets.export(ids),
    setTaskSettings: async (_c, req) => presets.setTaskSettings(req),
    setTranslationExamples: async (_c, req) => presets.setExamples(req),
  };
}
