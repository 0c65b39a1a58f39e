/**
 * Files the operating system asks Inkling to open (electron/services/window/openFiles): which
 * command-line arguments are documents, which of those can be opened (real files on disk), what the
 * writer is told about the others, and the queue that holds them until a window can take them.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  OpenQueue,
  checkDocumentPaths,
  documentArgs,
  documentsFromArgv,
  openErrorMessage,
} from '../../electron/services/window';

let tmp: string;
beforeAll(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'inkling-open-files-'));
  for (const name of ['a.md', 'b.txt', 'c.markdown', 'D.MD', 'e.pdf', 'noext', 'with space.md'])
    fs.writeFileSync(path.join(tmp, name), 'text');
  fs.mkdirSync(path.join(tmp, 'folder.md'));
});
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

describe('documentArgs: the document paths of a command line', () => {
  it('skips the executable, flags, Chromium switches and the values of --data-dir / --model', () => {
    const argv = [
      '/opt/Inkling/inkling',
      '--no-sandbox',
      '--data-dir',
      '/profile',
      'a.md',
      '--model=/m',
      '--model',
      '/models/gpt2',
      '--allow-file-access-from-files',
      '--original-process-start-time=13370000',
      '-psn_0_12345',
      'sub/b.txt',
    ];
    expect(documentArgs(argv, { cwd: '/work' })).toEqual(['/work/a.md', '/work/sub/b.txt']);
  });

  it('skips the app itself when run by a bare Electron (`electron . notes.md`, `electron /app notes.md`)', () => {
    expect(documentArgs(['electron', '.', 'notes.md'], { cwd: '/app', appPath: '/app', defaultApp: true })).toEqual([
      '/app/notes.md',
    ]);
    // Playwright and others put flags before the app path.
    expect(
      documentArgs(['electron', '--inspect=0', '/app', '--data-dir', '/p', 'x.md'], {
        cwd: '/home',
        appPath: '/app',
        defaultApp: true,
      }),
    ).toEqual(['/home/x.md']);
    // A packaged app has no app argument: the first argument is a document.
    expect(
      documentArgs(['/Applications/Inkling', 'x.md'], {
        cwd: '/home',
        appPath: '/Applications/Inkling/resources/app.asar',
      }),
    ).toEqual(['/home/x.md']);
    // The app path is skipped wherever it appears (a second instance's argv may be reordered).
    expect(documentArgs(['electron', '--flag', 'x.md', '/app'], { cwd: '/home', appPath: '/app' })).toEqual([
      '/home/x.md',
    ]);
  });

  it('reads file:// URLs (Linux desktop files pass %U), keeps other links for the error, and honours --', () => {
    const url = pathToFileURL('/home/me/with space.md').href;
    expect(documentArgs(['inkling', url, 'https://example.com/a.md', '--', '--odd-name.md'], { cwd: '/w' })).toEqual([
      '/home/me/with space.md',
      'https://example.com/a.md',
      '/w/--odd-name.md',
    ]);
    expect(documentArgs(['inkling'], { cwd: '/w' })).toEqual([]);
    expect(documentArgs(['inkling', '--data-dir'], { cwd: '/w' })).toEqual([]);
  });
});

describe('checkDocumentPaths: only existing text and Markdown files', () => {
  it('keeps supported files (any case of extension) once each, in order', () => {
    const p = (n: string) => path.join(tmp, n);
    const r = checkDocumentPaths([
      p('b.txt'),
      p('a.md'),
      p('c.markdown'),
      p('D.MD'),
      p('with space.md'),
      p('a.md'),
      `${tmp}/./a.md`,
    ]);
    expect(r).toEqual({ paths: [p('b.txt'), p('a.md'), p('c.markdown'), p('D.MD'), p('with space.md')], errors: [] });
  });

  it('says why each other path cannot be opened', () => {
    const p = (n: string) => path.join(tmp, n);
    const r = checkDocumentPaths([
      p('e.pdf'),
      p('noext'),
      p('missing.md'),
      p('folder.md'),
      p('a.md/inside.md'),
      'relative.md',
      'https://example.com/a.md',
    ]);
    expect(r.paths).toEqual([]);
    expect(r.errors).toEqual([
      'Inkling could not open e.pdf: ".pdf" files are not text or Markdown documents.',
      'Inkling could not open noext: files without an extension are not text or Markdown documents.',
      `Inkling could not open missing.md: ${p('missing.md')} does not exist.`,
      `Inkling could not open folder.md: ${p('folder.md')} is a folder.`,
      `Inkling could not open inside.md: ${p('a.md/inside.md')} does not exist.`,
      'Inkling could not open "relative.md": it is not a full path.',
      'Inkling could not open https://example.com/a.md: only files on this computer can be opened, not links.',
    ]);
  });

  it('reports a file it may not read, and anything that is not a regular file', () => {
    const denied = () => {
      throw Object.assign(new Error('EACCES: permission denied'), { code: 'EACCES' });
    };
    expect(checkDocumentPaths(['/secret/x.md'], denied).errors).toEqual([
      'Inkling could not open x.md: permission denied (/secret/x.md).',
    ]);
    const fifo = () => ({ isFile: () => false, isDirectory: () => false });
    expect(checkDocumentPaths(['/dev/pipe.txt'], fifo)).toEqual({
      paths: [],
      errors: ['Inkling could not open pipe.txt: /dev/pipe.txt is not a regular file.'],
    });
  });

  it('documentsFromArgv: a first launch with a mix of files', () => {
    const r = documentsFromArgv(['inkling', '--no-sandbox', 'a.md', 'e.pdf', 'b.txt'], { cwd: tmp });
    expect(r.paths).toEqual([path.join(tmp, 'a.md'), path.join(tmp, 'b.txt')]);
    expect(r.errors).toEqual(['Inkling could not open e.pdf: ".pdf" files are not text or Markdown documents.']);
  });
});

describe('OpenQueue', () => {
  it('holds requests until taken, in arrival order, each path once', () => {
    const q = new OpenQueue();
    expect(q.empty).toBe(true);
    q.add({ paths: ['/a.md'], errors: [] });
    q.add({ paths: ['/b.md', '/a.md'], errors: ['x.pdf: no'] });
    expect(q.empty).toBe(false);
    expect(q.take()).toEqual({ paths: ['/a.md', '/b.md'], errors: ['x.pdf: no'] });
    expect(q.empty).toBe(true);
    expect(q.take()).toEqual({ paths: [], errors: [] });
    q.add({ paths: [], errors: ['only an error'] });
    expect(q.empty).toBe(false);
  });

  it('openErrorMessage: one box for everything that failed', () => {
    expect(openErrorMessage([])).toBeNull();
    expect(openErrorMessage(['A.'])).toEqual({
      message: 'Inkling could not open a file.',
      detail: expect.stringMatching(/^A\.\n\nInkling opens plain text/),
    });
    expect(openErrorMessage(['A.', 'B.'])!.message).toBe('Inkling could not open 2 files.');
  });
});
