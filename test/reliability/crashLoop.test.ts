/**
 * Fault: a model whose load crashes the engine. Before, the client restarted the engine and reloaded
 * the same model, which crashed it again, forever (restart → crash every ~23 s with a real model).
 * Now each reload waits longer, and after `maxCrashes` crashes the model is no longer reloaded: the
 * engine runs empty, the status names the model that crashed it, and the app keeps working (another
 * model loads and generates).
 *
 * The engine is the real host process (child_process.fork). The crash is a real SIGKILL of that
 * process, sent the moment it is asked to load the "poisoned" folder — what a model that makes
 * onnxruntime abort looks like from the parent (the cause inside the engine does not matter here).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EngineStatus } from '../../electron/api';
import { EngineClient, forkTransport, type EngineTransport } from '../../electron/engine/host';
import { EngineManager } from '../../electron/services/engine';
import { convertedModelDir } from '../helpers/converted';

/** forkTransport, except that a load of `poisoned` kills the host (SIGKILL) as soon as it is sent. */
function crashingOn(poisoned: string, loads: string[]): () => EngineTransport {
  return () => {
    const t = forkTransport();
    return {
      ...t,
      send: (msg) => {
        t.send(msg);
        if (msg.method === 'load' && 'modelDir' in msg.params) {
          loads.push(msg.params.modelDir);
          if (msg.params.modelDir === poisoned) t.kill('SIGKILL');
        }
      },
      get pid() {
        return t.pid;
      },
    };
  };
}

async function until(cond: () => boolean, what: string, timeoutMs = 60_000): Promise<void> {
  const start = Date.now();
  while (!cond()) {
    if (Date.now() - start > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('a model that crashes the engine on every load', () => {
  let good: string;
  let poisoned: string;
  let tmp: string;
  const loads: string[] = [];
  const statuses: EngineStatus[] = [];
  let client: EngineClient;
  let manager: EngineManager;

  beforeAll(async () => {
    good = await convertedModelDir();
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'inkling-crashloop-'));
    poisoned = path.join(tmp, 'poisoned-model');
    fs.cpSync(good, poisoned, { recursive: true });
    manager = new EngineManager({
      createEngine: () => (client = new EngineClient({ transport: crashingOn(poisoned, loads), reloadBackoffMs: 50 })),
      onStatus: (s) => statuses.push(s),
    });
  });
  afterAll(async () => {
    await manager?.dispose();
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  it('is reloaded a few times with growing waits, then given up; the status names it', async () => {
    await manager.load(good);
    const failed = await manager.load(poisoned).catch((e: { code: string }) => e);
    expect(failed).toMatchObject({ code: 'engine_crashed' });
    await until(
      () => manager.status().state === 'no_model' && /stopped reloading it/.test(manager.status().message ?? ''),
      'the engine to give up on the model',
    );
    expect(manager.status().message).toBe(
      `The model in ${poisoned} made the engine stop 3 times within 5 minutes (the last time while loading it), so Inkling stopped reloading it. ` +
        'You can keep writing without a model; choose another model on the Models page, or download or convert this one again.',
    );
    // The writer's load, then two automatic reloads: three crashes, no fourth attempt.
    expect(loads.filter((d) => d === poisoned)).toHaveLength(3);
    // What the writer saw: each crash, then the restart, and at the end "no model" with the reason.
    const states = statuses.map((s) => s.state);
    expect(states.filter((s) => s === 'crashed')).toHaveLength(3);
    expect(states.at(-1)).toBe('no_model');
  }, 120_000);

  it('the engine is running empty: the app still answers, and another model loads and generates', async () => {
    const pid = client.pid;
    expect(await client.tokenize('x').catch((e: { code: string }) => e.code)).toBe('no_model');
    const status = await manager.load(good);
    expect(status.state).toBe('ready');
    const out = await client.generate({ prompt: 'Hello', params: { temperature: 0, maxNewTokens: 3 } }).result;
    expect(out.alternatives[0].tokenIds).toHaveLength(3);
    expect(client.pid).toBe(pid); // the same engine process: nothing crashed since
    expect(loads.filter((d) => d === poisoned)).toHaveLength(3);
  }, 60_000);

  it('a single crash (e.g. the system killed the engine) still reloads the model at once; during a backoff requests wait', async () => {
    const fresh = new EngineClient({ reloadBackoffMs: 300 });
    try {
      await fresh.load(good);
      const restarted = new Promise<unknown>((resolve) => fresh.once('restarted', resolve));
      fresh.kill();
      expect(await restarted).toMatchObject({ dir: good });
      // A second crash: the reload waits out its backoff, and a request sent meanwhile waits for it
      // (it runs on the reloaded model instead of failing with "no model").
      const crashed = new Promise<unknown>((resolve) => fresh.once('crash', resolve));
      fresh.kill();
      await crashed;
      const r = await fresh.generate({ prompt: 'Meanwhile', params: { temperature: 0, maxNewTokens: 2 } }).result;
      expect(r.alternatives[0].tokenIds).toHaveLength(2);
      expect(fresh.model).toMatchObject({ dir: good });
    } finally {
      await fresh.dispose();
    }
  }, 60_000);
});

describe('an engine that dies even without a model', () => {
  it('is not started again after twice the crash limit; requests fail at once instead of waiting', async () => {
    let started = 0;
    const gaveUp: string[] = [];
    const client = new EngineClient({
      transport: () => {
        started++;
        const t = forkTransport();
        // Dies as soon as it is up: the host itself cannot run here.
        setImmediate(() => t.kill('SIGKILL'));
        return t;
      },
      maxCrashes: 2,
      reloadBackoffMs: 10,
    });
    client.on('gave-up', (info: { message: string }) => gaveUp.push(info.message));
    try {
      await until(() => gaveUp.length === 1, 'the client to give up');
      expect(started).toBe(4); // the first start and three restarts; the fourth crash ends it
      expect(gaveUp[0]).toMatch(
        /^The engine stopped 4 times within 5 minutes and was not started again\. Save your work and restart Inkling\.$/,
      );
      const err = await client.tokenize('x').catch((e: { code: string; message: string }) => e);
      expect(err).toMatchObject({ code: 'engine_crashed', message: gaveUp[0] });
    } finally {
      await client.dispose();
    }
  }, 60_000);
});
