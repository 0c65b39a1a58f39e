/**
 * Faults: a read-only folder, a full disk, other I/O errors, a folder that is really a file, and an
 * unwritable backup folder — on Save through the API (`Backend.call`, web path policy). Each gives a
 * clear 'io_error' naming the file and the cause; the file on disk keeps its old text; no temp file is
 * left; the unsaved text stays in the hot-exit backup (and, in the UI, in the editor:
 * e2e/web/reliability.spec.ts).
 *
 * Real faults where this user can make them (chmod for a normal user; as root, a tmpfs mounted
 * read-only or filled up — see fsFaults.ts); the injected-error cases run everywhere.
 */
import fs, { promises as fsp } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { ReplyEnvelope } from '../../electron/api';
import { Backend, type Client } from '../../electron/services/backend';
import { canMountTmpfs, fullDisk, readOnlyFolder } from './fsFaults';

const OLD = 'The first draft, saved.\n';
const NEW = 'The first draft, saved.\nThen a second paragraph the writer must not lose.\n';

let root: string;
let backend: Backend;
const cleanups: (() => void)[] = [];
const client: Client = { id: 'ws-disk', emit: () => undefined };
const other: Client = { id: 'ws-other', emit: () => undefined };

beforeEach(async () => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'inkling-disk-'));
  backend = await Backend.create({
    dataDir: path.join(root, 'data'),
    version: '1',
    log: () => undefined,
    platform: { mode: 'web', trustRendererPaths: true },
    createEngine: () => {
      throw new Error('no engine in these tests');
    },
  });
  backend.addClient(client);
  backend.addClient(other);
});

afterEach(async () => {
  vi.restoreAllMocks();
  for (const c of cleanups.splice(0).reverse()) c();
  await backend.dispose();
  fs.rmSync(root, { recursive: true, force: true });
});

async function call(method: string, ...args: unknown[]): Promise<ReplyEnvelope> {
  return backend.call(method, args, client);
}

/** Opens `file`, types NEW (backed up as the renderer does), and tries to save it. */
async function typeAndSave(file: string): Promise<{ docId: string; reply: ReplyEnvelope }> {
  const opened = await call('openDocument', file);
  expect(opened).toMatchObject({ ok: true, value: { text: OLD } });
  const docId = (opened as { value: { docId: string } }).value.docId;
  expect(await call('writeBackup', { docId, path: file, text: NEW, savedText: OLD })).toEqual({
    ok: true,
    value: null,
  });
  return { docId, reply: await call('saveDocument', { docId, text: NEW }) };
}

/** What every failed save must leave behind. */
async function expectNothingLost(
  file: string,
  docId: string,
  reply: ReplyEnvelope,
  cause: RegExp,
  code: 'io_error' | 'disk_space' = 'io_error',
): Promise<void> {
  expect(reply).toMatchObject({ ok: false, error: { code } });
  const message = (reply as { error: { message: string } }).error.message;
  expect(message).toContain(path.basename(file));
  expect(message).toMatch(cause);
  expect(fs.readFileSync(file, 'utf8')).toBe(OLD);
  expect(fs.readdirSync(path.dirname(file)).filter((n) => n.endsWith('.tmp'))).toEqual([]);
  // The backup still holds the unsaved text; after a crash it is offered for restore.
  expect((await backend.documents.backups.read(docId)).text).toBe(NEW);
  backend.removeClient(client.id);
  const offered = await backend.call('listBackups', [], other);
  expect(offered).toMatchObject({ ok: true, value: [{ id: docId, dirty: true, chars: NEW.length }] });
}

describe('save to a read-only folder', () => {
  it('real: chmod 0555 as a normal user, a read-only tmpfs as root', async (ctx) => {
    const ro = readOnlyFolder(root, { 'story.md': OLD });
    if (!ro)
      return ctx.skip(
        'running as root without permission to mount a tmpfs; the injected EROFS / EACCES cases below cover this',
      );
    cleanups.push(ro.cleanup);
    const file = path.join(ro.dir, 'story.md');
    const { docId, reply } = await typeAndSave(file);
    await expectNothingLost(file, docId, reply, /permission denied|read-only/);
  });
});

describe('save to a full disk', () => {
  it('real: a tiny tmpfs filled up (root with mount permission)', async (ctx) => {
    if (!canMountTmpfs(root))
      return ctx.skip(
        'cannot mount a tmpfs here (needs root with CAP_SYS_ADMIN); the injected ENOSPC case below covers this',
      );
    const disk = fullDisk(root, 256, { 'story.md': OLD }, 8 * 1024)!;
    cleanups.push(disk.cleanup);
    const file = path.join(disk.dir, 'story.md');
    const big = NEW + 'x'.repeat(64 * 1024);
    const opened = await call('openDocument', file);
    const docId = (opened as { value: { docId: string } }).value.docId;
    expect(await call('writeBackup', { docId, path: file, text: big, savedText: OLD })).toEqual({
      ok: true,
      value: null,
    });
    const reply = await call('saveDocument', { docId, text: big });
    expect(reply).toMatchObject({
      ok: false,
      error: { code: 'disk_space', message: expect.stringMatching(/the disk is full/) },
    });
    expect(fs.readFileSync(file, 'utf8')).toBe(OLD);
    expect(fs.readdirSync(disk.dir).filter((n) => n.endsWith('.tmp'))).toEqual([]);
    expect((await backend.documents.backups.read(docId)).text).toBe(big);
    // Once there is room again, the same save succeeds and the backup is no longer needed.
    disk.free();
    expect(await call('saveDocument', { docId, text: big })).toMatchObject({ ok: true, value: { size: big.length } });
    expect(fs.readFileSync(file, 'utf8')).toBe(big);
    expect(await backend.documents.backups.read(docId).catch((e: { code: string }) => e.code)).toBe('not_found');
  });
});

describe('injected write errors (any user, any OS)', () => {
  /**
   * Makes the save's temp-file write fail with `code`, at the write or at the fsync, the way the OS
   * reports it. The temp file is really created, so its cleanup is tested too.
   */
  function injectWriteError(code: string, at: 'writeFile' | 'sync'): void {
    const realOpen = fsp.open.bind(fsp);
    vi.spyOn(fsp, 'open').mockImplementation(async (...args: Parameters<typeof fsp.open>) => {
      const handle = await realOpen(...args);
      if (String(args[0]).endsWith('.tmp')) {
        handle[at] = async () => {
          throw Object.assign(new Error(`${code}: injected, ${at}`), { code });
        };
      }
      return handle;
    });
  }

  it.each([
    ['ENOSPC', 'writeFile', /the disk is full/, 'disk_space'],
    ['ENOSPC', 'sync', /the disk is full/, 'disk_space'],
    ['EROFS', 'writeFile', /read-only/, 'io_error'],
    ['EACCES', 'writeFile', /permission denied/, 'io_error'],
    ['EDQUOT', 'writeFile', /disk quota is used up/, 'disk_space'],
    ['EIO', 'sync', /EIO/, 'io_error'],
  ] as const)('%s at %s', async (code, at, cause, errorCode) => {
    const dir = path.join(root, 'docs');
    fs.mkdirSync(dir);
    const file = path.join(dir, 'story.md');
    fs.writeFileSync(file, OLD);
    const opened = await call('openDocument', file);
    const docId = (opened as { value: { docId: string } }).value.docId;
    expect(await call('writeBackup', { docId, path: file, text: NEW, savedText: OLD })).toEqual({
      ok: true,
      value: null,
    });
    injectWriteError(code, at);
    const reply = await call('saveDocument', { docId, text: NEW });
    vi.restoreAllMocks();
    await expectNothingLost(file, docId, reply, cause, errorCode);
  });
});

describe('other save faults', () => {
  it('a "folder" that is really a file: the message says so', async () => {
    const notAFolder = path.join(root, 'notes.txt');
    fs.writeFileSync(notAFolder, 'I am a file.');
    const fresh = ((await call('newDocument')) as { value: { docId: string } }).value.docId;
    const reply = await call('saveDocumentAs', { docId: fresh, text: NEW, path: path.join(notAFolder, 'chapter.md') });
    expect(reply).toMatchObject({ ok: false, error: { code: 'io_error' } });
    expect((reply as { error: { message: string } }).error.message).toMatch(
      /chapter\.md.*notes\.txt is a file, not a folder/,
    );
    expect(fs.readFileSync(notAFolder, 'utf8')).toBe('I am a file.');
  });

  it('an unwritable backup folder: a clear error, and saving still works', async () => {
    const backups = path.join(root, 'data', 'backups');
    fs.rmSync(backups, { recursive: true, force: true });
    fs.writeFileSync(backups, 'not a folder'); // mkdir and every write under it now fail
    const docId = ((await call('newDocument')) as { value: { docId: string } }).value.docId;
    const reply = await call('writeBackup', { docId, path: null, text: NEW });
    expect(reply).toMatchObject({
      ok: false,
      error: { code: 'io_error', message: expect.stringMatching(/backup of an untitled document.*backups/) },
    });
    const file = path.join(root, 'saved-anyway.md');
    expect(await call('saveDocumentAs', { docId, text: NEW, path: file })).toMatchObject({ ok: true });
    expect(fs.readFileSync(file, 'utf8')).toBe(NEW);
  });
});
