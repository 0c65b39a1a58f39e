/**
 * The library manager against a real Hub-like server on 127.0.0.1 and real files: progress events,
 * cancel, resume after a restart (a new manager on the same data folder), discard, failures that
 * name the file, delete / default / use, import, and the device settings reloading the model.
 * The converter and the engine are stand-ins (the graph and the engine have their own tests; the
 * web e2e test runs the real ones end to end).
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { InklingError, type ModelJob } from '../../../electron/api';
import { EngineManager } from '../../../electron/services/engine';
import { LibraryService, type LibraryPlatform } from '../../../electron/services/library';
import { SettingsService } from '../../../electron/services/settings';
import type { ConvertFn } from '../../../electron/services/models/install';
import { startHubServer, type HubServer } from '../../helpers/hub-server';
import {
  ID,
  REPO,
  RecordingEngine,
  fakeConvert,
  makeCheckpoint,
  removeTmpDirs,
  tmpDir,
  waitFor,
  type Events,
} from './helpers';

const GiB = 1024 ** 3;
let repoDir: string;
let hub: HubServer;
let dataDir: string;
const services: LibraryService[] = [];

beforeAll(async () => {
  repoDir = await makeCheckpoint(tmpDir('repo'));
});
afterAll(removeTmpDirs);
beforeEach(async () => {
  hub = await startHubServer({ repos: { [REPO]: repoDir } });
  dataDir = tmpDir('data');
});
afterEach(async () => {
  for (const s of services.splice(0)) await s.dispose();
  await hub.close();
});

async function makeService(opts: { platform?: LibraryPlatform; totalMemoryBytes?: number; convert?: ConvertFn } = {}) {
  const events: Events = [];
  const engineLike = new RecordingEngine();
  const settings = new SettingsService(dataDir);
  await settings.load();
  const engine = new EngineManager({
    createEngine: () => engineLike,
    loadOptions: () => ({ device: settings.get().device, threads: settings.get().threads }),
  });
  const library = new LibraryService({
    dataDir,
    engine,
    settings,
    broadcast: (channel, payload) => void events.push({ channel, payload }),
    platform: opts.platform ?? { mode: 'web', trustRendererPaths: true },
    endpoint: hub.url,
    convert: opts.convert ?? fakeConvert,
    retry: { retryBaseMs: 1, maxAttempts: 3 },
    progressIntervalMs: 0,
    totalMemoryBytes: () => opts.totalMemoryBytes ?? 8 * GiB,
    log: () => undefined,
  });
  services.push(library);
  const jobs = (jobId?: string) =>
    events
      .filter((e) => e.channel === 'modelProgress')
      .map((e) => e.payload as ModelJob)
      .filter((j) => !jobId || j.jobId === jobId);
  const finished = (jobId: string) =>
    waitFor(() => jobs(jobId).some((j) => j.state !== 'running'), `job ${jobId} to stop`);
  return { library, engine, engineLike, settings, events, jobs, finished };
}

const partialFile = () => path.join(dataDir, 'models', ID, 'source', 'model.safetensors.incomplete');
const sizeOf = (f: string) => (fs.existsSync(f) ? fs.statSync(f).size : -1);
const repoBytes = () => fs.readdirSync(repoDir).reduce((a, f) => a + fs.statSync(path.join(repoDir, f)).size, 0);

async function rejection(p: Promise<unknown>): Promise<InklingError> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(InklingError);
    return e as InklingError;
  }
  throw new Error('expected a rejection');
}

describe('downloads', () => {
  it('reports progress, installs, makes the first model the default and loads it', async () => {
    const s = await makeService();
    const job = await s.library.pull({ repo: REPO });
    expect(job).toMatchObject({
      kind: 'pull',
      modelId: ID,
      name: 'DistilGPT2',
      repo: REPO,
      precision: 'fp32',
      state: 'running',
    });
    await s.finished(job.jobId);
    const seen = s.jobs(job.jobId);
    expect(seen.at(-1)).toMatchObject({ state: 'done', phase: 'done', fraction: 1 });
    const phases = seen.map((j) => j.phase).filter((p, i, a) => p !== a[i - 1]);
    expect(phases).toEqual(['queued', 'resolving', 'downloading', 'converting', 'done']);
    const downloading = seen.filter((j) => j.phase === 'downloading');
    for (let i = 1; i < downloading.length; i++)
      expect(downloading[i].bytesDone).toBeGreaterThanOrEqual(downloading[i - 1].bytesDone);
    expect(downloading.at(-1)).toMatchObject({ bytesDone: repoBytes(), bytesTotal: repoBytes() });
    expect(seen.some((j) => j.phase === 'converting' && j.stage === 'building graph')).toBe(true);

    await waitFor(() => s.engine.status().state === 'ready', 'the model to load');
    // The library's folder resolved to the precision installed: the engine never reads manifest.json.
    expect(s.engineLike.loads.map((l) => [l.dir, l.options?.precision, l.options?.name])).toEqual([
      [path.join(dataDir, 'models', ID, 'fp32'), 'fp32', 'DistilGPT2'],
    ]);
    const lib = await s.library.models();
    expect(lib.defaultId).toBe(ID);
    expect(lib.models).toEqual([
      expect.objectContaining({
        id: ID,
        name: 'DistilGPT2',
        isDefault: true,
        loaded: 'fp32',
        source: expect.objectContaining({ kind: 'hub', repo: REPO, commit: hub.commit }),
      }),
    ]);
    expect(lib.models[0].precisions).toEqual([expect.objectContaining({ precision: 'fp32', format: 'inkling' })]);
    expect(lib.models[0].bytes).toBeGreaterThan(repoBytes());
    const changes = s.events
      .filter((e) => e.channel === 'modelsChanged')
      .map((e) => (e.payload as { reason: string }).reason);
    expect(changes).toEqual(['installed', 'default']);
    expect(await s.library.listJobs()).toEqual([]);
    expect(await s.library.pending.list()).toEqual([]);
  });

  it('measures a quantized download against fp32 only when fp32 fits in memory', async () => {
    const asked: (boolean | undefined)[] = [];
    const convert: ConvertFn = async (src, out, opts) => {
      asked.push(opts.qualityReport);
      return fakeConvert(src, out, opts);
    };
    for (const [memory, expected] of [
      [64 * GiB, undefined],
      [256 * 1024 * 1024, false],
    ] as const) {
      const s = await makeService({ totalMemoryBytes: memory, convert });
      const job = await s.library.pull({ repo: REPO, precision: 'int8' });
      await s.finished(job.jobId);
      expect(s.jobs(job.jobId).at(-1)).toMatchObject({ state: 'done' });
      expect(asked.at(-1)).toBe(expected);
      await s.library.delete(ID);
    }
  });

  it('cancels mid-file, lists the download after a restart, and resumes it with a Range request', async () => {
    hub.setFault('model.safetensors', { trickle: { bytes: 4096, intervalMs: 10 } });
    const s = await makeService();
    const job = await s.library.pull({ repo: REPO, precision: 'int8' });
    await waitFor(() => sizeOf(partialFile()) > 40_000, 'part of model.safetensors');
    await s.library.cancel(job.jobId);
    expect(s.jobs(job.jobId).at(-1)).toMatchObject({ state: 'cancelled', phase: 'downloading' });
    const kept = sizeOf(partialFile());
    expect(kept).toBeGreaterThan(40_000);
    expect(await s.library.listJobs()).toEqual([
      expect.objectContaining({ jobId: job.jobId, state: 'cancelled', precision: 'int8' }),
    ]);
    expect((await s.library.models()).models).toEqual([]); // a half-downloaded model is never listed
    await s.library.dispose();

    // The app restarts: a new manager on the same data folder finds the unfinished download.
    hub.clearFaults();
    const s2 = await makeService();
    const [found] = await s2.library.listJobs();
    expect(found).toMatchObject({
      kind: 'pull',
      state: 'interrupted',
      modelId: ID,
      repo: REPO,
      precision: 'int8',
      bytesTotal: repoBytes(),
    });
    expect(found.bytesDone).toBeGreaterThanOrEqual(kept);
    const before = hub.gets('model.safetensors').length;
    const resumed = await s2.library.pull({ repo: found.repo!, precision: found.precision });
    await s2.finished(resumed.jobId);
    expect(s2.jobs(resumed.jobId).at(-1)?.state).toBe('done');
    const gets = hub.gets('model.safetensors').slice(before);
    expect(gets[0].range).toBe(`bytes=${kept}-`);
    expect(gets[0].status).toBe(206);
    const lib = await s2.library.models();
    expect(lib.models.map((m) => [m.id, m.precisions.map((p) => p.precision)])).toEqual([[ID, ['int8']]]);
    expect(await s2.library.listJobs()).toEqual([]);
  });

  it('discards a stopped download: its partial files and its record go', async () => {
    hub.setFault('model.safetensors', { trickle: { bytes: 4096, intervalMs: 10 } });
    const s = await makeService();
    const job = await s.library.pull({ repo: REPO });
    await waitFor(() => sizeOf(partialFile()) > 8_000, 'part of model.safetensors');
    await s.library.cancel(job.jobId); // stops
    await s.library.cancel(job.jobId); // discards
    expect(fs.existsSync(path.join(dataDir, 'models', ID))).toBe(false);
    expect(await s.library.listJobs()).toEqual([]);
    expect(await s.library.pending.list()).toEqual([]);
    expect(s.events.at(-1)).toEqual({ channel: 'modelsChanged', payload: { reason: 'discarded' } });
    await s.library.cancel('unknown-job'); // ignored
  });

  it('finds folders an earlier `inkling pull` left unfinished, resumable or not', async () => {
    const left = path.join(dataDir, 'models', 'gpt2', 'source');
    fs.mkdirSync(left, { recursive: true });
    fs.writeFileSync(path.join(left, '.origin.json'), JSON.stringify({ repo: 'openai-community/gpt2', commit: 'abc' }));
    fs.writeFileSync(path.join(left, 'model.safetensors.incomplete'), Buffer.alloc(1000));
    fs.mkdirSync(path.join(dataDir, 'models', 'half-import', 'source'), { recursive: true });
    const s = await makeService();
    const jobs = await s.library.listJobs();
    expect(jobs).toEqual([
      expect.objectContaining({
        modelId: 'gpt2',
        kind: 'pull',
        state: 'interrupted',
        repo: 'openai-community/gpt2',
        name: 'GPT-2 (124M)',
      }),
      expect.objectContaining({ modelId: 'half-import', kind: 'import', state: 'interrupted' }),
    ]);
    expect(jobs.find((j) => j.modelId === 'gpt2')!.bytesDone).toBeGreaterThanOrEqual(1000);
    await s.library.cancel(jobs.find((j) => j.modelId === 'half-import')!.jobId);
    expect(fs.existsSync(path.join(dataDir, 'models', 'half-import'))).toBe(false);
  });

  it('a file that fails verification fails the job, naming the file; retrying after the fault works', async () => {
    hub.setFault('model.safetensors', { corrupt: true });
    const s = await makeService();
    const job = await s.library.pull({ repo: REPO });
    await s.finished(job.jobId);
    const failed = s.jobs(job.jobId).at(-1)!;
    expect(failed.state).toBe('failed');
    expect(failed.error?.code).toBe('verify_failed');
    expect(failed.error?.message).toMatch(/model\.safetensors: sha256 mismatch/);
    expect((await s.library.models()).models).toEqual([]);
    expect(await s.library.listJobs()).toEqual([expect.objectContaining({ state: 'failed', error: failed.error })]);

    hub.clearFaults();
    const retry = await s.library.pull({ repo: REPO });
    await s.finished(retry.jobId);
    expect(s.jobs(retry.jobId).at(-1)?.state).toBe('done');
  });

  it('the same download twice is one job; another precision of it waits its turn', async () => {
    hub.setFault('model.safetensors', { trickle: { bytes: 4096, intervalMs: 10 } });
    const s = await makeService();
    const a = await s.library.pull({ repo: REPO });
    const b = await s.library.pull({ repo: REPO });
    expect(b.jobId).toBe(a.jobId);
    const busy = await rejection(s.library.pull({ repo: REPO, precision: 'int4' }));
    expect(busy.code).toBe('busy');
    expect(busy.message).toMatch(/DistilGPT2 is already being downloaded \(fp32\)/);
    // A repository the Hub does not have: the job fails with the Hub's answer, naming the file.
    const missing = await s.library.pull({ repo: 'nobody/nothing' });
    expect(missing.modelId).toBe('nobody--nothing');
    await s.finished(missing.jobId);
    const failed = s.jobs(missing.jobId).at(-1)!;
    expect(failed).toMatchObject({ state: 'failed', error: { code: 'http_error' } });
    expect(failed.error!.message).toMatch(/config\.json/);
    expect(failed.error!.message).toMatch(/404/);
  });
});

describe('installed models', () => {
  async function installed() {
    const s = await makeService();
    const job = await s.library.pull({ repo: REPO });
    await s.finished(job.jobId);
    await waitFor(() => s.engine.status().state === 'ready', 'the model to load');
    return s;
  }

  it('deleting the loaded default unloads it first and reports the space freed', async () => {
    const s = await installed();
    const dir = path.join(dataDir, 'models', ID);
    const du = (d: string): number =>
      fs
        .readdirSync(d, { withFileTypes: true })
        .reduce((a, e) => a + (e.isDirectory() ? du(path.join(d, e.name)) : fs.statSync(path.join(d, e.name)).size), 0);
    const bytes = du(dir);
    const r = await s.library.delete(ID);
    expect(r).toEqual({ id: ID, freedBytes: bytes });
    expect(s.engineLike.unloads).toBe(1);
    expect(s.engine.status()).toMatchObject({ state: 'no_model', message: expect.stringMatching(/was deleted/) });
    expect(fs.existsSync(dir)).toBe(false);
    expect(await s.library.models()).toMatchObject({ models: [], defaultId: null });
    expect((await rejection(s.library.delete(ID))).code).toBe('not_found');
  });

  it('use and set-default load the model; errors name what is installed', async () => {
    const s = await installed();
    expect((await rejection(s.library.use('nope'))).code).toBe('not_found');
    const noInt4 = await rejection(s.library.use(ID, 'int4'));
    expect(noInt4.code).toBe('bad_request');
    expect(noInt4.message).toMatch(/no int4 version installed \(installed: fp32\)/);

    // A second model, imported from a checkpoint folder; setting it as default loads it and
    // replaces a folder chosen earlier with Open Model Folder.
    const imported = await s.library.import(repoDir);
    await s.finished(imported!.jobId);
    expect(s.jobs(imported!.jobId).at(-1)?.state).toBe('done');
    const importedId = imported!.modelId;
    await s.settings.update({ modelDir: '/somewhere/else' });
    const status = await s.library.setDefault(importedId);
    expect(status.state).toBe('ready');
    expect(s.engineLike.loads.at(-1)?.dir).toBe(path.join(dataDir, 'models', importedId, 'fp32'));
    expect(s.settings.get().modelDir).toBeNull();
    const lib = await s.library.models();
    expect(lib.defaultId).toBe(importedId);
    expect(lib.models.find((m) => m.id === importedId)).toMatchObject({
      isDefault: true,
      loaded: 'fp32',
      source: { kind: 'import', path: repoDir },
    });
    expect(lib.models.find((m) => m.id === ID)).toMatchObject({ isDefault: false, loaded: null });

    await s.library.use(ID, 'fp32');
    expect(s.engineLike.loads.at(-1)).toMatchObject({
      dir: path.join(dataDir, 'models', ID, 'fp32'),
      options: { precision: 'fp32' },
    });
    // Importing the same folder again picks a free name.
    const again = await s.library.import(repoDir);
    expect(again!.modelId).toBe(`${importedId}-2`);
    await s.finished(again!.jobId);
  });

  it('import refuses what is not a model folder, and paths the desktop app did not let the writer choose', async () => {
    const s = await makeService();
    const empty = tmpDir('empty');
    const notModel = await rejection(s.library.import(empty));
    expect(notModel.code).toBe('model_invalid');
    expect(notModel.message).toContain(`${empty} is neither a Hugging Face checkpoint folder (no model.safetensors)`);
    expect((await rejection(s.library.import(undefined))).code).toBe('path_required');

    const desktop = await makeService({ platform: { mode: 'electron', trustRendererPaths: false } });
    expect((await rejection(desktop.library.import(repoDir))).code).toBe('not_allowed');
    expect(await desktop.library.import(undefined, 'fp32', async () => null)).toBeNull();
    const viaDialog = await desktop.library.import(undefined, 'fp32', async () => repoDir);
    expect(viaDialog).toMatchObject({ kind: 'import', sourcePath: repoDir, state: 'running' });
    await desktop.finished(viaDialog!.jobId);
  });

  it('show in folder: the desktop app reveals the manifest; web mode says where the model is', async () => {
    const s = await installed();
    const web = await rejection(s.library.showInFolder(ID));
    expect(web.code).toBe('not_allowed');
    expect(web.message).toContain(path.join(dataDir, 'models', ID));
    const shown: string[] = [];
    const desktop = await makeService({
      platform: { mode: 'electron', trustRendererPaths: false, showItemInFolder: (p) => void shown.push(p) },
    });
    await desktop.library.showInFolder(ID);
    expect(shown).toEqual([path.join(dataDir, 'models', ID, 'manifest.json')]);
    expect((await rejection(desktop.library.showInFolder('nope'))).code).toBe('not_found');
  });

  it('changing the device or threads reloads the loaded model with them; the fallback is reported', async () => {
    const s = await installed();
    const before = s.settings.get();
    await s.library.settingsChanged(before, await s.settings.update({ fontSize: 20 }));
    expect(s.engineLike.loads).toHaveLength(1); // nothing to do with the model
    const after = await s.settings.update({ device: 'cuda', threads: 1 });
    await s.library.settingsChanged(before, after);
    expect(s.engineLike.loads).toHaveLength(2);
    // Through the library, with the precision that was loaded.
    expect(s.engineLike.loads[1]).toEqual({
      dir: path.join(dataDir, 'models', ID, 'fp32'),
      options: { device: 'cuda', threads: 1, precision: 'fp32', name: 'DistilGPT2' },
    });
    expect(s.engine.status().model?.deviceNote).toMatch(/cuda could not start; using the CPU/);
    // The engine repeats the request behind the loaded model; with nothing loaded there is nothing to repeat.
    await s.engine.reload();
    expect(s.engineLike.loads[2]).toEqual({
      dir: path.join(dataDir, 'models', ID, 'fp32'),
      options: { device: 'cuda', threads: 1, precision: 'fp32', name: 'DistilGPT2' },
    });
    await s.engine.unload();
    expect(await s.engine.reload()).toBeNull();
    expect(s.engineLike.loads).toHaveLength(3);
  });
});

describe('catalog', () => {
  it('labels each precision against the machine memory and marks what is installed', async () => {
    const small = await makeService({ totalMemoryBytes: 8 * GiB });
    const c = await small.library.catalog();
    expect(c.endpoint).toBe(hub.url);
    expect(c.totalMemoryBytes).toBe(8 * GiB);
    expect(c.models.map((m) => m.id)).toEqual(['distilgpt2', 'gpt2', 'gpt2-medium', 'gpt2-large', 'gpt2-xl']);
    const fit = (id: string, p: string) => c.models.find((m) => m.id === id)!.memory.find((x) => x.precision === p)!;
    expect(fit('gpt2', 'fp32').fit).toBe('fits');
    expect(fit('gpt2-xl', 'fp32').fit).toBe('wont-fit');
    expect(fit('gpt2-xl', 'int4').fit).toBe('fits');
    expect(fit('gpt2-xl', 'int4').bytes).toBeLessThan(fit('gpt2-xl', 'fp16').bytes);
    const big = await makeService({ totalMemoryBytes: 64 * GiB });
    expect((await big.library.catalog()).models.every((m) => m.memory.every((x) => x.fit === 'fits'))).toBe(true);

    const job = await small.library.pull({ repo: REPO });
    await small.finished(job.jobId);
    expect((await small.library.catalog()).models.find((m) => m.id === ID)!.installed).toEqual(['fp32']);
  });
});
