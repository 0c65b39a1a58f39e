/** Small file helpers shared by the engine (hashing, atomic JSON writes). */
import { createHash } from 'node:crypto';
import { createReadStream, renameSync, writeFileSync, openSync, fsyncSync, closeSync } from 'node:fs';

export async function sha256File(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20 })) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/** Writes JSON to `path` atomically (see writeTextAtomic). */
export function writeJsonAtomic(path: string, value: unknown): void {
  writeTextAtomic(path, JSON.stringify(value, null, 2) + '\n');
}

/** Writes `text` to `path` atomically: a temp file in the same folder, fsync, rename over. */
export function writeTextAtomic(path: string, text: string): void {
  const tmp = `${path}.${process.pid}.${Date.now()}.tmp`;
  writeFileSync(tmp, text);
  const fd = openSync(tmp, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, path);
}
