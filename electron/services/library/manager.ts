/**
 * The app's side of the model library: runs downloads and imports as jobs with progress events,
 * cancels and resumes them (also after the app restarts), deletes, sets the default, loads a model
 * into the engine, reloads it when the device or thread settings change. The file work itself is
 * the library core's (electron/services/models); this class is what the Backend's API methods call.
 */
import fsp from 'node:fs/promises';
import os from 'node:os';
import * as path from 'node:path';
import { InklingError, toInklingError } from '../../api/errors';
import type {
  Catalog,
  DeleteResult,
  DeviceReport,
  ModelJob,
  ModelLibrary,
  ModelPrecision,
  PullRequest,
} from '../../api/models';
import type { Settings } from '../../api/settings';
import type { EngineStatus, InklingEvents } from '../../api/types';
import type { EngineManager } from '../engine/engineManager';
import {
  catalogEntryForRepo,
  deleteModel,
  fitLabel,
  getDefault,
  getModel,
  importFolder,
  isAbortError,
  pullModel,
  resolveEndpoint,
  scanLibrary,
  setDefault,
  type ConvertFn,
  type ImportOptions,
  type PullOptions,
  type PullResult,
  type RetryOptions,
} from '../models';
import { detectFolder, idForFolder } from '../models/import';
import { idForRepo, modelDir, readManifest } from '../models/manifest';
import { detectDevices } from './devices';
import { JobTable, newJobId } from './jobs';
import { PendingDownloads } from './pending';
import { catalogView, isInside, libraryModelView } from './views';

export interface LibraryPlatform {
  mode: 'electron' | 'web';
  /** Web: the writer types paths. Electron: import only folders chosen in the dialog. */
  trustRendererPaths: boolean;
  /** Reveals a file in the system's file manager (Electron's shell.showItemInFolder). */
  showItemInFolder?(fullPath: string): void;
}

export interface LibraryServiceOptions {
  dataDir: string;
  engine: Pick<EngineManager, 'load' | 'reload' | 'unload' | 'status'>;
  settings: { get(): Settings; update(patch: Partial<Settings>): Promise<Settings> };
  broadcast<C extends 'modelProgress' | 'modelsChanged'>(channel: C, payload: InklingEvents[C]): void;
  platform: LibraryPlatform;
  /** Hub endpoint; default HF_ENDPOINT, then https://huggingface.co. */
  endpoint?: string;
  totalMemoryBytes?: () => number;
  devices?: () => DeviceReport;
  /** The library core's operations, injectable for tests. */
  pull?: (opts: PullOptions) => Promise<PullResult>;
  importFolder?: (dir: string, opts: ImportOptions) => Promise<PullResult>;
  convert?: ConvertFn;
  retry?: RetryOptions;
  progressIntervalMs?: number;
  log?: (message: string) => void;
}

export class LibraryService {
  readonly pending: PendingDownloads;
  private readonly jobs: JobTable;
  private readonly log: (m: string) => void;

  constructor(private readonly o: LibraryServiceOptions) {
    this.pending = new PendingDownloads(o.dataDir);
    this.jobs = new JobTable((job) => o.broadcast('modelProgress', job), o.progressIntervalMs);
    this.log = o.log ?? ((m) => console.error(m));
  }

  private get dataDir(): string {
    return this.o.dataDir;
  }

  async catalog(): Promise<Catalog> {
    const { models } = await scanLibrary(this.dataDir);
    return catalogView(this.o.totalMemoryBytes?.() ?? os.totalmem(), models, resolveEndpoint(this.o.endpoint));
  }

  async models(): Promise<ModelLibrary> {
    const scan = await scanLibrary(this.dataDir);
    const loaded = this.o.engine.status().model;
    const models = scan.models.map((m) => libraryModelView(m, loaded));
    return {
      models,
      broken: scan.broken.map((b) => ({ ...b })),
      defaultId: models.find((m) => m.isDefault)?.id ?? null,
      modelsDir: path.join(this.dataDir, 'models'),
    };
  }

  listJobs(): Promise<ModelJob[]> {
    return this.jobs.list(this.dataDir, this.pending);
  }

  devices(): DeviceReport {
    return (this.o.devices ?? detectDevices)();
  }

  /** Starts or resumes a download; resolves with the job at once. */
  async pull(req: PullRequest): Promise<ModelJob> {
    const cat = catalogEntryForRepo(req.repo);
    let modelId: string;
    try {
      modelId = cat?.id ?? idForRepo(req.repo);
    } catch (e) {
      throw toInklingError(e);
    }
    const precision = req.precision ?? 'fp32';
    const busy = this.jobs.runningFor(modelId);
    if (busy) {
      if (
        busy.job.kind === 'pull' &&
        busy.job.precision === precision &&
        busy.job.repo?.toLowerCase() === req.repo.toLowerCase()
      )
        return { ...busy.job };
      throw new InklingError(
        'busy',
        `${busy.job.name} is already being ${busy.job.kind === 'pull' ? 'downloaded' : 'imported'} (${busy.job.precision}); wait for it to finish or cancel it first.`,
      );
    }
    const name = cat?.name ?? req.repo;
    const previous = (await this.pending.list()).find(
      (r) => r.modelId === modelId && r.repo.toLowerCase() === req.repo.toLowerCase(),
    );
    const now = Date.now();
    const job: ModelJob = {
      jobId: newJobId(),
      kind: 'pull',
      modelId,
      name,
      repo: req.repo,
      precision,
      state: 'running',
      phase: 'queued',
      bytesDone: 0,
      bytesTotal: previous?.bytesTotal ?? 0,
      bytesPerSecond: 0,
      etaSeconds: null,
      fraction: 0,
      startedAt: now,
      updatedAt: now,
    };
    const record = {
      modelId,
      name,
      repo: req.repo,
      precision,
      ...(req.revision ? { revision: req.revision } : {}),
      bytesTotal: job.bytesTotal,
      startedAt: previous?.startedAt ?? now,
    };
    await this.pending.put(record);
    const controller = new AbortController();
    let recordedTotal = job.bytesTotal;
    // Measuring a quantized download against fp32 runs the fp32 model for a moment: skipped when
    // fp32 would not fit in this computer's memory (the Models page then shows no measurement).
    const known = catalogEntryForRepo(req.repo);
    const qualityReport =
      !known ||
      precision === 'fp32' ||
      fitLabel(known, 'fp32', this.o.totalMemoryBytes?.() ?? os.totalmem()) !== 'wont-fit';
    const run = async (): Promise<string | null> => {
      try {
        const result = await (this.o.pull ?? pullModel)({
          ...this.o.retry,
          repo: req.repo,
          precision,
          ...(qualityReport ? {} : { qualityReport: false }),
          ...(req.revision ? { revision: req.revision } : {}),
          endpoint: this.o.endpoint,
          dataDir: this.dataDir,
          convert: this.o.convert,
          signal: controller.signal,
          onProgress: (p) => {
            if (p.phase === 'done') return;
            const patch: Partial<ModelJob> = { phase: p.phase, fraction: p.fraction, stage: p.stage, file: p.file };
            if (p.phase === 'downloading' || p.phase === 'resolving') {
              Object.assign(patch, {
                bytesDone: p.bytesDone,
                bytesTotal: p.bytesTotal,
                bytesPerSecond: p.bytesPerSecond,
                etaSeconds: p.etaSeconds,
              });
            } else {
              Object.assign(patch, { bytesPerSecond: 0, etaSeconds: null });
            }
            this.jobs.update(job.jobId, patch);
            if (p.bytesTotal > 0 && p.bytesTotal !== recordedTotal) {
              recordedTotal = p.bytesTotal;
              void this.pending
                .put({ ...record, bytesTotal: p.bytesTotal })
                .catch((e: Error) => this.log(`could not record the download: ${e.message}`));
            }
          },
        });
        await this.pending.remove(modelId);
        this.jobs.finish(job.jobId, {
          state: 'done',
          phase: 'done',
          fraction: 1,
          bytesPerSecond: 0,
          etaSeconds: 0,
          stage: undefined,
        });
        this.o.broadcast('modelsChanged', { reason: 'installed' });
        return result.id;
      } catch (err) {
        if (controller.signal.aborted || isAbortError(err)) {
          this.jobs.finish(job.jobId, { state: 'cancelled', bytesPerSecond: 0, etaSeconds: null });
        } else {
          this.log(`download of ${req.repo} failed: ${(err as Error).message}`);
          this.jobs.finish(job.jobId, {
            state: 'failed',
            bytesPerSecond: 0,
            etaSeconds: null,
            error: toInklingError(err).toPayload(),
          });
        }
        return null;
      }
    };
    this.start(job, controller, run, precision);
    return { ...job };
  }

  /**
   * A first model becomes the default and, when nothing is loaded, is loaded at once: a writer who
   * downloads a model from the welcome screen gets suggestions without another step.
   */
  private async afterInstall(id: string, precision: ModelPrecision): Promise<void> {
    try {
      const hadDefault = (await getDefault(this.dataDir)) !== null;
      if (!hadDefault) {
        await setDefault(this.dataDir, id);
        this.o.broadcast('modelsChanged', { reason: 'default' });
      }
      if (this.o.engine.status().state === 'no_model') {
        if (!hadDefault && this.o.settings.get().modelDir) await this.o.settings.update({ modelDir: null });
        await this.use(id, precision);
      }
    } catch (e) {
      this.log(`after installing ${id}: ${(e as Error).message}`);
    }
  }

  /**
   * Running job: stops it (the partial download is kept). Stopped or interrupted job: discards it
   * (its partial files are deleted). Unknown ids are ignored.
   */
  async cancel(jobId: string): Promise<void> {
    const live = this.jobs.get(jobId);
    if (live) {
      live.controller.abort();
      await live.finished;
      return;
    }
    const stopped =
      this.jobs.stoppedJob(jobId) ?? (await this.listJobs()).find((j) => j.jobId === jobId && j.state !== 'running');
    if (!stopped) return;
    await this.discard(stopped.modelId, stopped.precision);
    this.o.broadcast('modelsChanged', { reason: 'discarded' });
  }

  private async discard(modelId: string, precision: ModelPrecision): Promise<void> {
    this.jobs.forget(modelId);
    await this.pending.remove(modelId);
    const manifest = await readManifest(this.dataDir, modelId).catch(() => null);
    try {
      if (!manifest) await deleteModel(this.dataDir, modelId);
      else if (!manifest.precisions[precision])
        await fsp.rm(path.join(modelDir(this.dataDir, modelId), precision), { recursive: true, force: true });
    } catch (e) {
      // Nothing left to delete is what discarding wants.
      const err = toInklingError(e);
      if (err.code !== 'not_found') throw err;
    }
  }

  async delete(id: string): Promise<DeleteResult> {
    const live = this.jobs.runningFor(id);
    if (live) {
      live.controller.abort();
      await live.finished;
    }
    const dir = modelDir(this.dataDir, id);
    const status = this.o.engine.status();
    if (status.model && isInside(status.model.dir, dir)) {
      await this.o.engine.unload(`${status.model.name} was deleted. Choose another model on the Models page.`);
    }
    const configured = this.o.settings.get().modelDir;
    if (configured && isInside(path.resolve(configured), dir)) await this.o.settings.update({ modelDir: null });
    let freedBytes: number;
    try {
      freedBytes = await deleteModel(this.dataDir, id);
    } catch (e) {
      throw toInklingError(e);
    } finally {
      this.jobs.forget(id);
      await this.pending.remove(id);
    }
    this.o.broadcast('modelsChanged', { reason: 'deleted' });
    return { id, freedBytes };
  }

  private async installed(id: string) {
    const m = await getModel(this.dataDir, id).catch((e: unknown) => {
      throw toInklingError(e);
    });
    if (!m)
      throw new InklingError(
        'not_found',
        `No model "${id}" is installed in ${path.join(this.dataDir, 'models')}. Download it on the Models page.`,
      );
    return m;
  }

  /** Loads an installed model: the given precision, or the engine's preferred installed one. */
  async use(id: string, precision?: ModelPrecision): Promise<EngineStatus> {
    const m = await this.installed(id);
    if (precision && !m.manifest.precisions[precision]) {
      const have = Object.keys(m.manifest.precisions).join(', ') || 'none';
      throw new InklingError(
        'bad_request',
        `${m.manifest.name} has no ${precision} version installed (installed: ${have}). Download that precision first.`,
      );
    }
    // The library folder plus the precision: an imported ONNX export keeps several precisions'
    // graphs in one folder, and only the library's manifest says which file is which.
    return this.o.engine.load(m.dir, precision ? { precision } : {});
  }

  /** Makes `id` the model opened at start (replacing a folder chosen with Open Model Folder) and loads it. */
  async setDefault(id: string): Promise<EngineStatus> {
    const m = await this.installed(id);
    try {
      await setDefault(this.dataDir, id);
    } catch (e) {
      throw toInklingError(e);
    }
    if (this.o.settings.get().modelDir) await this.o.settings.update({ modelDir: null });
    this.o.broadcast('modelsChanged', { reason: 'default' });
    const status = this.o.engine.status();
    if (status.model && isInside(status.model.dir, m.dir)) return status;
    return this.o.engine.load(m.dir);
  }

  /**
   * Starts importing a folder; without `folder`, asks `chooseFolder` (Electron's dialog). Resolves
   * null when the writer cancelled the dialog.
   */
  async import(
    folder: string | undefined,
    precision: ModelPrecision = 'fp32',
    chooseFolder?: () => Promise<string | null>,
  ): Promise<ModelJob | null> {
    const { platform } = this.o;
    let dir = folder;
    if (dir === undefined) {
      if (!chooseFolder)
        throw new InklingError(
          'path_required',
          'Type the full path of a Hugging Face model folder (a checkpoint with model.safetensors, or an ONNX export) to import.',
        );
      const chosen = await chooseFolder();
      if (!chosen) return null;
      dir = chosen;
    } else if (!platform.trustRendererPaths) {
      throw new InklingError('not_allowed', 'Choose the folder to import in the Import dialog.');
    }
    dir = path.resolve(dir);
    try {
      detectFolder(dir); // early, named errors: "…/x is neither a Hugging Face checkpoint folder (no model.safetensors) nor…"
    } catch (e) {
      throw toInklingError(e);
    }
    const modelId = await this.freeId(idForFolder(dir));
    const now = Date.now();
    const job: ModelJob = {
      jobId: newJobId(),
      kind: 'import',
      modelId,
      name: path.basename(dir),
      sourcePath: dir,
      precision,
      state: 'running',
      phase: 'queued',
      bytesDone: 0,
      bytesTotal: 0,
      bytesPerSecond: 0,
      etaSeconds: null,
      fraction: 0,
      startedAt: now,
      updatedAt: now,
    };
    const controller = new AbortController();
    const run = async (): Promise<string | null> => {
      try {
        const result = await (this.o.importFolder ?? importFolder)(dir, {
          dataDir: this.dataDir,
          id: modelId,
          precision,
          convert: this.o.convert,
          signal: controller.signal,
          onProgress: (p) => {
            if (p.phase !== 'done')
              this.jobs.update(job.jobId, { phase: p.phase, fraction: p.fraction, file: p.file, stage: p.stage });
          },
        });
        this.jobs.finish(job.jobId, { state: 'done', phase: 'done', fraction: 1 });
        this.o.broadcast('modelsChanged', { reason: 'installed' });
        return result.id;
      } catch (err) {
        const cancelled = controller.signal.aborted || isAbortError(err);
        // An import has nothing worth resuming: remove what was copied.
        if (!(await readManifest(this.dataDir, modelId).catch(() => null))) {
          await deleteModel(this.dataDir, modelId).catch(() => undefined);
        }
        this.jobs.finish(
          job.jobId,
          cancelled ? { state: 'cancelled' } : { state: 'failed', error: toInklingError(err).toPayload() },
        );
        this.jobs.forget(modelId);
        if (!cancelled) this.log(`import of ${dir} failed: ${(err as Error).message}`);
        return null;
      }
    };
    this.start(job, controller, run, precision);
    return { ...job };
  }

  /**
   * Registers and runs a job. `finished` settles when its files are closed and its lock released —
   * before the new model is loaded, so cancelling never waits for a model load.
   */
  private start(
    job: ModelJob,
    controller: AbortController,
    run: () => Promise<string | null>,
    precision: ModelPrecision,
  ): void {
    const finished = run();
    this.jobs.add({ job, controller, finished: finished.then(() => undefined) });
    void finished.then((installedId) => (installedId ? this.afterInstall(installedId, precision) : undefined));
  }

  private async freeId(base: string): Promise<string> {
    const taken = async (id: string) =>
      this.jobs.runningFor(id) !== undefined ||
      (await fsp.stat(modelDir(this.dataDir, id)).then(
        () => true,
        () => false,
      ));
    if (!(await taken(base))) return base;
    for (let n = 2; n < 1000; n++) {
      const id = `${base.slice(0, 95)}-${n}`;
      if (!(await taken(id))) return id;
    }
    throw new InklingError('model_invalid', `Too many models are named ${base}; delete some first.`);
  }

  async showInFolder(id: string): Promise<void> {
    const m = await this.installed(id);
    if (!this.o.platform.showItemInFolder) {
      throw new InklingError('not_allowed', `Show in folder works in the desktop app only. The model is in ${m.dir}`);
    }
    this.o.platform.showItemInFolder(path.join(m.dir, 'manifest.json'));
  }

  /** Device or threads changed: reload the loaded model with them (the engine reads them at each load). */
  async settingsChanged(before: Settings, after: Settings): Promise<void> {
    if (before.device === after.device && before.threads === after.threads) return;
    // The engine repeats the request behind the loaded model (a library model keeps its precision).
    await this.o.engine
      .reload()
      .catch((e: Error) => this.log(`reloading the model for the new device settings failed: ${e.message}`));
  }

  /** Stops running jobs (their partial downloads stay and are offered for resume at next start). */
  async dispose(): Promise<void> {
    const live = this.jobs.running();
    for (const l of live) l.controller.abort();
    await Promise.all(live.map((l) => l.finished));
  }
}
