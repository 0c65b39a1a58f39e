/**
 * The evaluation data sets, downloaded from the Hugging Face Hub with the model library's verified
 * downloader (resume, retries, sha256 / git-blob check) and kept in `<dataDir>/datasets/`:
 *
 *   WikiText-2: `Salesforce/wikitext`, config wikitext-2-raw-v1, the test split's parquet file (a
 *     `text` column, one row per line of the original file, empty lines included). The text scored
 *     is the rows joined with "\n\n", as Hugging Face's perplexity guide does.
 *   LAMBADA: `EleutherAI/lambada_openai`, default config = OpenAI's preprocessed test split
 *     (`data/lambada_test.jsonl`, 5,153 passages, one JSON object with a `text` per line), the file
 *     the GPT-2 paper was scored on.
 *
 * Next to each file `<file>.origin.json` records where it came from (repository, commit) and the
 * sha256 it was verified with; a later run re-hashes the file against it and uses it without the
 * network, or downloads it again when it no longer matches.
 */
import fsp from 'node:fs/promises';
import path from 'node:path';
import { parquetReadObjects } from 'hyparquet';
import { InklingError } from '../../common/errors';
import { atomicWriteFile, sha256File } from '../../common/fs';
import { downloadHubFile, resolveEndpoint, type DownloadProgress } from '../models';

export const EVAL_TASKS = ['wikitext2', 'lambada'] as const;
export type EvalTask = (typeof EVAL_TASKS)[number];

export interface DatasetSpec {
  task: EvalTask;
  /** What a writer reads: "WikiText-2 (raw, test split)". */
  title: string;
  /** Hub data set repository ("org/name"). */
  repo: string;
  revision: string;
  /** Path of the file inside the repository. */
  file: string;
  format: 'parquet' | 'jsonl';
  /** The sha256 of the file the published figures were computed on, when known: a different file is reported. */
  knownSha256?: string;
}

export const DATASETS: Record<EvalTask, DatasetSpec> = {
  wikitext2: {
    task: 'wikitext2',
    title: 'WikiText-2 (raw, test split)',
    repo: 'Salesforce/wikitext',
    revision: 'main',
    file: 'wikitext-2-raw-v1/test-00000-of-00001.parquet',
    format: 'parquet',
  },
  lambada: {
    task: 'lambada',
    title: 'LAMBADA (OpenAI test split)',
    repo: 'EleutherAI/lambada_openai',
    revision: 'main',
    file: 'data/lambada_test.jsonl',
    format: 'jsonl',
    // OpenAI's lambada_test.jsonl (1,819,752 bytes), as pinned by lm-evaluation-harness.
    knownSha256: '4aa8d02cd17c719165fc8a7887fddd641f43fcafa4b1c806ca8abc31fabdb226',
  },
};

export interface DatasetOrigin {
  repo: string;
  revision: string;
  commit: string | null;
  file: string;
  endpoint: string;
  size: number;
  sha256: string;
  verifiedBy: 'sha256' | 'git-sha1' | 'size';
  downloadedAt: string;
}

export interface LoadedDataset {
  spec: DatasetSpec;
  /** The file on disk. */
  path: string;
  origin: DatasetOrigin;
  /** Rows (WikiText-2) or passages (LAMBADA), in file order. */
  rows: string[];
  /** True when the cached copy was used (no network). */
  cached: boolean;
  /** Things a careful reader should know (a data file that differs from the published one). */
  notes: string[];
}

export interface FetchDatasetOptions {
  dataDir: string;
  /** Hub endpoint (default $HF_ENDPOINT, then https://huggingface.co). */
  endpoint?: string;
  signal?: AbortSignal;
  onProgress?: (p: DownloadProgress) => void;
  /** For tests: another file layout (a fixture repository) under the same task. */
  spec?: DatasetSpec;
}

export const datasetsRoot = (dataDir: string): string => path.join(dataDir, 'datasets');

function cacheDir(dataDir: string, spec: DatasetSpec): string {
  return path.join(datasetsRoot(dataDir), spec.repo.replace('/', '--'));
}

async function readOrigin(file: string): Promise<DatasetOrigin | null> {
  try {
    const o = JSON.parse(await fsp.readFile(`${file}.origin.json`, 'utf8')) as Partial<DatasetOrigin>;
    return typeof o.sha256 === 'string' && typeof o.size === 'number' && typeof o.repo === 'string'
      ? (o as DatasetOrigin)
      : null;
  } catch {
    return null;
  }
}

/** The data set of `task`: from the cache when it still verifies, else downloaded and verified. */
export async function fetchDataset(task: EvalTask, opts: FetchDatasetOptions): Promise<LoadedDataset> {
  const spec = opts.spec ?? DATASETS[task];
  const dir = cacheDir(opts.dataDir, spec);
  const file = path.join(dir, ...spec.file.split('/'));
  let origin = await readOrigin(file);
  let cached = false;
  if (origin && origin.repo === spec.repo && origin.file === spec.file) {
    const now = await sha256File(file, { signal: opts.signal }).catch(() => null);
    cached = now !== null && now.sha256 === origin.sha256 && now.size === origin.size;
  }
  if (!cached) {
    await fsp.rm(`${file}.origin.json`, { force: true });
    const endpoint = resolveEndpoint(opts.endpoint);
    let r;
    try {
      r = await downloadHubFile({
        repo: `datasets/${spec.repo}`,
        file: spec.file,
        revision: spec.revision,
        endpoint,
        dir,
        signal: opts.signal,
        onProgress: opts.onProgress,
      });
    } catch (err) {
      const why = err instanceof Error ? err.message : String(err);
      throw new InklingError(
        err instanceof InklingError ? err.code : 'network',
        `Could not download ${spec.title} from ${endpoint}/datasets/${spec.repo}: ${why}`,
        { cause: err },
      );
    }
    origin = {
      repo: spec.repo,
      revision: spec.revision,
      commit: r.commit,
      file: spec.file,
      endpoint,
      size: r.size,
      sha256: r.sha256,
      verifiedBy: r.verifiedBy,
      downloadedAt: new Date().toISOString(),
    };
    await atomicWriteFile(`${file}.origin.json`, JSON.stringify(origin, null, 2) + '\n');
  }
  const rows = spec.format === 'parquet' ? await readParquetText(file, spec) : await readJsonlText(file, spec);
  const notes: string[] = [];
  if (spec.knownSha256 && origin!.sha256 !== spec.knownSha256) {
    notes.push(
      `${spec.title}: this file (sha256 ${origin!.sha256.slice(0, 12)}…) is not the one the published figures ` +
        `were computed on (${spec.knownSha256.slice(0, 12)}…); ` +
        'compare precisions with each other, not with the paper',
    );
  }
  return { spec, path: file, origin: origin!, rows, cached, notes };
}

async function readParquetText(file: string, spec: DatasetSpec): Promise<string[]> {
  const buf = await fsp.readFile(file);
  let rows: Record<string, unknown>[];
  try {
    const ab = buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength) as ArrayBuffer;
    rows = await parquetReadObjects({ file: ab, columns: ['text'] });
  } catch (err) {
    throw new InklingError(
      'model_invalid',
      `${file}: ${spec.title} is not a parquet file with a "text" column (${(err as Error).message}); ` +
        'delete the file and run again',
    );
  }
  return rows.map((r, i) => {
    if (typeof r.text !== 'string')
      throw new InklingError('model_invalid', `${file}: row ${i + 1} has no "text" string`);
    return r.text;
  });
}

async function readJsonlText(file: string, spec: DatasetSpec): Promise<string[]> {
  const lines = (await fsp.readFile(file, 'utf8')).split('\n');
  const out: string[] = [];
  lines.forEach((line, i) => {
    if (line.trim() === '') return;
    let o: unknown;
    try {
      o = JSON.parse(line);
    } catch (err) {
      throw new InklingError(
        'model_invalid',
        `${file}: line ${i + 1} of ${spec.title} is not JSON (${(err as Error).message}); ` +
          'delete the file and run again',
      );
    }
    const text = (o as { text?: unknown } | null)?.text;
    if (typeof text !== 'string')
      throw new InklingError('model_invalid', `${file}: line ${i + 1} of ${spec.title} has no "text" string`);
    out.push(text);
  });
  return out;
}

/** The text WikiText-2 perplexity is measured on: the rows joined with "\n\n" (Hugging Face's guide). */
export function wikitextText(rows: readonly string[]): string {
  return rows.join('\n\n');
}
