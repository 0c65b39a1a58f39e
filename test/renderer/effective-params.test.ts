/**
 * effectiveParams(task, docId): the one place the renderer decides the sampling parameters of a
 * request (renderer/src/sampling/effectiveParams.ts), read by Tab suggestions, the window plan,
 * the panes and branches. Real sampling store against a scripted host.
 */
import { describe, expect, it } from 'vitest';
import { DEFAULT_SETTINGS, type PresetLibrary, type Settings } from '../../electron/api';
import { createEffectiveParams } from '../../renderer/src/sampling/effectiveParams';
import { createSamplingStore, type SamplingApi } from '../../renderer/src/sampling/samplingStore';

const library = (): PresetLibrary => ({
  presets: [],
  tasks: {
    continue: { presetId: null, params: { temperature: 0.9, alternatives: 2, maxNewTokens: 40 } },
    translate: { presetId: null, params: { temperature: 0 } },
    summarize: { presetId: null, params: { topK: 2, maxNewTokens: 100 } },
    answer: { presetId: null, params: { temperature: 0 } },
  },
  documents: { 'path:/docs/a.md': { continue: { presetId: null, params: { temperature: 0.4, alternatives: 1 } } } },
  examples: {},
});

function setup() {
  const sampling = createSamplingStore({ getPresets: async () => library() } as unknown as SamplingApi);
  const settings: Settings = { ...DEFAULT_SETTINGS, alternatives: 4, maxNewTokens: 24, temperature: 0.6, topP: 0.8 };
  // Document "a" is saved as /docs/a.md; "b" is untitled.
  const paths: Record<string, string | null> = { a: '/docs/a.md', b: null };
  const effective = createEffectiveParams({
    sampling,
    settings: () => settings,
    docKey: (docId) => (docId === null ? null : paths[docId] ? `path:${paths[docId]}` : `doc:${docId}`),
  });
  return { sampling, effective };
}

describe('effectiveParams', () => {
  it("a document's own settings for the task win, else the task's settings", async () => {
    const { sampling, effective } = setup();
    await sampling.getState().load();
    expect(effective('continue', 'a')).toEqual({ temperature: 0.4, alternatives: 1 });
    expect(effective('continue', 'b')).toEqual({ temperature: 0.9, alternatives: 2, maxNewTokens: 40 });
    expect(effective('continue', null)).toEqual({ temperature: 0.9, alternatives: 2, maxNewTokens: 40 });
    // Another task of the same document has no override: the task's own settings.
    expect(effective('summarize', 'a')).toEqual({ topK: 2, maxNewTokens: 100 });
  });

  it("before the presets arrive: Continue uses the writer's suggestion settings, other tasks send none", () => {
    const { effective } = setup();
    expect(effective('continue', 'a')).toEqual({ alternatives: 4, maxNewTokens: 24, temperature: 0.6, topP: 0.8 });
    // The host then uses the task's paper preset (greedy translation stays greedy).
    expect(effective('translate', 'a')).toEqual({});
    expect(effective('answer', null)).toEqual({});
  });
});
