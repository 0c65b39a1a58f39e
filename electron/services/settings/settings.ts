/**
 * Settings persisted as `<dataDir>/settings.json`. A missing file means defaults; a broken or
 * partly invalid file never stops the app: the valid parts are kept, the rest falls back to the
 * defaults, the original is copied to `settings.invalid.json`, and `warnings` says what happened.
 */
import { promises as fsp } from 'node:fs';
import * as path from 'node:path';
import { DEFAULT_SETTINGS, sanitizeSettings, validateSettingsPatch, type Settings } from '../../api/settings';
import { readJsonFile, SerialQueue, writeJsonFile } from '../../common/fs';

export class SettingsService {
  readonly file: string;
  private current: Settings = { ...DEFAULT_SETTINGS };
  private readonly queue = new SerialQueue();
  private readonly listeners = new Set<(s: Settings) => void>();
  /** Problems found while loading, for the log (and a notice in the UI if wanted). */
  warnings: string[] = [];

  constructor(dataDir: string) {
    this.file = path.join(dataDir, 'settings.json');
  }

  async load(): Promise<Settings> {
    const read = await readJsonFile(this.file);
    this.warnings = [];
    if (read.kind === 'missing') {
      this.current = { ...DEFAULT_SETTINGS };
    } else if (read.kind === 'invalid') {
      this.current = { ...DEFAULT_SETTINGS };
      this.warnings.push(`Settings were reset to the defaults: ${read.reason}.`);
      await this.keepInvalidCopy();
    } else {
      const { settings, warnings } = sanitizeSettings(read.value);
      this.current = settings;
      if (warnings.length) {
        this.warnings.push(...warnings.map((w) => `${this.file}: ${w}`));
        await this.keepInvalidCopy();
      }
    }
    return this.get();
  }

  private async keepInvalidCopy(): Promise<void> {
    await fsp.copyFile(this.file, path.join(path.dirname(this.file), 'settings.invalid.json')).catch(() => undefined);
  }

  get(): Settings {
    return { ...this.current };
  }

  /** Validates `patch` (throws a bad_request InklingError), applies it and persists atomically. */
  async update(patch: unknown): Promise<Settings> {
    const valid = validateSettingsPatch(patch);
    this.current = { ...this.current, ...valid };
    const snapshot = this.get();
    await this.queue.run(() => writeJsonFile(this.file, snapshot));
    for (const cb of this.listeners) cb(this.get());
    return this.get();
  }

  onChange(cb: (s: Settings) => void): () => void {
    this.listeners.add(cb);
    return () => void this.listeners.delete(cb);
  }
}
