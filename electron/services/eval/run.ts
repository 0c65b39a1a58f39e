/**
 * `inkling eval`: measure a model's quality on WikiText-2 or LAMBADA, for one or several precisions,
 * through the engine's own scoring path (so it measures what the app runs), and keep the results
 * with a library model.
 *
 * What `model` may be:
 *   - a library model folder (`<dataDir>/models/<id>`) or its id: every installed precision is
 *     measured, plus fp32 converted from the downloaded checkpoint when fp32 is not installed (the
 *     yardstick the others are compared with); `precisions` picks some;
 *   - one precision folder of a library model (`<dataDir>/models/<id>/int8`);
 *   - any other model folder the engine opens (Inkling, Hugging Face ONNX export or checkpoint):
 *     measured as it is; nothing is recorded.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import {
  engineScorer,
  lambadaScore,
  paperRow,
  slidingPerplexity,
  type LambadaResult,
  type PaperRow,
  type PerplexityResult,
} from '../../engine/eval';
import type { LoadModelOptions } from '../../engine/runtime';
import { openModelFolder } from '../library/resolve';
import { PRECISIONS, type Precision } from '../models/catalog';
import { isValidId, modelDir, readManifest, type EvalRecord, type ModelManifest } from '../models/manifest';
import type { DownloadProgress } from '../models/progress';
import { fetchDataset, wikitextText, type DatasetSpec, type EvalTask, type LoadedDataset } from './datasets';
import { recordEvals } from './records';

export const DEFAULT_STRIDE = 512;
/** Hugging Face's guide and the paper use the model's whole context (1024 for GPT-2). */
export const MAX_CONTEXT = 1024;

export type EvalEvent =
  | { kind: 'download'; progress: DownloadProgress }
  | { kind: 'dataset'; dataset: LoadedDataset }
  | { kind: 'loading'; precision: string; stage: string; fraction: number }
  | { kind: 'scoring'; precision: string; done: number; total: number; unit: 'windows' | 'passages' }
  | { kind: 'result'; result: PrecisionResult };

export interface EvalOptions {
  model: string;
  task: EvalTask;
  dataDir: string;
  precisions?: Precision[];
  stride?: number;
  /** WikiText-2: score only the first N tokens; LAMBADA: only the first N passages. */
  limit?: number;
  endpoint?: string;
  threads?: number;
  cacheDir?: string;
  signal?: AbortSignal;
  onEvent?: (e: EvalEvent) => void;
  /** For tests: a fixture repository layout instead of the real one. */
  datasetSpec?: DatasetSpec;
}

export interface PrecisionResult {
  precision: string;
  /** Which folder was loaded (for fp32 from the checkpoint: the checkpoint folder). */
  dir: string;
  weights: 'installed' | 'source' | 'folder';
  perplexity?: PerplexityResult;
  lambada?: LambadaResult;
  seconds: number;
}

export interface EvalReport {
  task: EvalTask;
  dataset: { title: string; repo: string; file: string; commit: string | null; sha256: string; cached: boolean };
  model: { name: string; dir: string; libraryId: string | null; nLayer: number; nEmbd: number; contextLength: number };
  paper: PaperRow | null;
  context: number;
  stride: number | null;
  limit: number | null;
  results: PrecisionResult[];
  notes: string[];
  /** True when the results were stored with the library model. */
  recorded: boolean;
}

interface Target {
  precision: string;
  dir: string;
  weights: PrecisionResult['weights'];
  load: LoadModelOptions;
}

/** A model of the library: `<dataDir>/models/<id>`. */
interface LibraryRef {
  dataDir: string;
  id: string;
}

interface Library extends LibraryRef {
  manifest: ModelManifest;
}

function libraryAt(dir: string): LibraryRef | null {
  const id = path.basename(dir);
  const dataDir = path.dirname(path.dirname(dir));
  if (!existsSync(path.join(dir, 'manifest.json')) || path.basename(path.dirname(dir)) !== 'models' || !isValidId(id))
    return null;
  return { dataDir, id };
}

async function resolveTargets(
  opts: EvalOptions,
): Promise<{ targets: Target[]; library: Library | null; notes: string[] }> {
  let dir = path.resolve(opts.model);
  if (!existsSync(dir) && isValidId(opts.model) && existsSync(modelDir(opts.dataDir, opts.model)))
    dir = modelDir(opts.dataDir, opts.model);
  if (!existsSync(dir))
    throw new Error(
      `${opts.model}: no such model folder (and no model of that name in ${path.join(opts.dataDir, 'models')})`,
    );
  const base = { threads: opts.threads, cacheDir: opts.cacheDir };
  const notes: string[] = [];
  let ref = libraryAt(dir);
  let only: string | null = null;
  if (!ref) {
    const parent = libraryAt(path.dirname(dir));
    if (parent && (PRECISIONS as readonly string[]).includes(path.basename(dir))) {
      ref = parent;
      only = path.basename(dir);
    }
  }
  if (ref) {
    const m = await readManifest(ref.dataDir, ref.id);
    if (!m) throw new Error(`${dir}: this library model has no manifest (an unfinished download); pull it again`);
    const library: Library = { ...ref, manifest: m };
    const libDir = modelDir(library.dataDir, library.id);
    const installed = PRECISIONS.filter((p) => m.precisions[p]);
    const source = path.join(libDir, 'source');
    const hasSource = existsSync(path.join(source, 'model.safetensors'));
    let wanted: Precision[];
    if (opts.precisions?.length) wanted = opts.precisions;
    else if (only) wanted = [only as Precision];
    else {
      wanted = [...installed];
      if (!m.precisions.fp32 && hasSource && installed.length) wanted.unshift('fp32');
      if (!m.precisions.fp32 && !hasSource)
        notes.push(
          'fp32 is not installed and there is no downloaded checkpoint to convert it from, ' +
            'so there is no fp32 figure to compare with',
        );
    }
    if (only && opts.precisions?.some((p) => p !== only))
      throw new Error(
        `${dir} is the ${only} folder of "${library.id}"; give the model's folder to measure other precisions`,
      );
    const repo = m.source.kind === 'hub' ? m.source.repo : '<repo>';
    const targets = wanted.map((p): Target => {
      if (m.precisions[p]) return { precision: p, dir: libDir, weights: 'installed', load: { ...base, precision: p } };
      if (p === 'fp32' && hasSource) return { precision: p, dir: source, weights: 'source', load: base };
      throw new Error(
        `${p} is not installed for "${library.id}" (installed: ${installed.join(', ') || 'none'}); ` +
          `add it on the Models page or with \`inkling pull ${repo} --precision ${p}\``,
      );
    });
    return { targets, library, notes };
  }
  if (opts.precisions && opts.precisions.length) {
    // A plain folder holds one precision; say so if another is asked for (checked after loading).
    if (opts.precisions.length > 1)
      throw new Error(
        `${dir} is a single model folder; --precision can name only its own precision ` +
          "(or give a library model's folder to measure several)",
      );
  }
  return {
    targets: [{ precision: opts.precisions?.[0] ?? '', dir, weights: 'folder', load: base }],
    library: null,
    notes,
  };
}

export async function runEval(opts: EvalOptions): Promise<EvalReport> {
  const stride = opts.stride ?? DEFAULT_STRIDE;
  if (opts.limit !== undefined && (!Number.isSafeInteger(opts.limit) || opts.limit < 1))
    throw new Error(`--limit must be a positive whole number, got ${opts.limit}`);
  const { targets, library, notes } = await resolveTargets(opts);
  const dataset = await fetchDataset(opts.task, {
    dataDir: opts.dataDir,
    endpoint: opts.endpoint,
    signal: opts.signal,
    spec: opts.datasetSpec,
    onProgress: (progress) => opts.onEvent?.({ kind: 'download', progress }),
  });
  opts.onEvent?.({ kind: 'dataset', dataset });
  notes.push(...dataset.notes);
  const cancel = {
    get cancelled() {
      return opts.signal?.aborted ?? false;
    },
  };
  const results: PrecisionResult[] = [];
  let model: EvalReport['model'] | null = null;
  let context = 0;
  for (const t of targets) {
    const t0 = performance.now();
    const { engine, info } = await openModelFolder(t.dir, {
      ...t.load,
      onProgress: (fraction, stage) =>
        opts.onEvent?.({ kind: 'loading', precision: t.precision || 'model', stage, fraction }),
    });
    try {
      if (t.weights === 'folder' && t.precision && t.precision !== info.precision) {
        throw new Error(`${t.dir} holds ${info.precision} weights, not ${t.precision}`);
      }
      const precision = t.weights === 'folder' ? info.precision : t.precision;
      context = Math.min(info.contextLength, MAX_CONTEXT);
      model ??= {
        name: library?.manifest.name ?? info.name,
        dir: library ? modelDir(library.dataDir, library.id) : t.dir,
        libraryId: library?.id ?? null,
        nLayer: info.nLayer,
        nEmbd: info.nEmbd,
        contextLength: info.contextLength,
      };
      if (opts.task === 'wikitext2' && stride > context)
        throw new Error(`--stride ${stride} is larger than the model's context (${context} tokens)`);
      const score = engineScorer(engine, cancel);
      const onProgress = (done: number, total: number) =>
        opts.onEvent?.({
          kind: 'scoring',
          precision,
          done,
          total,
          unit: opts.task === 'wikitext2' ? 'windows' : 'passages',
        });
      const r: PrecisionResult = { precision, dir: t.dir, weights: t.weights, seconds: 0 };
      if (opts.task === 'wikitext2') {
        let ids = engine.tokenize(wikitextText(dataset.rows));
        if (opts.limit !== undefined) ids = ids.slice(0, opts.limit);
        r.perplexity = await slidingPerplexity(ids, score, { context, stride, onProgress });
      } else {
        const passages = opts.limit !== undefined ? dataset.rows.slice(0, opts.limit) : dataset.rows;
        r.lambada = await lambadaScore(passages, (s) => engine.tokenize(s), score, { context, onProgress });
      }
      r.seconds = (performance.now() - t0) / 1000;
      results.push(r);
      opts.onEvent?.({ kind: 'result', result: r });
    } finally {
      await engine.dispose();
    }
  }
  if (!model) throw new Error('no precision was measured');
  const report: EvalReport = {
    task: opts.task,
    dataset: {
      title: dataset.spec.title,
      repo: dataset.origin.repo,
      file: dataset.origin.file,
      commit: dataset.origin.commit,
      sha256: dataset.origin.sha256,
      cached: dataset.cached,
    },
    model,
    paper: paperRow(model),
    context,
    stride: opts.task === 'wikitext2' ? stride : null,
    limit: opts.limit ?? null,
    results,
    notes,
    recorded: false,
  };
  if (library) {
    const m = library.manifest;
    const now = new Date().toISOString();
    const records: EvalRecord[] = results.map((r) => ({
      task: opts.task,
      precision: r.precision as Precision,
      weights: r.weights === 'source' ? 'source' : 'installed',
      weightsCreatedAt: r.weights === 'source' ? m.createdAt : m.precisions[r.precision as Precision]!.createdAt,
      dataset: {
        repo: report.dataset.repo,
        file: report.dataset.file,
        commit: report.dataset.commit,
        sha256: report.dataset.sha256,
      },
      context,
      ...(report.stride !== null ? { stride: report.stride } : {}),
      limit: report.limit,
      count: r.perplexity ? r.perplexity.scoredTokens : r.lambada!.passages,
      perplexity: r.perplexity ? r.perplexity.perplexity : r.lambada!.wordPerplexity,
      ...(r.lambada ? { accuracy: r.lambada.accuracy } : {}),
      measuredAt: now,
    }));
    try {
      await recordEvals(library.dataDir, library.id, records);
      report.recorded = true;
    } catch (err) {
      // The measurement stands (it is printed); only keeping it with the model failed.
      report.notes.push(
        `the results could not be stored with "${library.id}" (${(err as Error).message}); ` +
          'run the evaluation again to show them on the Models page',
      );
    }
  }
  return report;
}
