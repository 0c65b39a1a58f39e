/** Settings, engine and generation stores against in-memory stand-ins for the API. */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  DEFAULT_SETTINGS,
  InklingError,
  validateSettingsPatch,
  type GenerateResult,
  type ModelInfo,
  type Settings,
} from '../../electron/api';
import { createSettingsStore, resolvedTheme } from '../../renderer/src/stores/settings';
import { createEngineStore, engineStateLabel, modelLabel } from '../../renderer/src/stores/engine';
import { createGenerationStore } from '../../renderer/src/stores/generation';
import type { WindowReport } from '../../electron/api';

function settingsHost() {
  let saved: Settings = { ...DEFAULT_SETTINGS };
  return {
    getSettings: async () => saved,
    // Validates like the real host, with the contract's own validator.
    updateSettings: async (patch: Partial<Settings>) => {
      saved = { ...saved, ...validateSettingsPatch(patch) };
      return saved;
    },
  };
}

describe('settings store', () => {
  it('loads, updates optimistically and persists', async () => {
    const store = createSettingsStore(settingsHost());
    await store.getState().load();
    expect(store.getState().loaded).toBe(true);
    const pending = store.getState().update({ theme: 'dark', fontSize: 20 });
    expect(store.getState().settings.theme).toBe('dark'); // at once
    await pending;
    expect(store.getState().settings).toMatchObject({ theme: 'dark', fontSize: 20 });
    expect(store.getState().error).toBeNull();
  });

  it('rolls back a refused update and keeps the host message', async () => {
    const store = createSettingsStore(settingsHost());
    await store.getState().load();
    await store.getState().update({ fontSize: 99 });
    expect(store.getState().settings.fontSize).toBe(DEFAULT_SETTINGS.fontSize);
    expect(store.getState().error).toMatch(/fontSize' must be a whole number from 10 to 40/);
  });

  it('answers arriving out of step never undo a newer change; a refused one reverts only its keys', async () => {
    // A host that answers when told to, in any order.
    let saved: Settings = { ...DEFAULT_SETTINGS };
    const waiting: (() => void)[] = [];
    const host = {
      getSettings: async () => saved,
      updateSettings: (patch: Partial<Settings>) =>
        new Promise<Settings>((resolve, reject) => {
          waiting.push(() => {
            try {
              saved = { ...saved, ...validateSettingsPatch(patch) };
              resolve(saved);
            } catch (e) {
              reject(e);
            }
          });
        }),
    };
    const store = createSettingsStore(host);
    await store.getState().load();
    const a = store.getState().update({ theme: 'dark' });
    const b = store.getState().update({ fontSize: 20 });
    const c = store.getState().update({ fontSize: 99 }); // refused by the host
    expect(store.getState().settings).toMatchObject({ theme: 'dark', fontSize: 99 });
    waiting[0](); // the host answers the first change: the others are still shown
    await a;
    expect(store.getState().settings).toMatchObject({ theme: 'dark', fontSize: 99 });
    waiting[2](); // the refusal: its key goes back, the change before it stays
    await c;
    expect(store.getState().settings).toMatchObject({ theme: 'dark', fontSize: 20 });
    expect(store.getState().error).toMatch(/fontSize/);
    waiting[1]();
    await b;
    expect(store.getState().settings).toMatchObject({ theme: 'dark', fontSize: 20 });
    // A broadcast from another window keeps a change still in flight on top.
    const d = store.getState().update({ fontSize: 24 });
    store.getState().receive({ ...saved, theme: 'light' });
    expect(store.getState().settings).toMatchObject({ theme: 'light', fontSize: 24 });
    waiting[3]();
    await d;
    expect(store.getState().settings.fontSize).toBe(24);
  });

  it('resolves the theme against the system preference only when set to follow it', () => {
    const base = { settings: { ...DEFAULT_SETTINGS }, systemDark: true };
    expect(resolvedTheme(base)).toBe('dark');
    expect(resolvedTheme({ ...base, systemDark: false })).toBe('light');
    expect(resolvedTheme({ settings: { ...DEFAULT_SETTINGS, theme: 'light' }, systemDark: true })).toBe('light');
  });
});

const model: ModelInfo = {
  name: 'gpt2',
  dir: '/m',
  format: 'inkling',
  precision: 'fp32',
  device: 'cpu',
  contextLength: 1024,
  nLayer: 12,
  nEmbd: 768,
  nHead: 12,
  vocabSize: 50257,
  loadMs: 100,
};

describe('engine store', () => {
  it('reads the status and app info, and follows pushes', async () => {
    const store = createEngineStore({
      getAppInfo: async () => ({
        name: 'Inkling',
        version: '0.1.0',
        platform: 'linux',
        mode: 'web',
        testHooks: false,
        dataDir: '/d',
      }),
      getEngineStatus: async () => ({ state: 'ready', model }),
      loadModel: async () => null,
    });
    await store.getState().load();
    expect(store.getState().status.state).toBe('ready');
    expect(modelLabel(store.getState().status.model)).toBe('gpt2 · fp32');
    store.getState().receive({ state: 'crashed', model: null, message: 'boom' });
    expect(engineStateLabel(store.getState().status)).toBe('Crashed — restarting…');
    store.getState().disconnected();
    expect(store.getState().connected).toBe(false);
  });

  it('reports a model that fails to load', async () => {
    const store = createEngineStore({
      getAppInfo: async () => {
        throw new Error('x');
      },
      getEngineStatus: async () => ({ state: 'no_model', model: null }),
      loadModel: async (dir) => {
        throw new InklingError('model_invalid', `${dir}/config.json is missing.`);
      },
    });
    expect(await store.getState().loadModel('/nope')).toBe(false);
    expect(store.getState().error).toBe('/nope/config.json is missing.');
  });
});

const result = (text: string, finishReason: 'length' | 'cancelled' = 'length'): GenerateResult => ({
  alternatives: [{ text, tokenIds: [], logprobs: [], finishReason }],
  stats: {
    promptTokens: 5,
    reusedTokens: 0,
    readTokens: 1,
    documentTokens: 1,
    memoryTokens: 0,
    windowStart: 0,
    scannedChars: 1,
    truncatedTokens: 0,
    prefillMs: 3,
    timeToFirstTokenMs: 12,
    decodeTokensPerS: 40,
    generatedTokens: 8,
  },
});

describe('generation store', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('tracks the request in flight, its tokens, and the figures of the last one', () => {
    const store = createGenerationStore({ describeWindow: async () => report(0) });
    store.getState().started('r1', 'd1', 1000);
    store.getState().token('r1');
    store.getState().token('other');
    expect(store.getState().active).toMatchObject({ requestId: 'r1', tokens: 1 });
    store.getState().finished('r1', result(' hello'));
    expect(store.getState().active).toBeNull();
    expect(store.getState().last).toMatchObject({ requestId: 'r1', finishReason: 'length', chars: 6 });
  });

  it('a newer request is not cleared by the older one finishing', () => {
    const store = createGenerationStore({ describeWindow: async () => report(0) });
    store.getState().started('r1', 'd1');
    store.getState().started('r2', 'd1');
    store.getState().finished('r1', result('x', 'cancelled'));
    expect(store.getState().active?.requestId).toBe('r2');
  });

  it('failures keep a message; cancellations are not failures', () => {
    const store = createGenerationStore({ describeWindow: async () => report(0) });
    store.getState().started('r1', 'd1');
    store.getState().failed('r1', new InklingError('cancelled', 'Cancelled.'));
    expect(store.getState().error).toBeNull();
    store.getState().started('r2', 'd1');
    store.getState().failed('r2', new InklingError('no_model', 'No model is loaded.'));
    expect(store.getState()).toMatchObject({ active: null, error: 'No model is loaded.' });
    store.getState().started('r3', 'd1');
    expect(store.getState().error).toBeNull();
  });

  it('asks what the model reads after a quiet moment, for the latest text only, sending all of it', async () => {
    const asked: string[] = [];
    const store = createGenerationStore({
      describeWindow: async (req) => {
        asked.push(req.textBefore);
        return report(req.textBefore.length);
      },
    });
    const long = 'word '.repeat(20_000); // 100,000 characters: never cut (the host anchors the window)
    store.getState().measureContext('d1', 'ab', 400);
    store.getState().measureContext('d1', long, 400);
    await vi.advanceTimersByTimeAsync(399);
    expect(asked).toEqual([]);
    await vi.advanceTimersByTimeAsync(1);
    expect(asked).toEqual([long]);
    expect(store.getState().context).toMatchObject({
      docId: 'd1',
      documentTokens: long.length,
      textLength: long.length,
    });
  });

  it('shows no context figure when the host cannot say (no model)', async () => {
    const store = createGenerationStore({
      describeWindow: async () => {
        throw new InklingError('no_model', 'No model.');
      },
    });
    store.getState().measureContext('d1', 'abc', 0);
    await vi.advanceTimersByTimeAsync(0);
    expect(store.getState().context).toBeNull();
  });
});

function report(documentTokens: number): WindowReport {
  return {
    documentTokens,
    memoryTokens: 0,
    windowStart: 0,
    scannedChars: 0,
    promptTokens: Math.min(documentTokens, 1000),
    droppedTokens: 0,
    contextLength: 1024,
  };
}
