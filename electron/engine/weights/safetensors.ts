/**
 * safetensors reader, validating the way the reference implementation (huggingface/safetensors)
 * does:
 *
 *   [u64 little-endian N][N bytes of UTF-8 JSON header][data section]
 *   header = { "__metadata__"?: {string: string}, "<tensor>": {dtype, shape, data_offsets: [begin, end]} }
 *
 * Offsets are relative to the data section; sorted by begin, the tensors must tile the data section
 * exactly (no gap, no overlap, nothing after the last one), and each tensor's byte length must be
 * product(shape) × dtype size. Only the header is read on open; tensors are read on demand with
 * positioned reads, so a multi-GB checkpoint is never held in memory twice.
 */
import { describeValue, quote } from '../../common/describe';
import fs from 'node:fs';
import os from 'node:os';
import { bf16ToF32Array, f16ToF32Array } from './half';
import { formatShape, weightsError } from './errors';
import { UnsafeFileError, openRegularSync } from '../util/safeRead';

/** The reference implementation's bound on the header size. */
export const MAX_HEADER_BYTES = 100_000_000;

/** Byte size of every dtype the safetensors format defines (used to validate the layout). */
const DTYPE_BYTES: Readonly<Record<string, number>> = {
  BOOL: 1,
  U8: 1,
  I8: 1,
  F8_E5M2: 1,
  F8_E4M3: 1,
  I16: 2,
  U16: 2,
  F16: 2,
  BF16: 2,
  I32: 4,
  U32: 4,
  F32: 4,
  I64: 8,
  U64: 8,
  F64: 8,
};

/** Dtypes this reader converts to Float32Array. */
export const READABLE_DTYPES = ['F32', 'F16', 'BF16', 'F64'] as const;

export interface TensorInfo {
  name: string;
  dtype: string;
  shape: number[];
  /** Byte range inside the data section: [begin, end). */
  begin: number;
  end: number;
}

export interface SafetensorsHeader {
  metadata: Record<string, string>;
  /** In file order of their data (sorted by begin). */
  tensors: TensorInfo[];
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function isCount(v: unknown): v is number {
  return typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
}

/**
 * Parses and validates a header against the size of the data section that follows it.
 * `file` is only used in messages.
 */
export function parseSafetensorsHeader(headerBytes: Uint8Array, dataLength: number, file: string): SafetensorsHeader {
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(headerBytes);
  } catch {
    throw weightsError(file, undefined, 'header is not valid UTF-8; this is not a safetensors file or it is corrupted');
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw weightsError(
      file,
      undefined,
      `header is not valid JSON (${(e as Error).message}); this is not a safetensors file or it is corrupted`,
    );
  }
  if (!isPlainObject(json))
    throw weightsError(
      file,
      undefined,
      'header must be a JSON object mapping tensor names to {dtype, shape, data_offsets}',
    );

  const metadata: Record<string, string> = {};
  const tensors: TensorInfo[] = [];
  for (const [name, entry] of Object.entries(json)) {
    if (name === '__metadata__') {
      if (!isPlainObject(entry)) throw weightsError(file, undefined, '__metadata__ must be an object of string values');
      for (const [k, v] of Object.entries(entry)) {
        if (typeof v !== 'string')
          throw weightsError(file, undefined, `__metadata__.${k} must be a string, found ${describeValue(v)}`);
        metadata[k] = v;
      }
      continue;
    }
    tensors.push(parseEntry(name, entry, dataLength, file));
  }

  // Sorted by position, every tensor must start exactly where the previous one ended.
  tensors.sort((a, b) => a.begin - b.begin || a.end - b.end);
  let expectedBegin = 0;
  let previous: TensorInfo | undefined;
  for (const t of tensors) {
    if (t.begin < expectedBegin) {
      throw weightsError(
        file,
        t.name,
        `data_offsets [${t.begin}, ${t.end}] overlap ${previous!.name} [${previous!.begin}, ${previous!.end}]`,
      );
    }
    if (t.begin > expectedBegin) {
      const after = previous ? `after ${previous.name}` : 'at the start of the data section';
      throw weightsError(
        file,
        t.name,
        `data_offsets [${t.begin}, ${t.end}] leave a gap of ${t.begin - expectedBegin} bytes ${after} (bytes ${expectedBegin}..${t.begin} belong to no tensor)`,
      );
    }
    expectedBegin = t.end;
    previous = t;
  }
  if (expectedBegin !== dataLength) {
    const last = previous
      ? `the last tensor (${previous.name}) ends at byte ${expectedBegin}`
      : 'the header lists no tensors';
    throw weightsError(
      file,
      undefined,
      `the data section is ${dataLength} bytes but ${last}: the file is ${dataLength - expectedBegin} bytes too long`,
    );
  }
  return { metadata, tensors };
}

function parseEntry(name: string, entry: unknown, dataLength: number, file: string): TensorInfo {
  if (!isPlainObject(entry))
    throw weightsError(file, name, 'header entry must be an object {dtype, shape, data_offsets}');
  const { dtype, shape, data_offsets: offsets } = entry;
  if (typeof dtype !== 'string')
    throw weightsError(file, name, `dtype must be a string, found ${describeValue(dtype)}`);
  const size = DTYPE_BYTES[dtype];
  if (size === undefined)
    throw weightsError(
      file,
      name,
      `unknown dtype ${quote(dtype)} (safetensors dtypes are ${Object.keys(DTYPE_BYTES).join(', ')})`,
    );
  if (!Array.isArray(shape) || !shape.every(isCount))
    throw weightsError(file, name, `shape must be an array of non-negative integers, found ${describeValue(shape)}`);
  if (!Array.isArray(offsets) || offsets.length !== 2 || !offsets.every(isCount)) {
    throw weightsError(
      file,
      name,
      `data_offsets must be two non-negative integers [begin, end], found ${describeValue(offsets)}`,
    );
  }
  const [begin, end] = offsets as [number, number];
  if (end < begin) throw weightsError(file, name, `data_offsets [${begin}, ${end}] end before they begin`);
  if (end > dataLength) {
    throw weightsError(
      file,
      name,
      `data_offsets [${begin}, ${end}] are out of range: the data section is only ${dataLength} bytes (file truncated?)`,
    );
  }
  const count = (shape as number[]).reduce((a, b) => a * b, 1);
  if (!Number.isSafeInteger(count * size))
    throw weightsError(file, name, `shape ${formatShape(shape as number[])} is too large`);
  if (count * size !== end - begin) {
    throw weightsError(
      file,
      name,
      `shape ${formatShape(shape as number[])} × ${dtype} (${size} bytes) needs ${count * size} bytes but data_offsets [${begin}, ${end}] span ${end - begin}`,
    );
  }
  return { name, dtype, shape: (shape as number[]).slice(), begin, end };
}

/** Largest single read (readSync takes an int32 length). */
const READ_CHUNK = 1 << 30;

/** An open safetensors file: header parsed and validated, tensors read on demand. */
export class SafetensorsFile {
  readonly metadata: Record<string, string>;
  /** Size of the JSON header in bytes (without the 8-byte length prefix). */
  readonly headerLength: number;
  private readonly byName = new Map<string, TensorInfo>();
  private fd: number | undefined;

  private constructor(
    readonly path: string,
    fd: number,
    headerLength: number,
    header: SafetensorsHeader,
  ) {
    this.fd = fd;
    this.headerLength = headerLength;
    this.metadata = header.metadata;
    for (const t of header.tensors) this.byName.set(t.name, t);
  }

  /** Opens `file` and validates its header (reads only the first 8 + N bytes). */
  static open(file: string): SafetensorsFile {
    let fd: number;
    try {
      // Regular files only, opened without blocking: a FIFO named model.safetensors fails here at
      // once instead of hanging the process, a link to /dev/zero is refused instead of read forever.
      fd = openRegularSync(file, { what: 'it' }).fd;
    } catch (e) {
      if (e instanceof UnsafeFileError)
        throw weightsError(
          file,
          undefined,
          e.reason === 'not_found' ? 'file not found' : e.reason === 'io' ? e.message : e.detail,
        );
      throw e;
    }
    try {
      const fileSize = fs.fstatSync(fd).size;
      if (fileSize < 8)
        throw weightsError(
          file,
          undefined,
          `file is ${fileSize} bytes, too short for a safetensors header (at least 8)`,
        );
      const prefix = Buffer.alloc(8);
      readFully(fd, prefix, 0, file);
      const n = prefix.readBigUInt64LE(0);
      if (n > BigInt(MAX_HEADER_BYTES)) {
        throw weightsError(
          file,
          undefined,
          `header length ${n} is larger than the ${MAX_HEADER_BYTES}-byte limit; this is not a safetensors file or it is corrupted`,
        );
      }
      const headerLength = Number(n);
      if (8 + headerLength > fileSize) {
        throw weightsError(
          file,
          undefined,
          `header length ${headerLength} runs past the end of the ${fileSize}-byte file; the file is truncated or not a safetensors file`,
        );
      }
      const headerBytes = Buffer.alloc(headerLength);
      readFully(fd, headerBytes, 8, file);
      const header = parseSafetensorsHeader(headerBytes, fileSize - 8 - headerLength, file);
      return new SafetensorsFile(file, fd, headerLength, header);
    } catch (e) {
      fs.closeSync(fd);
      throw e;
    }
  }

  /** Tensor names in data order. */
  names(): string[] {
    return [...this.byName.keys()];
  }

  has(name: string): boolean {
    return this.byName.has(name);
  }

  info(name: string): TensorInfo {
    const t = this.byName.get(name);
    if (!t) throw weightsError(this.path, name, 'no such tensor in this file');
    return t;
  }

  /** Byte offset of the tensor's data from the start of the file. */
  fileOffset(name: string): number {
    return 8 + this.headerLength + this.info(name).begin;
  }

  /** The tensor's values converted to float32 (F32, F16, BF16 and F64 are supported). */
  read(name: string): Float32Array {
    const t = this.info(name);
    return this.readRange(name, 0, (t.end - t.begin) / (DTYPE_BYTES[t.dtype] ?? 1));
  }

  /**
   * `count` values of the tensor from element `start` on (in its row-major order), converted to
   * float32: a piece of a tensor without reading the rest of it. With `into`, they are written to
   * its first `count` values (an F32 tensor is read straight into it) and that view is returned.
   */
  readRange(name: string, start: number, count: number, into?: Float32Array): Float32Array {
    const t = this.info(name);
    if (!(READABLE_DTYPES as readonly string[]).includes(t.dtype)) {
      throw weightsError(
        this.path,
        name,
        `dtype ${t.dtype} is not supported (expected one of ${READABLE_DTYPES.join(', ')})`,
      );
    }
    if (os.endianness() !== 'LE')
      throw weightsError(this.path, name, 'reading safetensors needs a little-endian machine');
    const size = DTYPE_BYTES[t.dtype];
    const total = (t.end - t.begin) / size;
    if (
      !Number.isSafeInteger(start) ||
      !Number.isSafeInteger(count) ||
      start < 0 ||
      count < 0 ||
      start + count > total
    ) {
      throw weightsError(this.path, name, `cannot read values ${start}..${start + count} of a tensor of ${total}`);
    }
    if (into && into.length < count)
      throw weightsError(this.path, name, `cannot read ${count} values into an array of ${into.length}`);
    const position = 8 + this.headerLength + t.begin + start * size;
    if (into && t.dtype === 'F32') {
      readFully(this.openFd(), new Uint8Array(into.buffer, into.byteOffset, count * 4), position, this.path);
      return into.subarray(0, count);
    }
    // A fresh ArrayBuffer (not a pooled Buffer) so typed-array views over it are aligned.
    const bytes = new Uint8Array(new ArrayBuffer(count * size));
    readFully(this.openFd(), bytes, position, this.path);
    const values = toFloat32(t.dtype, bytes, count);
    if (!into) return values;
    into.set(values);
    return into.subarray(0, count);
  }

  close(): void {
    if (this.fd !== undefined) fs.closeSync(this.fd);
    this.fd = undefined;
  }

  private openFd(): number {
    if (this.fd === undefined) throw weightsError(this.path, undefined, 'file was already closed');
    return this.fd;
  }
}

function toFloat32(dtype: string, bytes: Uint8Array, count: number): Float32Array {
  switch (dtype) {
    case 'F32':
      return new Float32Array(bytes.buffer, 0, count);
    case 'F16':
      return f16ToF32Array(new Uint16Array(bytes.buffer, 0, count));
    case 'BF16':
      return bf16ToF32Array(new Uint16Array(bytes.buffer, 0, count));
    default:
      return Float32Array.from(new Float64Array(bytes.buffer, 0, count));
  }
}

/** Opens and validates a safetensors file; see SafetensorsFile. */
export function openSafetensors(file: string): SafetensorsFile {
  return SafetensorsFile.open(file);
}

function readFully(fd: number, into: Uint8Array, position: number, file: string): void {
  let done = 0;
  while (done < into.length) {
    const n = fs.readSync(fd, into, done, Math.min(READ_CHUNK, into.length - done), position + done);
    if (n === 0)
      throw weightsError(
        file,
        undefined,
        `unexpected end of file at byte ${position + done} (the file changed while reading?)`,
      );
    done += n;
  }
}
