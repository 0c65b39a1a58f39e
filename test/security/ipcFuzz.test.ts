/**
 * IPC fuzz: thousands of seeded random and malformed payloads through `Backend.call` — the one
 * dispatcher behind Electron's ipcMain and the web host's WebSocket — for every method in the
 * contract, with the desktop app's path policy (the renderer is untrusted) and the real engine
 * process on a tiny model.
 *
 * Each call must settle within a bound with `{ ok: true }` or `{ ok: false, error: { code, message } }`
 * (a known code, never 'internal', a short message); afterwards the backend still works, nothing was
 * written outside the data folder and the one file the writer "chose" in the (stubbed) dialog, no
 * prototype was polluted and memory stayed bounded.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import v8 from 'node:v8';
import vm from 'node:vm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { METHOD_NAMES, isApiErrorCode, sanitizeSettings, type ReplyEnvelope } from '../../electron/api';
import { EngineClient } from '../../electron/engine/host';
import { Backend, type Client, type PlatformHooks } from '../../electron/services/backend';
import { convertedModelDir } from '../helpers/converted';
import { big, fuzzArgs, seeded, show, type FuzzContext } from './payloads';

const SEED = 0x1a2b3c;
const CASES_PER_METHOD = 60;
const UNKNOWN_METHOD_CASES = 300;
const CALL_TIMEOUT_MS = 20_000;
const MAX_MESSAGE_CHARS = 2000;
/** Heap growth allowed after the whole fuzz and a full GC (the payloads themselves are garbage by then). */
const MAX_HEAP_GROWTH_BYTES = 64 * 1024 * 1024;

let root: string;
let dataDir: string;
let chosen: string;
let keep: string;
let backend: Backend;
let docId: string;
const savedEnv = { HOME: process.env.HOME, HF_ENDPOINT: process.env.HF_ENDPOINT };
let eventsSeen = 0;

const client: Client = {
  id: 'wc-fuzz',
  emit() {
    eventsSeen++; // counted, not kept: the fuzz must not grow the test's own memory
  },
};

function gc(): void {
  v8.setFlagsFromString('--expose-gc');
  (vm.runInNewContext('gc') as () => void)();
}

function listFiles(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const full = path.join(dir, e.name);
    return e.isDirectory() ? [full + path.sep, ...listFiles(full)] : [full];
  });
}

async function settle(p: Promise<ReplyEnvelope>, what: string): Promise<ReplyEnvelope | string> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<string>((resolve) => {
    timer = setTimeout(() => resolve(`no answer within ${CALL_TIMEOUT_MS} ms: ${what}`), CALL_TIMEOUT_MS);
  });
  try {
    return await Promise.race([
      p.then(
        (r) => r,
        (e: unknown) => `threw ${String(e)}: ${what}`,
      ),
      timeout,
    ]);
  } finally {
    clearTimeout(timer);
  }
}

/** Problems with one reply, or null when it is a well-formed envelope. */
function checkReply(reply: ReplyEnvelope | string): string | null {
  if (typeof reply === 'string') return reply;
  if (!reply || typeof reply !== 'object' || typeof reply.ok !== 'boolean') return `not an envelope: ${show(reply)}`;
  try {
    structuredClone(reply); // what Electron's IPC does with it
    JSON.stringify(reply); // what the WebSocket does with it
  } catch (e) {
    return `the reply cannot cross IPC / WebSocket: ${(e as Error).message}`;
  }
  if (reply.ok) return 'value' in reply ? null : 'ok without a value';
  const { code, message } = reply.error ?? ({} as { code?: unknown; message?: unknown });
  if (!isApiErrorCode(code)) return `unknown error code ${show(code)}`;
  if (code === 'internal') return `internal error (an unvalidated input reached code that threw): ${message}`;
  if (typeof message !== 'string' || message.length === 0) return 'error without a message';
  if (message.length > MAX_MESSAGE_CHARS)
    return `error message of ${message.length} characters (input echoed?): ${message.slice(0, 120)}…`;
  return null;
}

beforeAll(async () => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'inkling-ipc-fuzz-'));
  dataDir = path.join(root, 'data');
  fs.mkdirSync(path.join(root, 'docs'));
  fs.mkdirSync(path.join(root, 'outside'));
  fs.mkdirSync(path.join(root, 'home'));
  chosen = path.join(root, 'docs', 'chosen.md');
  keep = path.join(root, 'outside', 'keep.md');
  fs.writeFileSync(chosen, 'The file the writer chose.');
  fs.writeFileSync(keep, 'Must never change.');
  // "~/x.md" must expand into a temp folder, and no download may leave 127.0.0.1.
  process.env.HOME = path.join(root, 'home');
  process.env.HF_ENDPOINT = 'http://127.0.0.1:9';

  const platform: PlatformHooks = {
    mode: 'electron',
    trustRendererPaths: false,
    showOpenDialog: async () => chosen,
    showSaveDialog: async () => chosen,
    showModelDialog: async () => null,
    confirmClose: () => undefined,
  };
  backend = await Backend.create({
    dataDir,
    version: '1.0.0',
    platform,
    testHooks: false,
    log: () => undefined,
    createEngine: () => new EngineClient(),
    initialModelDir: await convertedModelDir(),
  });
  backend.addClient(client);
  const start = Date.now();
  while (backend.engine.status().state !== 'ready') {
    if (Date.now() - start > 60_000)
      throw new Error(`the engine did not get ready: ${JSON.stringify(backend.engine.status())}`);
    await new Promise((r) => setTimeout(r, 20));
  }
  // The writer opens the file through the (stubbed) dialog: the one path this renderer may use.
  const opened = await backend.call('openDocument', [], client);
  if (!opened.ok) throw new Error(`could not open the chosen file: ${JSON.stringify(opened)}`);
  docId = (opened.value as { docId: string }).docId;
});

afterAll(async () => {
  await backend?.dispose();
  process.env.HOME = savedEnv.HOME;
  if (savedEnv.HF_ENDPOINT === undefined) delete process.env.HF_ENDPOINT;
  else process.env.HF_ENDPOINT = savedEnv.HF_ENDPOINT;
  if (root) fs.rmSync(root, { recursive: true, force: true });
});

describe('Backend.call under fuzz (desktop path policy, real engine)', () => {
  it('answers every malformed call with an error envelope, and keeps working', async () => {
    const ctx: FuzzContext = {
      docId,
      goodPaths: [chosen],
      forbiddenPaths: [
        keep,
        path.join(root, 'outside', 'new.md'),
        path.join(root, 'evil.md'),
        path.join(root, 'home', 'notes.md'),
        path.join(dataDir, '..', 'escape.md'),
        path.join(dataDir, 'settings.md'),
        path.join(root, 'docs', 'other.md'),
      ],
      cloneValues: true,
      foreignPaths: true,
    };
    const protoBefore = Object.getOwnPropertyNames(Object.prototype).sort();
    const filesBefore = new Set(listFiles(root).filter((f) => !f.startsWith(dataDir)));
    big(); // the shared huge strings live for the whole file: make them before the baseline
    gc();
    const heapBefore = process.memoryUsage().heapUsed;

    const r = seeded(SEED);
    const problems: string[] = [];
    const codes = new Map<string, Map<string, number>>();
    const tally = (method: string, reply: ReplyEnvelope | string) => {
      const key = typeof reply === 'string' ? 'no-answer' : reply.ok ? 'ok' : reply.error.code;
      const m = codes.get(method) ?? new Map<string, number>();
      m.set(key, (m.get(key) ?? 0) + 1);
      codes.set(method, m);
    };
    let calls = 0;

    for (const method of METHOD_NAMES) {
      for (let i = 0; i < CASES_PER_METHOD; i++) {
        const args = fuzzArgs(method, ctx, r);
        const reply = await settle(backend.call(method, args, client), `${method}(${show(args)})`);
        calls++;
        tally(method, reply);
        const problem = checkReply(reply);
        if (problem) problems.push(`#${calls} ${method}(${show(args)}): ${problem}`);
      }
    }

    // Names outside the contract, including ones that exist on every object.
    const names = [
      '',
      ' ',
      '__proto__',
      'constructor',
      'toString',
      'hasOwnProperty',
      'valueOf',
      'call',
      'apply',
      'bind',
      'handlers',
      'GETAPPINFO',
      'getAppInfo ',
      'getappinfo',
      'deleteEverything',
      'testKillEngine\u0000',
      'x'.repeat(10_000),
      ...METHOD_NAMES.map((m) => `${m}2`),
    ];
    for (let i = 0; i < UNKNOWN_METHOD_CASES; i++) {
      const method = r.pick(names);
      const args = fuzzArgs('unknown', ctx, r);
      const reply = await settle(backend.call(method, args, client), `${show(method)}(${show(args)})`);
      calls++;
      tally('(unknown)', reply);
      if (typeof reply !== 'string' && !reply.ok && reply.error.code !== 'unknown_method')
        problems.push(`${show(method)}: expected unknown_method, got ${reply.error.code}`);
      const problem = checkReply(reply);
      if (problem) problems.push(`#${calls} ${show(method)}: ${problem}`);
    }

    // A burst of concurrent calls: nothing may interleave into a crash or a lost reply.
    const burst = await Promise.all(
      Array.from({ length: 400 }, () => {
        const method = r.pick(METHOD_NAMES);
        const args = fuzzArgs(method, ctx, r);
        return settle(backend.call(method, args, client), `${method}(${show(args)}) in the burst`).then((reply) => ({
          method,
          reply,
        }));
      }),
    );
    for (const { method, reply } of burst) {
      calls++;
      tally(method, reply);
      const problem = checkReply(reply);
      if (problem) problems.push(`burst ${method}: ${problem}`);
    }

    // INKLING_FUZZ_REPORT=file writes every problem (the assertion shows the first 30).
    if (process.env.INKLING_FUZZ_REPORT) fs.writeFileSync(process.env.INKLING_FUZZ_REPORT, problems.join('\n') + '\n');
    expect(problems.slice(0, 30), `${problems.length} of ${calls} calls misbehaved`).toEqual([]);
    expect(calls).toBeGreaterThanOrEqual(METHOD_NAMES.length * CASES_PER_METHOD + UNKNOWN_METHOD_CASES);
    // Every method's validation was exercised (each saw bad_request at least once).
    for (const method of METHOD_NAMES) {
      expect(
        codes.get(method)?.get('bad_request') ?? 0,
        `${method}: ${JSON.stringify([...(codes.get(method) ?? [])])}`,
      ).toBeGreaterThan(0);
    }

    // No prototype pollution.
    expect(Object.getOwnPropertyNames(Object.prototype).sort()).toEqual(protoBefore);
    const probe: Record<string, unknown> = {};
    expect(probe.polluted).toBeUndefined();
    expect(probe.isAdmin).toBeUndefined();

    // Nothing written outside the data folder except the chosen file; no stray temp files.
    const filesAfter = listFiles(root).filter((f) => !f.startsWith(dataDir));
    expect(filesAfter.filter((f) => !filesBefore.has(f))).toEqual([]);
    expect(fs.readFileSync(keep, 'utf8')).toBe('Must never change.');
    expect(listFiles(root).filter((f) => f.endsWith('.tmp'))).toEqual([]);
    const settingsFile = path.join(dataDir, 'settings.json');
    if (fs.existsSync(settingsFile))
      expect(sanitizeSettings(JSON.parse(fs.readFileSync(settingsFile, 'utf8'))).warnings).toEqual([]);

    // Memory bounded.
    gc();
    const growth = process.memoryUsage().heapUsed - heapBefore;
    expect(growth, `heap grew by ${(growth / 1048576).toFixed(1)} MB`).toBeLessThan(MAX_HEAP_GROWTH_BYTES);

    // And the backend still does real work.
    expect(await backend.call('getAppInfo', [], client)).toMatchObject({ ok: true, value: { mode: 'electron' } });
    const fresh = (await backend.call('newDocument', [], client)) as { ok: true; value: { docId: string } };
    expect(fresh.ok).toBe(true);
    expect(
      await backend.call('saveDocumentAs', [{ docId: fresh.value.docId, text: 'After the storm.' }], client),
    ).toMatchObject({ ok: true, value: { path: chosen } });
    expect(fs.readFileSync(chosen, 'utf8')).toBe('After the storm.');
    const completion = await backend.call(
      'complete',
      [
        {
          requestId: 'after-fuzz',
          docId: fresh.value.docId,
          textBefore: 'The sea',
          params: { maxNewTokens: 3, alternatives: 1, temperature: 0 },
        },
      ],
      client,
    );
    expect(completion).toMatchObject({ ok: true, value: { alternatives: [{ finishReason: 'length' }] } });
    expect(
      (completion as { value: { alternatives: { tokenIds: number[] }[] } }).value.alternatives[0].tokenIds,
    ).toHaveLength(3);
    expect(backend.engine.status().state).toBe('ready');
    expect(eventsSeen).toBeGreaterThan(0);
  });

  it("a renderer cannot make the app load a model folder it names (only the writer's dialog choice)", async () => {
    const evil = path.join(root, 'outside');
    const viaSettings = await backend.call('updateSettings', [{ modelDir: evil }], client);
    expect(viaSettings).toMatchObject({ ok: false, error: { code: 'not_allowed' } });
    expect(await backend.call('loadModel', [evil], client)).toMatchObject({
      ok: false,
      error: { code: 'not_allowed' },
    });
    // Forgetting the model folder is harmless and allowed.
    expect(await backend.call('updateSettings', [{ modelDir: null }], client)).toMatchObject({
      ok: true,
      value: { modelDir: null },
    });
  });
});
