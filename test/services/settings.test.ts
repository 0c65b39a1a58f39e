import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DEFAULT_SETTINGS } from '../../electron/api';
import { dataDirFor, SettingsService } from '../../electron/services/settings';

let dir: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'inkling-settings-'));
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('SettingsService', () => {
  it('starts from the defaults without a file and persists updates', async () => {
    const s = new SettingsService(dir);
    expect(await s.load()).toEqual(DEFAULT_SETTINGS);
    expect(s.warnings).toEqual([]);
    const seen: string[] = [];
    s.onChange((v) => seen.push(v.theme));
    expect(await s.update({ theme: 'dark', fontSize: 20 })).toMatchObject({ theme: 'dark', fontSize: 20 });
    expect(seen).toEqual(['dark']);
    const again = new SettingsService(dir);
    expect(await again.load()).toMatchObject({ theme: 'dark', fontSize: 20, alternatives: 3 });
  });

  it('a corrupt file gives the defaults and a warning, and keeps a copy', async () => {
    fs.writeFileSync(path.join(dir, 'settings.json'), '{"theme": "dark",');
    const s = new SettingsService(dir);
    expect(await s.load()).toEqual(DEFAULT_SETTINGS);
    expect(s.warnings.join('\n')).toMatch(/not valid JSON/);
    expect(fs.readFileSync(path.join(dir, 'settings.invalid.json'), 'utf8')).toBe('{"theme": "dark",');
  });

  it('keeps valid values and repairs invalid ones one by one', async () => {
    fs.writeFileSync(
      path.join(dir, 'settings.json'),
      JSON.stringify({ theme: 'light', fontSize: 'huge', alternatives: 99, bogus: 1 }),
    );
    const s = new SettingsService(dir);
    const got = await s.load();
    expect(got.theme).toBe('light');
    expect(got.fontSize).toBe(DEFAULT_SETTINGS.fontSize);
    expect(got.alternatives).toBe(DEFAULT_SETTINGS.alternatives);
    expect(s.warnings).toHaveLength(3);
    expect(s.warnings.join('\n')).toMatch(/fontSize/);
    expect(s.warnings.join('\n')).toMatch(/bogus/);
  });

  it('a file holding a non-object (e.g. null) gives the defaults', async () => {
    fs.writeFileSync(path.join(dir, 'settings.json'), 'null');
    const s = new SettingsService(dir);
    expect(await s.load()).toEqual(DEFAULT_SETTINGS);
    expect(s.warnings).toHaveLength(1);
  });

  it('rejects invalid updates with a message naming the setting, and changes nothing', async () => {
    const s = new SettingsService(dir);
    await s.load();
    await expect(s.update({ theme: 'neon' })).rejects.toMatchObject({
      code: 'bad_request',
      message: expect.stringContaining("'theme'"),
    });
    await expect(s.update({ fontsize: 12 })).rejects.toMatchObject({
      message: expect.stringContaining("Unknown setting 'fontsize'"),
    });
    expect(s.get()).toEqual(DEFAULT_SETTINGS);
    expect(fs.existsSync(path.join(dir, 'settings.json'))).toBe(false);
  });
});

describe('dataDirFor', () => {
  it('matches Electron userData locations', () => {
    expect(dataDirFor('linux', {}, '/home/w')).toBe('/home/w/.config/Inkling');
    expect(dataDirFor('linux', { XDG_CONFIG_HOME: '/cfg' }, '/home/w')).toBe('/cfg/Inkling');
    expect(dataDirFor('darwin', {}, '/Users/w')).toBe('/Users/w/Library/Application Support/Inkling');
    expect(dataDirFor('win32', { APPDATA: 'C:\\Users\\w\\AppData\\Roaming' }, 'C:\\Users\\w')).toBe(
      'C:\\Users\\w\\AppData\\Roaming\\Inkling',
    );
  });
});
