import { promises as fsp } from 'node:fs';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  atomicWriteFile,
  atomicWriteFileSync,
  commitTempFile,
  removeLeftoverTempsOf,
  removeStaleTempFiles,
  tempPathFor,
} from '../../electron/common/fs';
import { writeTextFile } from '../../electron/services/documents';

let dir: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'inkling-atomic-'));
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('atomicWriteFile', () => {
  it('creates a new file and leaves no temp file behind', async () => {
    const f = path.join(dir, 'a.md');
    await atomicWriteFile(f, 'hello');
    expect(fs.readFileSync(f, 'utf8')).toBe('hello');
    expect(fs.readdirSync(dir)).toEqual(['a.md']);
  });

  it('keeps the old file intact when the write fails between write and rename', async () => {
    const f = path.join(dir, 'a.md');
    fs.writeFileSync(f, 'old text');
    let tmpSeen = '';
    await expect(
      atomicWriteFile(f, 'new text that never lands', {
        beforeRename: (tmp) => {
          tmpSeen = tmp;
          // The new content is complete in the temp file, next to the target, named <name>.<random>.tmp.
          expect(path.dirname(tmp)).toBe(dir);
          expect(path.basename(tmp)).toMatch(/^a\.md\.[0-9a-f]{12}\.tmp$/);
          expect(fs.readFileSync(tmp, 'utf8')).toBe('new text that never lands');
          throw new Error('simulated crash');
        },
      }),
    ).rejects.toThrow('simulated crash');
    expect(fs.readFileSync(f, 'utf8')).toBe('old text');
    expect(fs.existsSync(tmpSeen)).toBe(false);
    expect(fs.readdirSync(dir)).toEqual(['a.md']);
  });

  it('a reader sees either the old or the new content, never a mix', async () => {
    const f = path.join(dir, 'a.txt');
    const oldText = 'o'.repeat(200_000);
    const newText = 'n'.repeat(300_000);
    fs.writeFileSync(f, oldText);
    const seen = new Set<string>();
    const writing = atomicWriteFile(f, newText);
    let done = false;
    void writing.finally(() => (done = true)).catch(() => undefined);
    while (!done) {
      const t = await fsp.readFile(f, 'utf8');
      seen.add(t === oldText ? 'old' : t === newText ? 'new' : `partial:${t.length}`);
    }
    seen.add((await fsp.readFile(f, 'utf8')) === newText ? 'new' : 'other');
    expect([...seen].every((s) => s === 'old' || s === 'new')).toBe(true);
    expect(seen.has('new')).toBe(true);
  });

  it.skipIf(process.platform === 'win32')('keeps the original file mode', async () => {
    const f = path.join(dir, 'secret.md');
    fs.writeFileSync(f, 'x');
    fs.chmodSync(f, 0o600);
    await atomicWriteFile(f, 'y');
    expect(fs.statSync(f).mode & 0o777).toBe(0o600);
    fs.chmodSync(f, 0o640);
    await atomicWriteFile(f, 'z');
    expect(fs.statSync(f).mode & 0o777).toBe(0o640);
  });

  it.skipIf(process.platform === 'win32')('writes through a symlink instead of replacing it', async () => {
    const real = path.join(dir, 'real.md');
    const link = path.join(dir, 'link.md');
    fs.writeFileSync(real, 'one');
    fs.symlinkSync(real, link);
    await atomicWriteFile(link, 'two');
    expect(fs.lstatSync(link).isSymbolicLink()).toBe(true);
    expect(fs.readFileSync(real, 'utf8')).toBe('two');
  });

  it('removeStaleTempFiles deletes only its own temp names', async () => {
    fs.writeFileSync(path.join(dir, 'a.md.0123456789ab.tmp'), '');
    fs.writeFileSync(path.join(dir, 'notes.tmp'), '');
    expect(await removeStaleTempFiles(dir)).toBe(1);
    expect(fs.readdirSync(dir)).toEqual(['notes.tmp']);
  });
});

describe('removeLeftoverTempsOf (after a save)', () => {
  const old = (f: string) => {
    fs.writeFileSync(f, 'half-written');
    const t = new Date(Date.now() - 5 * 60_000);
    fs.utimesSync(f, t, t);
  };

  it('removes only old temp files of that one file, keeping fresh ones and other files', async () => {
    const f = path.join(dir, 'novel.md');
    fs.writeFileSync(f, 'text');
    old(path.join(dir, 'novel.md.0123456789ab.tmp')); // left by a kill mid-save: goes
    fs.writeFileSync(path.join(dir, 'novel.md.ba9876543210.tmp'), 'in progress'); // fresh: another write may own it
    old(path.join(dir, 'other.md.0123456789ab.tmp')); // another document's
    old(path.join(dir, 'novel.md.notours.tmp')); // not a name atomicWriteFile creates
    old(path.join(dir, 'novel.md.0123456789ab.tmp.bak'));
    expect(await removeLeftoverTempsOf(f)).toBe(1);
    expect(fs.readdirSync(dir).sort()).toEqual([
      'novel.md',
      'novel.md.0123456789ab.tmp.bak',
      'novel.md.ba9876543210.tmp',
      'novel.md.notours.tmp',
      'other.md.0123456789ab.tmp',
    ]);
  });

  it('a successful save clears what a killed save of the same file left', async () => {
    const f = path.join(dir, 'draft.txt');
    old(path.join(dir, 'draft.txt.00000000beef.tmp'));
    await writeTextFile(f, 'new text', { bom: false, lineEnding: '\n' });
    expect(fs.readdirSync(dir)).toEqual(['draft.txt']);
    expect(fs.readFileSync(f, 'utf8')).toBe('new text');
  });

  it('never throws: a missing folder removes nothing', async () => {
    expect(await removeLeftoverTempsOf(path.join(dir, 'gone', 'x.md'))).toBe(0);
  });
});

describe('atomicWriteFileSync (the converter and the benchmark report)', () => {
  it('replaces a file, keeps its mode, writes through a symlink and leaves no temp file', () => {
    const real = path.join(dir, 'real.json');
    fs.writeFileSync(real, 'old');
    fs.chmodSync(real, 0o640);
    const link = path.join(dir, 'link.json');
    fs.symlinkSync(real, link);
    atomicWriteFileSync(link, '{"new":true}');
    expect(fs.lstatSync(link).isSymbolicLink()).toBe(true);
    expect(fs.readFileSync(real, 'utf8')).toBe('{"new":true}');
    expect(fs.statSync(real).mode & 0o777).toBe(0o640);
    expect(fs.readdirSync(dir).sort()).toEqual(['link.json', 'real.json']);
  });

  it('a failed write leaves the old file and no temp file', () => {
    const f = path.join(dir, 'a.json');
    fs.writeFileSync(f, 'old');
    // A directory where the temp file's folder should be writable: make the folder read-only.
    if (process.getuid?.() === 0) {
      // root ignores permissions: write into a folder that does not exist instead.
      expect(() => atomicWriteFileSync(path.join(dir, 'missing', 'b.json'), 'x')).toThrow(/ENOENT/);
    } else {
      fs.chmodSync(dir, 0o500);
      try {
        expect(() => atomicWriteFileSync(f, 'new')).toThrow(/EACCES/);
      } finally {
        fs.chmodSync(dir, 0o700);
      }
    }
    expect(fs.readFileSync(f, 'utf8')).toBe('old');
    expect(fs.readdirSync(dir)).toEqual(['a.json']);
  });
});

describe('commitTempFile (streamed writes: ONNX data, safetensors, downloads)', () => {
  it('moves a finished temp file over the target', async () => {
    const f = path.join(dir, 'model.onnx_data');
    fs.writeFileSync(f, 'old weights');
    const tmp = tempPathFor(f);
    expect(path.basename(tmp)).toMatch(/^model\.onnx_data\.[0-9a-f]{12}\.tmp$/);
    fs.writeFileSync(tmp, 'new weights');
    await commitTempFile(tmp, f);
    expect(fs.readFileSync(f, 'utf8')).toBe('new weights');
    expect(fs.readdirSync(dir)).toEqual(['model.onnx_data']);
  });

  it('a commit that cannot land removes the temp file and leaves the target', async () => {
    const f = path.join(dir, 'target');
    fs.mkdirSync(f); // a folder in the way: rename of a file over a non-empty folder fails
    fs.writeFileSync(path.join(f, 'inside'), 'x');
    const tmp = tempPathFor(f);
    fs.writeFileSync(tmp, 'data');
    await expect(commitTempFile(tmp, f)).rejects.toThrow();
    expect(fs.existsSync(tmp)).toBe(false);
    expect(fs.readdirSync(f)).toEqual(['inside']);
  });

  it('keeps the temp file on failure when asked (a verified download is resumed, not fetched again)', async () => {
    const f = path.join(dir, 'model.safetensors');
    fs.mkdirSync(f);
    fs.writeFileSync(path.join(f, 'inside'), 'x');
    const partial = `${f}.incomplete`;
    fs.writeFileSync(partial, 'all the verified bytes');
    await expect(commitTempFile(partial, f, { keepOnFailure: true })).rejects.toThrow();
    expect(fs.readFileSync(partial, 'utf8')).toBe('all the verified bytes');
  });
});
