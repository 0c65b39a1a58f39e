/**
 * Fault: the engine process is SIGKILLed in the middle of a generation.
 *   1. Through `EngineClient` directly: the request in flight resolves with the text that had
 *      streamed, marked 'cut', the crash in `interrupted`; one queued behind it (no text yet) rejects
 *      with 'engine_crashed'; a new process starts with the same model, and it generates exactly
 *      what the old one did (greedy decoding is deterministic).
 *   2. Through the web host's test hook, as the renderer sees it: the completion resolves with what
 *      streamed, cut, and the crash; the status goes crashed → restarting → ready with a message
 *      saying so, the document on disk and its backup are untouched, and the next completion works.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CompletionEvent, EngineStatus } from '../../electron/api';
import { InklingError } from '../../electron/common/errors';
import { EngineClient } from '../../electron/engine/host';
import type { GenerateEvent, GenerateResult } from '../../electron/engine/host/protocol';
import { startWebHost, type WebHost } from '../../electron/web';
import { convertedModelDir } from '../helpers/converted';
import { connect, makeFixture, waitUntil, type Fixture } from '../web/helpers';

const LONG = { maxNewTokens: 1000, alternatives: 1, temperature: 0 };

describe('EngineClient: SIGKILL mid-generation', () => {
  let client: EngineClient;
  let modelDir: string;
  beforeAll(async () => {
    modelDir = await convertedModelDir();
    client = new EngineClient();
    await client.load(modelDir);
  });
  afterAll(async () => {
    await client?.dispose();
  });

  it('fails the requests in flight, restarts with the same model, and the next request works', async () => {
    const greedy = { maxNewTokens: 6, alternatives: 1, temperature: 0 };
    const before = await client.generate({ prompt: 'The harbour at dawn', params: greedy }).result;
    const oldPid = client.pid;
    const events: string[] = [];
    client.on('crash', () => events.push('crash'));
    client.on('restarted', (m: { name?: string } | null) => events.push(`restarted:${m ? 'model' : 'none'}`));

    let tokens = 0;
    let streamed = '';
    const running = client.generate({ prompt: 'Once upon a time', params: LONG }, (e: GenerateEvent) => {
      if (e.kind !== 'token') return;
      streamed += e.text;
      if (++tokens === 1) client.kill(); // mid-generation: after its first token
    });
    const queued = client.generate({ prompt: 'Queued behind it', params: greedy });
    const [r1, r2] = await Promise.allSettled([running.result, queued.result]);
    // The one that had streamed keeps its text, marked cut, with the crash beside it.
    expect(r1.status).toBe('fulfilled');
    const partial = (r1 as PromiseFulfilledResult<GenerateResult>).value;
    expect(partial.interrupted?.code).toBe('engine_crashed');
    expect(partial.interrupted?.message).toBe(
      'The engine stopped unexpectedly (SIGKILL). What it had written before is kept.',
    );
    expect(partial.alternatives).toHaveLength(1);
    expect(partial.alternatives[0]).toMatchObject({ text: streamed, finishReason: 'cut' });
    expect(partial.alternatives[0].tokenIds).toHaveLength(tokens);
    expect(partial.stats.generatedTokens).toBe(tokens);
    expect(partial.stats.promptTokens).toBeGreaterThan(0);
    // The one that had not begun fails.
    expect(r2.status).toBe('rejected');
    const err = (r2 as PromiseRejectedResult).reason as InklingError;
    expect(err).toBeInstanceOf(InklingError);
    expect(err.code).toBe('engine_crashed');
    expect(err.message).toMatch(/stopped unexpectedly \(SIGKILL\).*try again/);
    expect(tokens).toBeGreaterThanOrEqual(1);
    expect(tokens).toBeLessThan(LONG.maxNewTokens);

    await waitUntil(() => events.includes('restarted:model'), 'the restart', 60_000);
    expect(events).toEqual(['crash', 'restarted:model']);
    expect(client.pid).not.toBe(oldPid);
    expect(client.model?.dir).toBe(modelDir);
    const after = await client.generate({ prompt: 'The harbour at dawn', params: greedy }).result;
    expect(after.alternatives[0].tokenIds).toEqual(before.alternatives[0].tokenIds);
  });

  it('a request sent while the engine restarts waits for it instead of being lost', async () => {
    const restarted = new Promise<void>((resolve) => client.once('restarted', () => resolve()));
    client.kill();
    await new Promise<void>((resolve) => client.once('crash', () => resolve()));
    // The crash is known; the new process is still loading the model.
    const r = await client.generate({ prompt: 'Right after the crash', params: { maxNewTokens: 2, alternatives: 1 } })
      .result;
    expect(r.alternatives[0].tokenIds).toHaveLength(2);
    await restarted;
  });
});

describe('web host: SIGKILL the engine mid-completion (test hook)', () => {
  let fx: Fixture;
  let host: WebHost;
  beforeAll(async () => {
    fx = makeFixture();
    host = await startWebHost({
      port: 0,
      dataDir: fx.dataDir,
      rendererDir: fx.rendererDir,
      modelDir: await convertedModelDir(),
      testHooks: true,
      log: () => undefined,
    });
  });
  afterAll(async () => {
    await host?.close();
    fx?.cleanup();
  });

  it('the writer is told, the document and its backup are untouched, the next completion works', async () => {
    const api = connect(host);
    try {
      const statuses: EngineStatus[] = [];
      api.onEngineStatus((s) => statuses.push(s));
      await waitUntil(() => host.backend.engine.status().state === 'ready', 'the model', 60_000);

      // A saved document with more, unsaved text in its hot-exit backup.
      const file = path.join(fx.docsDir, 'story.md');
      const { docId } = await api.newDocument();
      const saved = 'Chapter one.\nThe boat left at dawn.\n';
      await api.saveDocumentAs({ docId, text: saved, path: file });
      const unsaved = saved + 'Nobody waved.';
      await api.writeBackup({ docId, path: file, text: unsaved, savedText: saved });
      const mtime = fs.statSync(file).mtimeMs;
      statuses.length = 0; // only what the kill causes

      let tokens = 0;
      let streamed = '';
      let killed: Promise<void> | null = null;
      api.onCompletionEvent((e: CompletionEvent) => {
        if (e.requestId !== 'doomed' || e.event.kind !== 'token') return;
        streamed += e.event.text;
        if (++tokens === 1) killed = api.testKillEngine();
      });
      // What streamed before the crash comes back as the result, cut, with the crash beside it.
      const partial = await api.complete({ requestId: 'doomed', docId, textBefore: unsaved, params: LONG });
      await killed;
      expect(partial.interrupted?.code).toBe('engine_crashed');
      expect(partial.interrupted?.message).toMatch(/stopped unexpectedly.*What it had written before is kept/);
      expect(partial.alternatives[0]).toMatchObject({ text: streamed, finishReason: 'cut' });
      expect(tokens).toBeGreaterThanOrEqual(1);
      expect(tokens).toBeLessThan(LONG.maxNewTokens);

      await waitUntil(() => statuses.some((s) => s.state === 'ready'), 'ready again', 60_000);
      const states = statuses.map((s) => s.state);
      expect(states.slice(0, 3)).toEqual(['crashed', 'restarting', 'ready']);
      expect(statuses[0].message).toMatch(/stopped unexpectedly.*Restarting/);

      // Nothing the writer owns was touched.
      expect(fs.readFileSync(file, 'utf8')).toBe(saved);
      expect(fs.statSync(file).mtimeMs).toBe(mtime);
      expect((await host.backend.documents.backups.read(docId)).text).toBe(unsaved);

      // The same document asks again and gets a suggestion.
      const next = await api.complete({
        requestId: 'after',
        docId,
        textBefore: unsaved,
        params: { maxNewTokens: 3, alternatives: 2, temperature: 0.7, seed: 3 },
      });
      expect(next.alternatives).toHaveLength(2);
      for (const alt of next.alternatives) expect(alt.tokenIds).toHaveLength(3);

      // A pane's run the same way: Summarize keeps what streamed, marked cut, with the crash beside it.
      let paneTokens = 0;
      let paneKilled: Promise<void> | null = null;
      const offTask = api.onTaskEvent((m) => {
        if (m.requestId === 'doomed-pane' && m.event.kind === 'token' && ++paneTokens === 1)
          paneKilled = api.testKillEngine();
      });
      const run = await api.runTask({
        requestId: 'doomed-pane',
        docId,
        kind: 'summarize',
        text: unsaved,
        params: { maxNewTokens: 500, temperature: 0 },
      });
      await paneKilled;
      offTask();
      expect(run.finishReason).toBe('cut');
      expect(run.interrupted?.code).toBe('engine_crashed');
      expect(paneTokens).toBeGreaterThanOrEqual(1);
      await waitUntil(() => host.backend.engine.status().state === 'ready', 'ready after the second kill', 60_000);
    } finally {
      api.close();
    }
  });
});
