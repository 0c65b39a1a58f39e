import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createHash } from 'node:crypto';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startHubServer, type HubServer } from '../../helpers/hub-server';
import { InklingError } from '../../../electron/common/errors';
import { HttpStatusError, getModel, listModels, pullModel, scanLibrary, type PullOptions, type PullProgress } from '../../../electron/services/models';
import { loadModel } from '../../../electron/engine/runtime';
import { makeTestModel } from '../../../electron/engine/weights';
import { lockPath } from '../../../electron/services/models/lock';
import { REPO, type ConvertCall, fakeConvert, makeCheckpoint, sizeOf, tmpDir, waitFor, removeTmpDirs } from './fixtures';

const ID = 'test-org--tiny-gpt2';
let repoDir: string;
let hub: HubServer;
let dataDir: string;

const sha = (file: string): string => createHash('sha256').update(fs.readFileSync(file)).digest('hex');

afterAll(removeTmpDirs);

beforeAll(async () => {
  repoDir = await makeCheckpoint(tmpDir('repo'));
});
beforeEach(async () => {
  hub = await startHubServer({ repos: { [REPO]: repoDir } });
  dataDir = tmpDir('data');
});
afterEach(async () => {
  await hub.close();
});

const pull = (extra: Partial<PullOptions> = {}): Promise<Awaited<ReturnType<typeof pullModel>>> =>
  pullModel({ repo: REPO, endpoint: hub.url, dataDir, convert: fakeConvert(), retryBaseMs: 1, ...extra });

describe('pullModel', () => {
  it('downloads every file at one commit, verifies, converts, and registers the model last', async () => {
    const phases: PullProgress['phase'][] = [];
    const calls: ConvertCall[] = [];
    const r = await pull({ convert: fakeConvert(calls), onProgress: (p) => phases.at(-1) !== p.phase && phases.push(p.phase) });

    expect(r.id).toBe(ID);
    expect(r.dir).toBe(path.join(dataDir, 'models', ID));
    expect(phases).toEqual(['resolving', 'downloading', 'converting', 'done']);
    expect(calls).toEqual([expect.objectContaining({ precision: 'fp32' })]);

    const m = r.manifest;
    expect(m.source).toEqual({ kind: 'hub', repo: REPO, revision: 'main', commit: hub.commit, endpoint: hub.url });
    // tokenizer.json is optional and the test repo has none: its 404 was skipped.
    expect(m.files.map((f) => f.path).sort()).toEqual(
      ['config.json', 'generation_config.json', 'merges.txt', 'model.safetensors', 'vocab.json'].map((f) => `source/${f}`),
    );
    for (const f of m.files) {
      const name = f.path.slice('source/'.length);
      expect(f.sha256, name).toBe(sha(path.join(repoDir, name)));
      expect(f.verifiedBy, name).toBe(name === 'model.safetensors' ? 'sha256' : 'git-sha1');
    }
    expect(m.precisions.fp32).toMatchObject({ format: 'inkling', dir: 'fp32', graph: 'fp32/model.onnx' });
    expect(m.config).toEqual({ nLayer: 1, nEmbd: 32, nHead: 2, nPositions: 64, vocabSize: 2048 });

    // After the first HEAD resolved "main", everything else was fetched at the commit.
    const resolves = hub.log.filter((e) => e.path.includes('/resolve/'));
    expect(resolves[0].path).toBe(`/${REPO}/resolve/main/config.json`);
    expect(resolves.slice(1).every((e) => e.path.startsWith(`/${REPO}/resolve/${hub.commit}/`))).toBe(true);

    expect((await listModels(dataDir)).map((x) => x.id)).toEqual([ID]);
    expect(fs.readdirSync(r.dir).filter((f) => f.startsWith('manifest.json'))).toEqual(['manifest.json']);
  });

  it('never registers a model whose file fails verification, and never converts it', async () => {
    hub.setFault('model.safetensors', { corrupt: true });
    const calls: ConvertCall[] = [];
    const err = (await pull({ convert: fakeConvert(calls) }).catch((e: unknown) => e)) as InklingError;
    expect(err.code).toBe('verify_failed');
    expect(err.message).toMatch(/^model\.safetensors: sha256 mismatch: expected [0-9a-f]{64}, got [0-9a-f]{64}; the download was discarded$/);
    expect(calls).toEqual([]);
    expect(await listModels(dataDir)).toEqual([]);
    expect(await getModel(dataDir, ID)).toBeNull();
    const src = path.join(dataDir, 'models', ID, 'source');
    expect(fs.existsSync(path.join(src, 'model.safetensors'))).toBe(false);
    expect(fs.existsSync(path.join(src, 'model.safetensors.incomplete'))).toBe(false);
  });

  it('leaves no model after a failed conversion; the next pull reuses the verified downloads', async () => {
    const failing = async (): Promise<never> => {
      throw new Error('out of memory building the graph');
    };
    await expect(pull({ convert: failing })).rejects.toThrow(/Converting .* to fp32 failed: out of memory building the graph/);
    expect(await listModels(dataDir)).toEqual([]);
    const gets = hub.log.filter((e) => e.method === 'GET').length;

    const r = await pull();
    expect(r.manifest.precisions.fp32).toBeDefined();
    expect(hub.log.filter((e) => e.method === 'GET').length).toBe(gets); // nothing downloaded twice
  });

  it('does not reuse leftovers of a pull of another commit', async () => {
    const src = path.join(dataDir, 'models', ID, 'source');
    fs.mkdirSync(src, { recursive: true });
    const config = fs.readFileSync(path.join(repoDir, 'config.json'));
    fs.writeFileSync(path.join(src, 'config.json'), Buffer.alloc(config.length, 32)); // same size, other bytes
    fs.writeFileSync(path.join(src, '.origin.json'), JSON.stringify({ repo: REPO, commit: 'f'.repeat(40) }));
    const r = await pull();
    expect(r.manifest.files.find((f) => f.path === 'source/config.json')?.sha256).toBe(sha(path.join(repoDir, 'config.json')));
    expect(fs.readFileSync(path.join(src, 'config.json')).equals(config)).toBe(true);
  });

  it('adds a precision to an installed model by converting the kept checkpoint, without downloading', async () => {
    await pull();
    const gets = hub.log.filter((e) => e.method === 'GET').length;
    const calls: ConvertCall[] = [];
    const r = await pull({ precision: 'int8', convert: fakeConvert(calls) });
    expect(calls).toEqual([expect.objectContaining({ precision: 'int8' })]);
    expect(Object.keys(r.manifest.precisions).sort()).toEqual(['fp32', 'int8']);
    expect(hub.log.filter((e) => e.method === 'GET').length).toBe(gets);
    expect((await getModel(dataDir, ID))?.manifest.precisions.int8?.graph).toBe('int8/model.onnx');
  });

  it('refuses a second pull of the same model while the first is running', async () => {
    hub.setFault('model.safetensors', { trickle: { bytes: 4096, intervalMs: 10 } });
    const ac = new AbortController();
    const first = pull({ signal: ac.signal }).catch((e: unknown) => e);
    await waitFor(() => sizeOf(path.join(dataDir, 'models', ID, 'source', 'model.safetensors.incomplete')) > 0, 'the first pull to start writing');
    const err = (await pull().catch((e: unknown) => e)) as InklingError;
    expect(err.code).toBe('busy');
    expect(err.message).toContain(`Model "${ID}" is busy: process ${process.pid}`);
    ac.abort();
    expect(await first).toMatchObject({ code: 'cancelled' });
    expect(fs.existsSync(lockPath(dataDir, ID))).toBe(false); // released on abort
  });

  it('takes over a lock left by a process that no longer exists', async () => {
    const dead = spawnSync(process.execPath, ['-e', '']).pid!;
    fs.mkdirSync(path.dirname(lockPath(dataDir, ID)), { recursive: true });
    fs.writeFileSync(lockPath(dataDir, ID), JSON.stringify({ pid: dead, host: os.hostname(), purpose: 'downloading', since: 'x' }));
    const r = await pull();
    expect(r.id).toBe(ID);
  });

  it('checks free space for the downloads and the converted model before fetching anything', async () => {
    const err = (await pull({ statfs: async () => ({ bavail: 100n, bsize: 4096n }) }).catch((e: unknown) => e)) as InklingError;
    expect(err.code).toBe('disk_space');
    expect(err.message).toMatch(new RegExp(`^Not enough free disk space in .* for ${ID} \\(.* to download \\+ about .* converted\\)`));
    expect(hub.log.filter((e) => e.method === 'GET')).toEqual([]);
  });

  it('counts the temporary fp32 graph of a quantized conversion\'s measurement in the free space, unless it is skipped', async () => {
    const need = async (extra: Partial<PullOptions>): Promise<string> => {
      const err = (await pull({ statfs: async () => ({ bavail: 1n, bsize: 1n }), ...extra }).catch((e: unknown) => e)) as InklingError;
      expect(err.code).toBe('disk_space');
      return err.message;
    };
    expect(await need({ precision: 'int8' })).toMatch(/converted, a temporary fp32 copy included\)/);
    expect(await need({ precision: 'int8', qualityReport: false })).not.toMatch(/temporary/);
    expect(await need({ precision: 'fp32' })).not.toMatch(/temporary/);
  });

  it('names the repository problem: a bad name, or a repository the server does not have', async () => {
    await expect(pull({ repo: 'not a repo' })).rejects.toThrow(/"not a repo" is not a Hugging Face repository name/);
    const err = (await pull({ repo: 'test-org/missing' }).catch((e: unknown) => e)) as HttpStatusError;
    expect(err).toMatchObject({ code: 'http_error', status: 404 });
    expect(err.message).toMatch(/^config\.json: the server answered HTTP 404 \(no such repository, revision or file\)/);
    expect((await scanLibrary(dataDir)).models).toEqual([]);
  });

  it('installs a model the engine can load when the real converter runs', async () => {
    // The engine wants the model's vocabulary to cover the tokenizer's: use the full 50257 here.
    const full = tmpDir('full');
    await makeTestModel({ outDir: full, layers: 1, embd: 32, heads: 2, positions: 64, seed: 3 });
    const fullHub = await startHubServer({ repos: { 'test-org/full-gpt2': full } });
    let r: Awaited<ReturnType<typeof pullModel>>;
    try {
      r = await pullModel({ repo: 'test-org/full-gpt2', endpoint: fullHub.url, dataDir, retryBaseMs: 1 });
    } finally {
      await fullHub.close();
    }
    const fp32 = r.manifest.precisions.fp32!;
    expect(fp32.graph).toBe('fp32/model.onnx');
    for (const f of fp32.files) expect(sha(path.join(r.dir, f.path)), f.path).toBe(f.sha256);
    expect(fs.existsSync(path.join(r.dir, 'fp32', 'inkling.json'))).toBe(true);

    const { engine, info } = await loadModel(path.join(r.dir, fp32.dir));
    try {
      expect(info).toMatchObject({ format: 'inkling', nLayer: 1, nEmbd: 32, vocabSize: 50257 });
      const scored = await engine.score('Hello world, again', 1);
      expect(scored.tokens.length).toBeGreaterThan(2);
      expect(scored.tokens.slice(1).every((t) => Number.isFinite(t.logprob))).toBe(true);
    } finally {
      await engine.dispose();
    }
  });
});
