/**
 * importFolder: bring a model from disk into the library.
 *
 *  - A Hugging Face GPT-2 checkpoint folder (config.json, model.safetensors or shards + index,
 *    tokenizer files) is checked with the engine's validateCheckpointDir, copied into
 *    `<model>/source/` (hashing while copying) and converted like a download.
 *  - A Hugging Face ONNX export (`onnx/model.onnx` or `model.onnx`, plus config.json and tokenizer
 *    files; transformers.js / optimum layout) is copied into `<model>/export/` and used as is; its
 *    variants (model_fp16.onnx, model_quantized.onnx, model_q4.onnx, …) become precisions.
 *
 * Files are copied rather than referenced so that moving or deleting the original folder cannot
 * break an installed model. Every problem is reported naming the file.
 */
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { createHash } from 'node:crypto';
import { pipeline } from 'node:stream/promises';
import { Transform } from 'node:stream';
import { InklingError } from '../../common/errors';
import { validateCheckpointDir } from '../../engine/weights/checkpoint';
import { readGpt2ConfigAsync } from '../../engine/weights/config';
import { READ_LIMITS, UnsafeFileError, openRegular, statRegular } from '../../engine/util/safeRead';
import { ExternalDataError, checkExternalData } from '../../engine/graph/externalData';
import { PRECISIONS, type Precision } from './catalog';
import { formatBytes } from './errors';
import { ensureFreeSpace, type StatFs } from './files';
import { convertInto, defaultConvert, listTree, type ConvertFn } from './install';
import { withLock } from './lock';
import { assertValidId, modelDir, readManifest, writeManifest, type ManifestFile, type ModelManifest, type PrecisionEntry } from './manifest';
import type { PullResult } from './pull';

export interface ImportOptions {
  dataDir: string;
  /** Library id; defaults to the folder's name, lowercased. */
  id?: string;
  /** Checkpoint folders are converted to this precision (default fp32). */
  precision?: Precision;
  convert?: ConvertFn;
  onProgress?: (p: { phase: 'copying' | 'converting' | 'done'; fraction: number; file?: string; stage?: string }) => void;
  signal?: AbortSignal;
  statfs?: StatFs;
}

const invalid = (msg: string): InklingError => new InklingError('model_invalid', msg);

const TOKENIZER_FILES = ['tokenizer.json', 'vocab.json', 'merges.txt', 'tokenizer_config.json', 'special_tokens_map.json'];
const CONFIG_FILES = ['config.json', 'generation_config.json'];

/** ONNX variant suffix → precision, in order of preference when two files map to one precision. */
const ONNX_VARIANTS: [RegExp, Precision][] = [
  [/^(model|decoder_model_merged)\.onnx$/, 'fp32'],
  [/^(model|decoder_model_merged)_fp16\.onnx$/, 'fp16'],
  [/^(model|decoder_model_merged)_(quantized|int8|uint8)\.onnx$/, 'int8'],
  [/^(model|decoder_model_merged)_(q4|bnb4|q4f16)\.onnx$/, 'int4'],
];

export type FolderKind = 'hf-checkpoint' | 'hf-onnx';

const exists = (p: string): boolean => fs.existsSync(p);

/** Which kind of folder this is, or an error saying what is missing. */
export function detectFolder(dir: string): FolderKind {
  if (!exists(dir) || !fs.statSync(dir).isDirectory()) throw invalid(`${dir} is not a folder`);
  const onnxHere = (d: string): boolean => exists(d) && fs.readdirSync(d).some((f) => f.endsWith('.onnx'));
  if (onnxHere(path.join(dir, 'onnx')) || onnxHere(dir)) return 'hf-onnx';
  if (['model.safetensors', 'model.safetensors.index.json', 'pytorch_model.bin', 'pytorch_model.bin.index.json'].some((f) => exists(path.join(dir, f)))) {
    return 'hf-checkpoint';
  }
  throw invalid(
    `${dir} is neither a Hugging Face checkpoint folder (no model.safetensors) nor a Hugging Face ONNX export (no onnx/model.onnx or model.onnx)`,
  );
}

function requireTokenizer(dir: string): void {
  const has = (f: string): boolean => exists(path.join(dir, f));
  if (has('tokenizer.json')) return;
  const missing = ['vocab.json', 'merges.txt'].filter((f) => !has(f));
  if (missing.length) throw invalid(`${dir}: ${missing.join(' and ')} ${missing.length > 1 ? 'are' : 'is'} missing (the tokenizer needs vocab.json and merges.txt, or tokenizer.json)`);
}

async function requireConfig(dir: string): Promise<void> {
  try {
    await readGpt2ConfigAsync(path.join(dir, 'config.json'));
  } catch (err) {
    throw invalid(`${dir}: ${(err as Error).message}`);
  }
}

/** The size cap of a file copied from the folder: config and tokenizer files are small; weights are bounded by what they declare. */
function capFor(rel: string): number | undefined {
  const name = path.basename(rel);
  if (CONFIG_FILES.includes(name) || name === 'model.safetensors.index.json') return READ_LIMITS.config;
  if (TOKENIZER_FILES.includes(name)) return READ_LIMITS.tokenizer;
  return undefined;
}

/**
 * Every file to copy must resolve to a regular file within its cap (a link to /dev/zero, a FIFO or a
 * socket is refused, naming the file); returns the sizes the copies must match.
 */
async function checkSources(srcDir: string, rels: string[]): Promise<Map<string, number>> {
  const sizes = new Map<string, number>();
  for (const rel of rels) {
    try {
      sizes.set(rel, (await statRegular(path.join(srcDir, rel), { what: rel, maxBytes: capFor(rel) })).size);
    } catch (err) {
      throw invalid(`Cannot import ${srcDir}: ${err instanceof UnsafeFileError ? err.detail : (err as Error).message}`);
    }
  }
  return sizes;
}

/** Picks the ONNX graphs of an export and their external-data files, per precision. */
export async function findOnnxGraphs(dir: string): Promise<Map<Precision, { graph: string; data: string[] }>> {
  const sub = exists(path.join(dir, 'onnx')) ? 'onnx' : '';
  const names = fs.readdirSync(path.join(dir, sub));
  const found = new Map<Precision, { graph: string; data: string[] }>();
  for (const [re, precision] of ONNX_VARIANTS) {
    const name = names.filter((n) => re.test(n)).sort()[0];
    if (!name || found.has(precision)) continue;
    const rel = sub ? `${sub}/${name}` : name;
    const abs = path.join(dir, rel);
    const head = Buffer.alloc(1);
    let size: number;
    try {
      // Without blocking: a FIFO named model.onnx is refused here instead of freezing the app.
      const { handle, info } = await openRegular(abs, { what: rel });
      size = info.size;
      try {
        await handle.read(head, 0, 1, 0);
      } finally {
        await handle.close();
      }
    } catch (err) {
      throw invalid(err instanceof UnsafeFileError ? err.detail : (err as Error).message);
    }
    // An ONNX ModelProto starts with field 1 (ir_version, varint): tag byte 0x08.
    if (size === 0 || head[0] !== 0x08) throw invalid(`${rel}: not an ONNX model (${size === 0 ? 'the file is empty' : 'it does not start with an ONNX ModelProto'})`);
    // The weights files the graph declares (checked: inside the folder, regular, long enough), plus
    // the usual sidecar names.
    let declared: string[];
    try {
      declared = [...checkExternalData(abs).keys()];
    } catch (err) {
      throw invalid(err instanceof UnsafeFileError ? err.detail : err instanceof ExternalDataError ? err.message : (err as Error).message);
    }
    const sidecars = names.filter((n) => n !== name && (n.startsWith(`${name}_data`) || n.startsWith(`${name}.data`)));
    const data = [...new Set([...sidecars, ...declared.map((d) => path.posix.normalize(d))])].map((n) => (sub ? `${sub}/${n}` : n));
    found.set(precision, { graph: rel, data });
  }
  if (found.size === 0) {
    throw invalid(`${path.join(dir, sub)}: no ONNX graph Inkling recognises (expected model.onnx, model_fp16.onnx, model_quantized.onnx or model_q4.onnx)`);
  }
  return found;
}

/**
 * Copies exactly `size` bytes (what the file measured when it was checked) from a regular file,
 * hashing them. A file that turned into something else, or grew or shrank since, fails the copy:
 * the copy never reads past the declared size.
 */
async function copyHashed(src: string, dest: string, size: number, cap: number | undefined, signal?: AbortSignal): Promise<{ size: number; sha256: string }> {
  await fsp.mkdir(path.dirname(dest), { recursive: true });
  const hash = createHash('sha256');
  let copied = 0;
  let opened;
  try {
    opened = await openRegular(src, { what: path.basename(src), maxBytes: cap });
  } catch (err) {
    throw invalid(err instanceof UnsafeFileError ? err.message : (err as Error).message);
  }
  const { handle, info } = opened;
  try {
    if (info.size !== size) throw invalid(`${src} changed while it was being imported (${size} bytes, now ${info.size}); import again`);
    const tap = new Transform({
      transform(chunk: Buffer, _enc, cb) {
        hash.update(chunk);
        copied += chunk.length;
        cb(null, chunk);
      },
    });
    if (size > 0) {
      // `end` is inclusive: the stream stops at the declared size whatever the file does meanwhile.
      const input = handle.createReadStream({ start: 0, end: size - 1, highWaterMark: 1 << 20, autoClose: false });
      await pipeline(input, tap, fs.createWriteStream(dest), { signal });
    } else {
      await fsp.writeFile(dest, '');
    }
  } finally {
    await handle.close().catch(() => undefined);
  }
  if (copied !== size) throw invalid(`${src} ended after ${copied} of ${size} bytes while it was being imported; import again`);
  return { size: copied, sha256: hash.digest('hex') };
}

async function copyAll(srcDir: string, rels: string[], sizes: Map<string, number>, destDir: string, sub: string, signal: AbortSignal | undefined, progress: (f: number, file: string) => void): Promise<ManifestFile[]> {
  const total = rels.reduce((a, r) => a + (sizes.get(r) ?? 0), 0);
  let done = 0;
  const out: ManifestFile[] = [];
  for (const rel of rels) {
    progress(total ? done / total : 0, rel);
    const r = await copyHashed(path.join(srcDir, rel), path.join(destDir, sub, rel), sizes.get(rel) ?? 0, capFor(rel), signal);
    done += r.size;
    out.push({ path: `${sub}/${rel}`, size: r.size, sha256: r.sha256, verifiedBy: 'local' });
  }
  return out;
}

export function idForFolder(dir: string): string {
  return path.basename(path.resolve(dir)).toLowerCase().replace(/[^a-z0-9._-]/g, '-').replace(/^[^a-z0-9]+/, '').slice(0, 100) || 'imported-model';
}

export async function importFolder(dir: string, opts: ImportOptions): Promise<PullResult> {
  const src = path.resolve(dir);
  const kind = detectFolder(src);
  const precision = opts.precision ?? 'fp32';
  if (!PRECISIONS.includes(precision)) throw invalid(`precision must be one of ${PRECISIONS.join(', ')}, got "${precision}"`);

  // Validate everything before touching the library.
  let graphs: Map<Precision, { graph: string; data: string[] }> | null = null;
  let sourceRels: string[];
  await requireConfig(src);
  requireTokenizer(src);
  if (kind === 'hf-checkpoint') {
    const report = await validateCheckpointDir(src);
    if (!report.ok) throw invalid(`Cannot import ${src}:\n${report.problems.map((p) => `  - ${p}`).join('\n')}`);
    const weights = exists(path.join(src, 'model.safetensors'))
      ? ['model.safetensors']
      : ['model.safetensors.index.json', ...(await listTree(src)).filter((f) => /^model-\d+-of-\d+\.safetensors$/.test(f))];
    sourceRels = [...CONFIG_FILES, ...TOKENIZER_FILES].filter((f) => exists(path.join(src, f))).concat(weights);
  } else {
    graphs = await findOnnxGraphs(src);
    sourceRels = [...CONFIG_FILES, ...TOKENIZER_FILES].filter((f) => exists(path.join(src, f)));
  }

  const id = opts.id ?? idForFolder(src);
  assertValidId(id);
  const target = modelDir(opts.dataDir, id);
  const graphRels = graphs ? [...graphs.values()].flatMap((g) => [g.graph, ...g.data]) : [];
  const sizes = await checkSources(src, [...sourceRels, ...graphRels]);
  const copyBytes = [...sizes.values()].reduce((a, n) => a + n, 0);
  const report = (p: Parameters<NonNullable<ImportOptions['onProgress']>>[0]): void => opts.onProgress?.(p);

  return withLock(opts.dataDir, id, 'importing', async () => {
    const existing = await readManifest(opts.dataDir, id).catch(() => null);
    if (existing) throw invalid(`A model named "${id}" is already installed; delete it first or import under another name`);
    await fsp.rm(target, { recursive: true, force: true }); // leftovers of an interrupted import
    await fsp.mkdir(target, { recursive: true });
    const converted = kind === 'hf-checkpoint' ? copyBytes : 0;
    await ensureFreeSpace(target, copyBytes + converted, `importing ${id} (${formatBytes(copyBytes)})`, opts.statfs);

    const sub = kind === 'hf-checkpoint' ? 'source' : 'export';
    const copied = await copyAll(src, [...sourceRels, ...graphRels], sizes, target, sub, opts.signal, (fraction, file) =>
      report({ phase: 'copying', fraction, file }),
    );
    const precisions: Partial<Record<Precision, PrecisionEntry>> = {};
    let files: ManifestFile[];
    const now = new Date().toISOString();
    if (graphs) {
      const graphPaths = new Set(graphRels.map((r) => `${sub}/${r}`));
      files = copied.filter((f) => !graphPaths.has(f.path));
      for (const [p, g] of graphs) {
        const own = copied.filter((f) => f.path === `${sub}/${g.graph}` || g.data.some((d) => f.path === `${sub}/${d}`));
        precisions[p] = { format: 'hf', dir: sub, graph: `${sub}/${g.graph}`, files: own, bytes: own.reduce((a, f) => a + f.size, 0), createdAt: now };
      }
    } else {
      files = copied;
      precisions[precision] = await convertInto({
        modelDirPath: target,
        sourceDir: path.join(target, sub),
        precision,
        convert: opts.convert ?? defaultConvert,
        signal: opts.signal,
        onProgress: (fraction, stage) => report({ phase: 'converting', fraction, stage }),
      });
    }
    const cfg = await readGpt2ConfigAsync(path.join(target, sub, 'config.json'));
    const manifest: ModelManifest = {
      schemaVersion: 1,
      id,
      name: path.basename(src),
      source: { kind: 'import', path: src, format: kind },
      files,
      precisions,
      config: { nLayer: cfg.nLayer, nEmbd: cfg.nEmbd, nHead: cfg.nHead, nPositions: cfg.nPositions, vocabSize: cfg.vocabSize },
      createdAt: now,
      updatedAt: now,
    };
    await writeManifest(opts.dataDir, manifest);
    report({ phase: 'done', fraction: 1 });
    return { id, dir: target, manifest };
  });
}
