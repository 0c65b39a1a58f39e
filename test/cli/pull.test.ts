/**
 * `inkling pull` from an empty user-data folder against a Hub-like server on 127.0.0.1: it installs
 * a verified, converted model that the engine then opens (the same folder the app reads).
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listModels } from '../../electron/services/models';
import { openModelFolder } from '../../electron/services/library/resolve';
import { startHubServer, type HubServer } from '../helpers/hub-server';
import { tinyModelDir } from '../helpers/models';
import { startWebHost } from '../../electron/web';
import { makeFixture } from '../web/helpers';

const run = promisify(execFile);
const root = path.resolve(__dirname, '../..');
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'inkling-pull-'));
let hub: HubServer;

function inkling(...args: string[]) {
  // Asynchronous on purpose: the Hub server runs in this process and must keep answering.
  return run(process.execPath, [path.join(root, 'bin/inkling.mjs'), ...args], {
    cwd: root,
    env: { ...process.env, HF_ENDPOINT: '' },
  }).then(
    (r) => ({ code: 0, stdout: r.stdout, stderr: r.stderr }),
    (e: { code?: number; stdout?: string; stderr?: string }) => ({
      code: e.code ?? 1,
      stdout: e.stdout ?? '',
      stderr: e.stderr ?? '',
    }),
  );
}

beforeAll(async () => {
  hub = await startHubServer({ repos: { 'openai-community/gpt2': await tinyModelDir({ seed: 3 }) } });
});

afterAll(async () => {
  await hub?.close();
  fs.rmSync(work, { recursive: true, force: true });
});

describe('inkling pull', () => {
  it('installs a working model into an empty data folder and prints its folder last', async () => {
    const dataDir = path.join(work, 'data');
    const r = await inkling('pull', 'openai-community/gpt2', '--endpoint', hub.url, '--data-dir', dataDir);
    expect(r.stderr).toMatch(/downloading/);
    expect(r.code).toBe(0);
    const lines = r.stdout.trim().split('\n');
    const dir = lines[lines.length - 1];
    expect(dir).toBe(path.join(dataDir, 'models', 'gpt2'));

    const models = await listModels(dataDir);
    expect(models.map((m) => m.id)).toEqual(['gpt2']);
    expect(models[0].manifest.source).toMatchObject({ kind: 'hub', repo: 'openai-community/gpt2', commit: hub.commit });

    const { engine, info } = await openModelFolder(dir);
    try {
      expect(info.precision).toBe('fp32');
      const out = await engine.generate({ prompt: 'Hello', params: { temperature: 0, maxNewTokens: 3 } });
      expect(out.alternatives[0].tokenIds).toHaveLength(3);
    } finally {
      await engine.dispose();
    }
    const gen = await inkling('generate', '--model', dir, '--prompt', 'Hi', '--max-new-tokens', '2', '--json');
    expect(gen.code).toBe(0);
    expect(JSON.parse(gen.stdout).alternatives[0].token_ids).toHaveLength(2);
  });

  it('refuses to write into a data folder that a running web host holds, naming it, and changes nothing', async () => {
    const dataDir = path.join(work, 'held');
    const fx = makeFixture();
    const host = await startWebHost({
      port: 0,
      dataDir,
      rendererDir: fx.rendererDir,
      log: () => undefined,
      createEngine: () => {
        throw new Error('no engine');
      },
    });
    try {
      const r = await inkling('pull', 'openai-community/gpt2', '--endpoint', hub.url, '--data-dir', dataDir);
      expect(r.code).not.toBe(0);
      expect(r.stderr).toContain(`Another Inkling is using the data folder ${dataDir}: the web host at ${host.url}`);
      expect(r.stderr).not.toMatch(/downloading/);
      expect(await listModels(dataDir)).toEqual([]);
    } finally {
      await host.close();
      fx.cleanup();
    }
  });

  it('fails clearly for a repository the Hub does not have, registering nothing', async () => {
    const dataDir = path.join(work, 'data2');
    const r = await inkling('pull', 'nobody/missing', '--endpoint', hub.url, '--data-dir', dataDir);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/^inkling: .*nobody\/missing/m);
    expect(await listModels(dataDir)).toEqual([]);
  });
});
