/**
 * The one place the renderer decides which sampling parameters a task uses in a document: Tab
 * suggestions, the window plan in the status bar, the panes, and branches from a token all ask here.
 *
 * With the preset library loaded (the host's presets.json) it is the document's own settings for
 * the task if it has them, else the task's settings (a preset, perhaps adjusted). Until the library
 * has arrived, Continue uses the writer's suggestion settings (settings.json: alternatives, length,
 * temperature, top-p) — what the host itself lays under a `complete` request's own parameters — and
 * the other tasks send none, so the host uses the task's paper preset.
 */
import type { CompletionParams, Settings, TaskKind } from '../../../electron/api';
import type { SamplingState } from './samplingStore';

export type EffectiveParams = (task: TaskKind, docId: string | null) => CompletionParams;

export interface EffectiveParamsDeps {
  sampling: { getState(): Pick<SamplingState, 'library' | 'paramsFor'> };
  settings(): Pick<Settings, 'alternatives' | 'maxNewTokens' | 'temperature' | 'topP'>;
  /** The per-document settings key of an open document ("path:…" once saved, else "doc:<id>"). */
  docKey(docId: string | null): string | null;
}

export function createEffectiveParams(deps: EffectiveParamsDeps): EffectiveParams {
  return (task, docId) => {
    const sampling = deps.sampling.getState();
    if (sampling.library) return sampling.paramsFor(task, deps.docKey(docId));
    if (task !== 'continue') return {};
    const s = deps.settings();
    return { alternatives: s.alternatives, maxNewTokens: s.maxNewTokens, temperature: s.temperature, topP: s.topP };
  };
}
