/**
 * WebSocket fuzz against the real web host (127.0.0.1, in-process, no model): hundreds of malformed
 * frames — not JSON, binary, wrong shapes, hostile arguments, deep nesting, invalid UTF-8, a frame
 * over the size limit. Each frame is answered with an error reply, or the connection is closed with a
 * WebSocket status code; the host never crashes and keeps serving every other connection.
 */
import fs from 'node:fs';
import path from 'node:path';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_FRAME_BYTES, METHOD_NAMES, isApiErrorCode } from '../../electron/api';
import { startWebHost, type WebHost } from '../../electron/web';
import { connect, makeFixture, rawSocket, waitUntil, type Fixture } from '../web/helpers';
import { fuzzArgs, seeded, type FuzzContext, type Rand } from './payloads';

const SEED = 0x5eed;
const FRAMES = 400;

let fx: Fixture;
let host: WebHost;
const savedHome = process.env.HOME;

beforeAll(async () => {
  fx = makeFixture();
  fs.mkdirSync(path.join(fx.root, 'home'));
  process.env.HOME = path.join(fx.root, 'home');
  host = await startWebHost({
    port: 0,
    dataDir: fx.dataDir,
    rendererDir: fx.rendererDir,
    log: () => undefined,
    createEngine: () => {
      throw new Error('no engine without a model');
    },
  });
});
afterAll(async () => {
  await host?.close();
  process.env.HOME = savedHome;
  fx?.cleanup();
});

interface Reply {
  t: string;
  id: number;
  ok: boolean;
  error?: { code: string; message: string };
}

interface Conn {
  ws: WebSocket;
  replies: Reply[];
  /** Frames that were not a JSON reply (must stay empty). */
  junk: string[];
  closed: { code: number } | null;
}

async function open(): Promise<Conn> {
  const ws = rawSocket(host);
  const conn: Conn = { ws, replies: [], junk: [], closed: null };
  ws.on('message', (data) => {
    try {
      const m = JSON.parse(data.toString()) as Reply;
      if (m.t === 'reply') conn.replies.push(m);
    } catch {
      conn.junk.push(data.toString().slice(0, 100));
    }
  });
  ws.on('close', (code) => (conn.closed = { code }));
  ws.on('error', () => undefined); // a refused oversized frame may surface as EPIPE / ECONNRESET
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  return conn;
}

function randomBytes(r: Rand, n: number): Buffer {
  const b = Buffer.alloc(n);
  for (let i = 0; i < n; i++) b[i] = r.int(256);
  return b;
}

/** One malformed (or hostile but well-formed) frame; `binary` frames go out with the binary opcode. */
function frame(r: Rand, id: number, ctx: FuzzContext): { data: string | Buffer; binary: boolean } {
  switch (r.int(9)) {
    case 0:
      return { data: randomBytes(r, r.pick([0, 1, 16, 4096])), binary: true };
    case 1:
      return {
        data: r.pick([
          '',
          ' ',
          '{',
          '}',
          '[',
          'null',
          'true',
          '1',
          '"call"',
          '[]',
          '{}',
          '1e999',
          'NaN',
          '{"t":',
          '\u0000',
          'not json',
        ]),
        binary: false,
      };
    case 2:
      return {
        data: JSON.stringify({
          t: r.pick(['reply', 'event', 'CALL', '', null, 1]),
          id,
          method: 'getAppInfo',
          args: [],
        }),
        binary: false,
      };
    case 3:
      return {
        data: JSON.stringify({
          t: 'call',
          id: r.pick([-1, 1.5, '7', null, 2 ** 60, [], {}]),
          method: 'getAppInfo',
          args: [],
        }),
        binary: false,
      };
    case 4:
      return {
        data: JSON.stringify({ t: 'call', id, method: r.pick([7, null, [], {}, true]), args: [] }),
        binary: false,
      };
    case 5:
      return {
        data: JSON.stringify({ t: 'call', id, method: r.pick(METHOD_NAMES), args: r.pick([{}, 'x', 7, null, true]) }),
        binary: false,
      };
    case 6:
      // Deep nesting: parsed without recursion, refused by the validators.
      return {
        data: `{"t":"call","id":${id},"method":"${r.pick(METHOD_NAMES)}","args":[${'['.repeat(5000)}${']'.repeat(5000)}]}`,
        binary: false,
      };
    case 7:
      return {
        data: `{"t":"call","id":${id},"method":"updateSettings","args":[{"__proto__":{"polluted":true},"theme":"dark"}]}`,
        binary: false,
      };
    default: {
      const method = r.pick([...METHOD_NAMES, 'deleteEverything', '__proto__', 'constructor']);
      return { data: JSON.stringify({ t: 'call', id, method, args: fuzzArgs(method, ctx, r) }), binary: false };
    }
  }
}

describe('web host WebSocket under fuzz', () => {
  it('answers every malformed frame with an error reply and keeps serving', async () => {
    const bystander = connect(host);
    await bystander.ready;
    await bystander.getAppInfo();
    const conn = await open();
    const ctx: FuzzContext = {
      docId: 'fuzzdoc',
      goodPaths: [path.join(fx.docsDir, 'fuzz.md')],
      forbiddenPaths: [],
      cloneValues: false,
      foreignPaths: false,
    };
    const r = seeded(SEED);
    let sent = 0;
    for (let i = 0; i < FRAMES; i++) {
      const f = frame(r, 1000 + i, ctx);
      conn.ws.send(f.data, { binary: f.binary });
      sent++;
    }
    await waitUntil(() => conn.replies.length >= sent || conn.closed !== null, `${sent} replies`, 60_000);
    expect(conn.closed, 'the server closed a connection that only sent malformed frames').toBeNull();
    expect(conn.replies).toHaveLength(sent);
    expect(conn.junk).toEqual([]);
    for (const reply of conn.replies) {
      if (reply.ok) continue;
      expect(isApiErrorCode(reply.error?.code), JSON.stringify(reply)).toBe(true);
      expect(reply.error?.code, JSON.stringify(reply)).not.toBe('internal');
      expect(reply.error!.message.length).toBeLessThan(2000);
    }
    // Frames whose id could not be read are answered with id -1; every readable id got its own reply.
    const ids = conn.replies.map((x) => x.id).filter((id) => id >= 1000 && id < 1000 + FRAMES);
    expect(new Set(ids).size).toBe(ids.length);
    expect(conn.replies.filter((x) => !x.ok).length).toBeGreaterThan(sent / 2);

    // Still a working connection, a working bystander, and no polluted prototype.
    conn.ws.send(JSON.stringify({ t: 'call', id: 1, method: 'getSettings', args: [] }));
    await waitUntil(() => conn.replies.some((x) => x.id === 1), 'the valid call');
    expect(conn.replies.find((x) => x.id === 1)).toMatchObject({ ok: true });
    expect((await bystander.getAppInfo()).mode).toBe('web');
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    conn.ws.close();
    bystander.close();
  });

  it('closes a connection that sends invalid UTF-8 in a text frame (1007), and only that one', async () => {
    const bystander = connect(host);
    await bystander.ready;
    const conn = await open();
    conn.ws.send(Buffer.from([0x7b, 0xff, 0xfe, 0x7d]), { binary: false });
    await waitUntil(() => conn.closed !== null, 'the close');
    expect(conn.closed!.code).toBe(1007);
    expect((await bystander.getSettings()).theme).toBeTypeOf('string');
    bystander.close();
  });

  it(`closes a connection that sends a frame over ${MAX_FRAME_BYTES / 1048576} MB (1009), and keeps serving others`, async () => {
    const bystander = connect(host);
    await bystander.ready;
    const conn = await open();
    const oversized = Buffer.alloc(MAX_FRAME_BYTES + 1, 0x20); // spaces: valid UTF-8, valid JSON whitespace
    conn.ws.send(oversized, { binary: false });
    await waitUntil(() => conn.closed !== null, 'the close', 60_000);
    expect(conn.closed!.code).toBe(1009);
    expect(conn.replies).toEqual([]);
    expect((await bystander.getAppInfo()).name).toBe('Inkling');
    // A new connection works too.
    const again = connect(host);
    expect((await again.getEngineStatus()).state).toBe('no_model');
    again.close();
    bystander.close();
  });

  it('opens for no key but its own: 60 random keys, in the URL or as a Bearer header, all get 401', async () => {
    const r = seeded(SEED + 1);
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_%. ';
    const outcomes: string[] = [];
    for (let i = 0; i < 60; i++) {
      const len = r.pick([0, 1, host.token.length - 1, host.token.length, host.token.length + 1, 200]);
      let key = '';
      for (let j = 0; j < len; j++) key += alphabet[r.int(alphabet.length)];
      if (i % 10 === 0) key = host.token.slice(0, r.int(host.token.length)); // a prefix of the real key
      const inUrl = i % 2 === 0;
      const ws = new WebSocket(
        `ws://127.0.0.1:${host.port}/api${inUrl ? `?token=${encodeURIComponent(key)}` : ''}`,
        inUrl ? {} : { headers: { Authorization: `Bearer ${key}` } },
      );
      outcomes.push(
        await new Promise<string>((resolve) => {
          ws.on('open', () => {
            ws.terminate();
            resolve(`open with ${JSON.stringify(key)}`);
          });
          ws.on('unexpected-response', (_req, res) => resolve(String(res.statusCode)));
          ws.on('error', (e) => resolve(`error ${e.message}`));
        }),
      );
    }
    expect(new Set(outcomes)).toEqual(new Set(['401']));
  });

  it('survives clients that vanish mid-call', async () => {
    for (let i = 0; i < 20; i++) {
      const conn = await open();
      conn.ws.send(JSON.stringify({ t: 'call', id: 1, method: 'listBackups', args: [] }));
      conn.ws.terminate(); // no close handshake: the reply goes to a dead socket
    }
    const api = connect(host);
    expect(await api.listRecentFiles()).toEqual(expect.any(Array));
    api.close();
  });
});
