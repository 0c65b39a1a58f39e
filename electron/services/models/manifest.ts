/**
 * `<dataDir>/models/<id>/manifest.json`: what a library model is, where it came from, and the size
 * and sha256 of every file. A model exists in the library exactly when its manifest does; the
 * manifest is written last and atomically, after every file it names is in place and verified.
 *
 * Folder layout of one model:
 *   manifest.json
 *   source/        the downloaded (or imported) Hugging Face checkpoint, kept for re-conversion
 *   fp32/ fp16/ int8/ int4/   converted Inkling models (the engine loads one of these folders)
 *   export/        an imported Hugging Face ONNX export (instead of source/ + converted folders)
 */
import fsp from 'node:fs/promises';
import path from 'node:path';
import { InklingError } from '../../common/errors';
import { atomicWriteFile } from '../../common/fs';
import { PRECISIONS, type Precision } from './catalog';

export const MANIFEST_FILE = 'manifest.json';
export const MANIFEST_SCHEMA_VERSION = 1;

export interface ManifestFile {
  /** Relative to the model folder, '/'-separated. */
  path: string;
  size: number;
  sha256: string;
  /** How the file was checked when it arrived: against the Hub's sha256, size only, or a local copy. */
  verifiedBy?: 'sha256' | 'git-sha1' | 'size' | 'local';
}

export interface QuantError {
  /** Share of positions where the converted model's top-1 token equals fp32's (0..1). */
  top1Agreement: number;
  /** Mean KL(fp32 ‖ converted) over the positions of the reference text, in nats. */
  meanKl: number;
  /** What it was measured on (e.g. the fixed text's name and token count). */
  text?: string;
}

export interface PrecisionEntry {
  /** 'inkling' = converted by Inkling (graph/contract.ts layout); 'hf' = a Hugging Face ONNX export. */
  format: 'inkling' | 'hf';
  /** Folder the engine loads, relative to the model folder. */
  dir: string;
  /** The .onnx graph, relative to the model folder. */
  graph: string;
  files: ManifestFile[];
  bytes: number;
  createdAt: string;
  quantError?: QuantError;
}

/**
 * One `inkling eval` measurement of one precision (electron/services/eval/records.ts). Kept with the
 * model so the Models page can show how far a quantized precision is from fp32 on real text.
 */
export interface EvalRecord {
  task: 'wikitext2' | 'lambada';
  precision: Precision;
  /** What was loaded: an installed precision folder, or fp32 converted from the downloaded checkpoint. */
  weights: 'installed' | 'source';
  /** createdAt of the precision entry (or of the model, for 'source'): converting again makes the record stale. */
  weightsCreatedAt: string;
  dataset: { repo: string; file: string; commit: string | null; sha256: string };
  context: number;
  /** WikiText-2's sliding-window stride; absent for LAMBADA. */
  stride?: number;
  /** --limit (tokens of WikiText-2, passages of LAMBADA), or null for the whole test split. */
  limit: number | null;
  /** Tokens scored (WikiText-2) or passages (LAMBADA). */
  count: number;
  /** WikiText-2 perplexity, or LAMBADA's word perplexity. */
  perplexity: number;
  /** LAMBADA: share of passages whose last word is the greedy choice (0..1). */
  accuracy?: number;
  measuredAt: string;
}

export type ModelSource =
  | { kind: 'hub'; repo: string; revision: string; commit: string | null; endpoint: string }
  | { kind: 'import'; path: string; format: 'hf-checkpoint' | 'hf-onnx' };

export interface ModelManifest {
  schemaVersion: typeof MANIFEST_SCHEMA_VERSION;
  id: string;
  name: string;
  source: ModelSource;
  /** The source files (checkpoint or export), verified. */
  files: ManifestFile[];
  precisions: Partial<Record<Precision, PrecisionEntry>>;
  config?: { nLayer: number; nEmbd: number; nHead: number; nPositions: number; vocabSize: number };
  /** `inkling eval` results, newest last (records that no longer describe an installed precision are ignored). */
  evals?: EvalRecord[];
  createdAt: string;
  updatedAt: string;
}

const ID_RE = /^[a-z0-9][a-z0-9._-]{0,99}$/;

export function isValidId(id: string): boolean {
  return ID_RE.test(id) && !id.includes('..');
}

export function assertValidId(id: string): void {
  if (!isValidId(id)) {
    throw new InklingError('model_invalid', `"${id}" is not a valid model name: use lowercase letters, digits, ".", "_" and "-" (at most 100)`);
  }
}

/** A library id for a Hub repository not in the catalog: "org/Name" → "org--name". */
export function idForRepo(repo: string): string {
  const id = repo.toLowerCase().replace('/', '--').replace(/[^a-z0-9._-]/g, '-').replace(/^[^a-z0-9]+/, '').slice(0, 100);
  assertValidId(id);
  return id;
}

export const modelsRoot = (dataDir: string): string => path.join(dataDir, 'models');
export const modelDir = (dataDir: string, id: string): string => path.join(modelsRoot(dataDir), id);

function checkFiles(list: unknown, where: string): ManifestFile[] {
  if (!Array.isArray(list)) throw new Error(`${where} must be an array`);
  return list.map((f, i) => {
    const o = f as Partial<ManifestFile> | null;
    if (!o || typeof o.path !== 'string' || o.path.startsWith('/') || o.path.split('/').includes('..')) {
      throw new Error(`${where}[${i}].path must be a relative path inside the model folder`);
    }
    if (typeof o.size !== 'number' || !Number.isSafeInteger(o.size) || o.size < 0) throw new Error(`${where}[${i}] (${o.path}): size must be a byte count`);
    if (typeof o.sha256 !== 'string' || !/^[0-9a-f]{64}$/.test(o.sha256)) throw new Error(`${where}[${i}] (${o.path}): sha256 must be 64 hex digits`);
    return o as ManifestFile;
  });
}

/** Validates a parsed manifest.json; throws INVALID naming the file and field. */
export function parseManifest(raw: unknown, file: string, expectId?: string): ModelManifest {
  try {
    if (typeof raw !== 'object' || raw === null) throw new Error('expected a JSON object');
    const m = raw as Partial<ModelManifest> & { schemaVersion?: unknown };
    if (typeof m.schemaVersion !== 'number') throw new Error('schemaVersion is missing');
    if (m.schemaVersion > MANIFEST_SCHEMA_VERSION) throw new Error(`schemaVersion ${m.schemaVersion} was written by a newer Inkling (this one reads ${MANIFEST_SCHEMA_VERSION})`);
    if (m.schemaVersion !== MANIFEST_SCHEMA_VERSION) throw new Error(`schemaVersion must be ${MANIFEST_SCHEMA_VERSION}, found ${m.schemaVersion}`);
    if (typeof m.id !== 'string' || !isValidId(m.id)) throw new Error(`id ${JSON.stringify(m.id)} is not a valid model id`);
    if (expectId !== undefined && m.id !== expectId) throw new Error(`id "${m.id}" does not match its folder "${expectId}"`);
    if (typeof m.name !== 'string') throw new Error('name must be a string');
    const src = m.source as Partial<ModelSource> | undefined;
    if (!src || (src.kind !== 'hub' && src.kind !== 'import')) throw new Error('source.kind must be "hub" or "import"');
    if (src.kind === 'hub' && (typeof src.repo !== 'string' || typeof src.revision !== 'string')) throw new Error('source.repo and source.revision must be strings');
    checkFiles(m.files, 'files');
    if (typeof m.precisions !== 'object' || m.precisions === null) throw new Error('precisions must be an object');
    for (const [p, e] of Object.entries(m.precisions)) {
      if (!PRECISIONS.includes(p as Precision)) throw new Error(`precisions: unknown precision "${p}"`);
      const pe = e as Partial<PrecisionEntry> | null;
      if (!pe || (pe.format !== 'inkling' && pe.format !== 'hf')) throw new Error(`precisions.${p}.format must be "inkling" or "hf"`);
      if (typeof pe.dir !== 'string' || typeof pe.graph !== 'string') throw new Error(`precisions.${p}: dir and graph must be strings`);
      checkFiles(pe.files, `precisions.${p}.files`);
    }
    if (m.evals !== undefined && !Array.isArray(m.evals)) throw new Error('evals must be an array');
    if (typeof m.createdAt !== 'string' || typeof m.updatedAt !== 'string') throw new Error('createdAt and updatedAt must be strings');
    return m as ModelManifest;
  } catch (err) {
    throw new InklingError('model_invalid', `${file}: ${(err as Error).message}`);
  }
}

/** Reads a model's manifest; null when the folder has none (an unfinished download or import). */
export async function readManifest(dataDir: string, id: string): Promise<ModelManifest | null> {
  const file = path.join(modelDir(dataDir, id), MANIFEST_FILE);
  let text: string;
  try {
    text = await fsp.readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw new InklingError('model_invalid', `${file}: not valid JSON (${(err as Error).message})`);
  }
  return parseManifest(raw, file, id);
}

/** The last step of installing a model: validate, then write atomically. */
export async function writeManifest(dataDir: string, manifest: ModelManifest): Promise<void> {
  const file = path.join(modelDir(dataDir, manifest.id), MANIFEST_FILE);
  parseManifest(manifest, file, manifest.id);
  await atomicWriteFile(file, JSON.stringify(manifest, null, 2) + '\n');
}

export function manifestBytes(m: ModelManifest): number {
  let n = m.files.reduce((a, f) => a + f.size, 0);
  for (const p of Object.values(m.precisions)) if (p) n += p.bytes;
  return n;
}
