/**
 * Opening a file that came from a user-chosen folder (a model folder, a document) without trusting
 * what kind of file it is. Every reader of such a file goes through here:
 *
 *   1. `realpath`: the checks are about the file that will really be read, not a link's name.
 *   2. open with O_NONBLOCK: opening a FIFO (named pipe) returns at once instead of waiting for a
 *      writer that may never come (which would freeze the process, and the sync variants its event
 *      loop). O_NONBLOCK changes nothing for a regular file.
 *   3. fstat the opened descriptor (not the path, so a swap between check and use changes nothing):
 *      only a regular file is accepted — never a FIFO, a device (`/dev/zero` never ends, `/dev/tty`
 *      blocks), a socket or a folder.
 *   4. a size cap per kind of file, checked against fstat's size and again while reading, so a file
 *      that grows (or lies about its size, like files under /proc) never makes us read more than the
 *      cap.
 *
 * Plain Node (the engine, the services and the CLI all use it). The async functions keep the event
 * loop free while reading; the sync ones exist for the engine's synchronous loaders, which run in the
 * engine process or the CLI, and are non-blocking on special files and bounded all the same.
 */
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { InklingError, type ErrorCode } from '../../common/errors';

const MB = 1024 * 1024;

/** Size caps per kind of file (bytes). */
export const READ_LIMITS = {
  /** config.json, generation_config.json, model.safetensors.index.json: GPT-2's is under 1 KB. */
  config: 4 * MB,
  /** vocab.json (1 MB for GPT-2), merges.txt (0.5 MB), tokenizer.json (1.4 MB). */
  tokenizer: 16 * MB,
  /** inkling.json, a library manifest.json. */
  manifest: 4 * MB,
} as const;

export type UnsafeFileReason = 'not_found' | 'not_regular' | 'too_large' | 'changed' | 'io';

/** The code each reason carries across the layers. */
const REASON_CODES: Readonly<Record<UnsafeFileReason, ErrorCode>> = {
  not_found: 'not_found',
  not_regular: 'unsupported_file',
  too_large: 'too_large',
  changed: 'io_error',
  io: 'io_error',
};

/**
 * A file that cannot be read safely; the message names the file and says why. Its code follows the
 * reason (`not_found`, `unsupported_file` for a folder or device, `too_large`, `io_error`).
 */
export class UnsafeFileError extends InklingError {
  constructor(
    readonly reason: UnsafeFileReason,
    readonly file: string,
    message: string,
    options?: { cause?: unknown; detail?: string },
  ) {
    super(REASON_CODES[reason], message, options);
    this.name = 'UnsafeFileError';
    this.detail = options?.detail ?? message;
  }

  /** The problem without the path, for callers whose own error already names the file. */
  readonly detail: string;
}

export interface SafeReadOptions {
  /** Refuse files larger than this many bytes (default: no cap; the caller bounds what it reads). */
  maxBytes?: number;
  /** What the file is, for messages ("config.json", "the document"). Default: the file's name. */
  what?: string;
}

export interface RegularFile {
  /** The path the caller gave. */
  path: string;
  /** After resolving every symlink: the file actually opened. */
  realPath: string;
  size: number;
  mtimeMs: number;
}

const O_NONBLOCK = fs.constants.O_NONBLOCK ?? 0;
const OPEN_FLAGS = fs.constants.O_RDONLY | O_NONBLOCK;

function errnoOf(e: unknown): string {
  return e && typeof e === 'object' && typeof (e as { code?: unknown }).code === 'string'
    ? (e as { code: string }).code
    : '';
}

function formatSize(bytes: number): string {
  if (bytes >= MB) return `${(bytes / MB).toFixed(1)} MB`;
  if (bytes >= 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  return `${bytes} bytes`;
}

/** "a FIFO (named pipe)", "a character device", … for a non-regular stat. */
export function describeFileKind(st: fs.Stats): string {
  if (st.isFIFO()) return 'a FIFO (named pipe)';
  if (st.isCharacterDevice()) return 'a character device';
  if (st.isBlockDevice()) return 'a block device';
  if (st.isSocket()) return 'a socket';
  if (st.isDirectory()) return 'a folder';
  if (st.isSymbolicLink()) return 'a symbolic link';
  return 'not a regular file';
}

function linkNote(file: string, real: string): string {
  return path.resolve(file) === real ? '' : ` (it links to ${real})`;
}

function ioFailure(file: string, what: string, e: unknown): UnsafeFileError {
  const code = errnoOf(e);
  if (code === 'ENOENT' || code === 'ENOTDIR')
    return new UnsafeFileError('not_found', file, `${what} not found: ${file} does not exist`, {
      cause: e,
      detail: `${what} not found`,
    });
  if (code === 'ELOOP')
    return new UnsafeFileError('not_regular', file, `${what}: ${file} is a symbolic link that loops`, { cause: e });
  if (code === 'EACCES' || code === 'EPERM')
    return new UnsafeFileError('io', file, `cannot read ${what}: permission denied (${file})`, { cause: e });
  return new UnsafeFileError('io', file, `cannot read ${what} (${file}): ${(e as Error)?.message ?? String(e)}`, {
    cause: e,
  });
}

function check(file: string, real: string, st: fs.Stats, opts: SafeReadOptions): RegularFile {
  const what = opts.what ?? path.basename(file);
  if (!st.isFile()) {
    const detail = `${what} is ${describeFileKind(st)}${linkNote(file, real)}, not a regular file; Inkling reads only regular files`;
    throw new UnsafeFileError('not_regular', file, `${file}: ${detail}`, { detail });
  }
  if (opts.maxBytes !== undefined && st.size > opts.maxBytes) {
    const detail = `${what} is ${formatSize(st.size)}; at most ${formatSize(opts.maxBytes)} is accepted for this kind of file`;
    throw new UnsafeFileError('too_large', file, `${file}: ${detail}`, { detail });
  }
  return { path: file, realPath: real, size: st.size, mtimeMs: st.mtimeMs };
}

/** Resolves links and checks (with stat, no open) that `file` is a regular file within the cap. */
export async function statRegular(file: string, opts: SafeReadOptions = {}): Promise<RegularFile> {
  const what = opts.what ?? path.basename(file);
  try {
    const real = await fsp.realpath(file);
    return check(file, real, await fsp.stat(real), opts);
  } catch (e) {
    if (e instanceof UnsafeFileError) throw e;
    throw ioFailure(file, what, e);
  }
}

/** statRegular, synchronously (for native code that opens the path itself, e.g. onnxruntime). */
export function statRegularSync(file: string, opts: SafeReadOptions = {}): RegularFile {
  const what = opts.what ?? path.basename(file);
  try {
    const real = fs.realpathSync(file);
    return check(file, real, fs.statSync(real), opts);
  } catch (e) {
    if (e instanceof UnsafeFileError) throw e;
    throw ioFailure(file, what, e);
  }
}

/** Opens `file` for reading after the checks above; the caller closes the handle. */
export async function openRegular(
  file: string,
  opts: SafeReadOptions = {},
): Promise<{ handle: fsp.FileHandle; info: RegularFile }> {
  const what = opts.what ?? path.basename(file);
  let handle: fsp.FileHandle | undefined;
  try {
    const real = await fsp.realpath(file);
    handle = await fsp.open(real, OPEN_FLAGS);
    const info = check(file, real, await handle.stat(), opts);
    return { handle, info };
  } catch (e) {
    await handle?.close().catch(() => undefined);
    if (e instanceof UnsafeFileError) throw e;
    throw ioFailure(file, what, e);
  }
}

/** openRegular, synchronously: returns a file descriptor the caller closes. */
export function openRegularSync(file: string, opts: SafeReadOptions = {}): { fd: number; info: RegularFile } {
  const what = opts.what ?? path.basename(file);
  let fd: number | undefined;
  try {
    const real = fs.realpathSync(file);
    fd = fs.openSync(real, OPEN_FLAGS);
    const info = check(file, real, fs.fstatSync(fd), opts);
    return { fd, info };
  } catch (e) {
    if (fd !== undefined) fs.closeSync(fd);
    if (e instanceof UnsafeFileError) throw e;
    throw ioFailure(file, what, e);
  }
}

const CHUNK = 1 << 20;

function tooLargeWhileReading(file: string, what: string, limit: number): UnsafeFileError {
  const detail = `${what} is larger than ${formatSize(limit)} (it grew while being read, or does not report its size); at most ${formatSize(limit)} is accepted`;
  return new UnsafeFileError('too_large', file, `${file}: ${detail}`, { detail });
}

/** The bookkeeping of one bounded read, the same for the async and the sync reader. */
class BoundedRead {
  private readonly chunks: Buffer[] = [];
  private readonly limit: number;
  total = 0;
  constructor(
    private readonly file: string,
    private readonly what: string,
    info: RegularFile,
    private readonly opts: SafeReadOptions,
  ) {
    this.limit = opts.maxBytes ?? info.size;
  }
  /** Where to read next: one byte past the limit tells "exactly at the limit" from "more than it". */
  buffer(): Buffer {
    return Buffer.allocUnsafe(Math.min(CHUNK, this.limit + 1 - this.total));
  }
  /** Keeps `n` bytes read into `buf`; false at the end of the file; throws past the limit. */
  take(buf: Buffer, n: number): boolean {
    if (n === 0) return false;
    this.chunks.push(buf.subarray(0, n));
    this.total += n;
    if (this.total > this.limit) {
      if (this.opts.maxBytes !== undefined) throw tooLargeWhileReading(this.file, this.what, this.limit);
      throw new UnsafeFileError(
        'changed',
        this.file,
        `${this.what} changed while being read (${this.file}); try again`,
      );
    }
    return true;
  }
  result(): Buffer {
    return Buffer.concat(this.chunks, this.total);
  }
}

/**
 * Reads a whole regular file, never more than `maxBytes` (when given) however the file behaves while
 * it is read. Without `maxBytes` the size fstat reported at open is the bound.
 */
export async function readRegularFile(file: string, opts: SafeReadOptions = {}): Promise<Buffer> {
  const { handle, info } = await openRegular(file, opts);
  try {
    return await readOpened(handle, info, opts);
  } finally {
    await handle.close().catch(() => undefined);
  }
}

/** The bounded read of readRegularFile, for a handle openRegular returned (the caller closes it). */
export async function readOpened(
  handle: fsp.FileHandle,
  info: RegularFile,
  opts: SafeReadOptions = {},
): Promise<Buffer> {
  const file = info.path;
  const what = opts.what ?? path.basename(file);
  try {
    const read = new BoundedRead(file, what, info, opts);
    for (;;) {
      const buf = read.buffer();
      const { bytesRead } = await handle.read(buf, 0, buf.length, read.total);
      if (!read.take(buf, bytesRead)) return read.result();
    }
  } catch (e) {
    if (e instanceof UnsafeFileError) throw e;
    throw ioFailure(file, what, e);
  }
}

/** readRegularFile, synchronously. */
export function readRegularFileSync(file: string, opts: SafeReadOptions = {}): Buffer {
  const what = opts.what ?? path.basename(file);
  const { fd, info } = openRegularSync(file, opts);
  try {
    const read = new BoundedRead(file, what, info, opts);
    for (;;) {
      const buf = read.buffer();
      if (!read.take(buf, fs.readSync(fd, buf, 0, buf.length, read.total))) return read.result();
    }
  } catch (e) {
    if (e instanceof UnsafeFileError) throw e;
    throw ioFailure(file, what, e);
  } finally {
    fs.closeSync(fd);
  }
}

/** UTF-8 text of a regular file (see readRegularFile). */
export async function readRegularText(file: string, opts: SafeReadOptions = {}): Promise<string> {
  return (await readRegularFile(file, opts)).toString('utf8');
}

/** UTF-8 text of a regular file, synchronously. */
export function readRegularTextSync(file: string, opts: SafeReadOptions = {}): string {
  return readRegularFileSync(file, opts).toString('utf8');
}
