/**
 * Symlinks and special files among the writer's documents (docs/SECURITY.md › "Documents").
 * Policy: every check (extension, regular file, size) is made on the file really read or replaced —
 * the link's target, resolved with realpath — never only on the link's name; a non-regular target is
 * refused; saving over a link keeps the link and replaces its target atomically, as editors do.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DocumentService } from '../../electron/services/documents';

let dir: string;
let svc: DocumentService;
const rescuers: ChildProcess[] = [];
beforeEach(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'inkling-doclinks-'));
  svc = new DocumentService(path.join(dir, 'data'));
  await svc.init();
});
afterEach(() => {
  for (const r of rescuers.splice(0)) r.kill('SIGKILL');
  fs.rmSync(dir, { recursive: true, force: true });
});

/**
 * A FIFO, with a rescuer that writes to it after 30 s so that a reader that blocks (a regression)
 * fails its assertions instead of hanging the test process.
 */
function fifo(file: string): () => boolean {
  expect(spawnSync('mkfifo', [file]).status).toBe(0);
  const r = spawn(
    'sh',
    ['-c', 'sleep 30; while [ -p "$1" ]; do exec 3>"$1"; exec 3>&-; echo rescued; done', 'sh', file],
    { stdio: ['ignore', 'pipe', 'ignore'] },
  );
  let out = '';
  r.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  rescuers.push(r);
  return () => out.includes('rescued');
}

describe.skipIf(process.platform === 'win32')('documents behind symlinks', () => {
  it('opens a .md link to a .txt or .md file', async () => {
    fs.writeFileSync(path.join(dir, 'real.txt'), 'words\n');
    fs.symlinkSync('real.txt', path.join(dir, 'notes.md')); // relative, like `ln -s`
    const doc = await svc.open(path.join(dir, 'notes.md'), 'w');
    expect(doc).toMatchObject({ path: path.join(dir, 'notes.md'), name: 'notes.md', text: 'words\n' });
  });

  it('refuses a .md link whose target is not a text file, naming the target', async () => {
    fs.mkdirSync(path.join(dir, '.ssh'));
    fs.writeFileSync(path.join(dir, '.ssh', 'id_rsa'), 'PRIVATE KEY');
    fs.symlinkSync(path.join(dir, '.ssh', 'id_rsa'), path.join(dir, 'notes.md'));
    await expect(svc.open(path.join(dir, 'notes.md'), 'w')).rejects.toMatchObject({
      code: 'unsupported_file',
      message: `notes.md is a link to ${path.join(dir, '.ssh', 'id_rsa')}, which is not a .txt or .md file. Inkling opens and saves plain text (.txt) and Markdown (.md) files only.`,
    });
  });

  it('refuses special files at once: a FIFO, a link to /dev/zero, a link to a folder', async () => {
    const rescued = fifo(path.join(dir, 'pipe.md'));
    await expect(svc.open(path.join(dir, 'pipe.md'), 'w')).rejects.toMatchObject({
      code: 'unsupported_file',
      message:
        'Could not open pipe.md: pipe.md is a FIFO (named pipe), not a regular file. Inkling opens only regular text files.',
    });
    expect(rescued()).toBe(false);
    fs.symlinkSync('/dev/zero', path.join(dir, 'zero.md'));
    fs.symlinkSync('/dev/null', path.join(dir, 'null.txt'));
    fs.mkdirSync(path.join(dir, 'folder.md'));
    fs.symlinkSync(path.join(dir, 'folder.md'), path.join(dir, 'link-to-folder.md'));
    // Checked on the opened descriptor, so whatever the target's name, a device is never read.
    await expect(svc.open(path.join(dir, 'zero.md'), 'w')).rejects.toMatchObject({
      code: 'unsupported_file',
      message:
        'Could not open zero.md: zero.md is a character device (it links to /dev/zero), not a regular file. Inkling opens only regular text files.',
    });
    await expect(svc.open(path.join(dir, 'null.txt'), 'w')).rejects.toMatchObject({ code: 'unsupported_file' });
    await expect(svc.open(path.join(dir, 'link-to-folder.md'), 'w')).rejects.toMatchObject({
      code: 'unsupported_file',
      message: expect.stringContaining('is a folder'),
    });
  });

  it('saving over a link keeps the link and replaces its target atomically', async () => {
    const real = path.join(dir, 'drafts', 'real.md');
    fs.mkdirSync(path.dirname(real));
    fs.writeFileSync(real, 'old\n');
    fs.chmodSync(real, 0o640);
    const link = path.join(dir, 'notes.md');
    fs.symlinkSync(path.relative(dir, real), link);
    const inodeBefore = fs.statSync(real).ino;
    const doc = await svc.open(link, 'w');
    const saved = await svc.save(doc.docId, 'new\n', 'w');
    expect(saved.path).toBe(link);
    expect(fs.lstatSync(link).isSymbolicLink()).toBe(true);
    expect(fs.readlinkSync(link)).toBe(path.join('drafts', 'real.md'));
    expect(fs.readFileSync(real, 'utf8')).toBe('new\n');
    expect(fs.statSync(real).ino).not.toBe(inodeBefore); // a new file renamed over the old: atomic
    expect(fs.statSync(real).mode & 0o777).toBe(0o640);
    expect(fs.readdirSync(path.dirname(real))).toEqual(['real.md']);
  });

  it('saving over a dangling link creates its target and keeps the link', async () => {
    fs.mkdirSync(path.join(dir, 'drafts'));
    const link = path.join(dir, 'todo.md');
    fs.symlinkSync(path.join('drafts', 'todo.md'), link);
    const { docId } = svc.newDocument('w');
    await svc.save(docId, 'first\n', 'w', link, { overwrite: true }); // the name is there: the writer confirmed
    expect(fs.lstatSync(link).isSymbolicLink()).toBe(true);
    expect(fs.readFileSync(path.join(dir, 'drafts', 'todo.md'), 'utf8')).toBe('first\n');
  });

  it('never writes through a .md link to a file that is not text', async () => {
    const data = path.join(dir, 'settings.json');
    fs.writeFileSync(data, '{"keep": true}');
    const link = path.join(dir, 'notes.md');
    fs.symlinkSync(data, link);
    const { docId } = svc.newDocument('w');
    await expect(svc.save(docId, 'overwritten', 'w', link)).rejects.toMatchObject({
      code: 'unsupported_file',
      message: expect.stringContaining(`notes.md is a link to ${data}, which is not a .txt or .md file`),
    });
    expect(fs.readFileSync(data, 'utf8')).toBe('{"keep": true}');
    expect(fs.lstatSync(link).isSymbolicLink()).toBe(true);
  });

  it('never replaces a FIFO, or a link to a device, with a save', async () => {
    const rescued = fifo(path.join(dir, 'pipe.md'));
    const { docId } = svc.newDocument('w');
    await expect(svc.save(docId, 'text', 'w', path.join(dir, 'pipe.md'))).rejects.toMatchObject({
      code: 'unsupported_file',
      message: `Could not save pipe.md: ${path.join(dir, 'pipe.md')} is a FIFO (named pipe), not a regular file. Inkling saves only regular text files.`,
    });
    expect(fs.lstatSync(path.join(dir, 'pipe.md')).isFIFO()).toBe(true);
    expect(rescued()).toBe(false);
    fs.symlinkSync('/dev/null', path.join(dir, 'null.md'));
    await expect(svc.save(docId, 'text', 'w', path.join(dir, 'null.md'))).rejects.toMatchObject({
      code: 'unsupported_file',
    });
    expect(fs.lstatSync(path.join(dir, 'null.md')).isSymbolicLink()).toBe(true);
  });
});
