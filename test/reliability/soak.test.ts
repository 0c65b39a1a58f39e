/**
 * Soak: a few hundred completions and cancellations through the API dispatcher and the real engine
 * process (tiny model), bounded in time. Every request settles (none stuck), nothing is left in
 * flight, and memory and handles stay under stated bounds in this process and in the engine's.
 *
 * Mix per iteration (seeded): a short completion; a long one cancelled after its first token; a long
 * one cancelled at once (often before it starts); a long one superseded by a newer request for the
 * same document (which cancels it).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import v8 from 'node:v8';
import vm from 'node:vm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { GenerateResult, ReplyEnvelope } from '../../electron/api';
import { EngineClient } from '../../electron/engine/host';
import { Backend, type Client } from '../../electron/services/backend';
import { convertedModelDir } from '../helpers/converted';
import { seeded } from '../security/payloads';

/** Wall-clock budget for the measured phase; the loop stops early rather than overrun it. */
const BUDGET_MS = 45_000;
const TARGET_OPERATIONS = 300;
const MIN_OPERATIONS = 150;
const REQUEST_TIMEOUT_MS = 20_000;
/** Bounds (after warm-up and a GC): this process's heap and RSS, the engine's RSS, open handles. */
const MAX_HEAP_GROWTH = 32 * 1024 * 1024;
const MAX_RSS_GROWTH = 96 * 1024 * 1024;
const MAX_ENGINE_RSS_GROWTH = 96 * 1024 * 1024;
const MAX_ENGINE_FD_GROWTH = 4;
const MAX_HANDLE_GROWTH = 4;

let root: string;
let backend: Backend;
let engine: EngineClient;
const listeners = new Map<string, (e: { kind: string }) => void>();
const client: Client = {
  id: 'soak',
  emit(channel, payload) {
    if (channel !== 'completionEvent') return;
    const p = payload as { requestId: string; event: { kind: string } };
    listeners.get(p.requestId)?.(p.event);
  },
};

function gc(): void {
  v8.setFlagsFromString('--expose-gc');
  (vm.runInNewContext('gc') as () => void)();
}

/** Open file descriptors and resident memory of a process, from /proc (Linux). */
function procStats(pid: number): { fds: number; rss: number } | null {
  try {
    const fds = fs.readdirSync(`/proc/${pid}/fd`).length;
    const m = /VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
    return { fds, rss: m ? Number(m[1]) * 1024 : 0 };
  } catch {
    return null; // not Linux
  }
}

function handles(): Map<string, number> {
  const counts = new Map<string, number>();
  for (const r of process.getActiveResourcesInfo()) counts.set(r, (counts.get(r) ?? 0) + 1);
  return counts;
}

async function within<T>(p: Promise<T>, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      p,
      new Promise<never>((_, reject) => {
        timer = setTimeout(
          () => reject(new Error(`stuck: ${what} did not settle within ${REQUEST_TIMEOUT_MS} ms`)),
          REQUEST_TIMEOUT_MS,
        );
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

function result(reply: ReplyEnvelope, what: string): GenerateResult {
  if (!reply.ok) throw new Error(`${what} failed: ${reply.error.code}: ${reply.error.message}`);
  return reply.value as GenerateResult;
}

let seq = 0;
/** One completion; `onFirstToken` runs when its first token arrives. */
function complete(docId: string, textBefore: string, maxNewTokens: number, onFirstToken?: (requestId: string) => void) {
  const requestId = `soak-${++seq}`;
  let first = true;
  listeners.set(requestId, (e) => {
    if (e.kind === 'token' && first) {
      first = false;
      onFirstToken?.(requestId);
    }
  });
  const reply = backend
    .call(
      'complete',
      [{ requestId, docId, textBefore, params: { maxNewTokens, alternatives: 1, temperature: 0.8, seed: seq } }],
      client,
    )
    .finally(() => listeners.delete(requestId));
  return { requestId, reply };
}

beforeAll(async () => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'inkling-soak-'));
  backend = await Backend.create({
    dataDir: path.join(root, 'data'),
    version: '1',
    log: () => undefined,
    platform: { mode: 'web', trustRendererPaths: true },
    createEngine: () => (engine = new EngineClient()),
    initialModelDir: await convertedModelDir(),
  });
  backend.addClient(client);
  const start = Date.now();
  while (backend.engine.status().state !== 'ready') {
    if (Date.now() - start > 60_000) throw new Error('the engine did not load the model');
    await new Promise((r) => setTimeout(r, 20));
  }
});

afterAll(async () => {
  await backend?.dispose();
  if (root) fs.rmSync(root, { recursive: true, force: true });
});

describe('soak: completions and cancellations', () => {
  it('every request settles; memory, handles and engine descriptors stay bounded', async () => {
    const r = seeded(4242);
    const docs = ['doc-a', 'doc-b', 'doc-c', 'doc-d'];
    const texts = ['The lighthouse keeper', 'Rain again, and the', 'She opened the letter', 'In the morning the ship'];
    const counts = { short: 0, cancelledAfterToken: 0, cancelledAtOnce: 0, superseded: 0, cancelledResults: 0 };

    async function operation(i: number): Promise<void> {
      const docId = r.pick(docs);
      const text = `${r.pick(texts)} ${i}`;
      const kind = r.int(4);
      if (kind === 0) {
        const res = result(await within(complete(docId, text, 1 + r.int(3)).reply, `short #${i}`), `short #${i}`);
        expect(res.alternatives[0].tokenIds.length).toBeGreaterThan(0);
        counts.short++;
      } else if (kind === 1) {
        const c = complete(docId, text, 400, (id) => void backend.call('cancelCompletion', [id], client));
        const res = result(await within(c.reply, `cancel-after-token #${i}`), `cancel-after-token #${i}`);
        expect(res.alternatives[0].tokenIds.length).toBeLessThan(400);
        counts.cancelledAfterToken++;
        if (res.alternatives[0].finishReason === 'cancelled') counts.cancelledResults++;
      } else if (kind === 2) {
        const c = complete(docId, text, 400);
        await backend.call('cancelCompletion', [c.requestId], client);
        const res = result(await within(c.reply, `cancel-at-once #${i}`), `cancel-at-once #${i}`);
        expect(res.alternatives[0].finishReason).toBe('cancelled');
        counts.cancelledAtOnce++;
        counts.cancelledResults++;
      } else {
        const older = complete(docId, text, 400);
        const newer = complete(docId, `${text} and`, 2);
        const [o, n] = await within(Promise.all([older.reply, newer.reply]), `superseded #${i}`);
        expect(result(o, `older #${i}`).alternatives[0].finishReason).toBe('cancelled');
        expect(result(n, `newer #${i}`).alternatives[0].tokenIds.length).toBe(2);
        counts.superseded++;
        counts.cancelledResults++;
      }
    }

    // Warm-up: caches, JIT, onnxruntime arenas reach their working size before the baseline.
    for (let i = 0; i < 24; i++) await operation(i);
    gc();
    const pid = engine.pid!;
    const base = {
      heap: process.memoryUsage().heapUsed,
      rss: process.memoryUsage().rss,
      engine: procStats(pid),
      handles: handles(),
    };

    const start = Date.now();
    let done = 0;
    while (done < TARGET_OPERATIONS && Date.now() - start < BUDGET_MS) await operation(24 + done++);
    const elapsed = Date.now() - start;

    // Nothing left in flight anywhere: the manager, the client, the listeners.
    // (Private state, read for the test: the manager's map of running requests and the client's pending replies.)
    const inFlight = (backend.engine as unknown as { inFlight: Map<string, unknown> }).inFlight;
    const pending = (engine as unknown as { pending: Map<string, unknown> }).pending;
    expect(inFlight.size).toBe(0);
    expect(pending.size).toBe(0);
    expect(listeners.size).toBe(0);
    expect(engine.pid, 'the engine never crashed').toBe(pid);

    gc();
    const after = {
      heap: process.memoryUsage().heapUsed,
      rss: process.memoryUsage().rss,
      engine: procStats(pid),
      handles: handles(),
    };
    const mb = (n: number) => `${(n / 1048576).toFixed(1)} MB`;
    const report = [
      `${done} operations in ${(elapsed / 1000).toFixed(1)} s (${JSON.stringify(counts)})`,
      `heap ${mb(base.heap)} → ${mb(after.heap)}, rss ${mb(base.rss)} → ${mb(after.rss)}`,
      base.engine && after.engine
        ? `engine rss ${mb(base.engine.rss)} → ${mb(after.engine.rss)}, fds ${base.engine.fds} → ${after.engine.fds}`
        : 'engine: /proc not available',
      `handles ${JSON.stringify([...base.handles])} → ${JSON.stringify([...after.handles])}`,
    ].join('\n');
    console.log(`soak:\n${report}`);

    expect(done, report).toBeGreaterThanOrEqual(MIN_OPERATIONS);
    expect(counts.cancelledResults, report).toBeGreaterThan(done / 4);
    expect(after.heap - base.heap, report).toBeLessThan(MAX_HEAP_GROWTH);
    expect(after.rss - base.rss, report).toBeLessThan(MAX_RSS_GROWTH);
    if (base.engine && after.engine) {
      expect(after.engine.rss - base.engine.rss, report).toBeLessThan(MAX_ENGINE_RSS_GROWTH);
      expect(after.engine.fds - base.engine.fds, report).toBeLessThanOrEqual(MAX_ENGINE_FD_GROWTH);
    }
    for (const [type, n] of after.handles)
      expect(n - (base.handles.get(type) ?? 0), `${type}\n${report}`).toBeLessThanOrEqual(MAX_HANDLE_GROWTH);

    // Still serving.
    const last = result(await within(complete('doc-a', 'One more', 2).reply, 'the last request'), 'the last request');
    expect(last.alternatives[0].tokenIds).toHaveLength(2);
  });
});
