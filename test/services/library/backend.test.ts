/**
 * The library's API methods through the shared dispatcher (what the web host and Electron's ipcMain
 * call): argument validation, HF_ENDPOINT, a real download + the real converter on a tiny model,
 * progress events to the client, device settings reloading the model, delete. The engine is a
 * recording stand-in (the web e2e test runs the real one).
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import type { EventChannel, InklingEvents, ModelJob } from '../../../electron/api';
import { Backend, type Client } from '../../../electron/services/backend';
import { startHubServer, type HubServer } from '../../helpers/hub-server';
import { ID, REPO, RecordingEngine, makeCheckpoint, removeTmpDirs, tmpDir, waitFor } from './helpers';

let hub: HubServer;
const savedEndpoint = process.env.HF_ENDPOINT;

beforeAll(async () => {
  hub = await startHubServer({ repos: { [REPO]: await makeCheckpoint(tmpDir('repo')) } });
  process.env.HF_ENDPOINT = hub.url; // as the web host and the CLI read it
});
afterAll(async () => {
  if (savedEndpoint === undefined) delete process.env.HF_ENDPOINT;
  else process.env.HF_ENDPOINT = savedEndpoint;
  await hub.close();
  removeTmpDirs();
});
let backend: Backend | null = null;
afterEach(async () => {
  await backend?.dispose();
  backend = null;
});

function client(): Client & { events: { channel: EventChannel; payload: unknown }[] } {
  const events: { channel: EventChannel; payload: unknown }[] = [];
  return {
    id: 'ws-1',
    events,
    emit: <C extends EventChannel>(channel: C, payload: InklingEvents[C]) => void events.push({ channel, payload }),
  };
}

it('validates arguments, downloads from HF_ENDPOINT, converts for real, loads, reloads on device change, deletes', async () => {
  const engine = new RecordingEngine();
  const dataDir = tmpDir('data');
  backend = await Backend.create({
    dataDir,
    version: '1.0.0',
    platform: { mode: 'web', trustRendererPaths: true },
    log: () => undefined,
    createEngine: () => engine,
  });
  const c = client();
  backend.addClient(c);
  const call = (method: string, ...args: unknown[]) => backend!.call(method, args, c);

  expect(await call('pullModel', { repo: 'not a repo' })).toMatchObject({
    ok: false,
    error: { code: 'bad_request', message: expect.stringMatching(/repo must be a Hugging Face repository name/) },
  });
  expect(await call('pullModel', { repo: REPO, precision: 'fp8' })).toMatchObject({
    ok: false,
    error: {
      code: 'bad_request',
      message: expect.stringMatching(/precision must be one of fp32, fp16, int8, int4; got "fp8"/),
    },
  });
  expect(await call('pullModel', { repo: REPO, extra: 1 })).toMatchObject({
    ok: false,
    error: { code: 'bad_request' },
  });
  expect(await call('deleteModel', '../etc')).toMatchObject({ ok: false, error: { code: 'bad_request' } });
  expect(await call('useModel', ID, 'fp64')).toMatchObject({ ok: false, error: { code: 'bad_request' } });
  expect(await call('cancelPull', 'has space')).toMatchObject({ ok: false, error: { code: 'bad_request' } });
  expect(await call('importModel')).toMatchObject({ ok: false, error: { code: 'path_required' } });

  const catalog = await call('listCatalog');
  expect(catalog).toMatchObject({
    ok: true,
    value: { endpoint: hub.url, models: expect.arrayContaining([expect.objectContaining({ id: ID, repo: REPO })]) },
  });
  const devices = await call('listDevices');
  expect(devices).toMatchObject({
    ok: true,
    value: { devices: expect.arrayContaining([{ device: 'cpu', label: 'CPU', available: true }]) },
  });

  const started = await call('pullModel', { repo: REPO });
  expect(started).toMatchObject({ ok: true, value: { state: 'running', modelId: ID } });
  const jobId = (started as { value: ModelJob }).value.jobId;
  const progress = () => c.events.filter((e) => e.channel === 'modelProgress').map((e) => e.payload as ModelJob);
  await waitFor(
    () => progress().some((j) => j.jobId === jobId && j.state !== 'running'),
    'the download to finish',
    60_000,
  );
  expect(progress().at(-1)).toMatchObject({ state: 'done' });
  expect(hub.log.some((e) => e.path.startsWith(`/${REPO}/resolve/`))).toBe(true);
  // The real converter wrote an Inkling model folder.
  expect(fs.existsSync(path.join(dataDir, 'models', ID, 'fp32', 'inkling.json'))).toBe(true);
  await waitFor(() => backend!.engine.status().state === 'ready', 'the model to load');
  // The precision just installed, resolved by the library from its manifest (the engine never reads it).
  expect(engine.loads.map((l) => l.dir)).toEqual([path.join(dataDir, 'models', ID, 'fp32')]);
  expect(engine.loads[0].options).toEqual({ device: 'cpu', threads: 0, precision: 'fp32', name: 'DistilGPT2' });
  expect(c.events.some((e) => e.channel === 'engineStatus' && (e.payload as { state: string }).state === 'ready')).toBe(
    true,
  );

  const lib = await call('listModels');
  expect(lib).toMatchObject({
    ok: true,
    value: { defaultId: ID, models: [expect.objectContaining({ id: ID, loaded: 'fp32', isDefault: true })] },
  });

  expect(await call('updateSettings', { threads: 1 })).toMatchObject({ ok: true });
  await waitFor(() => engine.loads.length === 2, 'the reload');
  expect(engine.loads[1].options).toEqual({ device: 'cpu', threads: 1, precision: 'fp32', name: 'DistilGPT2' });

  expect(await call('showModelInFolder', ID)).toMatchObject({ ok: false, error: { code: 'not_allowed' } });
  const deleted = await call('deleteModel', ID);
  expect(deleted).toMatchObject({ ok: true, value: { id: ID, freedBytes: expect.any(Number) } });
  expect((deleted as { value: { freedBytes: number } }).value.freedBytes).toBeGreaterThan(100_000);
  expect(backend.engine.status().state).toBe('no_model');
  expect(
    c.events.filter((e) => e.channel === 'modelsChanged').map((e) => (e.payload as { reason: string }).reason),
  ).toEqual(['installed', 'default', 'deleted']);
});
