/**
 * The engine host process behind EngineClient (child_process.fork, the same entry Electron's
 * utilityProcess runs): requests, streamed events, bad requests, cancel, and crash recovery.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InklingError } from '../../../electron/common/errors';
import { EngineClient } from '../../../electron/engine/host';
import type { GenerateEvent } from '../../../electron/engine/host/protocol';
import { convertedModelDir } from '../../helpers/converted';

let client: EngineClient;
let modelDir: string;

beforeAll(async () => {
  modelDir = await convertedModelDir();
  client = new EngineClient();
});

afterAll(async () => {
  await client?.dispose();
});

function waitFor<T>(emitter: EngineClient, event: string): Promise<T> {
  return new Promise((resolve) => emitter.once(event, resolve));
}

describe('engine host process', () => {
  it('answers before a model is loaded with a clear no_model error', async () => {
    const err = await client.generate({ prompt: 'hi' }).result.catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InklingError);
    expect((err as InklingError).code).toBe('no_model');
    expect((err as InklingError).message).toMatch(/no model is loaded/);
  });

  it('reports a folder that is not a model as model_invalid, naming the folder', async () => {
    const err = await client.load('/nonexistent/model').catch((e: unknown) => e);
    expect((err as InklingError).code).toBe('model_invalid');
    expect((err as InklingError).message).toContain('/nonexistent/model');
  });

  it('loads a model and streams a generation', async () => {
    const info = await client.load(modelDir);
    expect(info).toMatchObject({
      format: 'inkling',
      nLayer: 2,
      nEmbd: 64,
      nHead: 4,
      contextLength: 1024,
      device: 'cpu',
    });
    const events: GenerateEvent[] = [];
    const { result } = client.generate({ prompt: 'Hello there', params: { temperature: 0, maxNewTokens: 5 } }, (e) =>
      events.push(e),
    );
    const r = await result;
    expect(events[0]).toMatchObject({ kind: 'prefill', promptTokens: 2 });
    const tokens = events.filter((e) => e.kind === 'token');
    expect(tokens).toHaveLength(5);
    expect(tokens.map((e) => (e.kind === 'token' ? e.text : '')).join('')).toBe(r.alternatives[0].text);
  });

  it('answers a bad request with an error and keeps serving', async () => {
    const bad = await client.generate({ prompt: 'x', params: { topK: -3 } }).result.catch((e: unknown) => e);
    expect((bad as InklingError).code).toBe('bad_request');
    expect((bad as InklingError).message).toMatch(/topK/);
    const notText = await client.score(42 as unknown as string).result.catch((e: unknown) => e);
    expect((notText as InklingError).code).toBe('bad_request');
    const ok = await client.generate({ prompt: 'Still', params: { temperature: 0, maxNewTokens: 2 } }).result;
    expect(ok.alternatives[0].tokenIds).toHaveLength(2);
  });

  it('cancels a running generation within a step', async () => {
    let seen = 0;
    const job = client.generate({ prompt: 'Go on', params: { temperature: 0, maxNewTokens: 500 } }, (e) => {
      if (e.kind === 'token' && ++seen === 2) client.cancel(job.id);
    });
    const r = await job.result;
    expect(r.alternatives[0].finishReason).toBe('cancelled');
    expect(r.alternatives[0].tokenIds.length).toBeLessThan(500);
  });

  it('cancels a scoring (queued or running) with a cancelled error', async () => {
    // A long generation holds the queue, so the scoring is certainly not finished when cancelled.
    const gen = client.generate({ prompt: 'Hold the line', params: { temperature: 0, maxNewTokens: 400 } });
    const job = client.score('word '.repeat(900), 3);
    client.cancel(job.id);
    client.cancel(gen.id);
    const err = await job.result.catch((e: unknown) => e);
    expect((err as InklingError).code).toBe('cancelled');
    expect((await gen.result).alternatives[0].finishReason).toBe('cancelled');
    const ok = await client.score('still scoring', 2).result;
    expect(ok.tokens.length).toBeGreaterThan(1);
  });

  it('ends requests in flight when the host dies (what streamed is kept, cut), restarts it and reloads the model', async () => {
    const crashed = waitFor<{ message: string }>(client, 'crash');
    const restarted = waitFor(client, 'restarted');
    const oldPid = client.pid;
    // Killed after a token: the request resolves with what streamed, cut, and the crash beside it.
    let streamed = '';
    const running = client.generate({ prompt: 'Doomed', params: { temperature: 0, maxNewTokens: 1000 } }, (e) => {
      if (e.kind !== 'token') return;
      streamed += e.text;
      client.kill();
    });
    // Queued behind it, nothing streamed yet: it fails.
    const queued = client.generate({ prompt: 'Queued', params: { temperature: 0, maxNewTokens: 3 } });
    const cut = await running.result;
    expect(cut.interrupted?.code).toBe('engine_crashed');
    expect(cut.interrupted?.message).toMatch(/engine stopped unexpectedly/);
    expect(cut.alternatives[0].text).toBe(streamed);
    expect(cut.alternatives[0].finishReason).toBe('cut');
    const err = await queued.result.catch((e: unknown) => e);
    expect((err as InklingError).code).toBe('engine_crashed');
    expect((err as InklingError).message).toMatch(/engine stopped unexpectedly/);
    expect((await crashed).message).toMatch(/SIGKILL/);
    await restarted;
    expect(client.pid).not.toBe(oldPid);
    expect(client.model?.dir).toBe(modelDir);
    const r = await client.generate({ prompt: 'Alive again', params: { temperature: 0, maxNewTokens: 3 } }).result;
    expect(r.alternatives[0].tokenIds).toHaveLength(3);
    expect(r.interrupted).toBeUndefined();
  });
});
