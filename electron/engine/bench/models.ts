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
    ...fs.readdirSync(path.join(here, '..', 'graph')).filter((f) => f.endsWith('.ts')).map((f) => path.join(here, '..', 'graph', f)),
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
export async function ensureBenchModels(root: string, precisions: readonly Precision[], log: (line: string) => void = () => {}): Promise<BenchModels> {
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
