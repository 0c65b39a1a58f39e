/**
 * Fault: the app is SIGKILLed in the middle of saving. A child process saves a large document (and,
 * in the second test, its hot-exit backup) version after version through the document service; the
 * test kills it at seeded random moments, many times. After every kill:
 *   - the file holds exactly one whole version (never a mix, never empty, never truncated);
 *   - what a kill can leave behind is only a `<name>.<12 hex>.tmp` file, which the app refuses to open
 *     as a document, and (for backups) which the backup store removes at start and never lists.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { errorCode } from '../../electron/api';
import { BackupStore, DocumentService } from '../../electron/services/documents';
import { readTextFile } from '../../electron/services/documents/textFile';
import { seeded } from '../security/payloads';
import { makeVersion, versionOf } from './versions';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const KILLS = 20;
/**
 * Kills go on past KILLS (up to this many) until one has landed inside a save, and, for the document,
 * until a save has finished between kills: on a heavily loaded machine the first 20 can all miss.
 */
const MAX_KILLS = 80;
/** Big enough that writing and fsyncing it takes a while, so most kills land inside a save. */
const BYTES = 2 * 1024 * 1024;
const TEMP_RE = /^(.+)\.[0-9a-f]{12}\.tmp$/;

let root: string;
let child: string;

beforeAll(async () => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'inkling-save-kill-'));
  child = path.join(root, 'saveChild.mjs');
  await build({
    entryPoints: [path.join(HERE, 'saveChild.ts')],
    bundle: true,
    platform: 'node',
    format: 'esm',
    outfile: child,
    logLevel: 'silent',
  });
});
afterAll(() => {
  if (root) fs.rmSync(root, { recursive: true, force: true });
});

interface Run {
  started: number[];
  done: number[];
}

/** Starts the child, lets it get inside its loop, waits `delayMs`, SIGKILLs it, waits for it to die. */
async function killDuringSaves(args: string[], delayMs: number): Promise<Run> {
  const proc = spawn(process.execPath, [child, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  const run: Run = { started: [], done: [] };
  let stderr = '';
  proc.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  // 'close', not 'exit': every line the child printed before dying has been read by then.
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    proc.once('close', (code, signal) => resolve({ code, signal })),
  );
  await new Promise<void>((resolve, reject) => {
    let buf = '';
    proc.stdout.on('data', (d: Buffer) => {
      buf += d.toString();
      let nl;
      while ((nl = buf.indexOf('\n')) >= 0) {
        const [what, n] = buf.slice(0, nl).split(' ');
        buf = buf.slice(nl + 1);
        (what === 'start' ? run.started : run.done).push(Number(n));
        if (what === 'start' && run.started.length === 1) resolve();
      }
    });
    void exited.then(({ code }) => reject(new Error(`the save child exited (${code}) before saving: ${stderr}`)));
  });
  // Fault injection timing (not a wait for a condition): a seeded moment inside the save loop.
  await new Promise((r) => setTimeout(r, delayMs));
  proc.kill('SIGKILL');
  const end = await exited;
  expect(end.signal, stderr).toBe('SIGKILL');
  return run;
}

/** Checks a file holds one whole version and returns its number. */
function wholeVersion(file: string, text: string): number {
  const n = versionOf(text);
  expect(n, `${file} has no version header (${text.length} bytes)`).not.toBeNull();
  expect(
    text === makeVersion(n!, BYTES),
    `${file} claims version ${n} but is not exactly it (torn or truncated: ${text.length} bytes)`,
  ).toBe(true);
  return n!;
}

describe('SIGKILL in the middle of saving', () => {
  it('the document is always exactly the old or the new version; leftovers are never taken for documents', async () => {
    const dataDir = path.join(root, 'data-save');
    const docs = path.join(root, 'docs');
    fs.mkdirSync(docs);
    const file = path.join(docs, 'novel.md');
    fs.writeFileSync(file, makeVersion(0, BYTES));
    const r = seeded(20240607);
    let next = 1;
    let lastSeen = 0;
    let midWrite = 0;
    let advanced = 0;
    for (let k = 0; k < KILLS || ((midWrite === 0 || advanced === 0) && k < MAX_KILLS); k++) {
      const run = await killDuringSaves(['save', dataDir, file, String(next), String(BYTES)], r.int(150));
      const n = wholeVersion(file, fs.readFileSync(file, 'utf8'));
      // The file is the last finished save (or what was there before), or the save in progress if its
      // rename landed just before the kill (after the rename, before "done" was printed).
      const finished = run.done.at(-1) ?? lastSeen;
      expect(
        [finished, run.started.at(-1)],
        `kill ${k}: started ${run.started}, done ${run.done}, before ${lastSeen}`,
      ).toContain(n);
      if (n !== lastSeen) advanced++;
      lastSeen = n;
      next = Math.max(...run.started) + 1;

      for (const name of fs.readdirSync(docs)) {
        if (name === 'novel.md') continue;
        expect(name, 'only the save’s own temp file may be left').toMatch(TEMP_RE);
        expect(TEMP_RE.exec(name)![1]).toBe('novel.md');
        midWrite++;
        // The app never opens it as a document: not a .md / .txt file.
        const err = await readTextFile(path.join(docs, name)).catch((e: unknown) => e);
        expect(errorCode(err)).toBe('unsupported_file');
        fs.rmSync(path.join(docs, name));
      }
    }
    // The kills really landed inside saves, and saves really happened between kills (in MAX_KILLS).
    expect(midWrite, `no kill in ${MAX_KILLS} landed while a temp file existed`).toBeGreaterThan(0);
    expect(advanced, 'the document never changed between kills').toBeGreaterThan(0);
    // The service opens the survivor as usual.
    const opened = await new DocumentService(dataDir).open(file, 'check');
    expect(versionOf(opened.text)).toBe(lastSeen);
  });

  it('the hot-exit backup is always a whole version; torn temp files are cleared at start', async () => {
    const dataDir = path.join(root, 'data-backup');
    const docId = 'killdoc';
    const store = new BackupStore(dataDir);
    await store.init();
    await store.write({ docId, path: null, text: makeVersion(0, BYTES) });
    const r = seeded(777);
    let next = 1;
    let leftovers = 0;
    for (let k = 0; k < KILLS || (leftovers === 0 && k < MAX_KILLS); k++) {
      const run = await killDuringSaves(['backup', dataDir, docId, String(next), String(BYTES)], r.int(150));
      next = Math.max(...run.started) + 1;
      const dir = path.join(dataDir, 'backups');
      leftovers += fs.readdirSync(dir).filter((n) => TEMP_RE.test(n)).length;
      // What the app does at start: clear temp files, then offer the backups it can read.
      const fresh = new BackupStore(dataDir);
      await fresh.init();
      expect(fs.readdirSync(dir)).toEqual([`${docId}.json`]);
      const listed = await fresh.list();
      expect(listed.map((b) => b.id)).toEqual([docId]);
      const record = await fresh.read(docId);
      wholeVersion(`${docId}.json`, record.text);
    }
    expect(leftovers, `no kill in ${MAX_KILLS} landed while a backup temp file existed`).toBeGreaterThan(0);
  });
});
