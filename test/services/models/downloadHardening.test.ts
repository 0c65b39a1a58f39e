/**
 * Downloads against a hostile network path (docs/SECURITY.md › "Downloads"): an https → http
 * redirect is refused (nothing is fetched over http), a small (non-LFS) file is checked against the
 * git blob SHA-1 the Hub publishes as its ETag (a tampered one is discarded, not installed), and
 * credentials never follow a redirect to another host, however their header is spelled.
 *
 * The https side is a real TLS server on 127.0.0.1 with a self-signed certificate committed under
 * test/helpers/tls (made for this test only), trusted through the global https agent while the test
 * runs.
 */
import fs from 'node:fs';
import https from 'node:https';
import path from 'node:path';
import { createHash } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startHubServer, type HubServer } from '../../helpers/hub-server';
import { InklingError } from '../../../electron/common/errors';
import { downloadFile, downloadHubFile, type HubFileOptions } from '../../../electron/services/models';
import { REPO, makeCheckpoint, tmpDir, removeTmpDirs } from './fixtures';

const TLS_DIR = path.resolve(__dirname, '../../helpers/tls');
let repoDir: string;
let hub: HubServer;
let out: string;

afterAll(removeTmpDirs);
beforeAll(async () => {
  repoDir = await makeCheckpoint(tmpDir('repo'));
});
beforeEach(async () => {
  hub = await startHubServer({ repos: { [REPO]: repoDir } });
  out = tmpDir('dl');
});
afterEach(async () => {
  await hub.close();
});

const opts = (extra: Partial<HubFileOptions> = {}): HubFileOptions => ({ endpoint: hub.url, repo: REPO, file: 'config.json', dir: out, retryBaseMs: 1, maxAttempts: 2, ...extra });

async function failure(p: Promise<unknown>): Promise<InklingError> {
  const e = await p.then(
    () => null,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(InklingError);
  return e as InklingError;
}

describe('small files are verified by content, not only by size', () => {
  it('accepts a small file whose content matches its git blob SHA-1 ETag', async () => {
    const r = await downloadHubFile(opts());
    const bytes = fs.readFileSync(path.join(repoDir, 'config.json'));
    expect(r.verifiedBy).toBe('git-sha1');
    expect(r.etag).toBe(createHash('sha1').update(`blob ${bytes.length}\0`).update(bytes).digest('hex'));
    expect(fs.readFileSync(path.join(out, 'config.json')).equals(bytes)).toBe(true);
  });

  it('discards a tampered small file of the right size', async () => {
    hub.setFault('config.json', { corrupt: true }); // one byte flipped; the ETag is the true file's
    const e = await failure(downloadHubFile(opts()));
    expect(e.code).toBe('verify_failed');
    expect(e.message).toMatch(/^config\.json: the content does not match the server's checksum \(git blob SHA-1 [0-9a-f]{40}, got [0-9a-f]{40}\); the download was discarded$/);
    expect(fs.readdirSync(out)).toEqual([]);
  });

  it('a tampered final file left from an earlier run is not trusted', async () => {
    const good = fs.readFileSync(path.join(repoDir, 'config.json'));
    const bad = Buffer.from(good);
    bad[0] ^= 0x20;
    fs.writeFileSync(path.join(out, 'config.json'), bad);
    const r = await downloadHubFile(opts());
    expect(r.alreadyPresent).toBe(false);
    expect(fs.readFileSync(path.join(out, 'config.json')).equals(good)).toBe(true);
  });
});

describe('credentials stay with the first host', () => {
  it.each(['Authorization', 'authorization', 'AUTHORIZATION'])('%s is not sent to the CDN on another host', async (name) => {
    hub.setRedirect('other-host');
    const r = await downloadHubFile(opts({ file: 'model.safetensors', headers: { [name]: 'Bearer hf_secret', cookie: 'session=1' } }));
    expect(r.verifiedBy).toBe('sha256');
    const hops = hub.log.filter((e) => e.method === 'GET');
    expect(hops.map((e) => [e.host.split(':')[0], e.path.startsWith('/cdn/') ? 'cdn' : 'resolve', e.authorization, e.cookie])).toEqual([
      ['127.0.0.1', 'resolve', 'Bearer hf_secret', 'session=1'],
      ['localhost', 'cdn', null, null],
    ]);
  });

  it('keeps them on a redirect within the same origin', async () => {
    hub.setRedirect('relative');
    await downloadHubFile(opts({ file: 'model.safetensors', headers: { authorization: 'Bearer hf_secret' } }));
    expect(hub.log.filter((e) => e.method === 'GET').map((e) => e.authorization)).toEqual(['Bearer hf_secret', 'Bearer hf_secret']);
  });
});

describe('no downgrade from https to http', () => {
  let tls: https.Server;
  let tlsUrl: string;
  const savedCa = https.globalAgent.options.ca;

  beforeAll(async () => {
    const cert = fs.readFileSync(path.join(TLS_DIR, 'localhost.crt'));
    https.globalAgent.options.ca = cert;
    // A "Hub" on https whose every answer redirects to the same path on the plain-http test server.
    tls = https.createServer({ key: fs.readFileSync(path.join(TLS_DIR, 'localhost.key')), cert }, (req, res) => {
      res.writeHead(302, { Location: `${hub.url}${req.url}`, 'Content-Length': '0' });
      res.end();
    });
    await new Promise<void>((resolve) => tls.listen(0, '127.0.0.1', resolve));
    tlsUrl = `https://127.0.0.1:${(tls.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    https.globalAgent.options.ca = savedCa;
    https.globalAgent.destroy();
    await new Promise<void>((resolve) => tls.close(() => resolve()));
  });

  it('refuses an https → http redirect and fetches nothing over http', async () => {
    const e = await failure(downloadHubFile(opts({ endpoint: tlsUrl })));
    expect(e.code).toBe('http_error');
    expect(e.message).toBe(
      'config.json: refused a redirect from a secure (https) address to an insecure one (http://127.0.0.1:' +
        new URL(hub.url).port +
        '); the download was stopped so that nobody on the network can change the file',
    );
    expect(hub.log).toEqual([]);
    expect(fs.readdirSync(out)).toEqual([]);
  });

  it('the same for a GET whose metadata was already known', async () => {
    const meta = { url: `${tlsUrl}/x`, size: 10, sha256: null, gitSha1: null, etag: null, commit: null };
    const e = await failure(downloadFile({ url: `${tlsUrl}/${REPO}/resolve/main/config.json`, dest: path.join(out, 'config.json'), meta, retryBaseMs: 1 }));
    expect(e.message).toMatch(/refused a redirect from a secure \(https\) address to an insecure one/);
    expect(hub.log).toEqual([]);
  });

  it('an https server itself still works (the refusal is about the downgrade)', async () => {
    // Plain https without a redirect: a tiny server answering one file.
    const body = Buffer.from('{"ok":true}\n');
    const etag = createHash('sha1').update(`blob ${body.length}\0`).update(body).digest('hex');
    const direct = https.createServer({ key: fs.readFileSync(path.join(TLS_DIR, 'localhost.key')), cert: fs.readFileSync(path.join(TLS_DIR, 'localhost.crt')) }, (req, res) => {
      res.writeHead(200, { 'Content-Length': String(body.length), ETag: `"${etag}"` });
      res.end(req.method === 'HEAD' ? undefined : body);
    });
    await new Promise<void>((resolve) => direct.listen(0, '127.0.0.1', resolve));
    try {
      const url = `https://127.0.0.1:${(direct.address() as AddressInfo).port}/f.json`;
      const r = await downloadFile({ url, dest: path.join(out, 'f.json'), retryBaseMs: 1 });
      expect(r.verifiedBy).toBe('git-sha1');
      expect(fs.readFileSync(path.join(out, 'f.json')).equals(body)).toBe(true);
    } finally {
      await new Promise<void>((resolve) => direct.close(() => resolve()));
    }
  });
});

