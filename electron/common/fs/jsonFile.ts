/** Small JSON-file helpers for the services' state files (settings, recent files, window state). */
import { promises as fsp } from 'node:fs';
import * as path from 'node:path';
import { atomicWriteFile, errno } from './atomicWrite';

export type JsonRead = { kind: 'missing' } | { kind: 'ok'; value: unknown } | { kind: 'invalid'; reason: string };

export async function readJsonFile(file: string): Promise<JsonRead> {
  let raw: string;
  try {
    raw = await fsp.readFile(file, 'utf8');
  } catch (e) {
    if (errno(e) === 'ENOENT') return { kind: 'missing' };
    return { kind: 'invalid', reason: `could not read ${file}: ${(e as Error).message}` };
  }
  try {
    return { kind: 'ok', value: JSON.parse(raw) };
  } catch (e) {
    return { kind: 'invalid', reason: `${file} is not valid JSON (${(e as Error).message})` };
  }
}

export async function writeJsonFile(file: string, value: unknown): Promise<void> {
  await fsp.mkdir(path.dirname(file), { recursive: true });
  await atomicWriteFile(file, JSON.stringify(value, null, 2) + '\n');
}

/** Serialises async tasks (one file must never see two writers racing). */
export class SerialQueue {
  private tail: Promise<unknown> = Promise.resolve();
  run<T>(task: () => Promise<T>): Promise<T> {
    const next = this.tail.then(task, task);
    this.tail = next.catch(() => undefined);
    return next;
  }
}
