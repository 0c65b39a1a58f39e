/**
 * The web host without a model: a real server on 127.0.0.1:0, a temp data dir, calls over a real
 * WebSocket through the same client the renderer uses, static files and their guards.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { errorCode, type EngineStatus, type Settings } from '../../electron/api';
import { startWebHost, type WebHost } from '../../electron/web';
import { connect, makeFixture, rawGet, rawSocket, waitUntil, type Fixture } from './helpers';

let fx: Fixture;
let host: WebHost;
const logs: string[] = [];

beforeAll(async () => {
  fx = makeFixture();
  host = await startWebHost({
    port: 0,
    dataDir: fx.dataDir,
    rendererDir: fx.rendererDir,
    version: '9.9.9',
    log: (m) => logs.push(m),
    createEngine: () => {
      throw new Error('no engine should start without a model');
    },
  });
});
afterAll(async () => {
  await host?.close();
  fx?.cleanup();
});

describe('API over WebSocket', () => {
  it('answers app info and engine status (no model)', async () => {
    const api = connect(host);
    try {
      expect(host.url).toBe(`http://127.0.0.1:${host.port}/`);
      expect(await api.getAppInfo()).toMatchObject({
        name: 'Inkling',
        version: '9.9.9',
        mode: 'web',
        testHooks: false,
        dataDir: fx.dataDir,
      });
      const status: EngineStatus = await api.getEngineStatus();
      expect(status.state).toBe('no_model');
      expect(status.message).toMatch(/No model/);
      const err = await api
        .complete({ requestId: 'r1', docId: 'd1', textBefore: 'Once upon' })
        .catch((e: unknown) => e);
      expect(errorCode(err)).toBe('no_model');
      expect(errorCode(await api.countTokens('hi').catch((e: unknown) => e))).toBe('no_model');
      expect(errorCode(await api.testKillEngine().catch((e: unknown) => e))).toBe('not_allowed');
    } finally {
      api.close();
    }
  });

  it('creates, saves, reopens documents and lists them as recent', async () => {
    const api = connect(host);
    try {
      const { docId } = await api.newDocument();
      const noPath = await api.saveDocument({ docId, text: 'First words.' }).catch((e: unknown) => e);
      expect(errorCode(noPath)).toBe('path_required');
      const file = path.join(fx.docsDir, 'story.md');
      const saved = await api.saveDocumentAs({ docId, text: 'First words.', path: file });
      expect(saved).toMatchObject({ docId, path: file, name: 'story.md', size: 12 });
      await api.saveDocument({ docId, text: 'First words. More.' });
      expect(fs.readFileSync(file, 'utf8')).toBe('First words. More.');
      const reopened = await api.openDocument(file);
      expect(reopened).toMatchObject({ path: file, text: 'First words. More.' });
      expect((await api.listRecentFiles()).map((r) => r.path)).toEqual([file]);
      const bad = await api.openDocument(path.join(fx.docsDir, 'missing.md')).catch((e: unknown) => e);
      expect(errorCode(bad)).toBe('not_found');
      expect(errorCode(await api.openDocument().catch((e: unknown) => e))).toBe('path_required');
    } finally {
      api.close();
    }
  });

  it('offers the backups of a connection that went away, and restores them', async () => {
    const first = connect(host);
    const { docId } = await first.newDocument();
    await first.writeBackup({ docId, path: null, text: 'typed, never saved' });
    expect((await first.listBackups()).map((b) => b.id)).not.toContain(docId);
    first.close();

    const second = connect(host);
    try {
      let backups = await second.listBackups();
      // The server notices the close asynchronously: poll until the document is released.
      for (let i = 0; i < 100 && !backups.some((b) => b.id === docId); i++) backups = await second.listBackups();
      const b = backups.find((x) => x.id === docId);
      expect(b).toMatchObject({ name: 'Untitled', preview: 'typed, never saved', dirty: true });
      const restored = await second.restoreBackup(docId);
      expect(restored).toMatchObject({ docId, path: null, text: 'typed, never saved' });
      await second.discardBackup(docId);
      expect((await second.listBackups()).some((x) => x.id === docId)).toBe(false);
    } finally {
      second.close();
    }
  });

  it('validates on the server too, and pushes settings changes to every client', async () => {
    const a = connect(host);
    const b = connect(host);
    try {
      await Promise.all([a.ready, b.ready]);
      const seen: Settings[] = [];
      b.onSettingsChanged((s) => seen.push(s));
      await b.getAppInfo(); // b is registered once it has been answered
      expect(await a.updateSettings({ theme: 'dark' })).toMatchObject({ theme: 'dark' });
      await waitUntil(() => seen.length > 0, 'settingsChanged');
      expect(seen[0].theme).toBe('dark');
      expect((await b.getSettings()).theme).toBe('dark');
      const bad = await a.updateSettings({ theme: 'neon' } as unknown as Partial<Settings>).catch((e: unknown) => e);
      expect(errorCode(bad)).toBe('bad_request');
    } finally {
      a.close();
      b.close();
    }
  });

  it('answers malformed frames with errors instead of dropping the connection', async () => {
    const ws = rawSocket(host);
    const replies: { id: number; ok: boolean; error?: { code: string; message: string } }[] = [];
    ws.on('message', (d) => replies.push(JSON.parse(d.toString())));
    await new Promise((r) => ws.once('open', r));
    ws.send('not json');
    ws.send(JSON.stringify({ t: 'call', id: 7, method: 'deleteEverything', args: [] }));
    ws.send(JSON.stringify({ t: 'call', id: 8, method: 'restoreBackup', args: ['../../etc/passwd'] }));
    ws.send(JSON.stringify({ t: 'call', id: 9, method: 'getSettings', args: [] }));
    await waitUntil(() => replies.length === 4, 'four replies');
    ws.close();
    expect(replies[0]).toMatchObject({ id: -1, ok: false, error: { code: 'bad_request' } });
    expect(replies[1]).toMatchObject({ id: 7, ok: false, error: { code: 'unknown_method' } });
    expect(replies[2]).toMatchObject({
      id: 8,
      ok: false,
      error: { code: 'bad_request', message: expect.stringContaining('restoreBackup: id') },
    });
    expect(replies[3]).toMatchObject({ id: 9, ok: true });
  });

  it('refuses WebSocket connections from other origins or hosts', async () => {
    const attempt = (opts: WebSocket.ClientOptions) =>
      new Promise<string>((resolve) => {
        const ws = rawSocket(host, opts);
        ws.on('open', () => {
          ws.close();
          resolve('open');
        });
        ws.on('unexpected-response', (_req, res) => resolve(String(res.statusCode)));
        ws.on('error', () => resolve('error'));
      });
    expect(await attempt({ origin: 'http://evil.example' })).toBe('403');
    expect(await attempt({ headers: { Host: 'evil.example' } })).toBe('403');
    expect(await attempt({ origin: `http://127.0.0.1:${host.port}` })).toBe('open');
  });
});

describe('the launch key (another local process or user must not get the API)', () => {
  /** Opens a socket and reports "open" or the refused upgrade's status, with what the body held. */
  const attempt = (url: string, opts: WebSocket.ClientOptions = {}) =>
    new Promise<{ outcome: string; body: string; frames: number }>((resolve) => {
      const ws = new WebSocket(url, opts);
      let frames = 0;
      ws.on('message', () => frames++);
      ws.on('open', () => {
        ws.close();
        resolve({ outcome: 'open', body: '', frames });
      });
      ws.on('unexpected-response', (_req, res) => {
        let body = '';
        res.on('data', (c: Buffer) => (body += c.toString()));
        res.on('end', () => resolve({ outcome: String(res.statusCode), body, frames }));
      });
      ws.on('error', (e) => resolve({ outcome: `error ${e.message}`, body: '', frames }));
    });
  const wsUrl = () => `ws://127.0.0.1:${host.port}/api`;

  it('refuses an upgrade with no key, even with no Origin header (a local process), with 401 and nothing else', async () => {
    const none = await attempt(wsUrl());
    expect(none).toEqual({ outcome: '401', body: '', frames: 0 });
    expect(await attempt(wsUrl(), { origin: `http://127.0.0.1:${host.port}` })).toMatchObject({ outcome: '401' });
  });

  it('refuses a wrong key: another key, a prefix, a longer one, a wrong Bearer header', async () => {
    const t = host.token;
    for (const bad of ['x', t.slice(0, -1), `${t}x`, t.toUpperCase() === t ? t.toLowerCase() : t.toUpperCase(), '']) {
      expect((await attempt(`${wsUrl()}?token=${encodeURIComponent(bad)}`)).outcome, bad).toBe('401');
    }
    expect((await attempt(wsUrl(), { headers: { Authorization: 'Bearer nope' } })).outcome).toBe('401');
    expect((await attempt(wsUrl(), { headers: { Authorization: `Basic ${t}` } })).outcome).toBe('401');
  });

  it('accepts the key as ?token= on the WebSocket URL or as Authorization: Bearer on the upgrade', async () => {
    expect((await attempt(`${wsUrl()}?token=${host.token}`)).outcome).toBe('open');
    expect((await attempt(wsUrl(), { headers: { Authorization: `Bearer ${host.token}` } })).outcome).toBe('open');
  });

  it('a connection without the key cannot read or overwrite a file through a symlink (the reported attack)', async () => {
    const target = path.join(fx.root, 'root-owned.txt');
    fs.writeFileSync(target, 'private');
    const link = path.join(fx.docsDir, 'x.md');
    fs.symlinkSync(target, link);
    const ws = new WebSocket(wsUrl());
    const replies: string[] = [];
    ws.on('message', (d) => replies.push(d.toString()));
    ws.on('error', () => undefined);
    const status = await new Promise<number>((resolve) => {
      ws.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
      ws.on('open', () => {
        // What the attacker did: read the file, then overwrite it.
        ws.send(JSON.stringify({ t: 'call', id: 1, method: 'openDocument', args: [link] }));
        ws.send(
          JSON.stringify({
            t: 'call',
            id: 2,
            method: 'saveDocumentAs',
            args: [{ docId: 'd', text: 'owned', path: link }],
          }),
        );
        resolve(101);
      });
    });
    if (status === 101) await waitUntil(() => replies.length === 2, 'the replies');
    expect(status).toBe(401);
    expect(replies).toEqual([]);
    expect(fs.readFileSync(target, 'utf8')).toBe('private');
  });

  it('the HTTP API answers 204 to the key and 401 to anything else; static files need no key', async () => {
    expect((await rawGet(host.port, '/api/session')).status).toBe(401);
    expect((await rawGet(host.port, '/api/session', { headers: { Authorization: 'Bearer wrong' } })).status).toBe(401);
    expect((await rawGet(host.port, `/api/session?token=${host.token}`)).status).toBe(204);
    expect(
      (await rawGet(host.port, '/api/session', { headers: { Authorization: `Bearer ${host.token}` } })).status,
    ).toBe(204);
    const refused = await rawGet(host.port, '/api/anything');
    expect(refused.status).toBe(401);
    expect(refused.body).toBe('');
    expect((await rawGet(host.port, '/')).status).toBe(200);
  });

  it('makes a new random key for every launch and puts it in the address to open', async () => {
    const other = await startWebHost({
      port: 0,
      dataDir: path.join(fx.root, 'data-2'),
      rendererDir: fx.rendererDir,
      log: () => undefined,
      createEngine: () => {
        throw new Error('no engine');
      },
    });
    try {
      expect(other.token).toMatch(/^[A-Za-z0-9_-]{43}$/);
      expect(other.token).not.toBe(host.token);
      expect(host.pageUrl).toBe(`http://127.0.0.1:${host.port}/#token=${host.token}`);
      // One host's key opens nothing on the other.
      expect((await attempt(`ws://127.0.0.1:${other.port}/api?token=${host.token}`)).outcome).toBe('401');
    } finally {
      await other.close();
    }
  });
});

describe('static files', () => {
  it('serves the renderer with MIME types and the CSP', async () => {
    const index = await rawGet(host.port, '/');
    expect(index.status).toBe(200);
    expect(index.headers['content-type']).toBe('text/html; charset=utf-8');
    const csp = String(index.headers['content-security-policy']);
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toMatch(/script-src[^;]*unsafe/);
    expect(csp).toContain(`ws://127.0.0.1:${host.port}`);
    expect(index.headers['x-content-type-options']).toBe('nosniff');
    expect((await rawGet(host.port, '/assets/app.js')).headers['content-type']).toBe('text/javascript; charset=utf-8');
    expect((await rawGet(host.port, '/assets/style.css')).headers['content-type']).toBe('text/css; charset=utf-8');
    expect((await rawGet(host.port, '/assets/missing.js')).status).toBe(404);
    expect((await rawGet(host.port, '/', { method: 'POST' })).status).toBe(405);
  });

  it('rejects directory traversal in every spelling', async () => {
    for (const p of [
      '/../secret.txt',
      '/assets/../../secret.txt',
      '/%2e%2e/secret.txt',
      '/assets/..%2f..%2fsecret.txt',
      '/..%5csecret.txt',
      '/%00index.html',
      '/%E0%A4%A',
    ]) {
      const res = await rawGet(host.port, p);
      expect([400, 404], `${p} → ${res.status}`).toContain(res.status);
      expect(res.body).not.toContain('outside the web root');
    }
  });

  it('does not follow a symlink out of the web root', async () => {
    fs.symlinkSync(path.join(fx.root, 'secret.txt'), path.join(fx.rendererDir, 'link.txt'));
    const res = await rawGet(host.port, '/link.txt');
    expect(res.status).toBe(404);
  });

  it('answers only to its own Host name (DNS rebinding)', async () => {
    expect((await rawGet(host.port, '/', { host: 'evil.example' })).status).toBe(421);
    expect((await rawGet(host.port, '/', { host: `localhost:${host.port}` })).status).toBe(200);
  });
});
