/**
 * The app's remote engine end to end below the UI: Backend.call (the dispatcher both hosts use) with
 * the local engine in its own process (EngineClient) and `inkling serve` in-process on the same tiny
 * model (128-token context, so documents outgrow the window), sometimes behind the fault proxy.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type {
  EngineStatus,
  EventChannel,
  GenerateResult,
  InklingEvents,
  RemoteTestResult,
  ScoreTextResult,
  TaskResult,
} from '../../../electron/api';
import { EngineClient } from '../../../electron/engine/host';
import { loadModel, type Engine } from '../../../electron/engine/runtime';
import { startServer, type ServeHandle } from '../../../electron/serve';
import { Backend, type Client } from '../../../electron/services/backend';
import { MemorySecretStore } from '../../../electron/services/secrets';
import { convertedModelDir } from '../../helpers/converted';
import { startFaultProxy, type FaultProxy } from './faultProxy';

let modelDir: string;
let engine: Engine;
let server: ServeHandle;
let keyed: ServeHandle;
let proxy: FaultProxy;
let dir: string;
let backend: Backend;
let logs: string[];
let secrets: MemorySecretStore;
const c: Client & { events: { channel: EventChannel; payload: unknown }[] } = {
  id: 'page-1',
  events: [],
  emit<C extends EventChannel>(channel: C, payload: InklingEvents[C]) {
    this.events.push({ channel, payload });
  },
};

/** ~400 tokens: four times the window's room. */
const LONG = Array.from({ length: 40 }, (_, i) => `Line ${i} of the story goes on and on.`).join('\n');

beforeAll(async () => {
  modelDir = await convertedModelDir({ positions: 128 });
  const loaded = await loadModel(modelDir);
  engine = loaded.engine;
  server = await startServer({ engine, modelId: 'tiny', vocabSize: loaded.info.vocabSize, port: 0 });
  keyed = await startServer({
    engine,
    modelId: 'tiny',
    vocabSize: loaded.info.vocabSize,
    port: 0,
    apiKey: 'sk-secret-123',
  });
  proxy = await startFaultProxy({ port: server.port });
}, 60_000);

afterAll(async () => {
  await proxy?.close();
  await server?.close();
  await keyed?.close();
  await engine?.dispose();
});

beforeEach(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'inkling-remote-backend-'));
  logs = [];
  secrets = new MemorySecretStore();
  c.events.length = 0;
  proxy.fault = null;
  backend = await Backend.create({
    dataDir: path.join(dir, 'data'),
    version: '1.0.0',
    platform: { mode: 'web', trustRendererPaths: true },
    log: (m) => logs.push(m),
    createEngine: () => new EngineClient(),
    secrets,
  });
  backend.addClient(c);
  expect(await call('loadModel', [modelDir])).toMatchObject({ state: 'ready' });
}, 60_000);

afterEach(async () => {
  await backend.dispose();
  fs.rmSync(dir, { recursive: true, force: true });
});

async function call<T = unknown>(method: string, args: unknown[]): Promise<T> {
  const r = await backend.call(method, args, c);
  if (!r.ok) throw Object.assign(new Error(r.error.message), { code: r.error.code });
  return r.value as T;
}

async function failure(method: string, args: unknown[]): Promise<{ code: string; message: string }> {
  const r = await backend.call(method, args, c);
  if (r.ok) throw new Error(`${method} succeeded`);
  return r.error;
}

describe('the remote engine in the app', () => {
  it('reads the same window as the local engine: a long document continues identically, and the way back is one call', async () => {
    const { docId } = await call<{ docId: string }>('newDocument', []);
    const req = {
      docId,
      textBefore: LONG,
      params: {
        seed: 7,
        alternatives: 2,
        maxNewTokens: 12,
        temperature: 0.9,
        topK: 40,
        topP: 0.95,
        repetitionPenalty: 1,
      },
    };
    const local = await call<GenerateResult>('complete', [{ ...req, requestId: 'local-1' }]);
    expect(local.stats.windowStart).toBeGreaterThan(0);

    const status = await call<EngineStatus>('useRemoteServer', [{ baseUrl: server.url }]);
    expect(status).toMatchObject({
      state: 'ready',
      model: { name: 'tiny', format: 'remote', dir: server.url },
      remote: { server: 'inkling', logprobs: true, scoring: 'echo' },
    });
    expect(c.events.some((e) => e.channel === 'engineStatus' && (e.payload as EngineStatus).remote)).toBe(true);

    const remote = await call<GenerateResult>('complete', [{ ...req, requestId: 'remote-1', topAlternatives: 3 }]);
    expect(remote.alternatives.map((a) => a.text)).toEqual(local.alternatives.map((a) => a.text));
    expect(remote.stats).toMatchObject({
      windowStart: local.stats.windowStart,
      documentTokens: local.stats.documentTokens,
      truncatedTokens: local.stats.truncatedTokens,
    });
    expect(remote.stats.promptTokens).toBe(local.stats.promptTokens);
    // The token popup's alternatives.
    expect(remote.alternatives[0].top?.[0]).toHaveLength(3);
    // The status bar's window report is the local plan.
    const win = await call<{ windowStart: number }>('describeWindow', [{ docId, textBefore: LONG }]);
    expect(win.windowStart).toBe(local.stats.windowStart);

    const back = await call<EngineStatus>('useLocalEngine', []);
    expect(back).toMatchObject({ state: 'ready', model: { format: 'inkling' } });
    expect(back.remote).toBeUndefined();
    expect((await call<{ useRemote: boolean }>('getSettings', [])).useRemote).toBe(false);
    const again = await call<GenerateResult>('complete', [{ ...req, requestId: 'local-2' }]);
    expect(again.alternatives.map((a) => a.text)).toEqual(local.alternatives.map((a) => a.text));
  }, 60_000);

  it('sends the memory before the window, as the local engine reads it', async () => {
    const { docId } = await call<{ docId: string }>('newDocument', []);
    await call('setDocumentMemory', [{ docId, memory: 'The hero is a cat.' }]);
    const req = { docId, textBefore: LONG, params: { seed: 3, alternatives: 1, maxNewTokens: 8, temperature: 0 } };
    const local = await call<GenerateResult>('complete', [{ ...req, requestId: 'l' }]);
    await call('useRemoteServer', [{ baseUrl: server.url }]);
    const remote = await call<GenerateResult>('complete', [{ ...req, requestId: 'r' }]);
    expect(remote.stats.memoryTokens).toBe(local.stats.memoryTokens);
    expect(remote.stats.memoryTokens).toBeGreaterThan(0);
    expect(remote.stats.windowStart).toBe(local.stats.windowStart);
    // What the server was sent: the memory, its blank line, then the window (one string: the server
    // tokenizes the seam itself, so its tokens there may differ from the local engine's, which reads
    // the memory and the window apart).
    const sent = await engine.generate({
      prompt: `The hero is a cat.\n\n${LONG.slice(local.stats.windowStart)}`,
      params: req.params,
    });
    expect(remote.alternatives[0].text).toBe(sent.alternatives[0].text);
  }, 60_000);

  it('scores the heat map part by part like the local engine, and the popup scoring', async () => {
    const text = 'The quick brown fox jumps over the lazy dog.\nIt was a bright cold day in April.';
    const { docId } = await call<{ docId: string }>('newDocument', []);
    const local = await call<ScoreTextResult>('scoreText', [{ requestId: 's1', docId, text, top: 3, from: 0 }]);
    await call('useRemoteServer', [{ baseUrl: server.url }]);
    const remote = await call<ScoreTextResult>('scoreText', [{ requestId: 's2', docId, text, top: 3, from: 0 }]);
    expect(remote.spans.map((s) => [s.from, s.to])).toEqual(local.spans.map((s) => [s.from, s.to]));
    remote.spans.forEach((s, i) => {
      const want = local.spans[i];
      if (s.logprob === null) expect(want.logprob).toBeNull();
      else expect(s.logprob).toBeCloseTo(want.logprob!, 4);
      // Echo gives the top 10 at least: a rank up to 10 is exact, a rank beyond is unknown (null), never wrong.
      if (want.rank !== null && want.rank <= 10) expect(s.rank).toBe(want.rank);
      else expect(s.rank === null || s.rank === want.rank).toBe(true);
      expect(s.top.map((t) => t.text)).toEqual(want.top.map((t) => t.text));
    });
    expect(remote.next).toBeNull();

    // A long document: every part arrives, covering the whole text.
    let from: number | null = 0;
    let covered = 0;
    while (from !== null) {
      const r: ScoreTextResult = await call<ScoreTextResult>('scoreText', [
        { requestId: `p${from}`, docId, text: LONG, top: 3, from },
      ]);
      covered = r.range!.to;
      from = r.next ?? null;
    }
    expect(covered).toBe(LONG.length);

    const popup = await call<ScoreTextResult>('scoreText', [
      { requestId: 's3', docId, text: 'Once upon a time', top: 3 },
    ]);
    expect(popup.spans.length).toBeGreaterThan(2);
  }, 60_000);

  it('says the heat map is unavailable on a server without prompt log-probabilities, and suggestions still work', async () => {
    proxy.fault = { kind: 'refuse-fields', fields: ['echo', 'prompt_logprobs'] };
    const test = await call<RemoteTestResult>('testRemoteServer', [{ baseUrl: proxy.url }]);
    expect(test).toMatchObject({ ok: true, features: { scoring: null, logprobs: true } });
    expect(test.message).toContain('Heat map: unavailable for this server');
    await call('useRemoteServer', [{ baseUrl: proxy.url }]);
    const { docId } = await call<{ docId: string }>('newDocument', []);
    const err = await failure('scoreText', [{ requestId: 'h', docId, text: 'Some text here.', from: 0 }]);
    expect(err.code).toBe('unavailable');
    expect(err.message).toMatch(/heat map is unavailable for the server at/);
    const r = await call<GenerateResult>('complete', [
      { requestId: 'g', docId, textBefore: 'Hello', params: { maxNewTokens: 4, alternatives: 1 } },
    ]);
    expect(r.alternatives[0].finishReason).not.toBe('cancelled');
  }, 60_000);

  it('cancels by closing the stream', async () => {
    await call('useRemoteServer', [{ baseUrl: server.url }]);
    const { docId } = await call<{ docId: string }>('newDocument', []);
    const first = new Promise<void>((resolve) => {
      const emit = c.emit.bind(c);
      c.emit = (channel, payload) => {
        emit(channel, payload);
        if (channel === 'completionEvent' && (payload as InklingEvents['completionEvent']).event.kind === 'token')
          resolve();
      };
    });
    const running = call<GenerateResult>('complete', [
      { requestId: 'long', docId, textBefore: 'Hello', params: { maxNewTokens: 100, alternatives: 1, stop: [] } },
    ]);
    await first;
    await call('cancelCompletion', ['long']);
    const r = await running;
    expect(r.alternatives[0].finishReason).toBe('cancelled');
    expect(r.alternatives[0].logprobs.length).toBeLessThan(100);
  }, 60_000);

  it('keeps the API key out of the settings and the log; a key the server refuses is a clear 401 verdict', async () => {
    const wrong = await call<RemoteTestResult>('testRemoteServer', [{ baseUrl: keyed.url, apiKey: 'sk-wrong' }]);
    expect(wrong.ok).toBe(false);
    expect(wrong.message).toMatch(/refused the API key \(401\)/);
    await call('useRemoteServer', [{ baseUrl: keyed.url, apiKey: 'sk-secret-123' }]);
    expect(await secrets.get(`remote-api-key:${keyed.url}`)).toBe('sk-secret-123');
    const settingsFile = fs.readFileSync(path.join(dir, 'data', 'settings.json'), 'utf8');
    expect(settingsFile).toContain(keyed.url);
    expect(settingsFile).not.toContain('sk-secret-123');
    // Back and forth without typing the key again: the stored one is used.
    await call('useLocalEngine', []);
    const again = await call<EngineStatus>('useRemoteServer', [{ baseUrl: keyed.url }]);
    expect(again.remote?.hasKey).toBe(true);
    expect(JSON.stringify(await call('getSettings', []))).not.toContain('sk-secret-123');
    expect(JSON.stringify(c.events)).not.toContain('sk-secret-123');
    expect(logs.join('\n')).not.toContain('sk-secret-123');
  }, 60_000);

  it('refuses plain http:// to another computer unless the writer confirms; settings cannot bypass it', async () => {
    const err = await failure('useRemoteServer', [{ baseUrl: 'http://192.0.2.10:8000/v1', apiKey: 'k' }]);
    expect(err.code).toBe('insecure_url');
    expect(err.message).toMatch(/not encrypted: your text and API key/);
    const patch = await failure('updateSettings', [{ useRemote: true }]);
    expect(patch.code).toBe('not_allowed');
  });

  it('gives a clear message when the server is down, the stream is cut, or it is busy; the local engine is one call away', async () => {
    await call('useRemoteServer', [{ baseUrl: proxy.url }]);
    const { docId } = await call<{ docId: string }>('newDocument', []);
    const req = { docId, textBefore: 'Hello there', params: { maxNewTokens: 30, alternatives: 1, stop: [] } };

    // Cut after two tokens: the suggestion keeps them (as streamed to the page), marked cut, with the message.
    proxy.fault = { kind: 'cut-after-events', events: 2 };
    c.events.length = 0;
    const cut = await call<GenerateResult>('complete', [{ ...req, requestId: 'c1' }]);
    const streamed = c.events
      .map((e) => e.payload as InklingEvents['completionEvent'])
      .filter((p) => p.requestId === 'c1' && p.event.kind === 'token')
      .map((p) => (p.event.kind === 'token' ? p.event.text : ''))
      .join('');
    expect(cut.alternatives).toHaveLength(1);
    expect(cut.alternatives[0]).toMatchObject({ text: streamed, finishReason: 'cut' });
    expect(cut.alternatives[0].logprobs).toHaveLength(2);
    expect(cut.interrupted?.code).toBe('remote_failed');
    expect(cut.interrupted?.message).toMatch(
      /broke in the middle of a response|ended the stream before the completion finished/,
    );

    // A pane's run (summarize streams token by token) keeps what arrived too, extracted, marked cut.
    proxy.fault = { kind: 'cut-after-events', events: 3 };
    const summary = await call<TaskResult>('runTask', [
      { requestId: 's1', docId, kind: 'summarize', text: 'The ship sailed at dawn. The sea was calm.' },
    ]);
    expect(summary.finishReason).toBe('cut');
    expect(summary.alternatives[0]).toMatchObject({ finishReason: 'cut', tokenCount: 3 });
    expect(summary.alternatives[0].raw.length).toBeGreaterThan(0);
    expect(summary.interrupted).toMatchObject({ code: 'remote_failed' });

    proxy.fault = { kind: 'status', status: 429, headers: { 'Retry-After': '120' }, times: 5 };
    const busy = await failure('complete', [{ ...req, requestId: 'c2' }]);
    expect(busy).toMatchObject({ code: 'remote_failed' });
    expect(busy.message).toMatch(/limiting requests \(429\).*Try again in 120 s/);

    proxy.fault = { kind: 'raw', contentType: 'text/event-stream', body: 'data: {not json\n\n' };
    const bad = await failure('complete', [{ ...req, requestId: 'c3' }]);
    expect(bad.message).toMatch(/not JSON/);
    proxy.fault = null;

    const down = await call<RemoteTestResult>('testRemoteServer', [
      { baseUrl: `http://127.0.0.1:${await closedPort()}/v1` },
    ]);
    expect(down).toMatchObject({ ok: false });
    expect(down.message).toMatch(/Cannot reach the server at .*nothing is listening there/);

    expect(await call<EngineStatus>('useLocalEngine', [])).toMatchObject({
      state: 'ready',
      model: { format: 'inkling' },
    });
  }, 60_000);
});

describe('the server the writer was using, at the next start', () => {
  it('is used again; if it is down, the status says so, requests say why, and it works once it is back', async () => {
    const port = await closedPort();
    const url = `http://127.0.0.1:${port}/v1`;
    const dataDir = path.join(dir, 'data2');
    fs.mkdirSync(dataDir, { recursive: true });
    fs.writeFileSync(
      path.join(dataDir, 'settings.json'),
      JSON.stringify({ useRemote: true, remoteServer: { baseUrl: url, model: 'tiny', allowInsecure: false } }),
    );
    const restarted = await Backend.create({
      dataDir,
      version: '1.0.0',
      platform: { mode: 'web', trustRendererPaths: true },
      log: () => undefined,
      createEngine: () => new EngineClient(),
      secrets: new MemorySecretStore(),
    });
    let back: ServeHandle | null = null;
    try {
      for (let i = 0; i < 500 && !restarted.engine.usingRemote; i++) await new Promise((r) => setTimeout(r, 10));
      const status = restarted.engine.status();
      expect(status).toMatchObject({ state: 'ready', model: { name: 'tiny', format: 'remote', dir: url } });
      expect(status.message).toMatch(
        /did not answer when Inkling started: Cannot reach the server at .*nothing is listening there/,
      );
      const created = await restarted.call('newDocument', [], c);
      if (!created.ok) throw new Error(created.error.message);
      const req = {
        requestId: 'x1',
        docId: (created.value as { docId: string }).docId,
        textBefore: 'Hello',
        params: { maxNewTokens: 3, alternatives: 1 },
      };
      const down = await restarted.call('complete', [req], c);
      expect(down).toMatchObject({
        ok: false,
        error: {
          code: 'remote_failed',
          message: expect.stringMatching(/Cannot reach the server/) as unknown as string,
        },
      });
      // The server comes back on its address.
      back = await startServer({ engine, modelId: 'tiny', vocabSize: 50257, port });
      const up = await restarted.call('complete', [{ ...req, requestId: 'x2' }], c);
      expect(up).toMatchObject({ ok: true });
      expect(restarted.engine.status().message).toBeUndefined();
    } finally {
      await restarted.dispose();
      await back?.close();
    }
  }, 60_000);
});

/** A port nothing listens on. */
async function closedPort(): Promise<number> {
  const { createServer } = await import('node:net');
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as { port: number }).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}
