/**
 * The cancel path below the page, end to end with the real engine process (tiny random model):
 * Backend.call('cancelCompletion') → EngineManager.cancel → EngineClient.cancel → the host's job.
 * The race the editor runs into: the cancel leaves right behind its request, before the first event
 * (or before the request reached the host at all); it must still stop the generation.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EventChannel, GenerateEvent, GenerateResult, InklingEvents } from '../../electron/api';
import { EngineClient } from '../../electron/engine/host';
import { Backend, type Client } from '../../electron/services/backend';
import { convertedModelDir } from '../helpers/converted';

let dir: string;
let backend: Backend;
const listeners = new Set<(e: { requestId: string; event: GenerateEvent }) => void>();
const client: Client = {
  id: 'ws-1',
  emit<C extends EventChannel>(channel: C, payload: InklingEvents[C]) {
    if (channel === 'completionEvent')
      for (const l of listeners) l(payload as { requestId: string; event: GenerateEvent });
  },
};

function firstToken(requestId: string): Promise<void> {
  return new Promise((resolve) => {
    const l = (e: { requestId: string; event: GenerateEvent }) => {
      if (e.requestId !== requestId || e.event.kind !== 'token') return;
      listeners.delete(l);
      resolve();
    };
    listeners.add(l);
  });
}

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'inkling-cancel-'));
  backend = await Backend.create({
    dataDir: dir,
    version: '1',
    log: () => undefined,
    platform: { mode: 'web', trustRendererPaths: true },
    createEngine: () => new EngineClient(),
  });
  backend.addClient(client);
  await backend.engine.load(await convertedModelDir());
});
afterAll(async () => {
  await backend?.dispose();
  fs.rmSync(dir, { recursive: true, force: true });
});

const LONG = { maxNewTokens: 400, alternatives: 3, temperature: 0.8 };

function complete(requestId: string, docId = 'doc1') {
  return backend.call('complete', [{ requestId, docId, textBefore: 'Once upon a time', params: LONG }], client);
}

function stoppedEarly(reply: Awaited<ReturnType<typeof complete>>): GenerateResult {
  expect(reply.ok).toBe(true);
  const result = (reply as { ok: true; value: GenerateResult }).value;
  expect(result.alternatives).toHaveLength(3);
  for (const a of result.alternatives) expect(a.finishReason).toBe('cancelled');
  expect(result.stats.generatedTokens).toBeLessThan(400 * 3);
  return result;
}

describe('cancelling a completion', () => {
  it('a cancel sent in the same tick as its request, before any event, stops it', async () => {
    const reply = complete('same-tick');
    expect(await backend.call('cancelCompletion', ['same-tick'], client)).toEqual({ ok: true, value: null });
    stoppedEarly(await reply);
  });

  it('a cancel sent after the first token stops it within a step', async () => {
    const started = firstToken('after-first');
    const reply = complete('after-first');
    await started;
    await backend.call('cancelCompletion', ['after-first'], client);
    const result = stoppedEarly(await reply);
    expect(result.stats.generatedTokens).toBeGreaterThan(0);
  });

  it('a cancel for a request queued behind another document’s stops it before it starts', async () => {
    const first = complete('running', 'docA');
    const queued = complete('queued', 'docB');
    await backend.call('cancelCompletion', ['queued'], client);
    await backend.call('cancelCompletion', ['running'], client);
    stoppedEarly(await first);
    const result = stoppedEarly(await queued);
    expect(result.stats.generatedTokens).toBe(0);
  });
});
