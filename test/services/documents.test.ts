import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DocumentService, MAX_FILE_BYTES, readTextFile } from '../../electron/services/documents';

let dir: string;
let svc: DocumentService;
beforeEach(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'inkling-docs-'));
  svc = new DocumentService(path.join(dir, 'data'));
  await svc.init();
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('opening files', () => {
  it('opens .md and .txt files and records them as recent', async () => {
    const md = path.join(dir, 'a.md');
    fs.writeFileSync(md, '# Title\nbody\n');
    const doc = await svc.open(md, 'w');
    expect(doc).toMatchObject({ path: md, name: 'a.md', text: '# Title\nbody\n', lineEnding: '\n' });
    expect(doc.docId).toMatch(/^[A-Za-z0-9_-]{16}$/);
    expect((await svc.recent.list()).map((r) => r.path)).toEqual([md]);
  });

  it('rejects other extensions, naming the file', async () => {
    const f = path.join(dir, 'photo.png');
    fs.writeFileSync(f, 'x');
    await expect(svc.open(f, 'w')).rejects.toMatchObject({
      code: 'unsupported_file',
      message: expect.stringContaining('photo.png'),
    });
    await expect(svc.open(path.join(dir, 'README'), 'w')).rejects.toMatchObject({ code: 'unsupported_file' });
  });

  it('rejects files over 20 MB', async () => {
    const f = path.join(dir, 'big.txt');
    fs.writeFileSync(f, '');
    fs.truncateSync(f, MAX_FILE_BYTES + 1);
    await expect(svc.open(f, 'w')).rejects.toMatchObject({
      code: 'too_large',
      message: expect.stringContaining('20 MB'),
    });
  });

  it('rejects binary content: NUL bytes or invalid UTF-8', async () => {
    const nul = path.join(dir, 'nul.txt');
    fs.writeFileSync(nul, Buffer.from([0x68, 0x69, 0x00, 0x01]));
    await expect(svc.open(nul, 'w')).rejects.toMatchObject({ code: 'binary_file' });
    const latin1 = path.join(dir, 'latin1.txt');
    fs.writeFileSync(latin1, Buffer.from([0x63, 0x61, 0x66, 0xe9])); // "café" in Latin-1
    await expect(svc.open(latin1, 'w')).rejects.toMatchObject({
      code: 'binary_file',
      message: expect.stringContaining('UTF-8'),
    });
  });

  it('reports a missing file and relative paths clearly', async () => {
    await expect(svc.open(path.join(dir, 'gone.md'), 'w')).rejects.toMatchObject({
      code: 'not_found',
      message: expect.stringContaining('does not exist'),
    });
    await expect(svc.open('notes.md', 'w')).rejects.toMatchObject({
      code: 'bad_request',
      message: expect.stringContaining('full path'),
    });
  });
});

describe('saving files', () => {
  it('saves an untitled document only once it has a path', async () => {
    const { docId } = svc.newDocument('w');
    await expect(svc.save(docId, 'hi', 'w')).rejects.toMatchObject({ code: 'path_required' });
    const target = path.join(dir, 'new.md');
    const saved = await svc.save(docId, 'hi', 'w', target);
    expect(saved).toMatchObject({ docId, path: target, name: 'new.md', size: 2 });
    expect(fs.readFileSync(target, 'utf8')).toBe('hi');
    // Later saves go to the same path without naming it.
    await svc.save(docId, 'hi again', 'w');
    expect(fs.readFileSync(target, 'utf8')).toBe('hi again');
  });

  it('keeps CRLF line endings and the BOM of the original file', async () => {
    const f = path.join(dir, 'win.txt');
    fs.writeFileSync(f, Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('one\r\ntwo\r\n')]));
    const doc = await svc.open(f, 'w');
    expect(doc.text).toBe('one\ntwo\n');
    expect(doc.lineEnding).toBe('\r\n');
    await svc.save(doc.docId, 'one\ntwo\nthree\n', 'w');
    expect(fs.readFileSync(f)).toEqual(
      Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('one\r\ntwo\r\nthree\r\n')]),
    );
    expect((await readTextFile(f)).text).toBe('one\ntwo\nthree\n');
  });

  it('refuses to save into a folder that does not exist, or with a wrong extension', async () => {
    const { docId } = svc.newDocument('w');
    await expect(svc.save(docId, 'x', 'w', path.join(dir, 'nope', 'a.md'))).rejects.toMatchObject({
      code: 'not_found',
      message: expect.stringContaining('folder'),
    });
    await expect(svc.save(docId, 'x', 'w', path.join(dir, 'a.exe'))).rejects.toMatchObject({
      code: 'unsupported_file',
    });
  });

  it('an unchanged autosave does not rewrite the file; an external change is overwritten only on real save', async () => {
    const f = path.join(dir, 'auto.md');
    fs.writeFileSync(f, 'text');
    const doc = await svc.open(f, 'w');
    const ino = fs.statSync(f).ino;
    await svc.save(doc.docId, 'text', 'w');
    expect(fs.statSync(f).ino).toBe(ino); // no rename happened
    await svc.save(doc.docId, 'text 2', 'w');
    expect(fs.statSync(f).ino).not.toBe(ino); // atomic replace
    expect(fs.readFileSync(f, 'utf8')).toBe('text 2');
  });

  it('refuses to replace another existing file (or link) without the writer confirming it', async () => {
    const existing = path.join(dir, 'draft.md');
    fs.writeFileSync(existing, 'the only copy');
    const { docId } = svc.newDocument('w');
    await expect(svc.save(docId, 'other text', 'w', existing)).rejects.toMatchObject({
      code: 'file_exists',
      message: expect.stringContaining(dir),
    });
    expect(fs.readFileSync(existing, 'utf8')).toBe('the only copy');
    const link = path.join(dir, 'link.md');
    fs.symlinkSync(path.join(dir, 'missing.md'), link);
    await expect(svc.save(docId, 'x', 'w', link)).rejects.toMatchObject({ code: 'file_exists' });
    await svc.save(docId, 'other text', 'w', existing, { overwrite: true });
    expect(fs.readFileSync(existing, 'utf8')).toBe('other text');
    // The document's own file is not "another" file.
    await svc.save(docId, 'again', 'w', existing);
    expect(fs.readFileSync(existing, 'utf8')).toBe('again');
  });

  it('unknown docIds (a reloaded page) are adopted on save', async () => {
    const target = path.join(dir, 'adopted.txt');
    await svc.save('fromoldpage', 'words', 'w', target);
    expect(svc.pathOf('fromoldpage')).toBe(target);
  });
});

describe('UTF-16 files (Windows Notepad, Word "Unicode text")', () => {
  const text = 'Ünïcode line one 😀\r\nline two — ends\r\n';
  const le = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')]);
  const be = Buffer.from(le).swap16(); // FE FF, then big-endian code units

  it('opens UTF-16 LE and BE files with a byte-order mark, and saves them back in the same encoding', async () => {
    for (const [name, bytes] of [
      ['le.txt', le],
      ['be.md', be],
    ] as const) {
      const f = path.join(dir, name);
      fs.writeFileSync(f, bytes);
      const doc = await svc.open(f, 'w');
      expect(doc.text).toBe('Ünïcode line one 😀\nline two — ends\n');
      expect(doc.lineEnding).toBe('\r\n');
      await svc.save(doc.docId, doc.text + 'line three\n', 'w');
      const written = fs.readFileSync(f);
      const expected = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text + 'line three\r\n', 'utf16le')]);
      expect(written.equals(name === 'le.txt' ? expected : Buffer.from(expected).swap16())).toBe(true);
      expect((await readTextFile(f)).text).toBe(doc.text + 'line three\n');
    }
  });

  it('refuses what only looks like UTF-16: cut short, a lone surrogate, NUL characters, no byte-order mark', async () => {
    const cases: [string, Buffer][] = [
      ['odd.txt', le.subarray(0, le.length - 1)],
      ['surrogate.txt', Buffer.from([0xff, 0xfe, 0x3d, 0xd8, 0x41, 0x00])], // a high surrogate, then "A"
      ['nul.txt', Buffer.from([0xff, 0xfe, 0x41, 0x00, 0x00, 0x00])],
      ['nobom.txt', Buffer.from('plain', 'utf16le')],
    ];
    for (const [name, bytes] of cases) {
      const f = path.join(dir, name);
      fs.writeFileSync(f, bytes);
      await expect(svc.open(f, 'w'), name).rejects.toMatchObject({
        code: 'binary_file',
        message: expect.stringContaining(name),
      });
    }
  });

  it('an untitled document saved over a UTF-16 file takes its encoding and line endings', async () => {
    const f = path.join(dir, 'notes.txt');
    fs.writeFileSync(f, le);
    const { docId } = svc.newDocument('w');
    await svc.save(docId, 'new text\n', 'w', f, { overwrite: true });
    expect(
      fs.readFileSync(f).equals(Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('new text\r\n', 'utf16le')])),
    ).toBe(true);
  });
});
