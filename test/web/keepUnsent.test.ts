/**
 * The web page's promise about unsent text (renderer/src/bridge/keepUnsent.ts) against a real host
 * that stops and comes back on the same port: backups written while it is away are kept and sent on
 * reconnect, a discard made while away is carried out on reconnect, and a document opened from a file
 * still saves to that file after the restart. The browser's IndexedDB store is replaced by an
 * in-memory one with the same contract (the real one runs in Chromium: e2e/web/connection.spec.ts).
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { BackupRequest } from '../../electron/api';
import { startWebHost, type WebHost } from '../../electron/web';
import { keepUnsent } from '../../renderer/src/bridge/keepUnsent';
import type { PendingEdit, PendingEdits } from '../../renderer/src/bridge/pendingEdits';
import { connect, makeFixture, waitUntil, type Fixture } from './helpers';

const TOKEN = 'keep-unsent-test-key-0123456789abcdefghijk';
const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function start(fx: Fixture, port = 0): Promise<WebHost> {
  const h = await startWebHost({
    port,
    token: TOKEN,
    dataDir: fx.dataDir,
    rendererDir: fx.rendererDir,
    log: () => undefined,
    createEngine: () => {
      throw new Error('no engine');
    },
  });
  cleanups.push(() => h.close());
  return h;
}

/** PendingEdits in memory: one page, no orphans. */
function memoryStore(): PendingEdits & { entries: Map<string, PendingEdit> } {
  const entries = new Map<string, PendingEdit>();
  let seq = 0;
  return {
    entries,
    pageId: 'page-1',
    async put(req: BackupRequest) {
      const e: PendingEdit = { ...req, page: 'page-1', seq: ++seq, at: Date.now() };
      entries.set(req.docId, e);
      return e;
    },
    async ack(e) {
      if (entries.get(e.docId)?.seq === e.seq) entries.delete(e.docId);
    },
    async remove(docId) {
      entries.delete(docId);
    },
    async mine() {
      return [...entries.values()];
    },
    async orphans() {
      return [];
    },
    count: () => entries.size,
    onCountChange: () => () => undefined,
    handOver: () => undefined,
    reclaim: () => undefined,
  };
}

function backupText(fx: Fixture, docId: string): string | null {
  const file = path.join(fx.dataDir, 'backups', `${docId}.json`);
  if (!fs.existsSync(file)) return null;
  return (JSON.parse(fs.readFileSync(file, 'utf8').split('\n')[0]) as { text: string }).text;
}

async function setUp() {
  const fx = makeFixture();
  cleanups.push(() => fx.cleanup());
  const first = await start(fx);
  const ws = connect(first, { initialDelayMs: 20, maxDelayMs: 200 });
  cleanups.push(() => ws.close());
  const store = memoryStore();
  const kept = keepUnsent(ws, Promise.resolve(store));
  await ws.ready;
  const restart = async () => {
    await first.close();
    await waitUntil(() => ws.connection.state === 'reconnecting', 'the page to notice');
  };
  const comeBack = async () => {
    await start(fx, first.port);
    await waitUntil(() => ws.connection.state === 'open', 'the page to reconnect', 20_000);
  };
  return { fx, ws, api: kept.api, store, kept, restart, comeBack };
}

describe('keeping unsent text in the page', () => {
  it('a backup written while the host is away is kept, then sent when it is back', async () => {
    const { fx, api, store, kept, restart, comeBack } = await setUp();
    const { docId } = await api.newDocument();
    await api.writeBackup({ docId, path: null, text: 'before' });
    expect(store.entries.size).toBe(0); // acknowledged: nothing kept
    await restart();
    await api.writeBackup({ docId, path: null, text: 'before, and typed while away' }); // resolves: kept
    expect(kept.count()).toBe(1);
    expect(backupText(fx, docId)).toBe('before');
    await comeBack();
    await waitUntil(
      () => backupText(fx, docId) === 'before, and typed while away',
      'the kept backup to reach the host',
    );
    await waitUntil(() => kept.count() === 0, 'the kept copy to be forgotten');
  });

  it('a backup the host refuses for a real reason still fails (only an absent host is absorbed)', async () => {
    const { api } = await setUp();
    const err = await api
      .writeBackup({ docId: 'x', path: 'relative/not-allowed.md', text: 't' })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Error);
  });

  it('a discard made while the host is away is carried out when it is back, and the old text is never resent', async () => {
    const { fx, api, store, restart, comeBack } = await setUp();
    const { docId } = await api.newDocument();
    await api.writeBackup({ docId, path: null, text: 'dirty' });
    await restart();
    await api.writeBackup({ docId, path: null, text: 'dirtier' });
    await api.discardBackup(docId); // the writer undid everything
    expect(store.entries.size).toBe(0);
    await comeBack();
    await waitUntil(() => backupText(fx, docId) === null, 'the host to discard the backup');
  });

  it('a document opened from a file saves to that file after the host restarted', async () => {
    const { fx, api, restart, comeBack } = await setUp();
    const file = path.join(fx.docsDir, 'letter.md');
    fs.writeFileSync(file, 'Dear Ada,\n');
    const doc = await api.openDocument(file);
    await restart();
    await comeBack();
    const saved = await api.saveDocument({ docId: doc!.docId, text: 'Dear Ada,\nthe harbour froze.\n' });
    expect(saved).toMatchObject({ path: file });
    expect(fs.readFileSync(file, 'utf8')).toBe('Dear Ada,\nthe harbour froze.\n');
  });
});
