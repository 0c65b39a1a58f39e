/**
 * Reading and writing the writer's documents: only .txt / .md, at most 20 MB, UTF-8 text.
 * Text is handed to the editor with '\n' line endings; saving restores the file's own line ending
 * and byte-order mark, so opening and saving a file changes nothing but what the writer changed.
 */
import { promises as fsp } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { InklingError } from '../../api/errors';
import type { LineEnding } from '../../api/types';
import { atomicWriteFile, errno, removeLeftoverTempsOf } from '../fs/atomicWrite';

export const MAX_FILE_BYTES = 20 * 1024 * 1024;
export const TEXT_EXTENSIONS = ['.txt', '.md', '.markdown'] as const;

export interface TextFile {
  path: string;
  text: string;
  lineEnding: LineEnding;
  bom: boolean;
  mtimeMs: number;
}

export interface WriteFormat {
  lineEnding: LineEnding;
  bom: boolean;
}

/** Expands a leading "~" and makes the path absolute; rejects relative paths (whose base is unclear). */
export function normalizeDocumentPath(p: string): string {
  let out = p.trim();
  if (out === '~' || out.startsWith('~/') || out.startsWith('~\\')) out = path.join(os.homedir(), out.slice(1));
  if (!path.isAbsolute(out)) {
    throw new InklingError('bad_request', `"${p}" is not a full path. Give the whole path, e.g. ${path.join(os.homedir(), 'notes.md')}.`);
  }
  return path.normalize(out);
}

export function checkExtension(p: string): void {
  const ext = path.extname(p).toLowerCase();
  if (!(TEXT_EXTENSIONS as readonly string[]).includes(ext)) {
    const what = ext ? `a "${ext}" file` : 'a file without an extension';
    throw new InklingError('unsupported_file', `${path.basename(p)} is ${what}. Inkling opens and saves plain text (.txt) and Markdown (.md) files.`);
  }
}

export function ioError(action: string, p: string, e: unknown): InklingError {
  const code = errno(e);
  const name = path.basename(p);
  switch (code) {
    case 'ENOENT': return new InklingError('not_found', `Could not ${action} ${name}: ${p} does not exist.`);
    case 'EACCES':
    case 'EPERM': return new InklingError('io_error', `Could not ${action} ${name}: permission denied (${p}).`);
    case 'EISDIR': return new InklingError('io_error', `Could not ${action} ${name}: ${p} is a folder.`);
    case 'ENOSPC': return new InklingError('io_error', `Could not ${action} ${name}: the disk is full.`);
    case 'EROFS': return new InklingError('io_error', `Could not ${action} ${name}: the disk is read-only.`);
    default: return new InklingError('io_error', `Could not ${action} ${name} (${p}): ${(e as Error)?.message ?? String(e)}`);
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

/** Decodes file bytes as UTF-8 text, rejecting anything that looks binary. */
export function decodeText(bytes: Uint8Array, p: string): { text: string; bom: boolean } {
  if (bytes.includes(0)) {
    throw new InklingError('binary_file', `${path.basename(p)} looks like a binary file (it contains NUL bytes), not text. Inkling opens .txt and .md text files.`);
  }
  const bom = bytes.length >= 3 && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf;
  let text: string;
  try {
    text = decoder.decode(bom ? bytes.subarray(3) : bytes);
  } catch {
    throw new InklingError('binary_file', `${path.basename(p)} is not UTF-8 text (it may be binary or use another encoding). Convert it to UTF-8 and open it again.`);
  }
  return { text, bom };
}

export async function readTextFile(input: string): Promise<TextFile> {
  const p = normalizeDocumentPath(input);
  checkExtension(p);
  let stat;
  try {
    stat = await fsp.stat(p);
  } catch (e) {
    throw ioError('open', p, e);
  }
  if (!stat.isFile()) throw new InklingError('unsupported_file', `${p} is not a regular file.`);
  if (stat.size > MAX_FILE_BYTES) {
    throw new InklingError('too_large', `${path.basename(p)} is ${(stat.size / 1048576).toFixed(1)} MB; Inkling opens files up to 20 MB.`);
  }
  let bytes: Buffer;
  try {
    bytes = await fsp.readFile(p);
  } catch (e) {
    throw ioError('open', p, e);
  }
  // The file may have grown between stat and read.
  if (bytes.length > MAX_FILE_BYTES) {
    throw new InklingError('too_large', `${path.basename(p)} is larger than 20 MB; Inkling opens files up to 20 MB.`);
  }
  const { text, bom } = decodeText(bytes, p);
  const lineEnding = detectLineEnding(text);
  return { path: p, text: lineEnding === '\r\n' ? text.replace(/\r\n/g, '\n') : text, lineEnding, bom, mtimeMs: stat.mtimeMs };
}

export function encodeText(text: string, format: WriteFormat): Buffer {
  const body = format.lineEnding === '\r\n' ? text.replace(/\r?\n/g, '\r\n') : text;
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
    throw new InklingError('too_large', `The document is ${(bytes.length / 1048576).toFixed(1)} MB; Inkling saves files up to 20 MB.`);
  }
  let dirStat;
  try {
    dirStat = await fsp.stat(path.dirname(p));
  } catch (e) {
    throw new InklingError('not_found', `Could not save ${path.basename(p)}: the folder ${path.dirname(p)} does not exist.`);
  }
  if (!dirStat.isDirectory()) {
    throw new InklingError('io_error', `Could not save ${path.basename(p)}: ${path.dirname(p)} is a file, not a folder.`);
  }
  try {
    const existing = await fsp.stat(p).catch(() => null);
    if (existing && !existing.isFile()) throw Object.assign(new Error('is a folder'), { code: 'EISDIR' });
    await atomicWriteFile(p, bytes);
    // Temp files an earlier save of this file left when the app was killed mid-write.
    await removeLeftoverTempsOf(p);
    const stat = await fsp.stat(p);
    return { path: p, size: bytes.length, mtimeMs: stat.mtimeMs };
  } catch (e) {
    if (e instanceof InklingError) throw e;
    throw ioError('save', p, e);
  }
}
