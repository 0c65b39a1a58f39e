import fs from 'node:fs';
import path from 'node:path';
import { createHash } from 'node:crypto';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startHubServer, type HubServer } from '../../helpers/hub-server';
import { InklingError } from '../../../electron/common/errors';
import { HttpStatusError, downloadHubFile, type HubFileOptions } from '../../../electron/services/models';
import { metaFromHops } from '../../../electron/services/models/http';
import { REPO, makeCheckpoint, sizeOf, tmpDir, waitFor, removeTmpDirs } from './fixtures';

let repoDir: string;
let weights: Buffer;
let weightsSha: string;
let hub: HubServer;
let out: string;

afterAll(removeTmpDirs);

beforeAll(async () => {
  repoDir = await makeCheckpoint(tmpDir('repo'));
  weights = fs.readFileSync(path.join(repoDir, 'model.safetensors'));
  weightsSha = createHash('sha256').update(weights).digest('hex');
});

beforeEach(async () => {
  hub = await startHubServer({ repos: { [REPO]: repoDir } });
  out = tmpDir('dl');
});

afterEach(async () => {
  await hub.close();
});

const opts = (extra: Partial<HubFileOptions> = {}): HubFileOptions => ({
  endpoint: hub.url,
  repo: REPO,
  file: 'model.safetensors',
  dir: out,
  retryBaseMs: 1,
  ...extra,
});
const dest = (): string => path.join(out, 'model.safetensors');
const rangeStart = (range: string | null): number => {
  const m = /^bytes=(\d+)-$/.exec(range ?? '');
  if (!m) throw new Error(`expected a "bytes=N-" Range header, got ${range}`);
  return Number(m[1]);
};

describe('downloadHubFile', () => {
  it.each(['relative', 'absolute'] as const)('downloads an LFS file through a %s CDN redirect and verifies its sha256', async (mode) => {
    hub.setRedirect(mode);
    const r = await downloadHubFile(opts());
    expect(r.verifiedBy).toBe('sha256');
    expect(r.sha256).toBe(weightsSha);
    expect(r.commit).toBe(hub.commit);
    expect(fs.readFileSync(dest()).equals(weights)).toBe(true);
    expect(fs.existsSync(dest() + '.incomplete')).toBe(false);
    // HEAD stops at the Hub's redirect (it has the metadata); only the GET goes to the CDN.
    expect(hub.log.filter((e) => e.method === 'HEAD').map((e) => [e.path.startsWith('/cdn/') ? 'cdn' : 'resolve', e.status])).toEqual([['resolve', 302]]);
    const gets = hub.log.filter((e) => e.method === 'GET');
    expect(gets.map((e) => [e.path.startsWith('/cdn/') ? 'cdn' : 'resolve', e.status])).toEqual([
      ['resolve', 302],
      ['cdn', 200],
    ]);
    expect(gets[1].range).toBeNull();
  });

  it('verifies a small git file by its git blob sha1 ETag and records the sha256 it computed', async () => {
    const r = await downloadHubFile(opts({ file: 'config.json' }));
    const bytes = fs.readFileSync(path.join(repoDir, 'config.json'));
    expect(r.verifiedBy).toBe('git-sha1');
    expect(r.etag).toMatch(/^[0-9a-f]{40}$/);
    expect(r.sha256).toBe(createHash('sha256').update(bytes).digest('hex'));
    expect(fs.readFileSync(path.join(out, 'config.json')).equals(bytes)).toBe(true);
  });

  it('resumes with Range after the connection is cut mid-file', async () => {
    hub.setFault('model.safetensors', { cutAfterBytes: 100_000 });
    const r = await downloadHubFile(opts());
    expect(r.sha256).toBe(weightsSha);
    const gets = hub.gets('model.safetensors');
    expect(gets).toHaveLength(2);
    expect(gets[0]).toMatchObject({ range: null, cut: true, bytesSent: 100_000 });
    // The client resumes from what reached its file: up to 100000 bytes (bytes still buffered in
    // the socket when the cut is noticed are dropped by Node, so it can be less).
    const resumedAt = rangeStart(gets[1].range);
    expect(resumedAt).toBeGreaterThan(0);
    expect(resumedAt).toBeLessThanOrEqual(100_000);
    expect(gets[1]).toMatchObject({ status: 206, bytesSent: weights.length - resumedAt });
    const sent = gets.reduce((a, e) => a + e.bytesSent, 0);
    expect(sent).toBeLessThan(2 * weights.length);
  });

  it('keeps going when every response is cut, since each attempt makes progress', async () => {
    hub.setFault('model.safetensors', { cutAfterBytes: 60_000, cutTimes: Infinity });
    const r = await downloadHubFile(opts({ maxAttempts: 3 }));
    expect(r.sha256).toBe(weightsSha);
    const gets = hub.gets('model.safetensors');
    expect(gets.length).toBeGreaterThanOrEqual(Math.ceil(weights.length / 60_000)); // 6 > maxAttempts
    expect(gets[0].range).toBeNull();
    const starts = gets.slice(1).map((e) => rangeStart(e.range));
    for (let i = 0; i < starts.length; i++) expect(starts[i]).toBeGreaterThan(i === 0 ? 0 : starts[i - 1]);
    expect(gets.slice(1).every((e) => e.status === 206)).toBe(true);
  });

  it('starts over when the server answers a ranged request with 200', async () => {
    hub.setFault('model.safetensors', { cutAfterBytes: 100_000, ignoreRange: true });
    const r = await downloadHubFile(opts());
    expect(r.sha256).toBe(weightsSha);
    expect(fs.readFileSync(dest()).equals(weights)).toBe(true);
    const gets = hub.gets('model.safetensors');
    expect(gets.map((e) => e.status)).toEqual([200, 200]);
    expect(rangeStart(gets[1].range)).toBeGreaterThan(0); // it asked to resume, got the whole file
    expect(gets[1].bytesSent).toBe(weights.length);
  });

  it('rejects and discards a file whose sha256 does not match', async () => {
    hub.setFault('model.safetensors', { corrupt: true });
    const err = await downloadHubFile(opts()).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InklingError);
    expect((err as InklingError).code).toBe('verify_failed');
    expect((err as Error).message).toMatch(
      new RegExp(`^model\\.safetensors: sha256 mismatch: expected ${weightsSha}, got [0-9a-f]{64}; the download was discarded$`),
    );
    expect(fs.existsSync(dest())).toBe(false);
    expect(fs.existsSync(dest() + '.incomplete')).toBe(false);
  });

  it('discards a leftover partial file whose bytes are wrong, so the next attempt starts clean', async () => {
    fs.mkdirSync(out, { recursive: true });
    fs.writeFileSync(dest() + '.incomplete', Buffer.alloc(50_000, 7));
    await expect(downloadHubFile(opts())).rejects.toThrow(/sha256 mismatch/);
    expect(fs.existsSync(dest() + '.incomplete')).toBe(false);
    const r = await downloadHubFile(opts());
    expect(r).toMatchObject({ sha256: weightsSha, resumedFrom: 0 });
  });

  it('retries a 503', async () => {
    hub.setFault('model.safetensors', { fail503Times: 1 });
    const r = await downloadHubFile(opts());
    expect(r.sha256).toBe(weightsSha);
    expect(hub.gets('model.safetensors').map((e) => e.status)).toEqual([503, 200]);
  });

  it('gives up after maxAttempts consecutive failures, naming the file and the status', async () => {
    hub.setFault('model.safetensors', { fail503Times: 100 });
    const err = (await downloadHubFile(opts({ maxAttempts: 3 })).catch((e: unknown) => e)) as InklingError;
    expect(err.code).toBe('network');
    expect(err.message).toMatch(/^model\.safetensors: the server answered HTTP 503 .*gave up after 3 attempts/);
    expect(hub.gets('model.safetensors')).toHaveLength(3);
  });

  it('reports a missing file as HTTP 404 naming it', async () => {
    const err = (await downloadHubFile(opts({ file: 'nope.bin' })).catch((e: unknown) => e)) as HttpStatusError;
    expect(err).toBeInstanceOf(HttpStatusError);
    expect(err.code).toBe('http_error');
    expect(err.status).toBe(404);
    expect(err.message).toMatch(/^nope\.bin: the server answered HTTP 404/);
  });

  it('cancels on abort, keeps the .incomplete, and a later call resumes from it', async () => {
    hub.setFault('model.safetensors', { trickle: { bytes: 4096, intervalMs: 10 } });
    const ac = new AbortController();
    const pending = downloadHubFile(opts({ signal: ac.signal })).catch((e: unknown) => e);
    await waitFor(() => sizeOf(dest() + '.incomplete') > 0, 'the partial file to have bytes');
    ac.abort();
    const err = (await pending) as InklingError;
    expect(err).toBeInstanceOf(InklingError);
    expect(err.code).toBe('cancelled');
    const kept = sizeOf(dest() + '.incomplete');
    expect(kept).toBeGreaterThan(0);
    expect(kept).toBeLessThan(weights.length);

    hub.clearFaults();
    const r = await downloadHubFile(opts());
    expect(r).toMatchObject({ sha256: weightsSha, resumedFrom: kept });
    const last = hub.gets('model.safetensors').at(-1)!;
    expect(last).toMatchObject({ range: `bytes=${kept}-`, status: 206, bytesSent: weights.length - kept });
  });

  it('rehashes a partial file left by an earlier run and resumes it', async () => {
    fs.writeFileSync(dest() + '.incomplete', weights.subarray(0, 123_457));
    const stages: string[] = [];
    const r = await downloadHubFile(opts({ onProgress: (p) => stages.push(p.stage) }));
    expect(r).toMatchObject({ sha256: weightsSha, resumedFrom: 123_457, alreadyPresent: false });
    expect(stages[0]).toBe('checking');
    expect(stages.at(-1)).toBe('verifying');
    expect(hub.gets('model.safetensors')).toMatchObject([{ range: 'bytes=123457-', status: 206 }]);
  });

  it('does not download again a final file that still verifies', async () => {
    await downloadHubFile(opts());
    const r = await downloadHubFile(opts());
    expect(r.alreadyPresent).toBe(true);
    expect(hub.gets('model.safetensors')).toHaveLength(1);
  });

  it('checks free disk space before downloading', async () => {
    const err = (await downloadHubFile(opts({ statfs: async () => ({ bavail: 1000, bsize: 4096 }) })).catch((e: unknown) => e)) as InklingError;
    expect(err.code).toBe('disk_space');
    expect(err.message).toMatch(/^Not enough free disk space in .* for model\.safetensors: need .*, only 3\.9 MiB available/);
    expect(hub.log.filter((e) => e.method === 'GET')).toHaveLength(0);
  });

  it('uses HF_ENDPOINT when no endpoint is given', async () => {
    const saved = process.env.HF_ENDPOINT;
    process.env.HF_ENDPOINT = hub.url + '/';
    try {
      const r = await downloadHubFile({ repo: REPO, file: 'config.json', dir: out });
      expect(r.verifiedBy).toBe('git-sha1');
      expect(hub.log[0].path).toBe(`/${REPO}/resolve/main/config.json`);
    } finally {
      if (saved === undefined) delete process.env.HF_ENDPOINT;
      else process.env.HF_ENDPOINT = saved;
    }
  });

  it('reports smoothed speed and time left while downloading', async () => {
    hub.setFault('model.safetensors', { trickle: { bytes: 16_384, intervalMs: 10 } });
    const seen: { done: number; bps: number; eta: number | null }[] = [];
    await downloadHubFile(opts({ onProgress: (p) => p.stage === 'downloading' && seen.push({ done: p.bytesDone, bps: p.bytesPerSecond, eta: p.etaSeconds }) }));
    const measured = seen.filter((s) => s.bps > 0 && s.done < weights.length);
    expect(measured.length).toBeGreaterThan(0);
    for (const s of measured) expect(s.eta).toBeCloseTo((weights.length - s.done) / s.bps, 6);
  });
});

describe('metaFromHops', () => {
  it('prefers X-Linked-Etag over the CDN ETag and strips quotes and W/', () => {
    const sha = 'a'.repeat(64);
    const meta = metaFromHops(
      [
        { url: 'u1', status: 302, headers: { 'x-repo-commit': 'c'.repeat(40), 'x-linked-etag': `"${sha}"`, 'x-linked-size': '42', etag: `"${sha}"` } },
        { url: 'u2', status: 200, headers: { etag: '"cdn-etag"', 'content-length': '42' } },
      ],
      'u1',
    );
    expect(meta).toMatchObject({ sha256: sha, size: 42, commit: 'c'.repeat(40) });
    const small = metaFromHops([{ url: 'u', status: 200, headers: { etag: `W/"${'b'.repeat(40)}"`, 'content-length': '7' } }], 'u');
    expect(small).toMatchObject({ sha256: null, etag: 'b'.repeat(40), size: 7, commit: null });
  });
});
