/**
 * pullModel: Hub repository → verified download → conversion → manifest (written last).
 *
 * All files are fetched at one commit: the first HEAD resolves the revision (X-Repo-Commit) and the
 * rest use that commit, so a push to `main` mid-download cannot mix two versions. Downloads land
 * in `<model>/source/` and are resumable (see download.ts); a pull interrupted at any point leaves
 * no manifest, so the model is not listed, and the next pull picks up where this one stopped.
 */
import fsp from 'node:fs/promises';
import path from 'node:path';
import type { ModelJob } from '../../api/models';
import { InklingError } from '../../common/errors';
import { validateCheckpointDir } from '../../engine/weights/checkpoint';
import { readGpt2Config } from '../../engine/weights/config';
import { PRECISIONS, catalogEntryForRepo, type CatalogFile, type Precision } from './catalog';
import { downloadFile, withRetry, type RetryOptions } from './download';
import { HttpStatusError, abortedError, formatBytes } from './errors';
import { ensureFreeSpace, fileSize, type StatFs } from './files';
import { headFile, resolveEndpoint, resolveUrl, type RemoteFileMeta } from './http';
import { convertInto, defaultConvert, type ConvertFn } from './install';
import { withLock } from './lock';
import { assertValidId, idForRepo, modelDir, readManifest, writeManifest, type ManifestFile, type ModelManifest } from './manifest';
import { SpeedMeter, etaSeconds, throttle } from './progress';

/** A pull's progress: what a library job shows of it (bytes over all files while downloading). */
export interface PullProgress
  extends Pick<ModelJob, 'file' | 'stage' | 'bytesDone' | 'bytesTotal' | 'bytesPerSecond' | 'etaSeconds' | 'fraction'> {
  id: string;
  phase: 'resolving' | 'downloading' | 'converting' | 'done';
}

export interface PullOptions extends RetryOptions {
  repo: string;
  revision?: string;
  precision?: Precision;
  /** Defaults to `HF_ENDPOINT`, then https://huggingface.co. */
  endpoint?: string;
  /** The app's user data folder; models go to `<dataDir>/models/<id>/`. */
  dataDir: string;
  /** Library id; defaults to the catalog id for a known repo, else "owner--name". */
  id?: string;
  /** Files to fetch; defaults to the catalog's list, else config/safetensors/tokenizer files. */
  files?: CatalogFile[];
  onProgress?: (p: PullProgress) => void;
  signal?: AbortSignal;
  /** The checkpoint → ONNX converter (injectable for tests); defaults to the engine's. */
  convert?: ConvertFn;
  /**
   * Measure a quantized precision against fp32 after converting (default true): it needs fp32's
   * memory for a moment and room on disk for a temporary fp32 graph.
   */
  qualityReport?: boolean;
  statfs?: StatFs;
  headers?: Record<string, string>;
}

export interface PullResult {
  id: string;
  /** The installed model's folder. */
  dir: string;
  manifest: ModelManifest;
}

export const DEFAULT_FILES: CatalogFile[] = [
  { name: 'config.json' },
  { name: 'model.safetensors' },
  { name: 'vocab.json' },
  { name: 'merges.txt' },
  { name: 'tokenizer.json', optional: true },
  { name: 'generation_config.json', optional: true },
];

/** Records which repository and commit `source/` holds, so leftovers of another pull are not reused. */
const ORIGIN_FILE = '.origin.json';

/** Converted size relative to the fp32 safetensors, for the free-space check (with some slack). */
const CONVERTED_RATIO: Record<Precision, number> = { fp32: 1.05, fp16: 0.55, int8: 0.35, int4: 0.25 };

export async function pullModel(opts: PullOptions): Promise<PullResult> {
  const { repo, dataDir, signal } = opts;
  if (!/^[\w.-]+\/[\w.-]+$/.test(repo)) {
    throw new InklingError('model_invalid', `"${repo}" is not a Hugging Face repository name (expected owner/name, e.g. openai-community/gpt2)`);
  }
  const precision = opts.precision ?? 'fp32';
  if (!PRECISIONS.includes(precision)) throw new InklingError('model_invalid', `precision must be one of ${PRECISIONS.join(', ')}, got "${precision}"`);
  const cat = catalogEntryForRepo(repo);
  const revision = opts.revision ?? cat?.revision ?? 'main';
  const endpoint = resolveEndpoint(opts.endpoint);
  const id = opts.id ?? cat?.id ?? idForRepo(repo);
  assertValidId(id);
  const files = opts.files ?? cat?.files ?? DEFAULT_FILES;
  const dir = modelDir(dataDir, id);
  const convert = opts.convert ?? defaultConvert;
  const report = (p: Omit<PullProgress, 'id'>): void => opts.onProgress?.({ id, ...p });
  const idle = { bytesDone: 0, bytesTotal: 0, bytesPerSecond: 0, etaSeconds: null };

  return withLock(dataDir, id, 'downloading', async () => {
    const existing = await readManifest(dataDir, id);
    if (existing) {
      const src = existing.source;
      if (src.kind !== 'hub' || src.repo.toLowerCase() !== repo.toLowerCase()) {
        throw new InklingError('model_invalid', `A model named "${id}" is already installed from ${src.kind === 'hub' ? src.repo : src.path}; delete it first or choose another name`);
      }
      if (revision !== src.revision && revision !== src.commit) {
        throw new InklingError('model_invalid', `"${id}" is installed at revision ${src.revision} (${src.commit ?? 'unknown commit'}); delete it first to pull revision ${revision}`);
      }
      if (!existing.precisions[precision]) {
        // Already downloaded: only convert the new precision from the kept checkpoint.
        const entry = await convertInto({
          modelDirPath: dir,
          sourceDir: path.join(dir, 'source'),
          precision,
          convert,
          signal,
          qualityReport: opts.qualityReport,
          onProgress: (fraction, stage) => report({ phase: 'converting', stage, fraction, ...idle }),
        });
        existing.precisions[precision] = entry;
        existing.updatedAt = new Date().toISOString();
        await writeManifest(dataDir, existing);
      }
      report({ phase: 'done', fraction: 1, ...idle });
      return { id, dir, manifest: existing };
    }

    // 1. Resolve: HEAD every file at one commit.
    report({ phase: 'resolving', fraction: 0, ...idle });
    let pinned = revision;
    let commit: string | null = null;
    const metas: { file: string; meta: RemoteFileMeta }[] = [];
    for (const f of files) {
      const url = resolveUrl(endpoint, repo, pinned, f.name);
      let meta: RemoteFileMeta;
      try {
        meta = await withRetry(f.name, () => headFile(url, f.name, { signal, headers: opts.headers, idleTimeoutMs: opts.idleTimeoutMs }), { ...opts, signal });
      } catch (err) {
        if (f.optional && err instanceof HttpStatusError && err.status === 404) continue;
        throw err;
      }
      if (commit === null && meta.commit) {
        commit = meta.commit;
        if (/^[0-9a-f]{40}$/.test(commit)) pinned = commit;
      }
      metas.push({ file: f.name, meta: { ...meta, url: resolveUrl(endpoint, repo, pinned, f.name) } });
    }

    // 2. Partial or finished files from an earlier run are reused only if they came from the same
    //    repository and commit (small files are checked by size only, so this matters).
    const sourceDir = path.join(dir, 'source');
    const origin = { repo, commit: commit ?? revision };
    const originFile = path.join(sourceDir, ORIGIN_FILE);
    const prev = await fsp.readFile(originFile, 'utf8').then((t) => JSON.parse(t) as typeof origin, () => null);
    if (!prev || prev.repo !== origin.repo || prev.commit !== origin.commit) await fsp.rm(sourceDir, { recursive: true, force: true });
    await fsp.mkdir(sourceDir, { recursive: true });
    await fsp.writeFile(originFile, JSON.stringify(origin) + '\n');

    // 3. Space for what is left to download plus the converted model.
    let remaining = 0;
    for (const { file, meta } of metas) {
      const dest = path.join(sourceDir, file);
      if ((await fileSize(dest)) === meta.size) continue;
      const partial = (await fileSize(`${dest}.incomplete`)) ?? 0;
      remaining += meta.size - (partial <= meta.size ? partial : 0);
    }
    const weightsBytes = metas.filter((m) => m.file.endsWith('.safetensors')).reduce((a, m) => a + m.meta.size, 0);
    // Measuring a quantized precision against fp32 writes a temporary fp32 graph next to it.
    const reference = precision !== 'fp32' && opts.qualityReport !== false ? Math.round(weightsBytes * CONVERTED_RATIO.fp32) : 0;
    const converted = Math.round(weightsBytes * CONVERTED_RATIO[precision]) + reference;
    await ensureFreeSpace(sourceDir, remaining + converted, `${id} (${formatBytes(remaining)} to download + about ${formatBytes(converted)} converted${reference ? ', a temporary fp32 copy included' : ''})`, opts.statfs);

    // 4. Download, verifying each file.
    const total = metas.reduce((a, m) => a + m.meta.size, 0);
    const meter = new SpeedMeter();
    const emit = throttle<PullProgress>((p) => opts.onProgress?.(p));
    let before = 0;
    const sourceFiles: ManifestFile[] = [];
    for (const { file, meta } of metas) {
      const r = await downloadFile({
        ...opts,
        url: meta.url,
        meta,
        dest: path.join(sourceDir, file),
        label: file,
        signal,
        skipSpaceCheck: true,
        onProgress: (p) => {
          const done = before + p.bytesDone;
          const bps = p.stage === 'downloading' ? meter.sample(done) : meter.bytesPerSecond;
          emit({ id, phase: 'downloading', file, stage: p.stage, bytesDone: done, bytesTotal: total, bytesPerSecond: bps, etaSeconds: etaSeconds(done, total, bps), fraction: total ? done / total : 1 });
        },
      });
      before += meta.size;
      sourceFiles.push({ path: `source/${file}`, size: r.size, sha256: r.sha256, verifiedBy: r.verifiedBy });
    }
    report({ phase: 'downloading', bytesDone: total, bytesTotal: total, bytesPerSecond: meter.bytesPerSecond, etaSeconds: 0, fraction: 1 });
    if (signal?.aborted) throw abortedError(id);

    // 5. Check the checkpoint, then convert.
    const check = await validateCheckpointDir(sourceDir);
    if (!check.ok) {
      throw new InklingError('model_invalid', `${repo} at ${commit ?? revision} is not a usable GPT-2 checkpoint:\n${check.problems.map((p) => `  - ${p}`).join('\n')}`);
    }
    const entry = await convertInto({
      modelDirPath: dir,
      sourceDir,
      precision,
      convert,
      signal,
      qualityReport: opts.qualityReport,
      onProgress: (fraction, stage) => report({ phase: 'converting', stage, fraction, ...idle }),
    });

    // 6. Register: the manifest is the last thing written.
    const cfg = readGpt2Config(sourceDir);
    const now = new Date().toISOString();
    const manifest: ModelManifest = {
      schemaVersion: 1,
      id,
      name: cat?.name ?? repo,
      source: { kind: 'hub', repo, revision, commit, endpoint },
      files: sourceFiles,
      precisions: { [precision]: entry },
      config: { nLayer: cfg.nLayer, nEmbd: cfg.nEmbd, nHead: cfg.nHead, nPositions: cfg.nPositions, vocabSize: cfg.vocabSize },
      createdAt: now,
      updatedAt: now,
    };
    await writeManifest(dataDir, manifest);
    report({ phase: 'done', fraction: 1, ...idle });
    return { id, dir, manifest };
  });
}
