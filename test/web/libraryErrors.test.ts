/**
 * One code set end to end: a model library failure reaches a client of the web host (over a real
 * WebSocket, through the client the renderer uses) with the code the library gave it, unchanged —
 * a job's `error.code` as much as a rejected call's.
 */
import * as fs from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { errorCode, errorMessage, type ModelJob } from '../../electron/api';
import { startWebHost, type WebHost } from '../../electron/web';
import { connect, makeFixture, waitUntil, type Fixture } from './helpers';

let fx: Fixture;
let host: WebHost;
const savedEndpoint = process.env.HF_ENDPOINT;

/** An address on this computer where nothing listens: connections to it are refused at once. */
async function refusedUrl(): Promise<string> {
  const server = http.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return `http://127.0.0.1:${port}`;
}

beforeAll(async () => {
  process.env.HF_ENDPOINT = await refusedUrl(); // the library reads it as the web host and CLI do
  fx = makeFixture();
  host = await startWebHost({
    port: 0,
    dataDir: fx.dataDir,
    rendererDir: fx.rendererDir,
    version: '9.9.9',
    log: () => undefined,
    createEngine: () => {
      throw new Error('no engine should start without a model');
    },
  });
});
afterAll(async () => {
  if (savedEndpoint === undefined) delete process.env.HF_ENDPOINT;
  else process.env.HF_ENDPOINT = savedEndpoint;
  await host?.close();
  fx?.cleanup();
});

it('a download that finds no network fails with code offline at the client, and discarding it finds nothing to delete', async () => {
  const api = connect(host);
  try {
    const jobs: ModelJob[] = [];
    api.onModelProgress((job) => jobs.push(job));
    const started = await api.pullModel({ repo: 'distilbert/distilgpt2' });
    await waitUntil(() => jobs.some((j) => j.jobId === started.jobId && j.state === 'failed'), 'the download to fail');
    const failed = jobs.find((j) => j.jobId === started.jobId && j.state === 'failed')!;
    expect(failed.error?.code).toBe('offline');
    expect(failed.error?.message).toMatch(/nothing answered at 127\.0\.0\.1:\d+ \(the connection was refused\)/);
    expect((await api.listModelJobs()).find((j) => j.jobId === started.jobId)?.error?.code).toBe('offline');

    // Discarding the failed job deletes its model folder; there is none (nothing was downloaded),
    // which the library reports as not_found and the discard takes as done.
    expect(fs.existsSync(path.join(fx.dataDir, 'models', 'distilgpt2'))).toBe(false);
    await expect(api.cancelPull(started.jobId)).resolves.toBeNull();
  } finally {
    api.close();
  }
});

it('a call the library refuses rejects with the library’s code and message', async () => {
  const api = connect(host);
  try {
    const err = await api.deleteModel('nothing-here').catch((e: unknown) => e);
    expect(errorCode(err)).toBe('not_found');
    expect(errorMessage(err)).toMatch(/^No model "nothing-here" is installed in /);
  } finally {
    api.close();
  }
});
