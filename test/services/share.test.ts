/**
 * "Share this model with other apps on this computer": the backend starts `inkling serve`'s server
 * on the local engine (its own process) and the official `openai` client uses it with the key the
 * app shows; the app keeps writing with the same engine meanwhile.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import OpenAI from 'openai';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { GenerateResult, ShareStatus } from '../../electron/api';
import { EngineClient } from '../../electron/engine/host';
import { Backend, type Client } from '../../electron/services/backend';
import { MemorySecretStore } from '../../electron/services/secrets';
import { convertedModelDir } from '../helpers/converted';

let dir: string;
let backend: Backend;
const c: Client = { id: 'page', emit: () => undefined };

beforeEach(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'inkling-share-'));
  backend = await Backend.create({
    dataDir: path.join(dir, 'data'),
    version: '1.0.0',
    platform: { mode: 'web', trustRendererPaths: true },
    log: () => undefined,
    createEngine: () => new EngineClient(),
    secrets: new MemorySecretStore(),
  });
  backend.addClient(c);
}, 60_000);

afterEach(async () => {
  await backend.dispose();
  fs.rmSync(dir, { recursive: true, force: true });
});

async function call<T>(method: string, args: unknown[]): Promise<T> {
  const r = await backend.call(method, args, c);
  if (!r.ok) throw Object.assign(new Error(r.error.message), { code: r.error.code });
  return r.value as T;
}

describe('sharing the local model', () => {
  it('needs a local model', async () => {
    await expect(call('shareModel', [true])).rejects.toMatchObject({ code: 'no_model' });
  });

  it('serves it to OpenAI clients on loopback with a session key; the app keeps writing; stopping closes it', async () => {
    await call('loadModel', [await convertedModelDir()]);
    const shared = await call<ShareStatus>('shareModel', [true]);
    expect(shared).toMatchObject({
      running: true,
      url: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+\/v1$/) as unknown as string,
    });
    expect(shared.apiKey!.length).toBeGreaterThanOrEqual(32);
    expect(await call('getShareStatus', [])).toEqual(shared);
    expect(JSON.stringify(await call('getSettings', []))).not.toContain(shared.apiKey!);

    const client = new OpenAI({ baseURL: shared.url!, apiKey: shared.apiKey!, maxRetries: 0 });
    const models = await client.models.list();
    expect(models.data.map((m) => m.id)).toEqual([shared.model]);
    const r = await client.completions.create({
      model: shared.model!,
      prompt: 'Once upon a time',
      max_tokens: 5,
      temperature: 0,
      logprobs: 2,
      echo: true,
    });
    expect(r.choices[0].text.startsWith('Once upon a time')).toBe(true);
    expect(r.choices[0].logprobs!.token_logprobs!.length).toBeGreaterThan(5);
    expect(r.usage?.completion_tokens).toBe(5);

    // A wrong key is refused.
    const stranger = new OpenAI({ baseURL: shared.url!, apiKey: 'guess', maxRetries: 0 });
    await expect(stranger.models.list()).rejects.toMatchObject({ status: 401 });

    // The app writes with the same engine meanwhile.
    const { docId } = await call<{ docId: string }>('newDocument', []);
    const mine = await call<GenerateResult>('complete', [
      { requestId: 'a', docId, textBefore: 'Hello', params: { maxNewTokens: 3, alternatives: 1 } },
    ]);
    expect(mine.alternatives[0].tokenIds.length).toBeGreaterThan(0);

    expect(await call('shareModel', [false])).toEqual({ running: false });
    await expect(client.models.list()).rejects.toThrow();
  }, 60_000);

  it('a client that disconnects cancels its generation in the engine', async () => {
    await call('loadModel', [await convertedModelDir()]);
    const shared = await call<ShareStatus>('shareModel', [true]);
    // Watch what the shared server asks of the local engine.
    const local = backend.engine.localEngine()!.engine;
    const started: string[] = [];
    const cancelled: string[] = [];
    const generate = local.generate.bind(local);
    const cancel = local.cancel.bind(local);
    local.generate = (req, onEvent) => {
      const job = generate(req, onEvent);
      started.push(job.id);
      return job;
    };
    local.cancel = (id) => {
      cancelled.push(id);
      cancel(id);
    };
    const abort = new AbortController();
    const res = await fetch(`${shared.url}/completions`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${shared.apiKey}` },
      body: JSON.stringify({ model: shared.model, prompt: 'Hello', max_tokens: 1000, stream: true }),
      signal: abort.signal,
    });
    await res.body!.getReader().read(); // the first chunk: generation is under way
    abort.abort();
    for (let i = 0; i < 500 && cancelled.length === 0; i++) await new Promise((r) => setTimeout(r, 10));
    expect(started).toHaveLength(1);
    expect(cancelled).toEqual(started);
    // The engine is free again.
    const client = new OpenAI({ baseURL: shared.url!, apiKey: shared.apiKey!, maxRetries: 0 });
    const r = await client.completions.create({ model: shared.model!, prompt: 'Hi', max_tokens: 2 });
    expect(r.choices[0].finish_reason).toBe('length');
  }, 60_000);
});
