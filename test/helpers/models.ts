/**
 * Tiny random GPT-2 checkpoints for tests, made once per test process and shared within it.
 * Treat the returned folder as read-only; copy it if a test needs to change files.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
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
  const full = { ...TINY_MODEL, ...opts };
  const key = JSON.stringify(Object.entries(full).sort(([a], [b]) => a.localeCompare(b)));
  let dir = made.get(key);
  if (!dir) {
    if (!root) {
      const created = fs.mkdtempSync(path.join(os.tmpdir(), 'inkling-test-models-'));
      root = created;
      process.on('exit', () => fs.rmSync(created, { recursive: true, force: true }));
    }
    const outDir = path.join(root, `model-${counter++}`);
    dir = makeTestModel({ ...full, outDir }).then(() => outDir);
    // A failed build should not be cached: the next call tries again and reports its own error.
    dir.catch(() => made.delete(key));
    made.set(key, dir);
  }
  return dir;
}
