/**
 * The shared dispatcher with the desktop app's path policy. Native dialogs cannot run here, so the
 * PlatformHooks are stubs standing in for Electron's dialog module; everything else is real.
 * The engine is a small fake (only where the test is about what the dispatcher sends it).
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { EventChannel, InklingEvents } from '../../electron/api';
import { Backend, type Client, type PlatformHooks } from '../../electron/services/backend';
import type { EngineLike } from '../../electron/services/engine';

let dir: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'inkling-backend-'));
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

function client(id = 'wc-1'): Client & { events: { channel: EventChannel; payload: unknown }[] } {
  const events: { channel: EventChannel; payload: unknown }[] = [];
  return {
    id,
    events,
    emit: <C extends EventChannel>(channel: C, payload: InklingEvents[C]) => void events.push({ channel, payload }),
  };
}

/** Browser mode's path policy (paths come from the page); no native dialogs. */
const WEB_PLATFORM: PlatformHooks = {
  mode: 'web',
  trustRendererPaths: true,
  showOpenDialog: async () => null,
  showSaveDialog: async () => null,
  confirmClose: () => undefined,
};

/** An engine that only loads (with `load`); nothing else is called in these tests. */
function loadingEngine(load: (dir: string) => Promise<unknown>): EngineLike {
  return {
    model: null,
    cancel() {},
    kill() {},
    on() {
      return this;
    },
    async dispose() {},
    load,
  } as unknown as EngineLike;
}

async function electronLike(dialogs: { open?: string | null; save?: string | null }, engine?: EngineLike) {
  const closes: boolean[] = [];
  const platform: PlatformHooks = {
    mode: 'electron',
    trustRendererPaths: false,
    showOpenDialog: async () => dialogs.open ?? null,
    showSaveDialog: async () => dialogs.save ?? null,
    confirmClose: (_c, proceed) => void closes.push(proceed),
  };
  const backend = await Backend.create({
    dataDir: path.join(dir, 'data'),
    version: '1.0.0',
    platform,
    log: () => undefined,
    createEngine: () =>
      engine ??
      (() => {
        throw new Error('no engine');
      })(),
  });
  return { backend, closes };
}

describe('Backend with the desktop path policy', () => {
  it('opens and saves only paths the writer chose; a cancelled dialog resolves null', async () => {
    const chosen = path.join(dir, 'chosen.md');
    fs.writeFileSync(chosen, 'text');
    const dialogs: { open?: string | null; save?: string | null } = { open: chosen };
    const { backend } = await electronLike(dialogs);
    const c = client();
    backend.addClient(c);

    const opened = await backend.call('openDocument', [], c);
    expect(opened).toMatchObject({ ok: true, value: { path: chosen, text: 'text' } });
    const docId = (opened as { value: { docId: string } }).value.docId;
    expect(await backend.call('saveDocument', [{ docId, text: 'edited' }], c)).toMatchObject({ ok: true });
    expect(fs.readFileSync(chosen, 'utf8')).toBe('edited');

    const elsewhere = path.join(dir, 'elsewhere.md');
    expect(await backend.call('saveDocumentAs', [{ docId, text: 'x', path: elsewhere }], c)).toMatchObject({
      ok: false,
      error: { code: 'not_allowed' },
    });
    expect(await backend.call('openDocument', [path.join(dir, 'other.md')], c)).toMatchObject({
      ok: false,
      error: { code: 'not_allowed' },
    });
    expect(await backend.call('writeBackup', [{ docId, path: elsewhere, text: 'x' }], c)).toMatchObject({
      ok: false,
      error: { code: 'not_allowed' },
    });
    expect(fs.existsSync(elsewhere)).toBe(false);

    // An untitled document asks where to save; cancelling the dialog is not an error.
    const untitled = (await backend.call('newDocument', [], c)) as { ok: true; value: { docId: string } };
    dialogs.save = null;
    expect(await backend.call('saveDocument', [{ docId: untitled.value.docId, text: 'new' }], c)).toEqual({
      ok: true,
      value: null,
    });
    dialogs.save = elsewhere;
    expect(await backend.call('saveDocument', [{ docId: untitled.value.docId, text: 'new' }], c)).toMatchObject({
      ok: true,
      value: { path: elsewhere },
    });
    expect(fs.readFileSync(elsewhere, 'utf8')).toBe('new');

    // A recent file may be reopened by path (the Open Recent menu).
    expect(await backend.call('openDocument', [chosen], c)).toMatchObject({ ok: true });
  });

  it('never saves over another existing file unless the call says the writer confirmed it', async () => {
    const existing = path.join(dir, 'notes.md');
    fs.writeFileSync(existing, 'keep me');
    // Web mode: the writer types paths, so the backend is the only thing between a typo and a lost file.
    const web = await Backend.create({
      dataDir: path.join(dir, 'web-data'),
      version: '1',
      log: () => undefined,
      platform: { mode: 'web', trustRendererPaths: true },
      createEngine: () => {
        throw new Error('no engine');
      },
    });
    const c = client();
    const { value: doc } = (await web.call('newDocument', [], c)) as { ok: true; value: { docId: string } };
    for (const method of ['saveDocument', 'saveDocumentAs'] as const) {
      const refused = await web.call(method, [{ docId: doc.docId, text: 'new words', path: existing }], c);
      expect(refused).toMatchObject({
        ok: false,
        error: { code: 'file_exists', message: expect.stringContaining('“notes.md” already exists') },
      });
      expect(fs.readFileSync(existing, 'utf8')).toBe('keep me');
    }
    expect(
      await web.call('saveDocumentAs', [{ docId: doc.docId, text: 'x', path: existing, overwrite: 'yes' }], c),
    ).toMatchObject({ ok: false, error: { code: 'bad_request' } });
    expect(
      await web.call('saveDocumentAs', [{ docId: doc.docId, text: 'new words', path: existing, overwrite: true }], c),
    ).toMatchObject({ ok: true, value: { path: existing } });
    expect(fs.readFileSync(existing, 'utf8')).toBe('new words');
    // Its own file now: saving there again (Ctrl+S, or Save As onto the same name) needs no question.
    expect(
      await web.call('saveDocumentAs', [{ docId: doc.docId, text: 'more words', path: existing }], c),
    ).toMatchObject({ ok: true });
    expect(fs.readFileSync(existing, 'utf8')).toBe('more words');

    // Desktop: the operating system's save dialog asked before it returned an existing file.
    const other = path.join(dir, 'other.md');
    fs.writeFileSync(other, 'old');
    const { backend } = await electronLike({ save: other });
    const { value: untitled } = (await backend.call('newDocument', [], c)) as { ok: true; value: { docId: string } };
    expect(await backend.call('saveDocumentAs', [{ docId: untitled.docId, text: 'replaced' }], c)).toMatchObject({
      ok: true,
      value: { path: other },
    });
    expect(fs.readFileSync(other, 'utf8')).toBe('replaced');
    // ...but a path the desktop renderer names itself is held to the same rule.
    const { value: second } = (await backend.call('newDocument', [], c)) as { ok: true; value: { docId: string } };
    expect(await backend.call('saveDocumentAs', [{ docId: second.docId, text: 'oops', path: other }], c)).toMatchObject(
      { ok: false, error: { code: 'file_exists' } },
    );
    expect(fs.readFileSync(other, 'utf8')).toBe('replaced');
  });

  it('passes the close answer to the platform and validates it', async () => {
    const { backend, closes } = await electronLike({});
    const c = client();
    expect(await backend.call('confirmClose', [{ proceed: true }], c)).toEqual({ ok: true, value: null });
    expect(await backend.call('confirmClose', ['yes'], c)).toMatchObject({ ok: false, error: { code: 'bad_request' } });
    expect(closes).toEqual([true]);
  });

  it('fills sampling defaults from the settings and streams events to the caller only', async () => {
    const seen: Record<string, unknown>[] = [];
    const forgotten: string[] = [];
    const fake: EngineLike = {
      model: null,
      load: async (d) => ({
        name: 'tiny',
        dir: d,
        format: 'inkling',
        precision: 'fp32',
        device: 'cpu',
        contextLength: 1024,
        nLayer: 1,
        nEmbd: 8,
        nHead: 1,
        vocabSize: 10,
        loadMs: 1,
      }),
      generate: (req, onEvent) => {
        seen.push(req.params ?? {});
        onEvent?.({ kind: 'token', alternative: 0, tokenId: 1, text: ' hi', logprob: -1 });
        return {
          id: 'e1',
          result: Promise.resolve({
            alternatives: [{ text: ' hi', tokenIds: [1], logprobs: [-1], finishReason: 'length' as const }],
            stats: {
              promptTokens: 1,
              reusedTokens: 0,
              readTokens: 1,
              documentTokens: 1,
              memoryTokens: 0,
              windowStart: 0,
              scannedChars: 1,
              truncatedTokens: 0,
              prefillMs: 1,
              timeToFirstTokenMs: 1,
              decodeTokensPerS: 1,
              generatedTokens: 1,
            },
          }),
        };
      },
      cancel: () => undefined,
      unload: async () => undefined,
      window: () => Promise.reject(new Error('unused')),
      score: () => ({ id: 's1', result: Promise.reject(new Error('unused')) }),
      scoreParts: () => ({ id: 's2', result: Promise.reject(new Error('unused')) }),
      tokenize: async () => {
        throw new TypeError('boom');
      },
      forget: async (docId) => {
        forgotten.push(docId);
      },
      on: () => undefined,
      kill: () => undefined,
      dispose: async () => undefined,
    };
    const { backend } = await electronLike({}, fake);
    const a = client('a');
    const b = client('b');
    backend.addClient(a);
    backend.addClient(b);
    await backend.engine.load('/models/tiny');
    await backend.call('updateSettings', [{ alternatives: 2, temperature: 0.5 }], a);
    const r = await backend.call('complete', [{ requestId: 'q', docId: 'd', textBefore: 'x', params: { topK: 5 } }], a);
    expect(r).toMatchObject({ ok: true, value: { alternatives: [{ text: ' hi' }] } });
    expect(seen[0]).toEqual({ alternatives: 2, maxNewTokens: 32, temperature: 0.5, topP: 0.95, topK: 5 });
    expect(a.events.filter((e) => e.channel === 'completionEvent')).toHaveLength(1);
    expect(b.events.filter((e) => e.channel === 'completionEvent')).toHaveLength(0);
    expect(b.events.some((e) => e.channel === 'settingsChanged')).toBe(true);
    // An unexpected failure becomes an 'internal' error that names what failed.
    expect(await backend.call('countTokens', ['x'], a)).toMatchObject({
      ok: false,
      error: { code: 'internal', message: expect.stringContaining('Boom') },
    });
    // Closing a document frees what the engine keeps for it.
    const opened = await backend.call('newDocument', [], a);
    const docId = (opened as { value: { docId: string } }).value.docId;
    expect(await backend.call('closeDocument', [docId], a)).toMatchObject({ ok: true });
    expect(forgotten).toEqual([docId]);
  });

  it('answers an untranslated operating-system error with its code (io_error, disk_space), naming the method', async () => {
    const { backend } = await electronLike({});
    const c = client('c');
    backend.addClient(c);
    const recent = backend.documents.recent;
    recent.list = async () => {
      throw Object.assign(new Error('EACCES: permission denied, open recent.json'), { code: 'EACCES' });
    };
    expect(await backend.call('listRecentFiles', [], c)).toEqual({
      ok: false,
      error: {
        code: 'io_error',
        message: 'Something went wrong in listRecentFiles: EACCES: permission denied, open recent.json',
      },
    });
    recent.list = async () => {
      throw Object.assign(new Error('ENOSPC: no space left on device'), { code: 'ENOSPC' });
    };
    expect(await backend.call('listRecentFiles', [], c)).toMatchObject({ ok: false, error: { code: 'disk_space' } });
  });
});

describe('Backend start-up model', () => {
  it("opens the model library's default model when no model folder is given", async () => {
    const dataDir = path.join(dir, 'data');
    const installed = path.join(dataDir, 'models', 'gpt2');
    fs.mkdirSync(path.join(installed, 'fp32'), { recursive: true });
    const now = new Date().toISOString();
    fs.writeFileSync(
      path.join(installed, 'manifest.json'),
      JSON.stringify({
        schemaVersion: 1,
        id: 'gpt2',
        name: 'gpt2',
        files: [],
        createdAt: now,
        updatedAt: now,
        source: {
          kind: 'hub',
          repo: 'openai-community/gpt2',
          revision: 'main',
          commit: null,
          endpoint: 'http://127.0.0.1:1',
        },
        precisions: {
          fp32: { format: 'inkling', dir: 'fp32', graph: 'fp32/model.onnx', files: [], bytes: 0, createdAt: now },
        },
      }),
    );
    const loads: string[] = [];
    const fake = loadingEngine(async (d) => {
      loads.push(d);
      throw new Error('not a real model');
    });
    const backend = await Backend.create({
      dataDir,
      version: '1',
      platform: WEB_PLATFORM,
      log: () => undefined,
      createEngine: () => fake,
    });
    for (let i = 0; i < 100 && loads.length === 0; i++) await new Promise((r) => setTimeout(r, 10));
    // The library resolved its folder: the engine is handed the installed precision's folder.
    expect(loads).toEqual([path.join(installed, 'fp32')]);
    await backend.dispose();
  });
});

describe('the log', () => {
  it('says how each model that became ready runs, once per load', async () => {
    const modelDir = path.join(dir, 'model');
    fs.mkdirSync(modelDir);
    const info = (n: number) => ({
      name: `model-${n}`,
      dir: modelDir,
      format: 'inkling' as const,
      precision: 'int8',
      device: 'cpu',
      contextLength: 1024,
      nLayer: 12,
      nEmbd: 768,
      nHead: 12,
      vocabSize: 50257,
      loadMs: 812.4,
      cpuNote: '2 threads; spinning off (other programs used 1.80 of 2 CPUs over 150 ms: …)',
    });
    let loads = 0;
    const fake = loadingEngine(async () => info(++loads));
    const logs: string[] = [];
    const backend = await Backend.create({
      dataDir: path.join(dir, 'data'),
      version: '1',
      platform: WEB_PLATFORM,
      log: (m) => logs.push(m),
      createEngine: () => fake,
    });
    const c = client();
    backend.addClient(c);
    expect(await backend.call('loadModel', [modelDir], c)).toMatchObject({ ok: true });
    expect(await backend.call('loadModel', [modelDir], c)).toMatchObject({ ok: true });
    expect(logs.filter((m) => m.startsWith('model ready'))).toEqual([
      'model ready: model-1 (int8) on cpu in 812 ms; 2 threads; spinning off (other programs used 1.80 of 2 CPUs over 150 ms: …)',
      'model ready: model-2 (int8) on cpu in 812 ms; 2 threads; spinning off (other programs used 1.80 of 2 CPUs over 150 ms: …)',
    ]);
    await backend.dispose();
  });
});
