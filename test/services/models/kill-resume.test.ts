/**
 * Killing the downloader process mid-file and pulling again resumes the partial file (Range from
 * the bytes already on disk) instead of starting over. The first pull runs in a child process
 * (tsx) against a slow trickle so it can be SIGKILLed while model.safetensors is half written.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { createHash } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startHubServer, type HubServer } from '../../helpers/hub-server';
import { listModels, pullModel, scanLibrary } from '../../../electron/services/models';
import { REPO, fakeConvert, makeCheckpoint, sizeOf, tmpDir, waitFor, removeTmpDirs } from './fixtures';

const here = path.dirname(fileURLToPath(import.meta.url));
let hub: HubServer;
let repoDir: string;

afterAll(removeTmpDirs);

beforeAll(async () => {
  repoDir = await makeCheckpoint(tmpDir('repo'));
  hub = await startHubServer({ repos: { [REPO]: repoDir } });
});
afterAll(async () => {
  await hub.close();
});

it('resumes, rather than restarts, after the downloading process is killed mid-file', async () => {
  const dataDir = tmpDir('kill');
  const size = fs.statSync(path.join(repoDir, 'model.safetensors')).size;
  // ~4 KiB every 20 ms: the ~300 KiB file would take over a second, ample time to kill it mid-way.
  hub.setFault('model.safetensors', { trickle: { bytes: 4096, intervalMs: 20 } });
  const partial = path.join(dataDir, 'models', 'test-org--tiny-gpt2', 'source', 'model.safetensors.incomplete');

  const child = spawn(process.execPath, ['--import', 'tsx', path.join(here, 'pull-child.ts'), hub.url, dataDir, REPO], {
    cwd: path.resolve(here, '../../..'),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<NodeJS.Signals | null>((resolve) => child.on('exit', (_code, signal) => resolve(signal)));
  try {
    await waitFor(() => sizeOf(partial) >= 3 * 4096 || child.exitCode !== null, 'the child to write part of model.safetensors', 60_000);
    expect(child.exitCode, `the child exited early: ${stderr}`).toBeNull();
  } finally {
    child.kill('SIGKILL');
  }
  expect(await exited).toBe('SIGKILL');

  const kept = sizeOf(partial);
  expect(kept).toBeGreaterThan(0);
  expect(kept).toBeLessThan(size);
  expect(await listModels(dataDir)).toEqual([]); // half-downloaded: not a model
  expect((await scanLibrary(dataDir)).unfinished).toEqual(['test-org--tiny-gpt2']);

  hub.clearFaults();
  const before = hub.gets('model.safetensors').length;
  const r = await pullModel({ repo: REPO, endpoint: hub.url, dataDir, convert: fakeConvert(), retryBaseMs: 1 });

  const after = hub.gets('model.safetensors').slice(before);
  expect(after).toHaveLength(1);
  expect(after[0]).toMatchObject({ range: `bytes=${kept}-`, status: 206, bytesSent: size - kept });
  const transferred = hub.gets('model.safetensors').reduce((a, e) => a + e.bytesSent, 0);
  expect(transferred).toBeLessThan(2 * size);

  const sha = createHash('sha256').update(fs.readFileSync(path.join(repoDir, 'model.safetensors'))).digest('hex');
  expect(r.manifest.files.find((f) => f.path === 'source/model.safetensors')).toMatchObject({ sha256: sha, size, verifiedBy: 'sha256' });
  expect((await listModels(dataDir)).map((m) => m.id)).toEqual(['test-org--tiny-gpt2']);
});
