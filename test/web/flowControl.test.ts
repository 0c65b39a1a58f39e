/**
 * Flow control of the web host (docs/RELIABILITY.md): a client that sends calls and never reads the
 * replies once took the host to 4.9 GB and an OOM kill. Now the host stops reading from such a
 * connection once its unread replies pass a limit, serves every other client meanwhile, delivers
 * every reply in order once the client reads again, and caps the number of connections.
 */
import fs from 'node:fs';
import path from 'node:path';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startWebHost, type WebHost } from '../../electron/web';
import { connect, makeFixture, rawGet, rawSocket, waitUntil, type Fixture } from './helpers';

const LIMITS = { maxConnections: 6, highWaterBytes: 1024 * 1024, maxInFlight: 4, eventDropBytes: 64 * 1024 * 1024 };
const CALLS = 120;
const FILE_BYTES = 256 * 1024;

let fx: Fixture;
let host: WebHost;
let dispatched = 0;

beforeAll(async () => {
  fx = makeFixture();
  host = await startWebHost({
    port: 0,
    dataDir: fx.dataDir,
    rendererDir: fx.rendererDir,
    log: () => undefined,
    limits: LIMITS,
    createEngine: () => {
      throw new Error('no engine without a model');
    },
  });
  const call = host.backend.call.bind(host.backend);
  host.backend.call = (method, args, client) => {
    if (method === 'openDocument') dispatched++;
    return call(method, args, client);
  };
});
afterAll(async () => {
  await host?.close();
  fx?.cleanup();
});

function opened(ws: WebSocket): Promise<void> {
  return new Promise((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
}

describe('web host flow control', () => {
  it('stops reading from a client that does not read its replies, keeps serving others, then delivers every reply', async () => {
    const file = path.join(fx.docsDir, 'big.md');
    fs.writeFileSync(file, 'word '.repeat(FILE_BYTES / 5));
    const greedy = rawSocket(host);
    await opened(greedy);
    const replies: { id: number; ok: boolean }[] = [];
    greedy.on('message', (d) => {
      const m = JSON.parse(d.toString()) as { t: string; id: number; ok: boolean };
      if (m.t === 'reply') replies.push({ id: m.id, ok: m.ok });
    });
    const bystander = connect(host);
    try {
      greedy.pause(); // reads nothing from now on
      for (let id = 1; id <= CALLS; id++)
        greedy.send(JSON.stringify({ t: 'call', id, method: 'openDocument', args: [file] }));

      // Every reply is 256 KB: without backpressure the host would hold 120 × 256 KB = 30 MB for this client.
      await waitUntil(
        () => host.connections().some((c) => c.paused && c.bufferedBytes >= LIMITS.highWaterBytes),
        'the host to stop reading the greedy client',
      );
      const stats = host.connections().find((c) => c.paused)!;
      const bound = LIMITS.highWaterBytes + (LIMITS.maxInFlight + 1) * (FILE_BYTES + 1024);
      expect(stats.bufferedBytes).toBeLessThanOrEqual(bound);
      expect(dispatched).toBeLessThan(CALLS / 4);

      // Another client is answered meanwhile, at once.
      expect((await bystander.getAppInfo()).name).toBe('Inkling');
      const { docId } = await bystander.newDocument();
      expect(docId).toEqual(expect.any(String));
      // Still held back: nothing more was taken from the greedy client.
      expect(host.connections().find((c) => c.id === stats.id)!.bufferedBytes).toBeLessThanOrEqual(bound);
      expect(dispatched).toBeLessThan(CALLS / 4);

      // The client reads again: every call is answered once, none lost (calls run concurrently, so
      // replies come in completion order, as they always have).
      greedy.resume();
      await waitUntil(() => replies.length === CALLS, `${CALLS} replies`, 60_000);
      expect(replies.map((r) => r.id).sort((a, b) => a - b)).toEqual(Array.from({ length: CALLS }, (_, i) => i + 1));
      expect(replies.every((r) => r.ok)).toBe(true);
      expect(dispatched).toBe(CALLS);
      await waitUntil(() => host.connections().every((c) => !c.paused), 'the host to read the client again');
    } finally {
      greedy.terminate();
      bystander.close();
    }
  });

  it("a cancel reaches the host while the connection's other calls fill every running slot", async () => {
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    const call = host.backend.call.bind(host.backend);
    host.backend.call = async (method, args, client) => {
      if (method === 'listModelJobs') await held;
      return call(method, args, client);
    };
    const ws = rawSocket(host);
    await opened(ws);
    const replies: number[] = [];
    ws.on('message', (d) => {
      const m = JSON.parse(d.toString()) as { t: string; id: number };
      if (m.t === 'reply') replies.push(m.id);
    });
    try {
      // Fill every running slot, and queue two more behind them.
      for (let id = 1; id <= LIMITS.maxInFlight + 2; id++)
        ws.send(JSON.stringify({ t: 'call', id, method: 'listModelJobs', args: [] }));
      await waitUntil(
        () => host.connections().some((c) => c.inFlight === LIMITS.maxInFlight && c.queued === 2),
        'the slots to fill',
      );
      ws.send(JSON.stringify({ t: 'call', id: 100, method: 'cancelCompletion', args: ['nothing-running'] }));
      await waitUntil(() => replies.includes(100), 'the cancel to be answered');
      expect(replies).toEqual([100]); // the held calls are still running
      release();
      await waitUntil(() => replies.length === LIMITS.maxInFlight + 3, 'every reply');
    } finally {
      release();
      host.backend.call = call;
      ws.terminate();
    }
  });

  it('failed handshakes do not use up connection slots', async () => {
    await waitUntil(() => host.connections().length === 0, 'earlier connections to close');
    // Upgrades with the key but a broken handshake (no Sec-WebSocket-Key): ws answers 400.
    for (let i = 0; i < LIMITS.maxConnections + 2; i++) {
      const res = await rawGet(host.port, `/api?token=${host.token}`, {
        headers: { Connection: 'Upgrade', Upgrade: 'websocket', 'Sec-WebSocket-Version': '13' },
      });
      expect(res.status).toBe(400);
    }
    const api = connect(host);
    expect((await api.getSettings()).theme).toEqual(expect.any(String));
    api.close();
  });

  it(`accepts at most ${LIMITS.maxConnections} connections (503 beyond), and takes new ones as others close`, async () => {
    await waitUntil(() => host.connections().length === 0, 'earlier connections to close');
    const open: WebSocket[] = [];
    try {
      for (let i = 0; i < LIMITS.maxConnections; i++) {
        const ws = rawSocket(host);
        await opened(ws);
        open.push(ws);
      }
      const status = await new Promise<number>((resolve) => {
        const extra = rawSocket(host);
        extra.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
        extra.on('open', () => resolve(101));
      });
      expect(status).toBe(503);
      expect(host.connections()).toHaveLength(LIMITS.maxConnections);
      open.pop()!.close();
      await waitUntil(() => host.connections().length < LIMITS.maxConnections, 'a slot to free up');
      const api = connect(host);
      expect((await api.getSettings()).theme).toEqual(expect.any(String));
      api.close();
    } finally {
      for (const ws of open) ws.close();
    }
  });
});
