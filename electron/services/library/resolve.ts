/**
 * The model library's folders as the engine opens them. A library model (`<dataDir>/models/<id>/`)
 * is a `manifest.json` naming one folder per installed precision; only the library reads that
 * manifest. Before a load, the folder the writer (or `--model`) named is resolved here into what the
 * engine opens: one precision's folder (an Inkling model folder, or an imported ONNX export with the
 * graph of that precision), its precision and the model's name. Any other folder passes unchanged:
 * the engine tells its own three kinds apart (engine/runtime/load.ts).
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { InklingError } from '../../common/errors';
import { loadModel, type LoadedModel, type LoadModelOptions } from '../../engine/runtime';
import type { LoadOptions } from '../../engine/host/protocol';
import { READ_LIMITS, readRegularTextSync } from '../../engine/util/safeRead';
import { MANIFEST_FILE, parseManifest, type ModelManifest } from '../models/manifest';

/** Which installed precision opens when none is asked for: the fast, near-lossless ones first. */
export const PRECISION_PREFERENCE = ['int8', 'fp32', 'fp16', 'int4'] as const;

/** A folder the engine opens, and what the library knows of it (passed with the load). */
export interface ResolvedModel {
  dir: string;
  options: Pick<LoadOptions, 'precision' | 'graph' | 'name'>;
}

/** True when `dir` is a library model's folder (its manifest.json, and no model files of its own). */
export function isLibraryFolder(dir: string): boolean {
  return existsSync(path.join(dir, MANIFEST_FILE)) && !existsSync(path.join(dir, 'inkling.json'));
}

/**
 * What the engine opens for `dir`: for a library model, the folder of the precision asked for (or
 * the first installed of PRECISION_PREFERENCE), with its precision, graph and the model's name; for
 * one precision folder of a library model, that folder with the model's name; any other folder as
 * it is. Throws `model_invalid` naming the manifest or the missing precision.
 */
export function resolveModelFolder(dirIn: string, precision?: string): ResolvedModel {
  const dir = path.resolve(dirIn);
  if (isLibraryFolder(dir)) return libraryPrecision(dir, readLibraryManifest(dir), precision);
  // A precision folder of a library model (models/<id>/<precision>/) goes by the library's name.
  const parent = path.dirname(dir);
  if (!isLibraryFolder(parent)) return { dir, options: {} };
  let manifest: ModelManifest;
  try {
    manifest = readLibraryManifest(parent);
  } catch {
    return { dir, options: {} }; // a broken manifest beside it: the folder still opens as itself
  }
  const own = Object.entries(manifest.precisions).find(([, e]) => e && path.resolve(parent, e.dir) === dir);
  return { dir, options: { name: manifest.name || undefined, ...(own ? { precision: own[0] } : {}) } };
}

/**
 * Opens a folder in this process (the `inkling` command, eval): resolved as for the app, then
 * loaded by the engine. `precision` picks a library model's precision.
 */
export function openModelFolder(
  dir: string,
  options: Omit<LoadModelOptions, 'graph' | 'name'> = {},
): Promise<LoadedModel> {
  const { precision, ...rest } = options;
  const resolved = resolveModelFolder(dir, precision);
  return loadModel(resolved.dir, { ...rest, ...resolved.options });
}

function readLibraryManifest(dir: string): ModelManifest {
  const file = path.join(dir, MANIFEST_FILE);
  try {
    return parseManifest(JSON.parse(readRegularTextSync(file, { maxBytes: READ_LIMITS.manifest })), file);
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    throw new InklingError(
      'model_invalid',
      message.startsWith(file) ? message : `${file}: not a readable model library manifest (${message})`,
      { cause: err },
    );
  }
}

/** One installed precision of a library model: its folder, and for an imported ONNX export its graph. */
function libraryPrecision(dir: string, manifest: ModelManifest, wanted?: string): ResolvedModel {
  const installed = Object.keys(manifest.precisions);
  const pick = wanted ?? PRECISION_PREFERENCE.find((p) => installed.includes(p)) ?? installed[0];
  const entry = Object.entries(manifest.precisions).find(([p]) => p === pick)?.[1];
  if (!entry || entry.dir.split(/[\\/]/).includes('..')) {
    throw new InklingError(
      'model_invalid',
      wanted
        ? `${dir}: precision ${wanted} is not installed (installed: ${installed.join(', ') || 'none'})`
        : `${dir}: no converted precision is installed; pull or convert the model again`,
    );
  }
  const folder = path.join(dir, entry.dir);
  const options: ResolvedModel['options'] = { precision: pick, name: manifest.name || undefined };
  if (entry.format === 'hf' && !entry.graph.split(/[\\/]/).includes('..') && entry.graph.endsWith('.onnx')) {
    const graph = path.join(dir, entry.graph);
    if (!existsSync(graph))
      throw new InklingError(
        'model_invalid',
        `${dir}: the ${pick} graph ${entry.graph} is missing; import the model again`,
      );
    options.graph = path.relative(folder, graph);
  }
  return { dir: folder, options };
}
