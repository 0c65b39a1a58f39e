/**
 * The recent-files list: newest first, de-duplicated, bounded, persisted as
 * `<dataDir>/recent-files.json` ({ version: 1, files: [{ path, openedAt }] }).
 */
import { promises as fsp } from 'node:fs';
import * as path from 'node:path';
import type { RecentFile } from '../../api/types';
import { readJsonFile, SerialQueue, writeJsonFile } from '../../common/fs';

export const MAX_RECENT_FILES = 12;

/** Windows and macOS file systems are case-insensitive by default: treat C:\A.md and c:\a.md as one. */
function sameFileKey(p: string): string {
  return process.platform === 'win32' || process.platform === 'darwin' ? p.toLowerCase() : p;
}

export class RecentFiles {
  readonly file: string;
  private entries: { path: string; openedAt: number }[] = [];
  private loaded = false;
  private readonly queue = new SerialQueue();
  private readonly max: number;
  warnings: string[] = [];

  constructor(dataDir: string, options: { max?: number } = {}) {
    this.file = path.join(dataDir, 'recent-files.json');
    this.max = options.max ?? MAX_RECENT_FILES;
  }

  private async load(): Promise<void> {
    if (this.loaded) return;
    this.loaded = true;
    const read = await readJsonFile(this.file);
    if (read.kind === 'invalid') {
      this.warnings.push(`Recent files were reset: ${read.reason}.`);
      return;
    }
    if (read.kind === 'missing') return;
    const files = (read.value as { files?: unknown })?.files;
    if (!Array.isArray(files)) {
      this.warnings.push(`Recent files were reset: ${this.file} has no "files" list.`);
      return;
    }
    const seen = new Set<string>();
    for (const f of files) {
      if (!f || typeof f !== 'object') continue;
      const { path: p, openedAt } = f as { path?: unknown; openedAt?: unknown };
      if (typeof p !== 'string' || !path.isAbsolute(p) || typeof openedAt !== 'number') continue;
      if (seen.has(sameFileKey(p))) continue;
      seen.add(sameFileKey(p));
      this.entries.push({ path: p, openedAt });
    }
    this.entries = this.entries.sort((a, b) => b.openedAt - a.openedAt).slice(0, this.max);
  }

  private persist(): Promise<void> {
    const snapshot = { version: 1, files: this.entries.map((e) => ({ ...e })) };
    return this.queue.run(() => writeJsonFile(this.file, snapshot));
  }

  async add(p: string, at = Date.now()): Promise<void> {
    await this.load();
    const key = sameFileKey(p);
    this.entries = [{ path: p, openedAt: at }, ...this.entries.filter((e) => sameFileKey(e.path) !== key)].slice(
      0,
      this.max,
    );
    await this.persist();
  }

  async remove(p: string): Promise<void> {
    await this.load();
    const key = sameFileKey(p);
    const before = this.entries.length;
    this.entries = this.entries.filter((e) => sameFileKey(e.path) !== key);
    if (this.entries.length !== before) await this.persist();
  }

  async clear(): Promise<void> {
    await this.load();
    this.entries = [];
    await this.persist();
  }

  /** Lists the entries whose files still exist (missing ones stay on disk in case a drive comes back). */
  async list(): Promise<RecentFile[]> {
    await this.load();
    const out: RecentFile[] = [];
    for (const e of this.entries) {
      const exists = await fsp.stat(e.path).then(
        (s) => s.isFile(),
        () => false,
      );
      if (exists) out.push({ path: e.path, name: path.basename(e.path), openedAt: e.openedAt });
    }
    return out;
  }

  /** True when `p` is on the list (used to allow re-opening it without a dialog in Electron). */
  async has(p: string): Promise<boolean> {
    await this.load();
    const key = sameFileKey(p);
    return this.entries.some((e) => sameFileKey(e.path) === key);
  }
}
