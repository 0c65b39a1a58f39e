/**
 * Hugging Face GPT-2 checkpoint folder → Inkling model folder:
 *   <out>/model.onnx + model.onnx_data   the graph in Inkling's layout (graph/contract.ts)
 *   <out>/config.json, vocab.json, merges.txt, tokenizer.json
 *   <out>/inkling.json                    written last: format, precision, config, sha256 of every file
 * A folder without inkling.json is an unfinished conversion and is never loaded.
 *
 * Precisions: fp32 (exact), fp16 (weights stored half), int8 / int4 (block-quantized weights). For
 * every precision but fp32 the manifest records how far the model is from fp32 on a fixed text
 * (top-1 agreement and mean KL divergence, graph/quality.ts).
 */
import { existsSync, linkSync, mkdirSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { buildGraph, checkBlockSize, exportHf, PRECISIONS, resolveOptions, type GraphOptimizations } from './graph';
import type { QuantBlockSize } from './graph/params';
import { quantizationReport, REPORT_TEXT, type QuantReport } from './graph/quality';
import { Gpt2Tokenizer } from './tokenizer';
import { loadCheckpoint, readGpt2Config, toHfConfig, type LoadedCheckpoint } from './weights';
import type { Gpt2Config, Gpt2Weights, Precision } from './weights/types';
import { atomicWriteFileSync, sha256File } from '../common/fs';

export const MANIFEST = 'inkling.json';
export const MANIFEST_FORMAT = 'inkling-model';
export const MANIFEST_VERSION = 1;

export interface InklingManifest {
  format: typeof MANIFEST_FORMAT;
  version: number;
  name: string;
  precision: Precision;
  layout: 'inkling';
  /** The graph rewrites this model was built with (graph/ctx.ts). */
  optimizations?: GraphOptimizations;
  /** int8/int4: weights per quantization block (absent in older manifests: 32). */
  blockSize?: QuantBlockSize;
  /** Distance from the fp32 model on a fixed text (absent for fp32 itself). */
  quality?: QuantReport & { reference: 'fp32'; text: string };
  graph: string;
  config: Gpt2Config;
  source: { dir: string; dtype: string };
  files: Record<string, { size: number; sha256: string }>;
  createdAt: string;
}

export interface ConvertOptions {
  precision?: Precision;
  name?: string;
  /** Graph rewrites to turn on or off (default: the fast set); for benchmarks and diagnosis. */
  optimizations?: Partial<GraphOptimizations>;
  /** int8/int4: weights per quantization block, 32 (default), 64 or 128 (graph/params.ts). */
  blockSize?: QuantBlockSize;
  /**
   * Measure the distance from fp32 (default true for every precision but fp32): a separate step
   * after the weights are written, which reads the checkpoint's float32 tensors in place (no copy).
   */
  qualityReport?: boolean;
  onProgress?: (fraction: number, stage: string) => void;
}

export async function convertCheckpoint(
  srcDir: string,
  outDir: string,
  opts: ConvertOptions = {},
): Promise<{ files: string[]; manifest: InklingManifest }> {
  const precision = opts.precision ?? 'fp32';
  if (!PRECISIONS.includes(precision)) {
    throw new Error(`precision "${String(precision)}" is not supported; choose one of ${PRECISIONS.join(', ')}`);
  }
  const progress = opts.onProgress ?? (() => {});
  // The quality measurement is its own step (loading and running an fp32 reference and the
  // converted model once each); it can be skipped.
  const measure = precision !== 'fp32' && (opts.qualityReport ?? true);
  const src = resolve(srcDir);
  // A block size that is unknown or does not divide the model's width is refused before anything is written.
  const { blockSize } = resolveOptions({
    layout: 'inkling',
    precision,
    ...(opts.blockSize !== undefined ? { blockSize: opts.blockSize } : {}),
  });
  if (precision === 'int8' || precision === 'int4') checkBlockSize(readGpt2Config(src), precision, blockSize);
  const out = resolve(outDir);
  prepareOutDir(out);
  progress(0, 'reading checkpoint');
  const tokenizer = Gpt2Tokenizer.fromDir(src);
  // Values are checked for NaN/Inf as each piece is read while the graph is written: one pass over
  // the checkpoint instead of two.
  const weights = await loadCheckpoint(src, { verifyValues: false });
  try {
    progress(0.1, 'building graph');
    const buildOpts = { layout: 'inkling' as const, precision, optimizations: opts.optimizations, blockSize };
    const writeShare = measure ? 0.5 : 0.7;
    const saved = await buildGraph(
      weights,
      { ...buildOpts, onProgress: (f) => progress(0.1 + writeShare * f, `writing ${precision} weights`) },
      join(out, 'model.onnx'),
    );
    let quality: InklingManifest['quality'];
    if (measure) {
      progress(0.6, 'measuring the difference from fp32');
      const refDir = join(out, '.fp32-reference.tmp');
      try {
        const ref = await buildGraph(
          referenceWeights(weights, refDir),
          { layout: 'inkling', precision: 'fp32' },
          join(refDir, 'model.onnx'),
        );
        const report = await quantizationReport(
          ref.onnxPath,
          saved.onnxPath,
          weights.config,
          tokenizer.encode(REPORT_TEXT),
          (f, stage) => progress(0.6 + 0.2 * f, `measuring the difference from fp32: ${stage}`),
        );
        quality = { ...report, reference: 'fp32', text: 'graph/quality.ts REPORT_TEXT' };
      } finally {
        rmSync(refDir, { recursive: true, force: true });
      }
    }
    progress(0.8, 'writing tokenizer');
    tokenizer.writeFiles(out);
    writeFileSync(join(out, 'config.json'), JSON.stringify(toHfConfig(weights.config), null, 2) + '\n');
    progress(0.85, 'hashing files');
    const names = readdirSync(out).filter((f) => f !== MANIFEST && f !== PARTIAL && !f.endsWith('.tmp'));
    const files: InklingManifest['files'] = {};
    for (const f of names.sort())
      files[f] = { size: statSync(join(out, f)).size, sha256: (await sha256File(join(out, f))).sha256 };
    const manifest: InklingManifest = {
      format: MANIFEST_FORMAT,
      version: MANIFEST_VERSION,
      name: opts.name ?? basename(src),
      precision,
      layout: 'inkling',
      optimizations: resolveOptions(buildOpts).opt,
      ...(precision === 'int8' || precision === 'int4' ? { blockSize } : {}),
      ...(quality ? { quality } : {}),
      graph: basename(saved.onnxPath),
      config: weights.config,
      source: { dir: src, dtype: weights.sourceDtype },
      files,
      createdAt: new Date().toISOString(),
    };
    atomicWriteFileSync(join(out, MANIFEST), JSON.stringify(manifest, null, 2) + '\n');
    finishOutDir(out);
    progress(1, 'done');
    return { files: Object.keys(files), manifest };
  } finally {
    weights.close();
  }
}

/**
 * The checkpoint as the temporary fp32 reference graph reads it: where a tensor is stored as
 * float32 in a safetensors file, the graph points into that file through a hard link in `refDir`
 * instead of copying it, so the reference costs no disk writes (6 GB for GPT-2 XL). A hard link,
 * not a symbolic one: onnxruntime refuses external data whose resolved path leaves the graph's
 * folder. Tensors in other dtypes, or a link the file system refuses (another disk), are copied.
 */
export function referenceWeights(weights: LoadedCheckpoint, refDir: string): Gpt2Weights {
  mkdirSync(refDir, { recursive: true });
  const links = new Map<string, string | null>();
  const linkFor = (file: string): string | null => {
    if (!links.has(file)) {
      const name = `source-${links.size}.safetensors`;
      try {
        linkSync(file, join(refDir, name));
        links.set(file, name);
      } catch {
        links.set(file, null); // another file system (EXDEV), or links not allowed
      }
    }
    return links.get(file)!;
  };
  return {
    config: weights.config,
    get: (name) => weights.get(name),
    ...(weights.rows ? { rows: weights.rows } : {}),
    external: (name) => {
      const at = weights.locate?.(name);
      const location = at ? linkFor(at.path) : null;
      return at && location ? { location, offset: at.offset } : null;
    },
  };
}

/** Writes the Hugging Face / transformers.js layout export of a checkpoint folder. */
export async function exportHfFolder(srcDir: string, outDir: string): Promise<void> {
  const src = resolve(srcDir);
  const out = resolve(outDir);
  prepareOutDir(out);
  const weights = await loadCheckpoint(src);
  try {
    await exportHf(weights, src, out);
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
