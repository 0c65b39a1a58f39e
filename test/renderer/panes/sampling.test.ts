/** The sampling controls' value rules and the sampling store against a scripted host. */
import { describe, expect, it } from 'vitest';
import { PARAM_SPECS, validateParams, type PresetLibrary, type SetTaskSettingsRequest } from '../../../electron/api';
import { createSamplingStore, type SamplingApi } from '../../../renderer/src/sampling/samplingStore';
import {
  clampValue,
  escapeText,
  minOf,
  moveItem,
  parseNumber,
  parseSeed,
  sliderRange,
  spec,
  unescapeText,
} from '../../../renderer/src/sampling/values';

describe('value rules', () => {
  it('clamps and rounds every numeric parameter into a value the engine accepts', () => {
    for (const s of PARAM_SPECS) {
      if (s.type !== 'number' && s.type !== 'integer') continue;
      for (const raw of [-1e9, -3.3, 0, 0.004, 0.5, 1.27, 3.5, 77.7, 1e9]) {
        const v = clampValue(s, raw);
        expect(() => validateParams({ [s.name]: v }), `${s.name} ${raw} → ${v}`).not.toThrow();
      }
    }
  });

  it('parses what the writer types: refuses non-numbers, clamps with a note', () => {
    const t = spec('temperature');
    expect(parseNumber(t, '0,7')).toEqual({ ok: true, value: 0.7 });
    expect(parseNumber(t, 'abc')).toEqual({ ok: false, error: 'Temperature must be a number.' });
    expect(parseNumber(t, '12')).toEqual({ ok: true, value: 5, note: 'Temperature: the highest is 5.' });
    const p = spec('topP');
    expect(minOf(p)).toBe(0.01); // exclusive minimum: the first step above 0
    expect(parseNumber(p, '0')).toMatchObject({
      ok: true,
      value: 0.01,
      note: expect.stringContaining('the lowest is 0.01'),
    });
    expect(parseNumber(spec('topK'), '2.6')).toMatchObject({ ok: true, value: 3 });
    expect(sliderRange(spec('topK'))).toEqual({ min: 0, max: 200, step: 1 });
    expect(parseSeed('12')).toEqual({ ok: true, value: 12 });
    expect(parseSeed('-1').ok).toBe(false);
    expect(parseSeed('99999999999')).toMatchObject({ ok: true, value: 0xffffffff });
  });

  it('stop texts travel with \\n for line breaks; lists reorder', () => {
    expect(unescapeText('\\n\\nTHE END\\t\\\\')).toBe('\n\nTHE END\t\\');
    expect(escapeText(unescapeText('a\\nb\\\\n'))).toBe('a\\nb\\\\n');
    expect(moveItem(['a', 'b', 'c'], 2, -1)).toEqual(['a', 'c', 'b']);
    expect(moveItem(['a', 'b', 'c'], 0, -5)).toEqual(['a', 'b', 'c']);
  });
});

function library(): PresetLibrary {
  const params = { temperature: 0.8, topK: 40 };
  return {
    presets: [
      { id: 'builtin:inkling', name: 'Inkling default', description: '', builtin: true, modified: false, params },
      {
        id: 'builtin:gpt2-topk40',
        name: 'GPT-2 paper: top-k 40',
        description: '',
        builtin: true,
        modified: false,
        params: { temperature: 1, topK: 40 },
      },
    ],
    tasks: {
      continue: { presetId: 'builtin:inkling', params },
      translate: { presetId: null, params: { temperature: 0 } },
      summarize: { presetId: null, params: { topK: 2 } },
      answer: { presetId: null, params: { temperature: 0 } },
    },
    documents: {},
    examples: {},
  };
}

function fakeApi() {
  const lib = library();
  const sent: SetTaskSettingsRequest[] = [];
  const api = {
    getPresets: async () => structuredClone(lib),
    setTaskSettings: async (req: SetTaskSettingsRequest) => {
      sent.push(req);
      if (req.docKey) {
        lib.documents[req.docKey] = { ...lib.documents[req.docKey] };
        if (req.settings) lib.documents[req.docKey][req.task] = req.settings;
        else delete lib.documents[req.docKey][req.task];
      } else if (req.settings) lib.tasks[req.task] = req.settings;
      return structuredClone(lib);
    },
  } as unknown as SamplingApi;
  return { api, sent };
}

describe('sampling store', () => {
  it('applies a slider move at once and writes one update per pause', async () => {
    const { api, sent } = fakeApi();
    const store = createSamplingStore(api);
    await store.getState().load();
    store.getState().update('continue', null, { temperature: 0.5 });
    store.getState().update('continue', null, { temperature: 0.4 });
    store.getState().update('continue', null, { topK: 10 });
    expect(store.getState().paramsFor('continue', null)).toMatchObject({ temperature: 0.4, topK: 10 });
    expect(sent).toHaveLength(0);
    await store.getState().flush();
    expect(sent).toEqual([
      { task: 'continue', settings: { presetId: 'builtin:inkling', params: { temperature: 0.4, topK: 10 } } },
    ]);
  });

  it('a document override shadows the task settings for that document only', async () => {
    const { api, sent } = fakeApi();
    const store = createSamplingStore(api);
    await store.getState().load();
    await store.getState().setOverride('continue', 'doc:a', true);
    expect(store.getState().effective('continue', 'doc:a').overridden).toBe(true);
    store.getState().update('continue', 'doc:a', { temperature: 0.1 });
    await store.getState().flush();
    expect(sent.at(-1)).toMatchObject({
      task: 'continue',
      docKey: 'doc:a',
      settings: { params: { temperature: 0.1 } },
    });
    expect(store.getState().paramsFor('continue', 'doc:a').temperature).toBe(0.1);
    expect(store.getState().paramsFor('continue', 'doc:b').temperature).toBe(0.8);
    store.getState().applyPreset('continue', 'doc:b', 'builtin:gpt2-topk40');
    expect(store.getState().paramsFor('continue', null).temperature).toBe(1); // no override: the global settings change
    expect(store.getState().message).toBe('Continue now uses “GPT-2 paper: top-k 40”.');
    await store.getState().setOverride('continue', 'doc:a', false);
    expect(store.getState().paramsFor('continue', 'doc:a').temperature).toBe(1);
  });

  it('the "own settings" switch shows the click at once and keeps it while an older answer arrives', async () => {
    const { api } = fakeApi();
    const store = createSamplingStore(api);
    await store.getState().load();
    await store.getState().setOverride('continue', 'doc:a', true);
    const stale = await api.getPresets(); // the host's library while doc:a still has its own settings
    // The host answers this switch only when released; meanwhile an earlier save's answer arrives.
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const realSet = api.setTaskSettings.bind(api);
    api.setTaskSettings = async (req: SetTaskSettingsRequest) => {
      await gate;
      return realSet(req);
    };
    const realGet = api.getPresets.bind(api);
    const switching = store.getState().setOverride('continue', 'doc:a', false);
    expect(store.getState().effective('continue', 'doc:a').overridden).toBe(false); // at once
    await new Promise((r) => setTimeout(r, 0)); // the switch is now waiting for the host
    api.getPresets = async () => stale;
    await store.getState().load(); // a library from before the switch
    expect(store.getState().effective('continue', 'doc:a').overridden).toBe(false);
    api.getPresets = realGet;
    release();
    await switching;
    expect(store.getState().effective('continue', 'doc:a').overridden).toBe(false);
    await store.getState().load(); // the host agrees
    expect(store.getState().effective('continue', 'doc:a').overridden).toBe(false);
  });

  it('a document saved under a path keeps its own settings (moved from its untitled key)', async () => {
    const { api } = fakeApi();
    const store = createSamplingStore(api);
    await store.getState().load();
    await store.getState().setOverride('summarize', 'doc:u1', true);
    store.getState().update('summarize', 'doc:u1', { topK: 7 });
    await store.getState().copyOverrides('doc:u1', 'path:/tmp/a.md', true);
    expect(store.getState().effective('summarize', 'path:/tmp/a.md')).toMatchObject({
      overridden: true,
      settings: { params: { topK: 7 } },
    });
    expect(store.getState().effective('summarize', 'doc:u1').overridden).toBe(false);
    // Save as from a named file copies: both files keep the settings.
    await store.getState().copyOverrides('path:/tmp/a.md', 'path:/tmp/b.md', false);
    expect(store.getState().paramsFor('summarize', 'path:/tmp/a.md').topK).toBe(7);
    expect(store.getState().paramsFor('summarize', 'path:/tmp/b.md').topK).toBe(7);
  });
});
