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
import { connect, makeFixture, rawGet, waitUntil, type Fixture } from './helpers';

let fx: Fixture;
let host: WebHost;
const logs: string[] = [];

beforeAll(async () => {
  fx = makeFixture();
  host = await startWebHost({
    port: 0, dataDir: fx.dataDir, rendererDir: fx.rendererDir, version: '9.9.9', log: (m) => logs.push(m),
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
    const api = connect(host.port);
    try {
      expect(host.url).toBe(`http://127.0.0.1:${host.port}/`);
      expect(await api.getAppInfo()).toMatchObject({ name: 'Inkling', version: '9.9.9', mode: 'web', testHooks: false, dataDir: fx.dataDir });
      const status: EngineStatus = await api.getEngineStatus();
      expect(status.state).toBe('no_model');
      expect(status.message).toMatch(/No model/);
      const err = await api.complete({ requestId: 'r1', docId: 'd1', textBefore: 'Once upon' }).catch((e: unknown) => e);
      expect(errorCode(err)).toBe('no_model');
      expect(errorCode(await api.countTokens('hi').catch((e: unknown) => e))).toBe('no_model');
      expect(errorCode(await api.testKillEngine().catch((e: unknown) => e))).toBe('not_allowed');
    } finally {
      api.close();
    }
  });

  it('creates, saves, reopens documents and lists them as recent', async () => {
    const api = connect(host.port);
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
    const first = connect(host.port);
    const { docId } = await first.newDocument();
    await first.writeBackup({ docId, path: null, text: 'typed, never saved' });
    expect((await first.listBackups()).map((b) => b.id)).not.toContain(docId);
    first.close();

    const second = connect(host.port);
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
    const a = connect(host.port);
    const b = connect(host.port);
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
    const ws = new WebSocket(`ws://127.0.0.1:${host.port}/api`);
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
    expect(replies[2]).toMatchObject({ id: 8, ok: false, error: { code: 'bad_request', message: expect.stringContaining('restoreBackup: id') } });
    expect(replies[3]).toMatchObject({ id: 9, ok: true });
  });

  it('refuses WebSocket connections from other origins or hosts', async () => {
    const attempt = (opts: WebSocket.ClientOptions) =>
      new Promise<string>((resolve) => {
        const ws = new WebSocket(`ws://127.0.0.1:${host.port}/api`, opts);
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
    for (const p of ['/../secret.txt', '/assets/../../secret.txt', '/%2e%2e/secret.txt', '/assets/..%2f..%2fsecret.txt', '/..%5csecret.txt', '/%00index.html', '/%E0%A4%A']) {
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
