/** Shared pieces of the model-library tests: temp folders, a served test checkpoint, a fake converter. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { makeTestModel } from '../../../electron/engine/weights';
import type { ConvertFn } from '../../../electron/services/models';

export const REPO = 'test-org/tiny-gpt2';

const made: string[] = [];

/** Removes the folders tmpDir made; each test file calls it in afterAll. */
export function removeTmpDirs(): void {
  for (const d of made.splice(0)) fs.rmSync(d, { recursive: true, force: true });
}

/** A fresh temporary folder (removed by removeTmpDirs). */
export function tmpDir(tag: string): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), `inkling-models-${tag}-`));
  made.push(d);
  return d;
}

/**
 * A random GPT-2 checkpoint in the Hugging Face layout, small but large enough that a download
 * takes several chunks: wte is 2048 × 32 fp32 = 256 KiB, so model.safetensors is about 300 KiB.
 */
export async function makeCheckpoint(dir: string, seed = 1): Promise<string> {
  await makeTestModel({ outDir: dir, layers: 1, embd: 32, heads: 2, positions: 64, vocabSize: 2048, seed });
  return dir;
}

/**
 * Stands in for the engine's convertCheckpoint where the test is about the library, not the graph:
 * writes a tiny "model.onnx" (a valid ModelProto prefix is not needed here) and reports progress.
 */
export interface ConvertCall {
  src: string;
  out: string;
  precision: string;
}

export function fakeConvert(calls: ConvertCall[] = []): ConvertFn {
  return async (src, out, opts) => {
    calls.push({ src, out, precision: opts.precision });
    if (!fs.existsSync(path.join(src, 'model.safetensors'))) throw new Error(`model.safetensors missing in ${src}`);
    fs.mkdirSync(out, { recursive: true });
    opts.onProgress?.(0, 'building graph');
    fs.writeFileSync(path.join(out, 'model.onnx'), Buffer.from(`fake ${opts.precision} graph of ${fs.statSync(path.join(src, 'model.safetensors')).size} bytes`));
    fs.copyFileSync(path.join(src, 'config.json'), path.join(out, 'config.json'));
    opts.onProgress?.(1, 'done');
    return { files: ['model.onnx', 'config.json'] };
  };
}

/** Resolves when `cond` holds, checking every 10 ms (no fixed sleeps); rejects after `timeoutMs`. */
export async function waitFor(cond: () => boolean, what: string, timeoutMs = 20_000): Promise<void> {
  const start = Date.now();
  while (!cond()) {
    if (Date.now() - start > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

export const sizeOf = (file: string): number => (fs.existsSync(file) ? fs.statSync(file).size : -1);
