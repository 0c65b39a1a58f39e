/**
 * Reading and writing the writer's documents: only .txt / .md, at most 20 MB, UTF-8 text (or UTF-16
 * with its byte-order mark, as Windows Notepad and Word's "Unicode text" write it).
 * Text is handed to the editor with '\n' line endings; saving restores the file's own line ending,
 * encoding and byte-order mark, so opening and saving a file changes nothing but what the writer changed.
 */
import { promises as fsp } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { InklingError } from '../../api/errors';
import type { LineEnding } from '../../api/types';
import { atomicWriteFile, errno, removeLeftoverTempsOf } from '../../common/fs';
import { UnsafeFileError, openRegular, readOpened } from '../../engine/util/safeRead';

export const MAX_FILE_BYTES = 20 * 1024 * 1024;
export const TEXT_EXTENSIONS = ['.txt', '.md', '.markdown'] as const;

/** UTF-16 files are recognised by their byte-order mark only (and keep it). */
export type TextEncoding = 'utf-8' | 'utf-16le' | 'utf-16be';

export interface TextFile {
  path: string;
  text: string;
  lineEnding: LineEnding;
  bom: boolean;
  encoding: TextEncoding;
  mtimeMs: number;
}

export interface WriteFormat {
  lineEnding: LineEnding;
  bom: boolean;
  /** Absent: UTF-8. */
  encoding?: TextEncoding;
}

/** How a file read is written back: its line ending, byte-order mark and encoding. */
export function formatOf(file: Pick<TextFile, 'lineEnding' | 'bom' | 'encoding'>): WriteFormat {
  return {
    lineEnding: file.lineEnding,
    bom: file.bom,
    ...(file.encoding !== 'utf-8' ? { encoding: file.encoding } : {}),
  };
}

/** Expands a leading "~" and makes the path absolute; rejects relative paths (whose base is unclear). */
export function normalizeDocumentPath(p: string): string {
  let out = p.trim();
  if (out === '~' || out.startsWith('~/') || out.startsWith('~\\')) out = path.join(os.homedir(), out.slice(1));
  if (!path.isAbsolute(out)) {
    throw new InklingError(
      'bad_request',
      `"${p}" is not a full path. Give the whole path, e.g. ${path.join(os.homedir(), 'notes.md')}.`,
    );
  }
  return path.normalize(out);
}

export function checkExtension(p: string): void {
  const ext = path.extname(p).toLowerCase();
  if (!(TEXT_EXTENSIONS as readonly string[]).includes(ext)) {
    const what = ext ? `a "${ext}" file` : 'a file without an extension';
    throw new InklingError(
      'unsupported_file',
      `${path.basename(p)} is ${what}. Inkling opens and saves plain text (.txt) and Markdown (.md) files.`,
    );
  }
}

export function ioError(action: string, p: string, e: unknown): InklingError {
  const code = errno(e);
  const name = path.basename(p);
  switch (code) {
    case 'ENOENT':
      return new InklingError('not_found', `Could not ${action} ${name}: ${p} does not exist.`);
    case 'EACCES':
    case 'EPERM':
      return new InklingError('io_error', `Could not ${action} ${name}: permission denied (${p}).`);
    case 'EISDIR':
      return new InklingError('io_error', `Could not ${action} ${name}: ${p} is a folder.`);
    case 'ENOSPC':
      return new InklingError('disk_space', `Could not ${action} ${name}: the disk is full.`);
    case 'EDQUOT':
      return new InklingError('disk_space', `Could not ${action} ${name}: your disk quota is used up.`);
    case 'EROFS':
      return new InklingError('io_error', `Could not ${action} ${name}: the disk is read-only.`);
    default:
      return new InklingError('io_error', `Could not ${action} ${name} (${p}): ${(e as Error)?.message ?? String(e)}`);
  }
}

export function detectLineEnding(text: string): LineEnding {
  let crlf = 0;
  let lf = 0;
  for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) {
    if (i > 0 && text.charCodeAt(i - 1) === 13) crlf++;
    else lf++;
  }
  return crlf > lf ? '\r\n' : '\n';
}

const decoder = new TextDecoder('utf-8', { fatal: true });

function binaryNul(p: string): InklingError {
  return new InklingError(
    'binary_file',
    `${path.basename(p)} looks like a binary file (it contains NUL bytes), not text. Inkling opens .txt and .md text files.`,
  );
}

/** UTF-16 with a byte-order mark: an odd length, a lone surrogate or a NUL character is not text. */
function decodeUtf16(bytes: Uint8Array, p: string, encoding: 'utf-16le' | 'utf-16be'): string {
  let text: string;
  try {
    text = new TextDecoder(encoding, { fatal: true }).decode(bytes.subarray(2));
  } catch {
    throw new InklingError(
      'binary_file',
      `${path.basename(p)} starts like UTF-16 text but is not valid UTF-16 (it may be binary or cut short).`,
    );
  }
  if (text.includes('\0')) throw binaryNul(p);
  return text;
}

/**
 * Decodes file bytes as text: UTF-8 (with or without its byte-order mark), or UTF-16 when the
 * file starts with a UTF-16 byte-order mark. Rejects anything that looks binary.
 */
export function decodeText(bytes: Uint8Array, p: string): { text: string; bom: boolean; encoding: TextEncoding } {
  if (bytes.length >= 2 && bytes[0] === 0xff && bytes[1] === 0xfe)
    return { text: decodeUtf16(bytes, p, 'utf-16le'), bom: true, encoding: 'utf-16le' };
  if (bytes.length >= 2 && bytes[0] === 0xfe && bytes[1] === 0xff)
    return { text: decodeUtf16(bytes, p, 'utf-16be'), bom: true, encoding: 'utf-16be' };
  if (bytes.includes(0)) {
    throw new InklingError(
      'binary_file',
      `${path.basename(p)} looks like a binary file (it contains NUL bytes), not text. Inkling opens .txt and .md text files.`,
    );
  }
  const bom = bytes.length >= 3 && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf;
  let text: string;
  try {
    text = decoder.decode(bom ? bytes.subarray(3) : bytes);
  } catch {
    throw new InklingError(
      'binary_file',
      `${path.basename(p)} is not UTF-8 text (it may be binary or use another encoding). Convert it to UTF-8 and open it again.`,
    );
  }
  return { text, bom, encoding: 'utf-8' };
}

/**
 * Opens a document. Links are followed, but every check is made on the file really read: the link's
 * target must have a text extension too (a `notes.md` linking to `~/.ssh/id_rsa` is refused), must be
 * a regular file (checked on the opened descriptor, so a FIFO or a device is refused at once instead
 * of blocking or never ending), and at most 20 MB however it behaves while read.
 */
export async function readTextFile(input: string): Promise<TextFile> {
  const p = normalizeDocumentPath(input);
  checkExtension(p);
  let opened;
  try {
    opened = await openRegular(p, { what: path.basename(p) });
  } catch (e) {
    throw unsafeToInkling('open', p, e);
  }
  const { handle, info } = opened;
  let bytes: Buffer;
  try {
    if (info.realPath !== p) checkLinkTarget(p, info.realPath);
    if (info.size > MAX_FILE_BYTES) {
      throw new InklingError(
        'too_large',
        `${path.basename(p)} is ${(info.size / 1048576).toFixed(1)} MB; Inkling opens files up to 20 MB.`,
      );
    }
    bytes = await readOpened(handle, info, { what: path.basename(p), maxBytes: MAX_FILE_BYTES });
  } catch (e) {
    if (e instanceof UnsafeFileError && e.reason === 'too_large') {
      throw new InklingError('too_large', `${path.basename(p)} is larger than 20 MB; Inkling opens files up to 20 MB.`);
    }
    throw unsafeToInkling('open', p, e);
  } finally {
    await handle.close().catch(() => undefined);
  }
  const { text, bom, encoding } = decodeText(bytes, p);
  const lineEnding = detectLineEnding(text);
  return {
    path: p,
    text: lineEnding === '\r\n' ? text.replace(/\r\n/g, '\n') : text,
    lineEnding,
    bom,
    encoding,
    mtimeMs: info.mtimeMs,
  };
}

/** A link's target must be a text file by its own name too: the check sees the file that is used. */
function checkLinkTarget(link: string, target: string): void {
  const ext = path.extname(target).toLowerCase();
  if (!(TEXT_EXTENSIONS as readonly string[]).includes(ext)) {
    throw new InklingError(
      'unsupported_file',
      `${path.basename(link)} is a link to ${target}, which is not a .txt or .md file. Inkling opens and saves plain text (.txt) and Markdown (.md) files only.`,
    );
  }
}

/** Says what a document read met in the writer's terms (UnsafeFileError's own message is the engine's). */
function unsafeToInkling(action: string, p: string, e: unknown): InklingError {
  if (e instanceof UnsafeFileError) {
    if (e.reason === 'not_regular') {
      return new InklingError(
        'unsupported_file',
        `Could not ${action} ${path.basename(p)}: ${e.detail.replace(/; Inkling reads only regular files$/, '')}. Inkling ${action}s only regular text files.`,
      );
    }
    return ioError(action, p, e.cause ?? e);
  }
  if (e instanceof InklingError) return e;
  return ioError(action, p, e);
}

/** Links followed by hand (a dangling link has no realpath): at most this many hops. */
const MAX_LINK_HOPS = 40;

/**
 * Where a save of `p` really writes: `p` itself, or, when `p` is a symlink (chain), the file it
 * finally points to, which may not exist yet. The link is kept; its target is replaced atomically,
 * as editors do. Throws when the target is not a text file by name or exists but is not a regular file.
 */
export async function resolveSaveTarget(p: string): Promise<string> {
  let current = p;
  for (let hop = 0; ; hop++) {
    let st;
    try {
      st = await fsp.lstat(current);
    } catch (e) {
      if (errno(e) === 'ENOENT' || errno(e) === 'ENOTDIR') break; // a new file (or a dangling link's future target); ENOTDIR: said below
      throw e;
    }
    if (!st.isSymbolicLink()) {
      if (!st.isFile()) {
        const kind = st.isDirectory()
          ? 'a folder'
          : st.isFIFO()
            ? 'a FIFO (named pipe)'
            : st.isCharacterDevice() || st.isBlockDevice()
              ? 'a device'
              : st.isSocket()
                ? 'a socket'
                : 'not a regular file';
        const via = current === p ? '' : ` (${path.basename(p)} links to it)`;
        throw new InklingError(
          'unsupported_file',
          `Could not save ${path.basename(p)}: ${current} is ${kind}${via}, not a regular file. Inkling saves only regular text files.`,
        );
      }
      break;
    }
    if (hop >= MAX_LINK_HOPS)
      throw new InklingError(
        'io_error',
        `Could not save ${path.basename(p)}: ${p} is a chain of more than ${MAX_LINK_HOPS} links (a loop?).`,
      );
    current = path.resolve(path.dirname(current), await fsp.readlink(current));
  }
  // The folder part may hold links too: name the real place the file will be.
  let dir: string;
  try {
    dir = await fsp.realpath(path.dirname(current));
  } catch {
    dir = path.dirname(current);
  }
  const target = path.join(dir, path.basename(current));
  if (target !== p) checkLinkTarget(p, target);
  return target;
}

export function encodeText(text: string, format: WriteFormat): Buffer {
  const body = format.lineEnding === '\r\n' ? text.replace(/\r?\n/g, '\r\n') : text;
  if (format.encoding === 'utf-16le' || format.encoding === 'utf-16be') {
    // A UTF-16 file always keeps its byte-order mark: it is how the file is recognised when read again.
    const bytes = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(body, 'utf16le')]);
    return format.encoding === 'utf-16be' ? bytes.swap16() : bytes;
  }
  const bytes = Buffer.from(body, 'utf8');
  return format.bom ? Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), bytes]) : bytes;
}

/** Atomically writes `text` to `input`; returns the path written, its size and new mtime. */
export async function writeTextFile(
  input: string,
  text: string,
  format: WriteFormat,
): Promise<{ path: string; size: number; mtimeMs: number }> {
  const p = normalizeDocumentPath(input);
  checkExtension(p);
  const bytes = encodeText(text, format);
  if (bytes.length > MAX_FILE_BYTES) {
    throw new InklingError(
      'too_large',
      `The document is ${(bytes.length / 1048576).toFixed(1)} MB; Inkling saves files up to 20 MB.`,
    );
  }
  try {
    // Every check is about the file the rename will replace (a link's target, not the link).
    const target = await resolveSaveTarget(p);
    let dirStat;
    try {
      dirStat = await fsp.stat(path.dirname(target));
    } catch {
      throw new InklingError(
        'not_found',
        `Could not save ${path.basename(p)}: the folder ${path.dirname(target)} does not exist.`,
      );
    }
    if (!dirStat.isDirectory()) {
      throw new InklingError(
        'io_error',
        `Could not save ${path.basename(p)}: ${path.dirname(target)} is a file, not a folder.`,
      );
    }
    // `resolved`: write exactly there. Were a link swapped in meanwhile, the rename replaces the link
    // itself; it never writes through a link the checks did not see.
    await atomicWriteFile(target, bytes, { resolved: true });
    // Temp files an earlier save of this file left when the app was killed mid-write.
    await removeLeftoverTempsOf(target);
    const stat = await fsp.stat(target);
    return { path: p, size: bytes.length, mtimeMs: stat.mtimeMs };
  } catch (e) {
    if (e instanceof InklingError) throw e;
    throw ioError('save', p, e);
  }
}
