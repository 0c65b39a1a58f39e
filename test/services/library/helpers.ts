/**
 * Pieces of the library-manager tests: temp folders, a tiny served checkpoint, a converter that
 * stands in for the graph builder (the tests are about jobs, not graphs), and an engine stand-in
 * that records what it was asked to load (the real engine runs in the e2e test).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { InklingEvents, ModelInfo } from '../../../electron/api';
import { makeTestModel } from '../../../electron/engine/weights';
import type { LoadOptions } from '../../../electron/engine/host/protocol';
import type { EngineLike } from '../../../electron/services/engine';
import type { ConvertFn } from '../../../electron/services/models';

/** A catalog repository, so the library id is the catalog's ("distilgpt2"). */
export const REPO = 'distilbert/distilgpt2';
export const ID = 'distilgpt2';

const made: string[] = [];

export function tmpDir(tag: string): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), `inkling-library-${tag}-`));
  made.push(d);
  return d;
}

export function removeTmpDirs(): void {
  for (const d of made.splice(0)) fs.rmSync(d, { recursive: true, force: true });
}

/** ~300 KiB model.safetensors: wte is 2048 × 32 fp32, so a download takes many chunks. */
export async function makeCheckpoint(dir: string): Promise<string> {
  await makeTestModel({ outDir: dir, layers: 1, embd: 32, heads: 2, positions: 64, vocabSize: 2048, seed: 3 });
  return dir;
}

/** Writes a small "graph" and reports two stages, like the real converter. */
export const fakeConvert: ConvertFn = async (src, out, opts) => {
  fs.mkdirSync(out, { recursive: true });
  opts.onProgress?.(0, 'building graph');
  fs.writeFileSync(
    path.join(out, 'model.onnx'),
    `fake ${opts.precision} graph of ${fs.statSync(path.join(src, 'model.safetensors')).size} bytes`,
  );
  opts.onProgress?.(1, 'done');
  return { files: ['model.onnx'] };
};

/** An engine that loads nothing but records each load (folder + options) and answers like the real one. */
export class RecordingEngine implements EngineLike {
  model: ModelInfo | null = null;
  readonly loads: { dir: string; options?: LoadOptions }[] = [];
  unloads = 0;
  async load(dir: string, options?: LoadOptions): Promise<ModelInfo> {
    this.loads.push({ dir, options });
    // Like the engine host: it is handed one precision's folder (the library resolved it) and its precision.
    const precision = options?.precision ?? path.basename(dir);
    const fellBack = options?.device && options.device !== 'cpu';
    this.model = {
      name: options?.name ?? 'test',
      dir,
      format: 'inkling',
      precision,
      device: 'cpu',
      contextLength: 64,
      nLayer: 1,
      nEmbd: 32,
      nHead: 2,
      vocabSize: 2048,
      loadMs: 1,
      ...(fellBack ? { deviceNote: `${options.device} could not start; using the CPU` } : {}),
    };
    return this.model;
  }
  async unload(): Promise<void> {
    this.unloads++;
    this.model = null;
  }
  generate(): never {
    throw new Error('not used');
  }
  window(): never {
    throw new Error('not used');
  }
  score(): never {
    throw new Error('not used');
  }
  scoreParts(): never {
    throw new Error('not used');
  }
  cancel(): void {}
  readonly forgotten: string[] = [];
  async forget(docId: string): Promise<void> {
    this.forgotten.push(docId);
  }
  async tokenize(): Promise<number[]> {
    return [];
  }
  on(): this {
    return this;
  }
  kill(): void {}
  async dispose(): Promise<void> {}
}

export type Events = { channel: keyof InklingEvents; payload: unknown }[];

/** Resolves when `cond` holds, checking every 10 ms; rejects after `timeoutMs` saying what it waited for. */
export async function waitFor(cond: () => boolean | Promise<boolean>, what: string, timeoutMs = 20_000): Promise<void> {
  const start = Date.now();
  while (!(await cond())) {
    if (Date.now() - start > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}
