/**
 * The server's own promises, in-process on the real engine: one generation at a time in arrival
 * order with prompts taking turns, a queue cap answered with 503 + Retry-After, a client that
 * disconnects cancelling its generation (running or still waiting), the API key, loopback-only
 * Host headers, and errors in OpenAI's shape.
 *
 * To hold the engine busy at a known moment, the real engine is wrapped so generate() waits at a
 * gate the test opens; everything after the gate is the real engine.
 */
import { request as httpRequest } from 'node:http';
import OpenAI from 'openai';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import type { GenerateResult } from '../../electron/engine/host/protocol';
import { loadModel, type CancelToken, type Engine } from '../../electron/engine/runtime';
import {
  ServeConfigError,
  startServer,
  type ServeEngine,
  type ServeHandle,
  type ServeOptions,
} from '../../electron/serve';
import { convertedModelDir } from '../helpers/converted';

let engine: Engine;
let vocabSize: number;
const servers: ServeHandle[] = [];

beforeAll(async () => {
  const loaded = await loadModel(await convertedModelDir());
  engine = loaded.engine;
  vocabSize = loaded.info.vocabSize;
});

afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

afterAll(async () => {
  await engine?.dispose();
});

function gatedEngine() {
  const calls: string[] = [];
  const tokens: CancelToken[] = [];
  const results: GenerateResult[] = [];
  let open!: () => void;
  const gate = new Promise<void>((r) => (open = r));
  const wrapped: ServeEngine = {
    tokenizer: engine.tokenizer,
    contextLength: engine.contextLength,
    tokenize: (t) => engine.tokenize(t),
    score: (text, top, cancel) => engine.score(text, top, cancel),
    generate: async (req, onEvent, cancel) => {
      calls.push(req.prompt);
      tokens.push(cancel ?? { cancelled: false });
      await gate;
      const r = await engine.generate(req, onEvent, cancel);
      results.push(r);
      return r;
    },
  };
  return { wrapped, calls, tokens, results, open };
}

async function serve(opts: Partial<ServeOptions> & { engine: ServeEngine }): Promise<ServeHandle> {
  const s = await startServer({ modelId: 'tiny', vocabSize, port: 0, ...opts });
  servers.push(s);
  return s;
}

function post(s: ServeHandle, body: unknown, init: RequestInit = {}) {
  return fetch(`${s.url}/completions`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', ...(init.headers as Record<string, string> | undefined) },
    body: JSON.stringify({ model: 'tiny', max_tokens: 2, temperature: 0, ...(body as object) }),
    signal: init.signal,
  });
}

describe('inkling serve: queueing and cancellation', () => {
  it('runs one generation at a time; a request’s prompts take turns with later requests', async () => {
    const g = gatedEngine();
    const s = await serve({ engine: g.wrapped, maxQueue: 4 });
    const x = post(s, { prompt: ['x1', 'x2', 'x3'] });
    await vi.waitFor(() => expect(g.calls).toEqual(['x1']));
    const y = post(s, { prompt: 'y1' });
    await vi.waitFor(() => expect(s.queue.pending).toBe(1));
    expect(g.calls).toEqual(['x1']); // y waits: the engine is busy
    g.open();
    const [rx, ry] = await Promise.all([x, y]);
    expect(rx.status).toBe(200);
    expect(ry.status).toBe(200);
    expect(g.calls).toEqual(['x1', 'y1', 'x2', 'x3']);
    expect((await rx.json()).choices).toHaveLength(3);
    expect(s.queue.size).toBe(0);
  });

  it('refuses requests beyond the queue cap with 503, Retry-After and OpenAI’s error shape', async () => {
    const g = gatedEngine();
    const s = await serve({ engine: g.wrapped, maxQueue: 2 });
    const a = post(s, { prompt: 'a' });
    await vi.waitFor(() => expect(g.calls).toEqual(['a']));
    const b = post(s, { prompt: 'b' });
    await vi.waitFor(() => expect(s.queue.size).toBe(2));
    const c = await post(s, { prompt: 'c' });
    expect(c.status).toBe(503);
    expect(c.headers.get('retry-after')).toBe('1');
    expect(await c.json()).toEqual({
      error: {
        message: 'The server is busy: 2 requests are already queued or running. Try again shortly.',
        type: 'server_error',
        param: null,
        code: 'server_overloaded',
      },
    });
    g.open();
    expect((await a).status).toBe(200);
    expect((await b).status).toBe(200);
    expect(g.calls).toEqual(['a', 'b']);
  });

  it('a streaming client that disconnects cancels its generation', async () => {
    const s = await serve({ engine });
    const results: GenerateResult[] = [];
    const real = engine.generate.bind(engine);
    const spy: ServeEngine = {
      tokenizer: engine.tokenizer,
      contextLength: engine.contextLength,
      tokenize: (t) => engine.tokenize(t),
      score: (text, top, cancel) => engine.score(text, top, cancel),
      generate: async (req, onEvent, cancel) => {
        const r = await real(req, onEvent, cancel);
        results.push(r);
        return r;
      },
    };
    await s.close();
    servers.pop();
    const t = await serve({ engine: spy });
    const abort = new AbortController();
    const res = await post(t, { prompt: 'Once upon a time', max_tokens: 1000, stream: true }, { signal: abort.signal });
    expect(res.status).toBe(200);
    const reader = res.body!.getReader();
    const first = await reader.read();
    expect(new TextDecoder().decode(first.value)).toMatch(/^data: \{/);
    abort.abort();
    await vi.waitFor(() => expect(results).toHaveLength(1), { timeout: 60_000 });
    expect(results[0].alternatives[0].finishReason).toBe('cancelled');
    expect(results[0].alternatives[0].tokenIds.length).toBeLessThan(1000);
    await vi.waitFor(() => expect(t.queue.size).toBe(0));
  });

  it('a waiting client that disconnects leaves the queue without running; a running one is cancelled', async () => {
    const g = gatedEngine();
    const s = await serve({ engine: g.wrapped, maxQueue: 4 });
    const runningAbort = new AbortController();
    const running = post(s, { prompt: 'a', max_tokens: 1000 }, { signal: runningAbort.signal }).catch(
      (e: unknown) => e,
    );
    await vi.waitFor(() => expect(g.calls).toEqual(['a']));
    const waitingAbort = new AbortController();
    const waiting = post(s, { prompt: 'b' }, { signal: waitingAbort.signal }).catch((e: unknown) => e);
    await vi.waitFor(() => expect(s.queue.pending).toBe(1));
    waitingAbort.abort();
    await vi.waitFor(() => expect(s.queue.pending).toBe(0));
    await vi.waitFor(() => expect(s.queue.size).toBe(1));
    runningAbort.abort();
    await vi.waitFor(() => expect(g.tokens[0].cancelled).toBe(true));
    g.open();
    await vi.waitFor(() => expect(g.results).toHaveLength(1));
    expect(g.results[0].alternatives[0].finishReason).toBe('cancelled');
    expect(g.calls).toEqual(['a']);
    await vi.waitFor(() => expect(s.queue.size).toBe(0));
    expect(await running).toBeInstanceOf(Error);
    expect(await waiting).toBeInstanceOf(Error);
  });
});

describe('inkling serve: shutdown', () => {
  it('close() ends streams in progress and frees the engine', async () => {
    const s = await startServer({ engine, modelId: 'tiny', vocabSize, port: 0 });
    const res = await post(s, { prompt: 'Once upon a time', max_tokens: 1000, stream: true });
    const reader = res.body!.getReader();
    await reader.read();
    await s.close();
    // The stream ends (cut) rather than running its 1000 tokens; the engine is free for the next caller.
    const rest = await (async () => {
      try {
        while (!(await reader.read()).done);
        return 'ended';
      } catch {
        return 'cut';
      }
    })();
    expect(rest).toBe('cut');
    expect(s.queue.size).toBe(0);
    const r = await engine.generate({ prompt: 'Hi', params: { maxNewTokens: 2 } });
    expect(r.alternatives[0].tokenIds).toHaveLength(2);
  });
});

describe('inkling serve: engine failures', () => {
  it('a failure before the stream starts is a 500; after it starts, an error event and no [DONE]', async () => {
    let failAfterFirstToken = false;
    // The real engine, made to fail: once before any token, or right after the first one.
    const failing: ServeEngine = {
      tokenizer: engine.tokenizer,
      contextLength: engine.contextLength,
      tokenize: (t) => engine.tokenize(t),
      score: (text, top, cancel) => engine.score(text, top, cancel),
      generate: async (req, onEvent, cancel) => {
        if (!failAfterFirstToken) throw new Error('the model session failed');
        let seen = false;
        await engine.generate(
          req,
          (e) => {
            onEvent?.(e);
            if (e.kind === 'token') seen = true;
            if (seen) throw new Error('the model session failed');
          },
          cancel,
        );
        throw new Error('unreachable: the engine should have failed');
      },
    };
    const s = await serve({ engine: failing });
    const before = await post(s, { prompt: 'Hello', stream: true });
    expect(before.status).toBe(500);
    expect(await before.json()).toEqual({
      error: {
        message: 'The engine failed: the model session failed',
        type: 'server_error',
        param: null,
        code: 'engine_error',
      },
    });
    failAfterFirstToken = true;
    const after = await post(s, { prompt: 'Hello', stream: true, max_tokens: 5 });
    expect(after.status).toBe(200);
    const body = await after.text();
    expect(body).toContain(
      'data: {"error":{"message":"The engine failed: the model session failed","type":"server_error","param":null,"code":"engine_error"}}',
    );
    expect(body).not.toContain('[DONE]');
    expect(s.queue.size).toBe(0);
  });
});

describe('inkling serve: access', () => {
  it('an API key is required when set: 401 in OpenAI’s shape without it or with a wrong one', async () => {
    const s = await serve({ engine, apiKey: 'sekret' });
    const bad = new OpenAI({ baseURL: s.url, apiKey: 'wrong', maxRetries: 0 });
    const e = await bad.models.list().catch((x: unknown) => x);
    expect(e).toBeInstanceOf(OpenAI.AuthenticationError);
    expect(e).toMatchObject({ status: 401, code: 'invalid_api_key' });
    const none = await fetch(`${s.url}/models`);
    expect(none.status).toBe(401);
    expect((await none.json()).error.message).toBe(
      'You did not provide an API key. Send it as "Authorization: Bearer <key>".',
    );
    const good = new OpenAI({ baseURL: s.url, apiKey: 'sekret', maxRetries: 0 });
    expect((await good.models.list()).data[0].id).toBe('tiny');
  });

  it('listening beyond loopback requires an API key', async () => {
    await expect(startServer({ engine, modelId: 'tiny', vocabSize, host: '0.0.0.0', port: 0 })).rejects.toThrow(
      ServeConfigError,
    );
    await expect(startServer({ engine, modelId: 'tiny', vocabSize, host: '0.0.0.0', port: 0 })).rejects.toThrow(
      'give it an --api-key',
    );
    const s = await serve({ engine, host: '0.0.0.0', apiKey: 'k' });
    const r = await fetch(`http://127.0.0.1:${s.port}/v1/models`, { headers: { Authorization: 'Bearer k' } });
    expect(r.status).toBe(200);
  });

  it('without a key, only requests addressed to loopback are answered (no DNS rebinding)', async () => {
    const s = await serve({ engine });
    const status = (host: string) =>
      new Promise<{ status: number; body: string }>((resolve, reject) => {
        const req = httpRequest(
          { host: '127.0.0.1', port: s.port, path: '/v1/models', headers: { Host: host } },
          (res) => {
            let body = '';
            res.on('data', (d: Buffer) => (body += d.toString()));
            res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
          },
        );
        req.on('error', reject);
        req.end();
      });
    const evil = await status(`attacker.example:${s.port}`);
    expect(evil.status).toBe(403);
    expect(JSON.parse(evil.body).error.code).toBe('forbidden_host');
    expect((await status(`localhost:${s.port}`)).status).toBe(200);
    expect((await status(`127.0.0.1:${s.port}`)).status).toBe(200);
  });

  it('bad bodies get clear 4xx errors: not JSON, unparsable, too large, wrong method or path', async () => {
    const s = await serve({ engine });
    const plain = await fetch(`${s.url}/completions`, {
      method: 'POST',
      headers: { 'Content-Type': 'text/plain' },
      body: '{}',
    });
    expect(plain.status).toBe(400);
    expect((await plain.json()).error.code).toBe('unsupported_media_type');
    const broken = await fetch(`${s.url}/completions`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: '{"model":',
    });
    expect(broken.status).toBe(400);
    expect((await broken.json()).error.code).toBe('invalid_json');
    const huge = await fetch(`${s.url}/completions`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ prompt: 'x'.repeat(2 << 20) }),
    });
    expect(huge.status).toBe(413);
    const get = await fetch(`${s.url}/completions`);
    expect(get.status).toBe(405);
    const nowhere = await fetch(`${s.url}/embeddings`, { method: 'POST' });
    expect(nowhere.status).toBe(404);
    expect((await nowhere.json()).error.message).toContain('POST /v1/completions');
  });
});
