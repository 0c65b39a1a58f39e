/**
 * Converted (Inkling-layout) and Hugging Face-layout copies of the tiny test checkpoints, made once
 * per test process.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll } from 'vitest';
import { convertCheckpoint, exportHfFolder } from '../../electron/engine/convert';
import { tinyModelDir, type TinyModelOptions } from './models';

const cache = new Map<string, Promise<string>>();
let root: string | undefined;

function outDir(kind: string): string {
  if (!root) {
    const created = fs.mkdtempSync(path.join(os.tmpdir(), 'inkling-test-converted-'));
    root = created;
  }
  return path.join(root, `${kind}-${cache.size}`);
}

function once(key: string, make: () => Promise<string>): Promise<string> {
  let p = cache.get(key);
  if (!p) {
    p = make();
    cache.set(key, p);
  }
  return p;
}

/** An Inkling model folder converted from tinyModelDir(opts). */
export function convertedModelDir(opts: TinyModelOptions = {}): Promise<string> {
  return once(`inkling:${JSON.stringify(opts)}`, async () => {
    const src = await tinyModelDir(opts);
    const out = outDir('inkling');
    await convertCheckpoint(src, out);
    return out;
  });
}

/** A Hugging Face / transformers.js layout export of tinyModelDir(opts). */
export function hfExportDir(opts: TinyModelOptions = {}): Promise<string> {
  return once(`hf:${JSON.stringify(opts)}`, async () => {
    const src = await tinyModelDir(opts);
    const out = outDir('hf');
    await exportHfFolder(src, out);
    return out;
  });
}

// Registered while the importing test file is collected, so it runs after that file's tests
// (vitest ends its workers without an 'exit' event).
afterAll(() => {
  if (root) fs.rmSync(root, { recursive: true, force: true });
  root = undefined;
  cache.clear();
});
