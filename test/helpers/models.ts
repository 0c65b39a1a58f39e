/**
 * Tiny random GPT-2 checkpoints for tests, made once per test file (per process) and shared within
 * it. Treat the returned folder as read-only; copy it if a test needs to change files. The folders
 * are removed after the importing test file's tests (vitest ends its workers without an 'exit' event).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll } from 'vitest';
import { makeTestModel, type MakeTestModelOptions } from '../../electron/engine/weights/testModel';

export type TinyModelOptions = Omit<MakeTestModelOptions, 'outDir'>;

/** Defaults: 2 layers, 64 embd, 4 heads, 1024 positions, the full 50257 vocabulary, seed 1, F32. */
export const TINY_MODEL: Required<TinyModelOptions> = {
  layers: 2,
  embd: 64,
  heads: 4,
  positions: 1024,
  vocabSize: 50257,
  seed: 1,
  dtype: 'F32',
  prefix: false,
};

let root: string | undefined;
let counter = 0;
const made = new Map<string, Promise<string>>();

/** Folder of a random checkpoint for these options (merged over TINY_MODEL), created on first use. */
export function tinyModelDir(opts: TinyModelOptions = {}): Promise<string> {
  const full: Required<TinyModelOptions> = { ...TINY_MODEL };
  for (const [k, v] of Object.entries(opts)) if (v !== undefined) Object.assign(full, { [k]: v });
  const key = JSON.stringify(Object.entries(full).sort(([a], [b]) => a.localeCompare(b)));
  let dir = made.get(key);
  if (!dir) {
    if (!root) {
      const created = fs.mkdtempSync(path.join(os.tmpdir(), 'inkling-test-models-'));
      root = created;
      process.on('exit', () => fs.rmSync(created, { recursive: true, force: true })); // outside vitest
    }
    const outDir = path.join(root, `model-${counter++}`);
    dir = makeTestModel({ ...full, outDir }).then(() => outDir);
    // A failed build should not be cached: the next call tries again and reports its own error.
    dir.catch(() => made.delete(key));
    made.set(key, dir);
  }
  return dir;
}

function removeAll(): void {
  if (root) fs.rmSync(root, { recursive: true, force: true });
  root = undefined;
  made.clear();
}

// Registered while the importing test file is being collected, so it runs after that file's tests.
afterAll(removeAll);
