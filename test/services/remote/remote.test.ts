/**
 * The remote-engine client against `inkling serve` (in-process, real engine, tiny random GPT-2)
 * and, for faults, the same server behind a fault-injecting proxy on 127.0.0.1. Results are
 * compared with the local engine on the same model.
 */
import { createServer } from 'node:net';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { GenerateEvent } from '../../../electron/engine/host/protocol';
import { loadModel, type Engine } from '../../../electron/engine/runtime';
import { startServer, type ServeHandle } from '../../../electron/serve';
import type { EngineLike } from '../../../electron/services/engine/engineManager';
import { RemoteEngine, RemoteError, parseRetryAfter } from '../../../electron/services/remote';
import { convertedModelDir } from '../../helpers/converted';
import { startFaultProxy, type FaultProxy } from './faultProxy';

let engine: Engine;
let server: ServeHandle;
let keyed: ServeHandle;
let proxy: FaultProxy;

beforeAll(async () => {
  const loaded = await loadModel(await convertedModelDir());
  engine = loaded.engine;
  server = await startServer({ engine, modelId: 'tiny', vocabSize: loaded.info.vocabSize, port: 0 });
  keyed = await startServer({
    engine,
    modelId: 'tiny',
    vocabSize: loaded.info.vocabSize,
    port: 0,
    apiKey: 'right-key',
  });
  proxy = await startFaultProxy({ port: server.port });
});

afterAll(async () => {
  await proxy?.close();
  await server?.close();
  await keyed?.close();
  await engine?.dispose();
});

async function remoteError(p: Promise<unknown>): Promise<RemoteError> {
  const e = await p.then(
    () => null,
    (x: unknown) => x,
  );
  if (!(e instanceof RemoteError)) throw new Error(`expected a RemoteError, got ${String(e)}`);
  return e;
}

describe('remote engine against inkling serve', () => {
  it('has the local engine’s generate / score / cancel shape (checked by the type checker)', () => {
    const remote = new RemoteEngine({ baseUrl: server.url });
    // If EngineLike's signatures change, this assignment stops compiling (tsc runs over the tests).
    const shape: Pick<EngineLike, 'generate' | 'cancel' | 'tokenize' | 'score'> = remote;
    expect(typeof shape.generate).toBe('function');
  });

  it('probes the server: its model, log-probabilities and echo scoring', async () => {
    const remote = new RemoteEngine({ baseUrl: server.url });
    expect(await remote.probe()).toEqual({
      model: 'tiny',
      models: ['tiny'],
      logprobs: true,
      scoring: 'echo',
      server: 'inkling',
      contextLength: engine.contextLength,
    });
  });

  it('generates what the local engine generates with the same parameters: text, log-probabilities, alternatives, events', async () => {
    const remote = new RemoteEngine({ baseUrl: server.url });
    await remote.probe();
    const req = {
      prompt: 'It was a dark and stormy',
      params: { seed: 11, alternatives: 3, maxNewTokens: 10 },
      topAlternatives: 3,
    };
    const events: GenerateEvent[] = [];
    const got = await remote.generate(req, (e) => events.push(e)).result;
    const localEvents: GenerateEvent[] = [];
    const want = await engine.generate(req, (e) => localEvents.push(e));
    /** Each streamed token's alternatives, as texts, for alternative i. */
    const streamedTop = (list: GenerateEvent[], i: number) =>
      list.flatMap((e) => (e.kind === 'token' && e.alternative === i && e.top ? [e.top.map((t) => t.text)] : []));
    expect(got.alternatives.map((a) => a.text)).toEqual(want.alternatives.map((a) => a.text));
    expect(got.alternatives.map((a) => a.finishReason)).toEqual(want.alternatives.map((a) => a.finishReason));
    got.alternatives.forEach((a, i) => {
      const w = want.alternatives[i];
      expect(a.logprobs).toHaveLength(w.logprobs.length);
      a.logprobs.forEach((lp, k) => expect(lp).toBeCloseTo(w.logprobs[k], 6));
      expect(a.top!.map((step) => step.map((t) => t.text))).toEqual(w.top!.map((step) => step.map((t) => t.text)));
      const streamed = events
        .filter((e) => e.kind === 'token' && e.alternative === i)
        .map((e) => (e.kind === 'token' ? e.text : ''))
        .join('');
      expect(streamed).toBe(a.text);
      // The alternatives stream with their tokens, locally and through the server.
      expect(streamedTop(localEvents, i)).toEqual(w.top!.map((step) => step.map((t) => t.text)));
      expect(streamedTop(events, i)).toEqual(w.top!.map((step) => step.map((t) => t.text)));
    });
    expect(got.stats.promptTokens).toBe(want.stats.promptTokens);
    expect(got.stats.generatedTokens).toBe(want.stats.generatedTokens);
  });

  it('carries DRY, XTC and mirostat to the server: the same tokens as the local engine', async () => {
    const remote = new RemoteEngine({ baseUrl: server.url, model: 'tiny' });
    const params = {
      seed: 4,
      alternatives: 2,
      maxNewTokens: 12,
      temperature: 1,
      topK: 0,
      topP: 1,
      repetitionRange: 0,
      dryMultiplier: 2,
      dryAllowedLength: 2,
      drySequenceBreakers: ['\n'],
      xtcProbability: 0.5,
      xtcThreshold: 0.05,
      mirostatTau: 4,
    };
    const req = { prompt: 'The old house on the hill', params };
    const got = await remote.generate(req).result;
    const want = await engine.generate(req);
    expect(got.alternatives.map((a) => a.text)).toEqual(want.alternatives.map((a) => a.text));
    // Without the extensions the server would sample otherwise (a check that they made a difference).
    const plain = await engine.generate({
      prompt: req.prompt,
      params: { ...params, dryMultiplier: 0, xtcProbability: 0, mirostatTau: 0 },
    });
    expect(plain.alternatives.map((a) => a.text)).not.toEqual(want.alternatives.map((a) => a.text));
  });

  it('sends the memory before the text, as the local engine reads it', async () => {
    const remote = new RemoteEngine({ baseUrl: server.url, model: 'tiny' });
    const params = { maxNewTokens: 6, temperature: 0 };
    const got = await remote.generate({ prompt: 'The ship sailed', memory: '  A story about the sea.  ', params })
      .result;
    const want = await engine.generate({ prompt: 'A story about the sea.\n\nThe ship sailed', params });
    expect(got.alternatives[0].text).toBe(want.alternatives[0].text);
    expect(got.stats.promptTokens).toBe(want.stats.promptTokens);
    const without = await remote.generate({ prompt: 'The ship sailed', params }).result;
    expect(without.stats.promptTokens).toBeLessThan(got.stats.promptTokens);
  });

  it('scores text as the local engine does', async () => {
    const remote = new RemoteEngine({ baseUrl: server.url });
    const text = 'The cat sat on the mat.';
    const got = await remote.score(text, 4).result;
    const want = await engine.score(text, 4);
    expect(got.tokens.map((t) => t.text)).toEqual(want.tokens.map((t) => t.text));
    expect(got.tokens[0].logprob).toBeNull();
    for (let i = 1; i < want.tokens.length; i++) {
      expect(got.tokens[i].logprob).toBeCloseTo(want.tokens[i].logprob!, 6);
      expect(got.tokens[i].top.map((a) => a.text)).toEqual(want.tokens[i].top.map((a) => a.text));
      // A rank is reported only when the top list reaches down to the token; then it is the true rank.
      if (got.tokens[i].rank !== null) expect(got.tokens[i].rank).toBe(want.tokens[i].rank);
      else expect(want.tokens[i].rank).toBeGreaterThan(4);
    }
  });

  it('cancelling aborts the stream: the result keeps what arrived, marked cancelled, and the server stops', async () => {
    const remote = new RemoteEngine({ baseUrl: server.url });
    await remote.probe();
    let id = '';
    let tokens = 0;
    const job = remote.generate({ prompt: 'Once upon a time', params: { maxNewTokens: 1000, temperature: 0 } }, (e) => {
      if (e.kind === 'token' && ++tokens === 2) remote.cancel(id);
    });
    id = job.id;
    const r = await job.result;
    expect(r.alternatives[0].finishReason).toBe('cancelled');
    expect(r.alternatives[0].logprobs.length).toBeGreaterThanOrEqual(2);
    expect(r.alternatives[0].logprobs.length).toBeLessThan(1000);
    await vi.waitFor(() => expect(server.queue.size).toBe(0));
  });

  it('parameters the OpenAI API cannot carry are refused clearly, not dropped', async () => {
    const remote = new RemoteEngine({ baseUrl: server.url, model: 'tiny' });
    const e = await remoteError(remote.generate({ prompt: 'x', params: { bannedWords: ['dark'] } }).result);
    expect(e).toMatchObject({ reason: 'unsupported', code: 'bad_request' }); // the API's code, carried by the error itself
    expect(e.message).toBe('Banned words cannot be sent to an OpenAI-compatible server; clear it to use this engine.');
  });
});

describe('remote engine faults', () => {
  it('server down: unreachable, saying nothing listens there', async () => {
    const port = await new Promise<number>((resolve) => {
      const s = createServer();
      s.listen(0, '127.0.0.1', () => {
        const p = (s.address() as { port: number }).port;
        s.close(() => resolve(p));
      });
    });
    const remote = new RemoteEngine({ baseUrl: `http://127.0.0.1:${port}/v1`, model: 'tiny' });
    const e = await remoteError(remote.probe());
    expect(e.reason).toBe('unreachable');
    expect(e.message).toBe(
      `Cannot reach the server at http://127.0.0.1:${port}/v1: nothing is listening there — is the server running, and on that port?`,
    );
    expect(() => new RemoteEngine({ baseUrl: 'localhost:8000/v1' })).toThrow(
      '"localhost:8000/v1" must start with http:// or https://.',
    );
    expect(() => new RemoteEngine({ baseUrl: 'not a url' })).toThrow(
      '"not a url" is not a server address: write it like http://127.0.0.1:8000/v1.',
    );
  });

  it('401: a wrong or missing key is reported as such', async () => {
    for (const apiKey of ['wrong-key', undefined]) {
      const e = await remoteError(new RemoteEngine({ baseUrl: keyed.url, apiKey }).probe());
      expect(e.reason).toBe('unauthorized');
      expect(e.status).toBe(401);
      expect(e.message).toContain('refused the API key (401)');
    }
    expect((await new RemoteEngine({ baseUrl: keyed.url, apiKey: 'right-key' }).probe()).model).toBe('tiny');
  });

  it('404 model: probe lists what the server has; a request names the model', async () => {
    const probe = await remoteError(new RemoteEngine({ baseUrl: server.url, model: 'gpt-4' }).probe());
    expect(probe.reason).toBe('model_not_found');
    expect(probe.message).toBe(`The server at ${server.url} has no model "gpt-4"; it serves "tiny".`);
    const gen = await remoteError(
      new RemoteEngine({ baseUrl: server.url, model: 'gpt-4' }).generate({ prompt: 'x' }).result,
    );
    expect(gen.reason).toBe('model_not_found');
    expect(gen.status).toBe(404);
    expect(gen.message).toContain('has no model "gpt-4"');
  });

  it('429 and 503 with a short Retry-After are retried; a long one is reported with its delay', async () => {
    const remote = new RemoteEngine({ baseUrl: proxy.url, model: 'tiny', maxRetries: 2, maxRetryWaitMs: 5000 });
    for (const status of [429, 503]) {
      proxy.fault = { kind: 'status', status, headers: { 'Retry-After': '0' }, times: 2 };
      const before = proxy.seen.length;
      const r = await remote.generate({ prompt: 'Hello', params: { maxNewTokens: 3, temperature: 0 } }).result;
      expect(r.alternatives[0].logprobs).toHaveLength(3);
      expect(proxy.seen.length - before).toBe(3); // two refusals, then the answer
    }
    proxy.fault = { kind: 'status', status: 429, headers: { 'Retry-After': '120' }, times: 1 };
    const limited = await remoteError(remote.generate({ prompt: 'Hello' }).result);
    expect(limited).toMatchObject({ reason: 'rate_limited', code: 'remote_failed', retryAfterMs: 120_000 });
    expect(limited.message).toBe(
      `The server at ${proxy.url} is limiting requests (429): "injected 429". Try again in 120 s.`,
    );
    proxy.fault = { kind: 'status', status: 503, headers: { 'Retry-After': '30' }, times: 3 };
    const busy = await remoteError(
      new RemoteEngine({ baseUrl: proxy.url, model: 'tiny', maxRetries: 0 }).generate({ prompt: 'Hello' }).result,
    );
    expect(busy).toMatchObject({ reason: 'overloaded', retryAfterMs: 30_000, status: 503 });
    proxy.fault = null;
    expect(parseRetryAfter('Wed, 02 Dec 2026 10:00:05 GMT', Date.parse('Wed, 02 Dec 2026 10:00:00 GMT'))).toBe(5000);
  });

  it('a stream cut in the middle keeps what arrived, marked cut, with the error beside it', async () => {
    proxy.fault = { kind: 'cut-after-events', events: 3 };
    const remote = new RemoteEngine({ baseUrl: proxy.url, model: 'tiny' });
    const req = { prompt: 'Hello', params: { maxNewTokens: 50, temperature: 0 } };
    const streamed: string[] = [];
    const cut = await remote.generate(req, (e) => {
      if (e.kind === 'token') streamed.push(e.text);
    }).result;
    proxy.fault = null;
    // The three tokens that arrived (one per event), exactly as streamed: the start of the whole completion.
    const whole = await engine.generate(req);
    expect(cut.alternatives).toHaveLength(1);
    expect(cut.alternatives[0]).toMatchObject({ text: streamed.join(''), finishReason: 'cut' });
    expect(cut.alternatives[0].logprobs).toHaveLength(3);
    expect(whole.alternatives[0].text.startsWith(cut.alternatives[0].text)).toBe(true);
    expect(whole.alternatives[0].text.length).toBeGreaterThan(cut.alternatives[0].text.length);
    expect(cut.stats.generatedTokens).toBe(3);
    expect(cut.interrupted?.code).toBe('remote_failed');
    expect(cut.interrupted?.message).toMatch(
      new RegExp(`^The connection to ${proxy.url} broke in the middle of a response \\(.+\\)\\. Try again\\.$`),
    );
    // A body that ends cleanly but early (no finish, no [DONE]) is a cut too.
    proxy.fault = { kind: 'end-after-events', events: 3 };
    const ended = await remote.generate(req).result;
    proxy.fault = null;
    expect(ended.alternatives[0]).toMatchObject({ text: cut.alternatives[0].text, finishReason: 'cut' });
    expect(ended.interrupted).toEqual({
      code: 'remote_failed',
      message: `The server at ${proxy.url} ended the stream before the completion finished (after 3 tokens). Try again.`,
    });
    await vi.waitFor(() => expect(server.queue.size).toBe(0));
  });

  it('a cut marks only the alternatives that had not finished; one that began nothing stays empty', async () => {
    const chunk = (index: number, text: string, finish: string | null) =>
      `data: ${JSON.stringify({ choices: [{ index, text, logprobs: null, finish_reason: finish }] })}\n\n`;
    proxy.fault = {
      kind: 'raw',
      contentType: 'text/event-stream',
      body: chunk(0, 'The sea', null) + chunk(1, 'A ship', null) + chunk(0, ' was calm.', 'stop'),
    };
    try {
      const remote = new RemoteEngine({ baseUrl: proxy.url, model: 'tiny' });
      const r = await remote.generate({ prompt: 'Hello', params: { alternatives: 3, maxNewTokens: 8 } }).result;
      expect(r.alternatives.map((a) => [a.text, a.finishReason])).toEqual([
        ['The sea was calm.', 'eos'],
        ['A ship', 'cut'],
        ['', 'cut'],
      ]);
      expect(r.interrupted?.message).toContain('ended the stream before the completion finished (after 3 tokens)');
    } finally {
      proxy.fault = null;
    }
  });

  it('an error event in the middle keeps what arrived; a stream that breaks before any text still fails', async () => {
    const remote = new RemoteEngine({ baseUrl: proxy.url, model: 'tiny' });
    const text = `data: ${JSON.stringify({ choices: [{ index: 0, text: 'Once upon', logprobs: null, finish_reason: null }] })}\n\n`;
    proxy.fault = {
      kind: 'raw',
      contentType: 'text/event-stream',
      body: text + `data: ${JSON.stringify({ error: { message: 'CUDA out of memory' } })}\n\n`,
    };
    const failed = await remote.generate({ prompt: 'Hello' }).result;
    expect(failed.alternatives).toMatchObject([{ text: 'Once upon', finishReason: 'cut' }]);
    expect(failed.interrupted).toEqual({
      code: 'remote_failed',
      message: `The server at ${proxy.url} failed in the middle of the completion: "CUDA out of memory".`,
    });
    // Nothing arrived: there is nothing to keep, and the request fails as before.
    proxy.fault = { kind: 'raw', contentType: 'text/event-stream', body: 'data: {"choices": []}\n\n' };
    const empty = await remoteError(remote.generate({ prompt: 'Hello' }).result);
    proxy.fault = null;
    expect(empty).toMatchObject({ reason: 'stream_cut', code: 'remote_failed' });
    expect(empty.message).toContain('ended the stream before the completion finished (after 0 tokens)');
  });

  it('malformed SSE and non-JSON events are reported, quoting what came', async () => {
    const remote = new RemoteEngine({ baseUrl: proxy.url, model: 'tiny' });
    proxy.fault = { kind: 'raw', contentType: 'text/event-stream', body: 'data: {"choices": [\n\n' };
    const notJson = await remoteError(remote.generate({ prompt: 'Hello' }).result);
    expect(notJson.reason).toBe('malformed');
    expect(notJson.message).toBe(`The server at ${proxy.url} sent an event that is not JSON: "{"choices": [".`);
    proxy.fault = { kind: 'raw', contentType: 'text/event-stream', body: '{"choices": []}\n\n' };
    const notSse = await remoteError(remote.generate({ prompt: 'Hello' }).result);
    expect(notSse.reason).toBe('malformed');
    expect(notSse.message).toContain('not valid Server-Sent Events');
    proxy.fault = { kind: 'raw', contentType: 'text/html', body: '<html>login</html>' };
    const html = await remoteError(remote.generate({ prompt: 'Hello' }).result);
    expect(html.reason).toBe('malformed');
    expect(html.message).toContain(
      'answered a streaming request with text/html instead of an event stream: "<html>login</html>"',
    );
    proxy.fault = null;
  });

  it('a slow server times out: no headers, or silence in the middle of a stream', async () => {
    const remote = new RemoteEngine({ baseUrl: proxy.url, model: 'tiny', headersTimeoutMs: 300, idleTimeoutMs: 300 });
    proxy.fault = { kind: 'hang-before-headers' };
    const noHeaders = await remoteError(remote.generate({ prompt: 'Hello' }).result);
    expect(noHeaders.reason).toBe('timeout');
    expect(noHeaders.message).toBe(
      `The server at ${proxy.url} did not answer within 300 ms. It may be overloaded or stuck; try again, or raise the timeout.`,
    );
    // Silent after two tokens: those are kept, marked cut, and the timeout is the reason given.
    proxy.fault = { kind: 'hang-after-events', events: 2 };
    const silent = await remote.generate({ prompt: 'Hello', params: { maxNewTokens: 50 } }).result;
    proxy.fault = null;
    expect(silent.alternatives[0].finishReason).toBe('cut');
    expect(silent.alternatives[0].logprobs).toHaveLength(2);
    expect(silent.interrupted?.code).toBe('remote_failed');
    expect(silent.interrupted?.message).toContain('stopped sending for 300 ms in the middle of a response');
  });

  it('scoring on a server without prompt log-probabilities says it is unavailable', async () => {
    // The proxy answers the echo probe with a completion that has no logprobs (as llama.cpp's server does).
    const remote = new RemoteEngine({ baseUrl: proxy.url, model: 'tiny' });
    proxy.fault = {
      kind: 'status',
      status: 400,
      body: JSON.stringify({ error: { message: "'echo' is not supported" } }),
      times: 2,
    };
    const e = await remoteError(remote.score('Hello there').result);
    proxy.fault = null;
    expect(e.reason).toBe('unavailable');
    expect(e.message).toBe(
      `The heat map is unavailable for the server at ${proxy.url}: it returns no log-probabilities for the text it is given (neither echo + logprobs nor vLLM's prompt_logprobs). inkling serve and vLLM do.`,
    );
  });
});

describe('servers that ignore parameters', () => {
  it('a server that ignores n (one choice, then [DONE]) gives one suggestion, not empty ones', async () => {
    const chunk = (text: string, finish: string | null) =>
      `data: ${JSON.stringify({ choices: [{ index: 0, text, logprobs: null, finish_reason: finish }] })}\n\n`;
    proxy.fault = {
      kind: 'raw',
      contentType: 'text/event-stream',
      body: chunk('Once', null) + chunk(' upon', 'length') + 'data: [DONE]\n\n',
    };
    try {
      const remote = new RemoteEngine({ baseUrl: proxy.url, model: 'tiny' });
      const r = await remote.generate({ prompt: 'Hello', params: { alternatives: 3, maxNewTokens: 2 } }).result;
      expect(r.alternatives.map((a) => [a.text, a.finishReason])).toEqual([['Once upon', 'length']]);
    } finally {
      proxy.fault = null;
    }
  });
});
