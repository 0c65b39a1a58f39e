/**
 * `<dataDir>/model-downloads.json`: the downloads that were started and have not finished, so that
 * after the app quits (or crashes) mid-download the Models page can offer to resume them. A record is
 * written when a pull starts, updated once the Hub has told us the total size, and removed when the
 * model is installed or the writer discards the download. The partial files themselves live in the
 * model folder (`models/<id>/source/*.incomplete`) and are picked up by the next pull.
 */
import * as path from 'node:path';
import type { ModelPrecision } from '../../api/models';
import { MODEL_PRECISIONS } from '../../api/models';
import { readJsonFile, SerialQueue, writeJsonFile } from '../../common/fs';

export interface PendingDownload {
  modelId: string;
  name: string;
  repo: string;
  precision: ModelPrecision;
  revision?: string;
  /** Bytes of all files, once known (0 before the Hub answered). */
  bytesTotal: number;
  startedAt: number;
}

export const PENDING_FILE = 'model-downloads.json';

function valid(r: unknown): r is PendingDownload {
  if (!r || typeof r !== 'object') return false;
  const o = r as Record<string, unknown>;
  return (
    typeof o.modelId === 'string' &&
    typeof o.name === 'string' &&
    typeof o.repo === 'string' &&
    typeof o.precision === 'string' &&
    (MODEL_PRECISIONS as readonly string[]).includes(o.precision) &&
    (o.revision === undefined || typeof o.revision === 'string') &&
    typeof o.bytesTotal === 'number' &&
    typeof o.startedAt === 'number'
  );
}

export class PendingDownloads {
  readonly file: string;
  private readonly queue = new SerialQueue();

  constructor(dataDir: string) {
    this.file = path.join(dataDir, PENDING_FILE);
  }

  /** The records; a damaged file reads as empty (the partial files stay and are found by folder scan). */
  async list(): Promise<PendingDownload[]> {
    const read = await readJsonFile(this.file);
    if (read.kind !== 'ok') return [];
    const list = (read.value as { downloads?: unknown })?.downloads;
    return Array.isArray(list) ? list.filter(valid) : [];
  }

  /** Adds or replaces the record of `modelId`. */
  put(record: PendingDownload): Promise<void> {
    return this.queue.run(async () => {
      const rest = (await this.list()).filter((r) => r.modelId !== record.modelId);
      await writeJsonFile(this.file, { schemaVersion: 1, downloads: [...rest, record] });
    });
  }

  remove(modelId: string): Promise<void> {
    return this.queue.run(async () => {
      const all = await this.list();
      const rest = all.filter((r) => r.modelId !== modelId);
      if (rest.length !== all.length) await writeJsonFile(this.file, { schemaVersion: 1, downloads: rest });
    });
  }
}
