/**
 * Downloads and imports in flight, and the ones that stopped before finishing. A job's progress is
 * pushed as `modelProgress` events, at most every `intervalMs` except when its state, phase or file
 * changes (those always go out, so the UI never misses "done" or "failed").
 */
import { randomBytes } from 'node:crypto';
import fsp from 'node:fs/promises';
import * as path from 'node:path';
import type { ModelJob } from '../../api/models';
import { catalogEntry, scanLibrary } from '../models';
import { dirSize } from '../models/files';
import { modelDir } from '../models/manifest';
import type { PendingDownloads } from './pending';

export interface LiveJob {
  job: ModelJob;
  controller: AbortController;
  /** Settles when the job has stopped (its lock released, its files closed). */
  finished: Promise<void>;
}

export function newJobId(): string {
  return `j${Date.now().toString(36)}${randomBytes(4).toString('hex')}`;
}

/** A stable id for a download found on disk (not run by this process). */
export function interruptedJobId(modelId: string): string {
  return `i-${modelId.replace(/[^A-Za-z0-9_-]/g, '_')}`.slice(0, 64);
}

export class JobTable {
  private readonly live = new Map<string, LiveJob>();
  /** Stopped jobs of this session (cancelled / failed), kept so the page can offer resume. */
  private readonly stopped = new Map<string, ModelJob>();
  private readonly lastEmit = new Map<string, { at: number; key: string }>();

  constructor(
    private readonly emit: (job: ModelJob) => void,
    private readonly intervalMs = 100,
    private readonly now: () => number = () => Date.now(),
  ) {}

  add(live: LiveJob): void {
    for (const [id, j] of this.stopped) if (j.modelId === live.job.modelId) this.stopped.delete(id);
    this.live.set(live.job.jobId, live);
    this.push(live.job, true);
  }

  get(jobId: string): LiveJob | undefined {
    return this.live.get(jobId);
  }

  running(): LiveJob[] {
    return [...this.live.values()];
  }

  runningFor(modelId: string): LiveJob | undefined {
    return this.running().find((l) => l.job.modelId === modelId);
  }

  stoppedJob(jobId: string): ModelJob | undefined {
    return this.stopped.get(jobId);
  }

  /** Updates a running job's fields and pushes the change (throttled unless `force`). */
  update(jobId: string, patch: Partial<ModelJob>, force = false): void {
    const l = this.live.get(jobId);
    if (!l) return;
    Object.assign(l.job, patch, { updatedAt: this.now() });
    this.push(l.job, force);
  }

  /** The job stopped: done jobs are forgotten, cancelled / failed ones kept for resume. */
  finish(jobId: string, patch: Partial<ModelJob>): void {
    const l = this.live.get(jobId);
    if (!l) return;
    Object.assign(l.job, patch, { updatedAt: this.now() });
    this.live.delete(jobId);
    if (l.job.state !== 'done') this.stopped.set(jobId, l.job);
    this.push(l.job, true);
    this.lastEmit.delete(jobId);
  }

  forget(modelId: string): void {
    for (const [id, j] of this.stopped) if (j.modelId === modelId) this.stopped.delete(id);
  }

  private push(job: ModelJob, force: boolean): void {
    const key = `${job.state}|${job.phase}|${job.file ?? ''}|${job.stage ?? ''}`;
    const last = this.lastEmit.get(job.jobId);
    const t = this.now();
    if (!force && last && last.key === key && t - last.at < this.intervalMs) return;
    this.lastEmit.set(job.jobId, { at: t, key });
    this.emit({ ...job, ...(job.error ? { error: { ...job.error } } : {}) });
  }

  /**
   * Everything the Models page lists: running jobs, this session's stopped ones, and downloads
   * left unfinished by an earlier run (a pending record, or a model folder without a manifest).
   */
  async list(dataDir: string, pending: PendingDownloads): Promise<ModelJob[]> {
    const out: ModelJob[] = [];
    const seen = new Set<string>();
    for (const l of this.live.values()) {
      out.push({ ...l.job });
      seen.add(l.job.modelId);
    }
    for (const j of this.stopped.values()) {
      if (seen.has(j.modelId)) continue;
      out.push({ ...j });
      seen.add(j.modelId);
    }
    const scan = await scanLibrary(dataDir);
    const unfinished = new Set(scan.unfinished);
    for (const r of await pending.list()) {
      if (seen.has(r.modelId)) continue;
      const installed = scan.models.find((m) => m.id === r.modelId);
      if (installed?.manifest.precisions[r.precision]) {
        await pending.remove(r.modelId); // finished elsewhere (e.g. `inkling pull`)
        continue;
      }
      seen.add(r.modelId);
      const dir = modelDir(dataDir, r.modelId);
      out.push(
        interrupted({
          modelId: r.modelId,
          name: r.name,
          repo: r.repo,
          precision: r.precision,
          bytesDone: installed ? 0 : await dirSize(path.join(dir, 'source')),
          bytesTotal: r.bytesTotal,
          startedAt: r.startedAt,
        }),
      );
    }
    // Folders an earlier run (the app or `inkling pull`) left without a manifest and without a record.
    for (const id of unfinished) {
      if (seen.has(id)) continue;
      const dir = modelDir(dataDir, id);
      const origin = await fsp.readFile(path.join(dir, 'source', '.origin.json'), 'utf8').then(
        (t) => JSON.parse(t) as { repo?: unknown },
        () => null,
      );
      const repo = typeof origin?.repo === 'string' ? origin.repo : undefined;
      const stat = await fsp.stat(dir).catch(() => null);
      out.push(
        interrupted({
          modelId: id,
          name: catalogEntry(id)?.name ?? repo ?? id,
          repo,
          precision: 'fp32',
          bytesDone: await dirSize(path.join(dir, 'source')),
          bytesTotal: 0,
          startedAt: stat?.mtimeMs ?? 0,
        }),
      );
    }
    return out;
  }
}

function interrupted(o: {
  modelId: string;
  name: string;
  repo?: string;
  precision: ModelJob['precision'];
  bytesDone: number;
  bytesTotal: number;
  startedAt: number;
}): ModelJob {
  return {
    jobId: interruptedJobId(o.modelId),
    // Without a repository we cannot resume, only discard: shown as an unfinished import.
    kind: o.repo ? 'pull' : 'import',
    modelId: o.modelId,
    name: o.name,
    ...(o.repo ? { repo: o.repo } : {}),
    precision: o.precision,
    state: 'interrupted',
    phase: 'downloading',
    bytesDone: o.bytesDone,
    bytesTotal: o.bytesTotal,
    bytesPerSecond: 0,
    etaSeconds: null,
    fraction: o.bytesTotal > 0 ? Math.min(1, o.bytesDone / o.bytesTotal) : 0,
    startedAt: o.startedAt,
    updatedAt: o.startedAt,
  };
}
