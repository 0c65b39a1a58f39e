/**
 * Steps shared by pulling and importing: converting a checkpoint into `<model>/<precision>/` and
 * recording what came out (sizes + sha256) as a manifest precision entry.
 */
import fsp from 'node:fs/promises';
import path from 'node:path';
import { InklingError } from '../../common/errors';
import { abortedError } from './errors';
import { sha256File } from '../../common/fs';
import type { Precision } from './catalog';
import type { ManifestFile, PrecisionEntry, QuantError } from './manifest';

export interface ConvertResult {
  /** Files written, relative to outDir (absolute paths are accepted too). */
  files: string[];
  /** The converter's own record, when it has one: hashes we can reuse instead of rehashing. */
  manifest?: { graph?: string; files?: Record<string, { size: number; sha256: string }>; quantError?: QuantError };
  quantError?: QuantError;
}

export type ConvertFn = (
  srcDir: string,
  outDir: string,
  opts: {
    precision: Precision;
    onProgress?: (fraction: number, stage: string) => void;
    signal?: AbortSignal;
    /**
     * Measure a quantized precision against fp32 (default true). It builds and runs a temporary
     * fp32 graph, so it needs fp32's memory and about fp32's size in free disk space.
     */
    qualityReport?: boolean;
  },
) => Promise<ConvertResult>;

/** The engine's converter, loaded only when a conversion actually runs (it pulls in the graph builder). */
export const defaultConvert: ConvertFn = async (srcDir, outDir, opts) => {
  const { convertCheckpoint } = await import('../../engine/convert');
  const r = await convertCheckpoint(srcDir, outDir, opts);
  // The converter's `quality` is what the library calls the quantization error.
  const q = r.manifest.quality;
  const quantError: QuantError | undefined = q ? { top1Agreement: q.top1Agreement, meanKl: q.meanKl, text: `${q.text} (${q.tokens} tokens)` } : undefined;
  return { files: r.files, manifest: { graph: r.manifest.graph, files: r.manifest.files }, ...(quantError ? { quantError } : {}) };
};

/** Every regular file under `dir`, as '/'-separated paths relative to it, sorted. */
export async function listTree(dir: string, prefix = ''): Promise<string[]> {
  const out: string[] = [];
  for (const e of await fsp.readdir(path.join(dir, prefix), { withFileTypes: true })) {
    const rel = prefix ? `${prefix}/${e.name}` : e.name;
    if (e.isDirectory()) out.push(...(await listTree(dir, rel)));
    else if (e.isFile()) out.push(rel);
  }
  return out.sort();
}

/**
 * Hashes the files under `<modelDir>/<sub>` into manifest entries (paths relative to modelDir).
 * `known` hashes (from the converter) are reused when the size on disk still matches.
 */
export async function recordTree(
  modelDirPath: string,
  sub: string,
  known: Record<string, { size: number; sha256: string }> = {},
  signal?: AbortSignal,
): Promise<ManifestFile[]> {
  const root = path.join(modelDirPath, sub);
  const files: ManifestFile[] = [];
  for (const rel of await listTree(root)) {
    const abs = path.join(root, rel);
    const size = (await fsp.stat(abs)).size;
    const k = known[rel];
    const sha256 = k && k.size === size && /^[0-9a-f]{64}$/.test(k.sha256) ? k.sha256 : (await sha256File(abs, { signal, abortError: () => abortedError(rel) })).sha256;
    files.push({ path: `${sub}/${rel}`, size, sha256, verifiedBy: 'local' });
  }
  return files;
}

/** Converts `sourceDir` into `<modelDir>/<precision>/` (replacing leftovers) and describes the result. */
export async function convertInto(opts: {
  modelDirPath: string;
  sourceDir: string;
  precision: Precision;
  convert: ConvertFn;
  onProgress?: (fraction: number, stage: string) => void;
  signal?: AbortSignal;
  qualityReport?: boolean;
}): Promise<PrecisionEntry> {
  const { modelDirPath, precision, signal } = opts;
  const outDir = path.join(modelDirPath, precision);
  // No manifest names this folder yet, so anything in it is a leftover from an interrupted run.
  await fsp.rm(outDir, { recursive: true, force: true });
  if (signal?.aborted) throw abortedError(`converting to ${precision}`);
  let result: ConvertResult;
  try {
    result = await opts.convert(opts.sourceDir, outDir, { precision, onProgress: opts.onProgress, signal, ...(opts.qualityReport === false ? { qualityReport: false } : {}) });
  } catch (err) {
    if (signal?.aborted) throw abortedError(`converting to ${precision}`);
    throw new InklingError('model_invalid', `Converting ${opts.sourceDir} to ${precision} failed: ${(err as Error).message}`, { cause: err });
  }
  if (signal?.aborted) throw abortedError(`converting to ${precision}`);
  const files = await recordTree(modelDirPath, precision, result.manifest?.files, signal);
  const named = result.files.map((f) => (path.isAbsolute(f) ? path.relative(outDir, f) : f).split(path.sep).join('/'));
  for (const f of named) {
    if (!files.some((x) => x.path === `${precision}/${f}`)) {
      throw new InklingError('model_invalid', `Converting to ${precision}: the converter reported ${f}, but ${path.join(outDir, f)} does not exist`);
    }
  }
  const graphName = result.manifest?.graph ?? named.find((f) => f.endsWith('.onnx')) ?? files.find((f) => f.path.endsWith('.onnx'))?.path.slice(precision.length + 1);
  if (!graphName) throw new InklingError('model_invalid', `Converting to ${precision}: no .onnx graph was written to ${outDir}`);
  const quantError = result.quantError ?? result.manifest?.quantError;
  return {
    format: 'inkling',
    dir: precision,
    graph: `${precision}/${graphName}`,
    files,
    bytes: files.reduce((a, f) => a + f.size, 0),
    createdAt: new Date().toISOString(),
    ...(quantError ? { quantError } : {}),
  };
}
