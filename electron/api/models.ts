/**
 * The model library's part of the contract: the catalog with memory estimates, installed models,
 * download / import jobs and their progress events, and the devices a model can run on.
 * Validators for the library's methods live here too (validate.ts wires them into VALIDATORS).
 * No Node imports: the renderer uses these types and validators as well.
 */
import { describeValue } from '../common/describe';
import { InklingError, type ApiErrorPayload } from './errors';

export type ModelPrecision = 'fp32' | 'fp16' | 'int8' | 'int4';
export const MODEL_PRECISIONS: readonly ModelPrecision[] = ['fp32', 'fp16', 'int8', 'int4'];

/** 'fits' = comfortable; 'slow' = runs but squeezes other apps; 'wont-fit' = more than this machine has. */
export type FitLabel = 'fits' | 'slow' | 'wont-fit';

export interface PrecisionMemory {
  precision: ModelPrecision;
  /** Bytes of RAM needed while generating at full context (weights + KV cache + overhead). */
  bytes: number;
  fit: FitLabel;
}

export interface CatalogModel {
  /** Library id once installed, e.g. "gpt2". */
  id: string;
  name: string;
  /** Hugging Face repository, e.g. "openai-community/gpt2". */
  repo: string;
  description: string;
  license: string;
  parameters: number;
  /** Approximate download (model.safetensors); the exact size comes from the Hub. */
  downloadBytes: number;
  nLayer: number;
  contextLength: number;
  memory: PrecisionMemory[];
  /** Precisions of this model already in the library. */
  installed: ModelPrecision[];
}

export interface Catalog {
  models: CatalogModel[];
  /** This machine's total memory, the yardstick of the fit labels. */
  totalMemoryBytes: number;
  /** Where downloads come from (HF_ENDPOINT or https://huggingface.co). */
  endpoint: string;
}

export interface QuantErrorInfo {
  /** Share of positions where the converted model's top choice equals fp32's (0..1). */
  top1Agreement: number;
  /** Mean KL divergence from fp32, in nats. */
  meanKl: number;
}

/** A precision's distance from fp32 on real text, from `inkling eval` (electron/services/eval/records.ts). */
export interface EvalVsFp32 {
  task: 'wikitext2' | 'lambada';
  /** "WikiText-2 perplexity" or "LAMBADA perplexity". */
  metric: string;
  perplexity: number;
  fp32Perplexity: number;
  /** (perplexity − fp32) / fp32: 0.02 = 2% higher, i.e. worse. */
  change: number;
  /** LAMBADA last-word accuracy (0..1), this precision's and fp32's. */
  accuracy?: number;
  fp32Accuracy?: number;
  /** Measured on part of the test split only. */
  partial: boolean;
  /** Far enough from fp32 that the writer is told (perplexity ≥ 5% higher, or accuracy ≥ 2 points lower). */
  muchWorse: boolean;
}

export interface InstalledPrecision {
  precision: ModelPrecision;
  bytes: number;
  format: 'inkling' | 'hf';
  quantError?: QuantErrorInfo;
  vsFp32?: EvalVsFp32;
}

export interface LibraryModel {
  id: string;
  name: string;
  source: { kind: 'hub'; repo: string; revision: string; commit: string | null } | { kind: 'import'; path: string };
  /** Absolute folder of the model. */
  dir: string;
  /** Bytes on disk (downloaded checkpoint + every converted precision). */
  bytes: number;
  precisions: InstalledPrecision[];
  isDefault: boolean;
  /** The precision the engine has loaded from this model right now, or null. */
  loaded: ModelPrecision | null;
  /** When an installed precision measured much worse than fp32: what to use instead, in a sentence. */
  precisionAdvice?: string;
  createdAt: string;
}

export interface ModelLibrary {
  models: LibraryModel[];
  /** Folders under models/ whose manifest could not be read (named with the problem). */
  broken: { id: string; dir: string; problem: string }[];
  defaultId: string | null;
  /** `<data folder>/models`. */
  modelsDir: string;
}

export type ModelJobState = 'running' | 'done' | 'failed' | 'cancelled' | 'interrupted';
export type ModelJobPhase = 'queued' | 'resolving' | 'downloading' | 'copying' | 'converting' | 'done';

/**
 * A download or import, as shown on the Models page. Sent as a `modelProgress` event whenever it
 * moves (at most ~10 times a second) and listed by `listModelJobs`. A cancelled, failed or
 * interrupted (app closed mid-way) download keeps its partial files: `pullModel` again resumes it.
 */
export interface ModelJob {
  jobId: string;
  kind: 'pull' | 'import';
  modelId: string;
  name: string;
  /** pull: the Hub repository. */
  repo?: string;
  /** import: the folder being imported. */
  sourcePath?: string;
  precision: ModelPrecision;
  state: ModelJobState;
  phase: ModelJobPhase;
  /** The file being transferred, or the converter's stage. */
  file?: string;
  stage?: string;
  bytesDone: number;
  /** 0 while unknown (before the Hub answered). */
  bytesTotal: number;
  bytesPerSecond: number;
  etaSeconds: number | null;
  /** Progress within the current phase, 0..1. */
  fraction: number;
  /** Set when state is 'failed': what went wrong, naming the file, and its code (`offline`, `network`, `verify_failed`, `disk_space`…). */
  error?: ApiErrorPayload;
  startedAt: number;
  updatedAt: number;
}

export interface PullRequest {
  /** Hugging Face repository ("owner/name"). */
  repo: string;
  precision?: ModelPrecision;
  revision?: string;
}

export interface DeleteResult {
  id: string;
  /** Bytes removed from disk. */
  freedBytes: number;
}

export type DeviceName = 'cpu' | 'cuda' | 'dml' | 'coreml';

export interface DeviceOption {
  device: DeviceName;
  label: string;
  available: boolean;
  /** Why it cannot be chosen here (and what would make it work). */
  reason?: string;
}

export interface DeviceReport {
  devices: DeviceOption[];
  /** Logical processors, the upper end of the threads setting. */
  cpuThreads: number;
  platform: string;
}

// ── validation ───────────────────────────────────────────────────────────────────────────────────
const REPO_RE = /^[\w.-]{1,96}\/[\w.-]{1,96}$/;
const MODEL_ID_RE = /^[a-z0-9][a-z0-9._-]{0,99}$/;
const JOB_ID_RE = /^[A-Za-z0-9_-]{1,64}$/;
const REVISION_RE = /^[\w./-]{1,128}$/;

const bad = (msg: string): never => {
  throw new InklingError('bad_request', msg);
};

export function modelId(where: string, v: unknown): string {
  if (typeof v !== 'string' || !MODEL_ID_RE.test(v) || v.includes('..')) {
    bad(
      `${where} must be a model id (lowercase letters, digits, ".", "_" or "-"; e.g. "gpt2"); got ${describeValue(v)}.`,
    );
  }
  return v as string;
}

export function jobId(where: string, v: unknown): string {
  if (typeof v !== 'string' || !JOB_ID_RE.test(v))
    bad(`${where} must be a job id from pullModel or importModel; got ${describeValue(v)}.`);
  return v as string;
}

export function precision(where: string, v: unknown): ModelPrecision {
  if (typeof v !== 'string' || !(MODEL_PRECISIONS as readonly string[]).includes(v)) {
    bad(`${where} must be one of ${MODEL_PRECISIONS.join(', ')}; got ${describeValue(v)}.`);
  }
  return v as ModelPrecision;
}

export function pullRequest(v: unknown): PullRequest {
  const where = 'pullModel: request';
  if (!v || typeof v !== 'object' || Array.isArray(v))
    bad(
      `${where} must be an object like {"repo": "openai-community/gpt2", "precision": "fp32"}; got ${describeValue(v)}.`,
    );
  const o = v as Record<string, unknown>;
  for (const k of Object.keys(o)) {
    if (!['repo', 'precision', 'revision'].includes(k))
      bad(`${where} has an unknown field '${k}'; expected only repo, precision, revision.`);
  }
  if (typeof o.repo !== 'string' || !REPO_RE.test(o.repo)) {
    bad(
      `${where}.repo must be a Hugging Face repository name "owner/name" (e.g. "openai-community/gpt2"); got ${describeValue(o.repo)}.`,
    );
  }
  const out: PullRequest = { repo: o.repo as string };
  if (o.precision !== undefined) out.precision = precision(`${where}.precision`, o.precision);
  if (o.revision !== undefined) {
    if (typeof o.revision !== 'string' || !REVISION_RE.test(o.revision) || o.revision.includes('..')) {
      bad(
        `${where}.revision must be a branch, tag or commit (letters, digits, . _ / -); got ${describeValue(o.revision)}.`,
      );
    }
    out.revision = o.revision as string;
  }
  return out;
}
