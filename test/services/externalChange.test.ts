/**
 * A document's file changed by another program (a sync client, another editor, `git checkout`)
 * between its opening and a save: the save must not silently replace that version.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DocumentService } from '../../electron/services/documents';

let dir: string;
let svc: DocumentService;
beforeEach(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'inkling-change-'));
  svc = new DocumentService(path.join(dir, 'data'));
  await svc.init();
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

/** Another program writes `content`, with a modification time clearly after the one Inkling saw. */
function writeElsewhere(file: string, content: string | Buffer): void {
  const before = fs.statSync(file).mtimeMs;
  fs.writeFileSync(file, content);
  const later = new Date(before + 5000);
  fs.utimesSync(file, later, later);
}

const siblings = (file: string) => fs.readdirSync(path.dirname(file)).filter((n) => n !== 'data');

describe('a file another program changed', () => {
  it('is not replaced by a save: the save is refused with file_changed and nothing is written', async () => {
    const f = path.join(dir, 'notes.md');
    fs.writeFileSync(f, 'mine at first');
    const { docId } = await svc.open(f, 'w');
    writeElsewhere(f, 'their edit');
    await expect(svc.save(docId, 'my edit', 'w')).rejects.toMatchObject({
      code: 'file_changed',
      message: expect.stringContaining('“notes.md” was changed by another program'),
    });
    expect(fs.readFileSync(f, 'utf8')).toBe('their edit');
    expect(siblings(f)).toEqual(['notes.md']);
  });

  it('an autosave of unchanged text does not put the old text back either', async () => {
    const f = path.join(dir, 'notes.md');
    fs.writeFileSync(f, 'as opened');
    const { docId } = await svc.open(f, 'w');
    writeElsewhere(f, 'their edit');
    await expect(svc.save(docId, 'as opened', 'w')).rejects.toMatchObject({ code: 'file_changed' });
    expect(fs.readFileSync(f, 'utf8')).toBe('their edit');
  });

  it('"keep mine" saves the writer’s text and keeps the other version, byte for byte, beside it', async () => {
    const f = path.join(dir, 'notes.md');
    fs.writeFileSync(f, 'mine at first');
    const { docId } = await svc.open(f, 'w');
    const theirs = Buffer.from('their edit\r\nwith CRLF and é\r\n', 'utf8');
    writeElsewhere(f, theirs);
    const saved = await svc.save(docId, 'my edit', 'w', undefined, { replaceChanged: true });
    expect(fs.readFileSync(f, 'utf8')).toBe('my edit');
    expect(saved.keptCopy).toMatch(/notes \(other version \d{4}-\d\d-\d\d \d\d\.\d\d\)\.md$/);
    expect(path.dirname(saved.keptCopy!)).toBe(dir);
    expect(fs.readFileSync(saved.keptCopy!).equals(theirs)).toBe(true);
    // A second conflict in the same minute gets its own copy; the first is never replaced.
    writeElsewhere(f, 'their second edit');
    const again = await svc.save(docId, 'my second edit', 'w', undefined, { replaceChanged: true });
    expect(again.keptCopy).not.toBe(saved.keptCopy);
    expect(again.keptCopy).toMatch(/ 2\)\.md$/);
    expect(fs.readFileSync(again.keptCopy!, 'utf8')).toBe('their second edit');
    expect(fs.readFileSync(saved.keptCopy!).equals(theirs)).toBe(true);
  });

  it('keeps a file that is no longer text too (copied as it is)', async () => {
    const f = path.join(dir, 'notes.txt');
    fs.writeFileSync(f, 'text');
    const { docId } = await svc.open(f, 'w');
    const binary = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 1, 2, 3]);
    writeElsewhere(f, binary);
    await expect(svc.save(docId, 'mine', 'w')).rejects.toMatchObject({ code: 'file_changed' });
    const saved = await svc.save(docId, 'mine', 'w', undefined, { replaceChanged: true });
    expect(fs.readFileSync(saved.keptCopy!).equals(binary)).toBe(true);
    expect(fs.readFileSync(f, 'utf8')).toBe('mine');
  });

  it('is no conflict when only the time changed, or the other program wrote what the writer saves', async () => {
    const f = path.join(dir, 'notes.md');
    fs.writeFileSync(f, 'same');
    const { docId } = await svc.open(f, 'w');
    writeElsewhere(f, 'same'); // touched, e.g. by a sync client
    const saved = await svc.save(docId, 'mine', 'w');
    expect(saved.keptCopy).toBeUndefined();
    writeElsewhere(f, 'both wrote this');
    await svc.save(docId, 'both wrote this', 'w');
    expect(fs.readFileSync(f, 'utf8')).toBe('both wrote this');
    expect(siblings(f)).toEqual(['notes.md']);
  });

  it('a file deleted meanwhile is written again', async () => {
    const f = path.join(dir, 'notes.md');
    fs.writeFileSync(f, 'text');
    const { docId } = await svc.open(f, 'w');
    fs.rmSync(f);
    await svc.save(docId, 'still mine', 'w');
    expect(fs.readFileSync(f, 'utf8')).toBe('still mine');
  });

  it('"load theirs" reads the file again: later saves compare with that version', async () => {
    const f = path.join(dir, 'notes.md');
    fs.writeFileSync(f, 'first');
    const { docId } = await svc.open(f, 'w');
    writeElsewhere(f, 'line one\r\nline two\r\n');
    const reloaded = await svc.reload(docId, 'w');
    expect(reloaded).toMatchObject({ docId, path: f, text: 'line one\nline two\n', lineEnding: '\r\n' });
    await svc.save(docId, 'line one\nline two, edited\n', 'w');
    expect(fs.readFileSync(f, 'utf8')).toBe('line one\r\nline two, edited\r\n'); // the file's line endings kept
  });

  it('a host that forgot the document (restarted) decides from the time the page last saw', async () => {
    const f = path.join(dir, 'notes.md');
    fs.writeFileSync(f, 'first');
    const seen = (await svc.open(f, 'w')).mtimeMs;
    const restarted = new DocumentService(path.join(dir, 'data'));
    await restarted.init();
    await restarted.save('pagedoc', 'unchanged file: saved', 'w', f, { overwrite: true, baseMtimeMs: seen });
    const now = fs.statSync(f).mtimeMs;
    writeElsewhere(f, 'their edit');
    const again = new DocumentService(path.join(dir, 'data'));
    await again.init();
    await expect(again.save('pagedoc', 'mine', 'w', f, { overwrite: true, baseMtimeMs: now })).rejects.toMatchObject({
      code: 'file_changed',
    });
    expect(fs.readFileSync(f, 'utf8')).toBe('their edit');
    const reloaded = await again.reload('pagedoc', 'w', f);
    expect(reloaded.text).toBe('their edit');
  });

  it('saving under another name is not a conflict (the other file is asked about as before)', async () => {
    const f = path.join(dir, 'notes.md');
    fs.writeFileSync(f, 'first');
    const { docId } = await svc.open(f, 'w');
    writeElsewhere(f, 'their edit');
    const copy = path.join(dir, 'notes mine.md');
    await svc.save(docId, 'mine', 'w', copy);
    expect(fs.readFileSync(copy, 'utf8')).toBe('mine');
    expect(fs.readFileSync(f, 'utf8')).toBe('their edit');
  });

  it('the same file open twice (two windows): the second save is asked about, not written over the first', async () => {
    const f = path.join(dir, 'shared.md');
    fs.writeFileSync(f, 'start');
    const a = await svc.open(f, 'window-a');
    const b = await svc.open(f, 'window-b');
    expect(svc.ownersOf(f)).toEqual(['window-a', 'window-b']); // the app sends a file opened again to its window
    expect(svc.ownersOf(path.join(dir, 'other.md'))).toEqual([]);
    await new Promise((r) => setTimeout(r, 20)); // a later modification time for the first save
    await svc.save(a.docId, 'written in window A', 'window-a');
    await expect(svc.save(b.docId, 'written in window B', 'window-b')).rejects.toMatchObject({ code: 'file_changed' });
    expect(fs.readFileSync(f, 'utf8')).toBe('written in window A');
  });

  it('changedOnDisk: only a change of the text counts; a touch is recorded, a deleted file is missing', async () => {
    const f = path.join(dir, 'notes.md');
    fs.writeFileSync(f, 'text');
    const { docId } = await svc.open(f, 'w');
    expect(await svc.changedOnDisk(docId)).toBe('same');
    writeElsewhere(f, 'text'); // touched
    expect(await svc.changedOnDisk(docId)).toBe('same');
    await svc.save(docId, 'text', 'w'); // the touch was recorded: an unchanged autosave is still skipped
    writeElsewhere(f, 'their text');
    expect(await svc.changedOnDisk(docId)).toBe('changed');
    await svc.reload(docId, 'w');
    expect(await svc.changedOnDisk(docId)).toBe('same');
    fs.rmSync(f);
    expect(await svc.changedOnDisk(docId)).toBe('missing');
    // A host that forgot the document compares the time the page last saw.
    fs.writeFileSync(f, 'again');
    const seen = fs.statSync(f).mtimeMs;
    const restarted = new DocumentService(path.join(dir, 'data'));
    expect(await restarted.changedOnDisk('pagedoc', f, seen)).toBe('same');
    writeElsewhere(f, 'changed');
    expect(await restarted.changedOnDisk('pagedoc', f, seen)).toBe('changed');
    expect(await restarted.changedOnDisk('pagedoc', f)).toBe('same'); // nothing to compare with
  });
});
