/**
 * safetensors writer. Tensors are written one at a time in the order given, each converted to its
 * dtype just before it is written, so a tensor may also be given as a function that produces its
 * data: then only one tensor is in memory at a time (how make-test-model writes GPT-2 124M+).
 * The header is padded with spaces to a multiple of 8 bytes, as the reference implementation does,
 * so the data section is 8-byte aligned. The file appears atomically (written to a temporary name,
 * then renamed).
 */
import fs from 'node:fs';
import os from 'node:os';
import { commitTempFile, tempPathFor } from '../../common/fs';
import { f32ToBf16Array, f32ToF16Array } from './half';
import { formatShape, weightsError } from './errors';

export type WritableDtype = 'F32' | 'F16' | 'BF16';

export interface TensorToWrite {
  name: string;
  dtype: WritableDtype;
  shape: number[];
  /** The values in row-major order, or a function returning them when the writer reaches this tensor. */
  data: Float32Array | (() => Float32Array);
}

const BYTES: Record<WritableDtype, number> = { F32: 4, F16: 2, BF16: 2 };

export async function writeSafetensors(
  file: string,
  tensors: TensorToWrite[],
  metadata?: Record<string, string>,
): Promise<void> {
  if (os.endianness() !== 'LE')
    throw weightsError(file, undefined, 'writing safetensors needs a little-endian machine');

  // Header first: it only needs names, dtypes and shapes.
  const header: Record<string, unknown> = {};
  if (metadata && Object.keys(metadata).length > 0) header.__metadata__ = { ...metadata };
  let offset = 0;
  const seen = new Set<string>();
  for (const t of tensors) {
    if (t.name === '__metadata__' || seen.has(t.name))
      throw weightsError(file, t.name, 'tensor name is reserved or used twice');
    seen.add(t.name);
    if (!(t.dtype in BYTES))
      throw weightsError(file, t.name, `cannot write dtype ${String(t.dtype)} (expected F32, F16 or BF16)`);
    if (!t.shape.every((d) => Number.isSafeInteger(d) && d >= 0))
      throw weightsError(file, t.name, `bad shape ${formatShape(t.shape)}`);
    const bytes = t.shape.reduce((a, b) => a * b, 1) * BYTES[t.dtype];
    header[t.name] = { dtype: t.dtype, shape: t.shape, data_offsets: [offset, offset + bytes] };
    offset += bytes;
  }
  let json = JSON.stringify(header);
  json += ' '.repeat((8 - (Buffer.byteLength(json) % 8)) % 8);
  const headerBytes = Buffer.from(json, 'utf8');
  const prefix = Buffer.alloc(8);
  prefix.writeBigUInt64LE(BigInt(headerBytes.length));

  const tmp = tempPathFor(file);
  const handle = await fs.promises.open(tmp, 'w');
  try {
    await writeAll(handle, prefix);
    await writeAll(handle, headerBytes);
    for (const t of tensors) {
      const data = typeof t.data === 'function' ? t.data() : t.data;
      const count = t.shape.reduce((a, b) => a * b, 1);
      if (data.length !== count) {
        throw weightsError(
          file,
          t.name,
          `shape ${formatShape(t.shape)} needs ${count} values but ${data.length} were given`,
        );
      }
      await writeAll(handle, encode(data, t.dtype));
    }
    await handle.close();
  } catch (e) {
    await handle.close().catch(() => undefined);
    await fs.promises.rm(tmp, { force: true });
    throw e;
  }
  await commitTempFile(tmp, file);
}

function encode(data: Float32Array, dtype: WritableDtype): Uint8Array {
  const typed = dtype === 'F32' ? data : dtype === 'F16' ? f32ToF16Array(data) : f32ToBf16Array(data);
  return new Uint8Array(typed.buffer, typed.byteOffset, typed.byteLength);
}

async function writeAll(handle: fs.promises.FileHandle, bytes: Uint8Array): Promise<void> {
  // FileHandle.write may write less than asked for very large buffers; loop until done.
  let done = 0;
  while (done < bytes.length) {
    const { bytesWritten } = await handle.write(bytes, done, Math.min(bytes.length - done, 1 << 30));
    done += bytesWritten;
  }
}
