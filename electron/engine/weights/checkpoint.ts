/**
 * Loads a Hugging Face GPT-2 checkpoint folder (config.json + model.safetensors, or sharded
 * model-0000N-of-0000M.safetensors with model.safetensors.index.json) as Gpt2Weights.
 *
 * Loading validates everything before any weight is used: every expected tensor present with the
 * exact shape types.ts gives, no unknown tensors, finite values, and a head tied to wte. Keys may
 * carry the `transformer.` prefix; PyTorch's attention-mask buffers (h.N.attn.bias / masked_bias)
 * are ignored. Tensors stay on disk: `get()` reads one when asked (it does not cache, so hold the
 * result if you need it twice).
 */
import { describeValue } from '../../common/describe';
import fs from 'node:fs';
import path from 'node:path';
import type { Gpt2Config, Gpt2Weights, Tensor32 } from './types';
import { readGpt2Config } from './config';
import { WeightsError, formatShape, weightsError } from './errors';
import { READABLE_DTYPES, SafetensorsFile } from './safetensors';
import { READ_LIMITS, UnsafeFileError, readRegularTextSync } from '../util/safeRead';
import {
  LM_HEAD,
  canonicalTensorName,
  gpt2ParameterCount,
  gpt2TensorShapes,
  isAttentionBuffer,
  sameShape,
} from './layout';

export interface LoadedCheckpoint extends Gpt2Weights {
  /** The checkpoint's dtype(s) on disk, e.g. "F32", "F16", or "F16+F32" when mixed. */
  sourceDtype: string;
  dir: string;
  /** Canonical tensor names, in model order. */
  names(): string[];
  /** Closes the weight files; get() fails afterwards. */
  close(): void;
}

export interface LoadCheckpointOptions {
  /**
   * Read every tensor once at load to reject NaN/Inf up front (default true). When false the check
   * happens on each get() instead.
   */
  verifyValues?: boolean;
}

export interface CheckpointReport {
  ok: boolean;
  /** Reasons the checkpoint cannot be loaded, each naming the file and tensor. */
  problems: string[];
  /** Things that do not prevent loading. */
  warnings: string[];
  config?: Gpt2Config;
  sourceDtype?: string;
  parameterCount?: number;
}

interface Location {
  file: SafetensorsFile;
  /** The key as written in the file. */
  key: string;
}

interface Inspection {
  config?: Gpt2Config;
  files: SafetensorsFile[];
  tensors: Map<string, Location>;
  lmHead?: Location;
  sourceDtype: string;
  problems: string[];
  warnings: string[];
}

const SAFETENSORS = 'model.safetensors';
const SAFETENSORS_INDEX = 'model.safetensors.index.json';

export async function loadCheckpoint(dir: string, options: LoadCheckpointOptions = {}): Promise<LoadedCheckpoint> {
  const found = inspect(dir);
  const closeAll = () => found.files.forEach((f) => f.close());
  if (found.problems.length > 0 || !found.config) {
    closeAll();
    const list =
      found.problems.length === 1 ? ` ${found.problems[0]}` : `\n${found.problems.map((p) => `  - ${p}`).join('\n')}`;
    throw new WeightsError(`Cannot load the GPT-2 checkpoint in ${dir}:${list}`, dir);
  }
  const config = found.config;
  const shapes = gpt2TensorShapes(config);

  const get = (name: string): Tensor32 => {
    const at = found.tensors.get(name);
    const shape = shapes.get(name);
    if (!at || !shape) throw new WeightsError(`${dir}: no GPT-2 tensor named ${name}`, dir, name);
    const data = at.file.read(at.key);
    assertFinite(data, shape, at);
    return { shape: shape.slice(), data };
  };

  const rows = (name: string, row0: number, count: number, into?: Float32Array): Float32Array => {
    const at = found.tensors.get(name);
    const shape = shapes.get(name);
    if (!at || !shape) throw new WeightsError(`${dir}: no GPT-2 tensor named ${name}`, dir, name);
    const width = shape.slice(1).reduce((a, b) => a * b, 1);
    if (
      !Number.isSafeInteger(row0) ||
      !Number.isSafeInteger(count) ||
      row0 < 0 ||
      count < 0 ||
      row0 + count > shape[0]
    ) {
      throw new WeightsError(
        `${dir}: rows ${row0}..${row0 + count} of ${name} are outside its ${shape[0]} rows`,
        dir,
        name,
      );
    }
    const data = at.file.readRange(at.key, row0 * width, count * width, into);
    assertFinite(data, shape, at, row0 * width);
    return data;
  };

  try {
    if (options.verifyValues !== false) for (const name of shapes.keys()) get(name);
    if (found.lmHead) assertTiedHead(found.lmHead, get('wte.weight'));
  } catch (e) {
    closeAll();
    throw e;
  }
  const locate = (name: string): { path: string; offset: number } | null => {
    const at = found.tensors.get(name);
    if (!at) throw new WeightsError(`${dir}: no GPT-2 tensor named ${name}`, dir, name);
    return at.file.info(at.key).dtype === 'F32' ? { path: at.file.path, offset: at.file.fileOffset(at.key) } : null;
  };

  return {
    config,
    get,
    rows,
    locate,
    sourceDtype: found.sourceDtype,
    dir,
    names: () => [...shapes.keys()],
    close: closeAll,
  };
}

/** Checks a folder the way loadCheckpoint would, reading only headers (no weight values). */
export async function validateCheckpointDir(dir: string): Promise<CheckpointReport> {
  const found = inspect(dir);
  found.files.forEach((f) => f.close());
  const ok = found.problems.length === 0 && found.config !== undefined;
  return {
    ok,
    problems: found.problems,
    warnings: found.warnings,
    config: found.config,
    sourceDtype: found.sourceDtype || undefined,
    parameterCount: ok && found.config ? gpt2ParameterCount(found.config) : undefined,
  };
}

function inspect(dir: string): Inspection {
  const result: Inspection = { files: [], tensors: new Map(), sourceDtype: '', problems: [], warnings: [] };
  const { problems } = result;
  if (!fs.existsSync(dir) || !fs.statSync(dir).isDirectory()) {
    problems.push(`${dir} is not a folder`);
    return result;
  }
  try {
    result.config = readGpt2Config(path.join(dir, 'config.json'));
  } catch (e) {
    problems.push((e as Error).message);
  }
  for (const f of ['vocab.json', 'merges.txt']) {
    if (!fs.existsSync(path.join(dir, f))) result.warnings.push(`${f} is missing from ${dir}`);
  }

  const fileNames = weightFileNames(dir, problems);
  for (const name of fileNames) {
    try {
      result.files.push(SafetensorsFile.open(path.join(dir, name)));
    } catch (e) {
      problems.push((e as Error).message);
    }
  }
  if (problems.length > 0) return result;

  // Map every key onto its canonical name.
  const ignored: Location[] = [];
  for (const file of result.files) {
    for (const key of file.names()) {
      const name = canonicalTensorName(key);
      if (name === LM_HEAD) {
        result.lmHead = { file, key };
      } else if (isAttentionBuffer(name)) {
        ignored.push({ file, key });
      } else if (result.tensors.has(name)) {
        const first = result.tensors.get(name)!;
        problems.push(
          `${path.basename(file.path)}: tensor ${key}: duplicates ${first.key} in ${path.basename(first.file.path)}`,
        );
      } else {
        result.tensors.set(name, { file, key });
      }
    }
  }
  if (!result.config) return result;
  checkAgainstConfig(result, result.config);
  return result;
}

function weightFileNames(dir: string, problems: string[]): string[] {
  if (fs.existsSync(path.join(dir, SAFETENSORS))) return [SAFETENSORS];
  const indexPath = path.join(dir, SAFETENSORS_INDEX);
  if (fs.existsSync(indexPath)) {
    try {
      const index = JSON.parse(readRegularTextSync(indexPath, { what: 'the file', maxBytes: READ_LIMITS.config })) as {
        weight_map?: unknown;
      };
      const map = index.weight_map;
      if (typeof map !== 'object' || map === null) throw new Error('weight_map is missing');
      const names = [...new Set(Object.values(map as Record<string, unknown>))];
      for (const n of names) {
        if (typeof n !== 'string' || n !== path.basename(n) || !n.endsWith('.safetensors'))
          throw new Error(`weight_map names an invalid file ${describeValue(n)}`);
        if (!fs.existsSync(path.join(dir, n))) throw new Error(`shard ${n} is missing`);
      }
      return (names as string[]).sort();
    } catch (e) {
      problems.push(`${SAFETENSORS_INDEX}: ${e instanceof UnsafeFileError ? e.detail : (e as Error).message}`);
      return [];
    }
  }
  if (
    fs.existsSync(path.join(dir, 'pytorch_model.bin')) ||
    fs.existsSync(path.join(dir, 'pytorch_model.bin.index.json'))
  ) {
    problems.push('PyTorch .bin checkpoints are not supported; use a repository revision with model.safetensors');
  } else {
    problems.push(`${SAFETENSORS} is missing from ${dir}`);
  }
  return [];
}

function checkAgainstConfig(result: Inspection, config: Gpt2Config): void {
  const { problems } = result;
  const expected = gpt2TensorShapes(config);
  const where = (at: Location) => path.basename(at.file.path);
  const sizes = `n_layer ${config.nLayer}, n_embd ${config.nEmbd}, vocab_size ${config.vocabSize}, n_positions ${config.nPositions}`;

  const missing: string[] = [];
  const dtypes = new Set<string>();
  for (const [name, shape] of expected) {
    const at = result.tensors.get(name);
    if (!at) {
      missing.push(name);
      continue;
    }
    const info = at.file.info(at.key);
    dtypes.add(info.dtype);
    if (!(READABLE_DTYPES as readonly string[]).includes(info.dtype)) {
      problems.push(
        `${where(at)}: tensor ${at.key}: dtype ${info.dtype} is not supported (expected ${READABLE_DTYPES.join(', ')})`,
      );
    }
    if (!sameShape(info.shape, shape)) {
      const transposed = shape.length === 2 && sameShape(info.shape, [shape[1], shape[0]]);
      const hint = transposed ? ' (stored transposed? GPT-2 Conv1D weights are [in, out])' : '';
      problems.push(
        `${where(at)}: tensor ${at.key}: shape ${formatShape(info.shape)}, expected ${formatShape(shape)} for config.json's ${sizes}${hint}`,
      );
    }
  }
  if (missing.length > 0) {
    const shown = missing.slice(0, 6).join(', ') + (missing.length > 6 ? `, … (${missing.length} in all)` : '');
    const label = result.files.length === 1 ? path.basename(result.files[0].path) : SAFETENSORS_INDEX;
    problems.push(
      `${label}: missing tensor${missing.length > 1 ? 's' : ''} ${shown}; config.json describes a GPT-2 with ${sizes}`,
    );
  }
  for (const [name, at] of result.tensors) {
    if (!expected.has(name))
      problems.push(`${where(at)}: tensor ${at.key}: unknown tensor, not part of a GPT-2 with ${sizes}`);
  }
  if (result.lmHead) {
    const info = result.lmHead.file.info(result.lmHead.key);
    const want = expected.get('wte.weight')!;
    if (!sameShape(info.shape, want)) {
      problems.push(
        `${where(result.lmHead)}: tensor ${result.lmHead.key}: shape ${formatShape(info.shape)}, expected ${formatShape(want)} (the head is tied to wte.weight)`,
      );
    }
  }
  result.sourceDtype = [...dtypes].sort().join('+');
}

/** `data` is the tensor's values from element `offset` on (a piece of it when streaming). */
function assertFinite(data: Float32Array, shape: number[], at: Location, offset = 0): void {
  for (let k = 0; k < data.length; k++) {
    if (Number.isFinite(data[k])) continue;
    let bad = 0;
    for (let j = k; j < data.length; j++) if (!Number.isFinite(data[j])) bad++;
    const i = k + offset;
    const index = shape.length === 2 ? `[${Math.floor(i / shape[1])}, ${i % shape[1]}]` : `[${i}]`;
    throw weightsError(
      at.file.path,
      at.key,
      `contains ${bad} non-finite value${bad > 1 ? 's' : ''} (first: ${data[k]} at ${index}); the checkpoint is corrupted or was saved from a diverged training run`,
    );
  }
}

function assertTiedHead(lmHead: Location, wte: Tensor32): void {
  const head = lmHead.file.read(lmHead.key);
  for (let i = 0; i < head.length; i++) {
    if (head[i] === wte.data[i]) continue;
    const C = wte.shape[1];
    throw weightsError(
      lmHead.file.path,
      lmHead.key,
      `differs from wte.weight (first at [${Math.floor(i / C)}, ${i % C}]: ${head[i]} vs ${wte.data[i]}); Inkling ties the output head to the token embedding, so a checkpoint with a separately trained head cannot be used`,
    );
  }
}
