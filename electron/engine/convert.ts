/**
 * Hugging Face GPT-2 checkpoint folder → Inkling model folder:
 *   <out>/model.onnx + model.onnx_data   the graph in Inkling's layout (graph/contract.ts)
 *   <out>/config.json, vocab.json, merges.txt, tokenizer.json
 *   <out>/inkling.json                    written last: format, precision, config, sha256 of every file
 * A folder without inkling.json is an unfinished conversion and is never loaded.
 */
import { existsSync, mkdirSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { buildGraph, exportHf } from './graph';
import { Gpt2Tokenizer } from './tokenizer';
import { loadCheckpoint, toHfConfig } from './weights';
import type { Gpt2Config, Precision } from './weights/types';
import { sha256File, writeJsonAtomic } from './util/files';

export const MANIFEST = 'inkling.json';
export const MANIFEST_FORMAT = 'inkling-model';
export const MANIFEST_VERSION = 1;

export interface InklingManifest {
  format: typeof MANIFEST_FORMAT;
  version: number;
  name: string;
  precision: Precision;
  layout: 'inkling';
  graph: string;
  config: Gpt2Config;
  source: { dir: string; dtype: string };
  files: Record<string, { size: number; sha256: string }>;
  createdAt: string;
}

export interface ConvertOptions {
  precision?: Precision;
  name?: string;
  onProgress?: (fraction: number, stage: string) => void;
}

export async function convertCheckpoint(srcDir: string, outDir: string, opts: ConvertOptions = {}): Promise<{ files: string[]; manifest: InklingManifest }> {
  const precision = opts.precision ?? 'fp32';
  if (precision !== 'fp32') {
    throw new Error(`precision ${precision} is not available yet; this version converts to fp32 only`);
  }
  const progress = opts.onProgress ?? (() => {});
  const src = resolve(srcDir);
  const out = resolve(outDir);
  prepareOutDir(out);
  progress(0, 'reading checkpoint');
  const tokenizer = Gpt2Tokenizer.fromDir(src);
  const weights = await loadCheckpoint(src);
  try {
    progress(0.1, 'building graph');
    const saved = await buildGraph(weights, { layout: 'inkling' }, join(out, 'model.onnx'));
    progress(0.8, 'writing tokenizer');
    tokenizer.writeFiles(out);
    writeFileSync(join(out, 'config.json'), JSON.stringify(toHfConfig(weights.config), null, 2) + '\n');
    progress(0.85, 'hashing files');
    const names = readdirSync(out).filter((f) => f !== MANIFEST && f !== PARTIAL && !f.endsWith('.tmp'));
    const files: InklingManifest['files'] = {};
    for (const f of names.sort()) files[f] = { size: statSync(join(out, f)).size, sha256: await sha256File(join(out, f)) };
    const manifest: InklingManifest = {
      format: MANIFEST_FORMAT,
      version: MANIFEST_VERSION,
      name: opts.name ?? basename(src),
      precision,
      layout: 'inkling',
      graph: basename(saved.onnxPath),
      config: weights.config,
      source: { dir: src, dtype: weights.sourceDtype },
      files,
      createdAt: new Date().toISOString(),
    };
    writeJsonAtomic(join(out, MANIFEST), manifest);
    finishOutDir(out);
    progress(1, 'done');
    return { files: Object.keys(files), manifest };
  } finally {
    weights.close();
  }
}

/** Writes the Hugging Face / transformers.js layout export of a checkpoint folder. */
export async function exportHfFolder(srcDir: string, outDir: string): Promise<void> {
  const src = resolve(srcDir);
  const out = resolve(outDir);
  prepareOutDir(out);
  const tokenizer = Gpt2Tokenizer.fromDir(src);
  const weights = await loadCheckpoint(src);
  const tokDir = join(out, '.tokenizer-tmp');
  try {
    mkdirSync(tokDir, { recursive: true });
    tokenizer.writeFiles(tokDir);
    await exportHf(weights, tokDir, out);
    rmSync(tokDir, { recursive: true, force: true });
    finishOutDir(out);
  } finally {
    weights.close();
  }
}

/** Marks a folder as an unfinished conversion that may be replaced by the next attempt. */
const PARTIAL = '.inkling-partial';

/**
 * The output folder must be new, empty, or an unfinished conversion of ours (marked by PARTIAL),
 * which is replaced. Anything else is refused: a user's folder is never emptied.
 */
function prepareOutDir(out: string): void {
  if (existsSync(out)) {
    if (!statSync(out).isDirectory()) throw new Error(`${out} exists and is not a folder`);
    const entries = readdirSync(out);
    if (entries.length > 0 && !entries.includes(PARTIAL)) {
      throw new Error(`${out} is not empty; choose a new or empty folder for the converted model`);
    }
    for (const e of entries) rmSync(join(out, e), { recursive: true, force: true });
  }
  mkdirSync(out, { recursive: true });
  writeFileSync(join(out, PARTIAL), 'conversion in progress\n');
}

function finishOutDir(out: string): void {
  rmSync(join(out, PARTIAL), { force: true });
}
