/**
 * The catalog of known GPT-2 checkpoints (models/catalog.json), validated at load, and the memory
 * estimate behind the Models page's "fits / slow / won't fit" labels.
 */
import catalogJson from '../../../models/catalog.json';
import { InklingError } from '../../common/errors';
import type { Precision } from '../../engine/weights/types';

export type { Precision };
export const PRECISIONS: readonly Precision[] = ['fp32', 'fp16', 'int8', 'int4'];

export interface CatalogFile {
  name: string;
  /** Fetched when the repository has it; a 404 is not an error. */
  optional?: boolean;
}

export interface CatalogEntry {
  id: string;
  name: string;
  repo: string;
  revision: string;
  files: CatalogFile[];
  parameters: number;
  n_layer: number;
  n_embd: number;
  n_head: number;
  n_positions: number;
  vocab_size: number;
  safetensorsBytesApprox: number;
  license: string;
  description: string;
}

const SOURCE = 'models/catalog.json';

/** GPT-2's parameter count (tied head once): wte + wpe + L × (12C² + 13C) + ln_f. */
export function gpt2Parameters(e: Pick<CatalogEntry, 'n_layer' | 'n_embd' | 'n_positions' | 'vocab_size'>): number {
  const C = e.n_embd;
  return e.vocab_size * C + e.n_positions * C + e.n_layer * (12 * C * C + 13 * C) + 2 * C;
}

/** Validates catalog JSON; every error names the entry and the field. */
export function parseCatalog(raw: unknown, source = SOURCE): CatalogEntry[] {
  const fail = (where: string, msg: string): never => {
    throw new InklingError('model_invalid', `${source}: ${where}: ${msg}`);
  };
  if (typeof raw !== 'object' || raw === null) fail('top level', 'expected an object');
  const top = raw as { schemaVersion?: unknown; models?: unknown };
  if (top.schemaVersion !== 1) fail('schemaVersion', `expected 1, found ${JSON.stringify(top.schemaVersion)}`);
  if (!Array.isArray(top.models)) fail('models', 'expected an array');
  const ids = new Set<string>();
  return (top.models as unknown[]).map((m, i) => {
    if (typeof m !== 'object' || m === null) return fail(`models[${i}]`, 'expected an object');
    const e = m as Record<string, unknown>;
    const where = `models[${i}]${typeof e.id === 'string' ? ` (${e.id})` : ''}`;
    const str = (k: string, re?: RegExp): string => {
      const v = e[k];
      if (typeof v !== 'string' || v === '' || (re && !re.test(v))) fail(where, `${k} must be a${re ? ' valid' : ' non-empty'} string, found ${JSON.stringify(v)}`);
      return v as string;
    };
    const int = (k: string): number => {
      const v = e[k];
      if (typeof v !== 'number' || !Number.isSafeInteger(v) || v <= 0) fail(where, `${k} must be a positive integer, found ${JSON.stringify(v)}`);
      return v as number;
    };
    const entry: CatalogEntry = {
      id: str('id', /^[a-z0-9][a-z0-9._-]*$/),
      name: str('name'),
      repo: str('repo', /^[\w.-]+\/[\w.-]+$/),
      revision: str('revision'),
      files: [],
      parameters: int('parameters'),
      n_layer: int('n_layer'),
      n_embd: int('n_embd'),
      n_head: int('n_head'),
      n_positions: int('n_positions'),
      vocab_size: int('vocab_size'),
      safetensorsBytesApprox: int('safetensorsBytesApprox'),
      license: str('license'),
      description: str('description'),
    };
    if (ids.has(entry.id)) fail(where, `duplicate id ${entry.id}`);
    ids.add(entry.id);
    if (entry.n_embd % entry.n_head !== 0) fail(where, `n_embd ${entry.n_embd} is not divisible by n_head ${entry.n_head}`);
    const expected = gpt2Parameters(entry);
    if (entry.parameters !== expected) fail(where, `parameters ${entry.parameters} does not match the GPT-2 shape (${expected})`);
    if (!Array.isArray(e.files)) fail(where, 'files must be an array');
    for (const [j, f] of (e.files as unknown[]).entries()) {
      const fo = f as { name?: unknown; optional?: unknown } | null;
      if (!fo || typeof fo.name !== 'string' || !/^[\w.-]+(\/[\w.-]+)*$/.test(fo.name) || fo.name.split('/').includes('..')) {
        fail(where, `files[${j}] must be {"name": "<relative path>"}, found ${JSON.stringify(f)}`);
      }
      if (fo!.optional !== undefined && typeof fo!.optional !== 'boolean') fail(where, `files[${j}].optional must be true or false`);
      entry.files.push({ name: fo!.name as string, ...(fo!.optional ? { optional: true } : {}) });
    }
    for (const need of ['config.json', 'model.safetensors', 'vocab.json', 'merges.txt']) {
      if (!entry.files.some((f) => f.name === need && !f.optional)) fail(where, `files must include ${need} (not optional)`);
    }
    return entry;
  });
}

let cached: CatalogEntry[] | null = null;

export function loadCatalog(): CatalogEntry[] {
  cached ??= parseCatalog(catalogJson);
  return cached;
}

export function catalogEntryForRepo(repo: string): CatalogEntry | undefined {
  return loadCatalog().find((e) => e.repo.toLowerCase() === repo.toLowerCase());
}

export function catalogEntry(id: string): CatalogEntry | undefined {
  return loadCatalog().find((e) => e.id === id);
}

export interface MemoryEstimate {
  weights: number;
  kvCache: number;
  overhead: number;
  total: number;
}

const MiB = 1024 * 1024;

/**
 * Bytes of RAM a model needs while generating, at `contextLength` tokens (default 1024, GPT-2's
 * maximum) for `batch` sequences (default 1):
 *
 *   matrix = n_layer × 12 n_embd²   (the four projection matrices of each block: c_attn 3C², attn
 *                                    c_proj C², mlp c_fc 4C², mlp c_proj 4C²)
 *   wte    = vocab_size × n_embd    (token embedding, also the output head's matrix)
 *   other  = parameters − matrix − wte   (position embedding, biases, LayerNorms)
 *   int8 B/weight = 1 + 5/32 (per block of 32: an fp32 scale and a one-byte zero point);
 *   int4 B/weight = 0.5 + 4.5/32 (an fp32 scale and a 4-bit zero point per 32) — the converter's
 *   layout (graph/params.ts, QUANT_BLOCK_SIZE), which reproduces the converted files' sizes
 *   weights: fp32 = 4 B × all; fp16 = 2 B × all;
 *            int8 / int4 = (matrix + 2 wte) × B/weight + other × 4   (the tied head and the
 *                                          embedding lookup each keep a quantized copy of wte)
 *   kvCache = 2 (K and V) × n_layer × contextLength × n_embd × 4 B × batch   (the cache is fp32)
 *   overhead = 256 MiB (Node, onnxruntime, tokenizer, buffers)
 *            + 25% of weights (allocator arenas, pre-packed weights, the load-time copy)
 *            + n_head × contextLength² × 4 B × batch (one layer's attention scores at full context)
 */
export function memoryNeeded(
  entry: Pick<CatalogEntry, 'parameters' | 'n_layer' | 'n_embd' | 'n_head' | 'vocab_size'>,
  precision: Precision,
  opts: { contextLength?: number; batch?: number } = {},
): MemoryEstimate {
  const ctx = opts.contextLength ?? 1024;
  const batch = opts.batch ?? 1;
  const matrix = entry.n_layer * 12 * entry.n_embd * entry.n_embd;
  const wte = entry.vocab_size * entry.n_embd;
  const other = entry.parameters - matrix - wte;
  const int8 = 1 + 5 / 32;
  const int4 = 0.5 + 4.5 / 32;
  const weights = Math.round(
    precision === 'fp32'
      ? 4 * entry.parameters
      : precision === 'fp16'
        ? 2 * entry.parameters
        : (matrix + 2 * wte) * (precision === 'int8' ? int8 : int4) + other * 4,
  );
  const kvCache = 2 * entry.n_layer * ctx * entry.n_embd * 4 * batch;
  const overhead = Math.round(256 * MiB + 0.25 * weights + entry.n_head * ctx * ctx * 4 * batch);
  return { weights, kvCache, overhead, total: weights + kvCache + overhead };
}

export type FitLabel = 'fits' | 'slow' | 'wont-fit';

/** Share of total RAM up to which a model "fits" (the OS and the writer's other apps keep the rest). */
export const FITS_SHARE = 0.5;
/** Up to this share it runs, but pushes other apps to swap / compression: "slow". Beyond: "won't fit". */
export const SLOW_SHARE = 0.8;

export function fitLabel(
  entry: Pick<CatalogEntry, 'parameters' | 'n_layer' | 'n_embd' | 'n_head' | 'vocab_size'>,
  precision: Precision,
  totalMemBytes: number,
): FitLabel {
  const need = memoryNeeded(entry, precision).total;
  if (need <= FITS_SHARE * totalMemBytes) return 'fits';
  if (need <= SLOW_SHARE * totalMemBytes) return 'slow';
  return 'wont-fit';
}
