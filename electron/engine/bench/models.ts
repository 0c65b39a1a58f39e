/**
 * The benchmark's subject, built once and cached (default `.cache/bench/`, git-ignored):
 *   checkpoint/        random-weight GPT-2 of 124M shape (12 layers, n_embd 768, 12 heads), seed 1
 *   inkling-<p>/       Inkling conversions, one per precision
 *   hf/                the same weights in the Hugging Face / transformers.js layout (the peer's)
 * A conversion is rebuilt when the graph builder's sources change (a fingerprint of graph/*.ts is
 * kept next to it), so figures always come from the current graph.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { convertCheckpoint, exportHfFolder, MANIFEST, type InklingManifest } from '../convert';
import { makeTestModel } from '../weights';
import type { Precision } from '../weights/types';

export const BENCH_SHAPE = { layers: 12, embd: 768, heads: 12, positions: 1024, seed: 1 } as const;

export interface BenchModels {
  checkpoint: string;
  inkling: Partial<Record<Precision, string>>;
  hf: string;
}

const STAMP = 'bench-stamp.json';

/** Changes whenever any file of the graph builder (or the converter) changes. */
function graphFingerprint(): string {
  const here = path.dirname(fileURLToPath(import.meta.url));
  const files = [
    ...fs
      .readdirSync(path.join(here, '..', 'graph'))
      .filter((f) => f.endsWith('.ts'))
      .map((f) => path.join(here, '..', 'graph', f)),
    path.join(here, '..', 'convert.ts'),
  ].sort();
  const h = createHash('sha256');
  for (const f of files) h.update(path.basename(f)).update(fs.readFileSync(f));
  return h.digest('hex').slice(0, 16);
}

function stampOk(dir: string, want: string): boolean {
  try {
    return (JSON.parse(fs.readFileSync(path.join(dir, STAMP), 'utf8')) as { key: string }).key === want;
  } catch {
    return false;
  }
}

function writeStamp(dir: string, key: string): void {
  fs.writeFileSync(path.join(dir, STAMP), JSON.stringify({ key }) + '\n');
}

/** Builds whatever is missing or stale; `log` hears one line per step taken. */
export async function ensureBenchModels(
  root: string,
  precisions: readonly Precision[],
  log: (line: string) => void = () => {},
): Promise<BenchModels> {
  fs.mkdirSync(root, { recursive: true });
  const checkpoint = path.join(root, 'checkpoint');
  const ckptKey = JSON.stringify(BENCH_SHAPE);
  if (!stampOk(checkpoint, ckptKey)) {
    log('writing the 124M-shape random checkpoint');
    fs.rmSync(checkpoint, { recursive: true, force: true });
    await makeTestModel({ outDir: checkpoint, ...BENCH_SHAPE });
    writeStamp(checkpoint, ckptKey);
  }
  const fingerprint = `${ckptKey}:${graphFingerprint()}`;
  const inkling: BenchModels['inkling'] = {};
  for (const precision of precisions) {
    const dir = path.join(root, `inkling-${precision}`);
    if (!stampOk(dir, `${fingerprint}:${precision}`) || !fs.existsSync(path.join(dir, MANIFEST))) {
      log(`converting to Inkling ${precision}`);
      fs.rmSync(dir, { recursive: true, force: true });
      await convertCheckpoint(checkpoint, dir, { precision, name: `gpt2-124m-random-${precision}` });
      writeStamp(dir, `${fingerprint}:${precision}`);
    }
    inkling[precision] = dir;
  }
  const hf = path.join(root, 'hf');
  if (!stampOk(hf, fingerprint)) {
    log('exporting the Hugging Face layout for the peer');
    fs.rmSync(hf, { recursive: true, force: true });
    await exportHfFolder(checkpoint, hf);
    writeStamp(hf, fingerprint);
  }
  return { checkpoint, inkling, hf };
}

/** The larger GPT-2 shapes `--shapes` measures (random weights of the real shapes). */
export const BENCH_SHAPES = {
  medium: { layers: 24, embd: 1024, heads: 16, positions: 1024, seed: 1 },
  xl: { layers: 48, embd: 1600, heads: 25, positions: 1024, seed: 1 },
} as const;
export type BenchShapeName = keyof typeof BENCH_SHAPES;

/** `--shapes medium,xl` → the shape names; throws a message naming the valid ones. */
export function shapeNames(value: string): BenchShapeName[] {
  const names = value
    .split(',')
    .map((s) => s.trim().toLowerCase())
    .filter(Boolean);
  const valid = Object.keys(BENCH_SHAPES);
  if (names.length === 0 || names.some((n) => !valid.includes(n))) {
    throw new Error(`--shapes takes a comma-separated list of ${valid.join(', ')}; got "${value}"`);
  }
  return [...new Set(names)] as BenchShapeName[];
}

export interface ShapeModels {
  checkpoint: string;
  /** Precision → model folder, and the wall time its conversion took (measured when it was built). */
  inkling: Partial<Record<Precision, { dir: string; convertMs: number; qualityMs?: number; builtAt: string }>>;
}

/**
 * A larger shape's models under `<root>/<shape>/`, built once and kept (the checkpoint alone is
 * 1.4 GB for medium, 6.2 GB for XL). Conversions are timed as they are built, with the quality
 * measurement (a separate step) timed on its own; a cached conversion keeps the figures of its build.
 */
export async function ensureShapeModels(
  root: string,
  shape: BenchShapeName,
  precisions: readonly Precision[],
  log: (line: string) => void = () => {},
): Promise<ShapeModels> {
  const dims = BENCH_SHAPES[shape];
  const base = path.join(root, shape);
  fs.mkdirSync(base, { recursive: true });
  const checkpoint = path.join(base, 'checkpoint');
  const ckptKey = JSON.stringify(dims);
  if (!stampOk(checkpoint, ckptKey)) {
    log(`writing the ${shape}-shape random checkpoint (${dims.layers} layers, n_embd ${dims.embd}; once)`);
    fs.rmSync(checkpoint, { recursive: true, force: true });
    await makeTestModel({ outDir: checkpoint, ...dims });
    writeStamp(checkpoint, ckptKey);
  }
  const fingerprint = `${ckptKey}:${graphFingerprint()}`;
  const inkling: ShapeModels['inkling'] = {};
  for (const precision of precisions) {
    const dir = path.join(base, `inkling-${precision}`);
    const key = `${fingerprint}:${precision}`;
    const timesFile = path.join(dir, 'bench-times.json');
    if (!stampOk(dir, key) || !fs.existsSync(path.join(dir, MANIFEST)) || !fs.existsSync(timesFile)) {
      log(`converting the ${shape} shape to ${precision} (timed)`);
      fs.rmSync(dir, { recursive: true, force: true });
      let qualityAt = 0;
      let qualityEnd = 0;
      const t0 = performance.now();
      await convertCheckpoint(checkpoint, dir, {
        precision,
        name: `gpt2-${shape}-random-${precision}`,
        onProgress: (_f, stage) => {
          if (!qualityAt && stage.startsWith('measuring')) qualityAt = performance.now();
          if (qualityAt && !qualityEnd && !stage.startsWith('measuring')) qualityEnd = performance.now();
        },
      });
      const t1 = performance.now();
      // The conversion without the quality step (what a writer waits for with --no-quality), and that step alone.
      const times =
        qualityAt && qualityEnd
          ? { convertMs: qualityAt - t0 + (t1 - qualityEnd), qualityMs: qualityEnd - qualityAt }
          : { convertMs: t1 - t0 };
      fs.writeFileSync(timesFile, JSON.stringify({ ...times, builtAt: new Date().toISOString() }) + '\n');
      writeStamp(dir, key);
    }
    const times = JSON.parse(fs.readFileSync(timesFile, 'utf8')) as {
      convertMs: number;
      qualityMs?: number;
      builtAt: string;
    };
    inkling[precision] = { dir, ...times };
  }
  return { checkpoint, inkling };
}

export function readBenchManifest(dir: string): InklingManifest {
  return JSON.parse(fs.readFileSync(path.join(dir, MANIFEST), 'utf8')) as InklingManifest;
}

/**
 * Bytes of weights one decode step reads: the whole data file except what is only looked up one
 * row at a time (the position table, and the token table when the head has its own copy), at the
 * width they are computed in (fp16 is widened to fp32 at load).
 */
export function decodeWeightBytes(dir: string, precision: Precision): number {
  const m = readBenchManifest(dir);
  const data = m.files['model.onnx_data']?.size ?? 0;
  const { vocabSize: V, nEmbd: C, nPositions: P } = m.config;
  const f32 = 4;
  const wpe = precision === 'fp16' ? P * C * 2 : P * C * f32;
  if (precision === 'int8' || precision === 'int4') {
    // The embedding lookup reads from its own block-quantized copy of wte: codes + scales + zero points.
    const bits = precision === 'int8' ? 8 : 4;
    const blocks = C / 32;
    const gatherCopy = (V * C * bits) / 8 + V * blocks * f32 + V * Math.ceil((blocks * bits) / 8);
    return data - wpe - gatherCopy;
  }
  // fp16 weights are cast to fp32 when the session loads: each step reads them at twice their stored size.
  if (precision === 'fp16') return 2 * (data - wpe);
  return data - wpe; // fp32: the one wte serves both the lookup and the head, which reads all of it
}
