/**
 * The web host with the real engine process and a tiny random model: streamed completions over the
 * WebSocket, one request per document, cancel, and "kill the engine and keep working".
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CompletionEvent, EngineState } from '../../electron/api';
import { startWebHost, type WebHost } from '../../electron/web';
import { convertedModelDir } from '../helpers/converted';
import { connect, makeFixture, waitUntil, type Fixture } from './helpers';

let fx: Fixture;
let host: WebHost;

beforeAll(async () => {
  fx = makeFixture();
  const modelDir = await convertedModelDir();
  host = await startWebHost({
    port: 0,
    dataDir: fx.dataDir,
    rendererDir: fx.rendererDir,
    modelDir,
    testHooks: true,
    log: () => undefined,
  });
});
afterAll(async () => {
  await host?.close();
  fx?.cleanup();
});

describe('web host with an engine', () => {
  it('loads --model at start and streams alternatives token by token', async () => {
    const api = connect(host);
    try {
      let status = await api.getEngineStatus();
      const start = Date.now();
      while (status.state === 'loading' && Date.now() - start < 60_000) {
        await new Promise((r) => setTimeout(r, 20));
        status = await api.getEngineStatus();
      }
      expect(status.state).toBe('ready');
      expect(status.model).toMatchObject({ nLayer: 2, nEmbd: 64 });
      expect(await api.countTokens('Hello world')).toBe(2);

      const events: CompletionEvent[] = [];
      api.onCompletionEvent((e) => events.push(e));
      const { docId } = await api.newDocument();
      const result = await api.complete({
        requestId: 'q1',
        docId,
        textBefore: 'The night was',
        params: { alternatives: 2, maxNewTokens: 4, temperature: 0.9, seed: 7 },
      });
      expect(result.alternatives).toHaveLength(2);
      const tokens = events.filter((e) => e.requestId === 'q1' && e.event.kind === 'token');
      expect(tokens).toHaveLength(8);
      for (let alt = 0; alt < 2; alt++) {
        const streamed = tokens
          .map((e) => (e.event.kind === 'token' && e.event.alternative === alt ? e.event.text : ''))
          .join('');
        expect(streamed).toBe(result.alternatives[alt].text);
      }
    } finally {
      api.close();
    }
  });

  it('a newer request for the same document cancels the older one; cancelCompletion stops a request', async () => {
    const api = connect(host);
    try {
      const { docId } = await api.newDocument();
      const long = api.complete({
        requestId: 'long-1',
        docId,
        textBefore: 'Chapter one.',
        params: { maxNewTokens: 1000, alternatives: 1 },
      });
      long.catch(() => undefined); // awaited below; avoid an unhandled rejection if the next line throws
      const short = await api.complete({
        requestId: 'short-1',
        docId,
        textBefore: 'Chapter one. It',
        params: { maxNewTokens: 2, alternatives: 1 },
      });
      expect((await long).alternatives[0].finishReason).toBe('cancelled');
      expect(short.alternatives[0].tokenIds).toHaveLength(2);

      let started = false;
      api.onCompletionEvent((e) => {
        if (e.requestId === 'long-2' && e.event.kind === 'token') started = true;
      });
      const running = api.complete({
        requestId: 'long-2',
        docId,
        textBefore: 'Chapter two.',
        params: { maxNewTokens: 1000, alternatives: 1 },
      });
      await waitUntil(() => started, 'first token of long-2');
      await api.cancelCompletion('long-2');
      expect((await running).alternatives[0].finishReason).toBe('cancelled');
    } finally {
      api.close();
    }
  });

  it('kill the engine: status goes crashed → restarting → ready, and work continues', async () => {
    const api = connect(host);
    try {
      const states: EngineState[] = [];
      api.onEngineStatus((s) => states.push(s.state));
      await api.getAppInfo();
      await api.testKillEngine();
      await waitUntil(() => states.includes('ready'), 'engine ready again', 60_000);
      expect(states.slice(0, 3)).toEqual(['crashed', 'restarting', 'ready']);
      const { docId } = await api.newDocument();
      const r = await api.complete({
        requestId: 'after-crash',
        docId,
        textBefore: 'Again',
        params: { maxNewTokens: 2, alternatives: 1 },
      });
      expect(r.alternatives[0].tokenIds).toHaveLength(2);
    } finally {
      api.close();
    }
  });
});
