import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { RecentFiles } from '../../electron/services/documents';
import { fitToDisplays, WindowStateStore } from '../../electron/services/window';

let dir: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'inkling-recent-'));
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('RecentFiles', () => {
  it('is newest first, de-duplicated, bounded and persisted', async () => {
    const files = Array.from({ length: 5 }, (_, i) => path.join(dir, `f${i}.md`));
    for (const f of files) fs.writeFileSync(f, '');
    const r = new RecentFiles(dir, { max: 3 });
    await r.add(files[0], 1);
    await r.add(files[1], 2);
    await r.add(files[0], 3);
    await r.add(files[2], 4);
    await r.add(files[3], 5);
    expect((await r.list()).map((e) => e.name)).toEqual(['f3.md', 'f2.md', 'f0.md']);
    const again = new RecentFiles(dir, { max: 3 });
    expect((await again.list()).map((e) => e.name)).toEqual(['f3.md', 'f2.md', 'f0.md']);
    fs.rmSync(files[2]);
    expect((await again.list()).map((e) => e.name)).toEqual(['f3.md', 'f0.md']);
    await again.clear();
    expect(await new RecentFiles(dir).list()).toEqual([]);
  });

  it('a broken file resets the list with a warning instead of failing', async () => {
    fs.writeFileSync(path.join(dir, 'recent-files.json'), '[[[');
    const r = new RecentFiles(dir);
    expect(await r.list()).toEqual([]);
    expect(r.warnings[0]).toMatch(/reset/);
  });
});

describe('window state', () => {
  const screen = { x: 0, y: 0, width: 1920, height: 1080 };
  it('round-trips through the store and ignores a bad file', async () => {
    const store = new WindowStateStore(dir);
    expect(await store.load()).toBeNull();
    await store.save({ bounds: { x: 10, y: 20, width: 800, height: 600 }, maximized: true });
    expect(await store.load()).toEqual({ bounds: { x: 10, y: 20, width: 800, height: 600 }, maximized: true });
    fs.writeFileSync(store.file, '{"bounds": 3}');
    expect(await store.load()).toBeNull();
  });

  it('keeps visible bounds, re-centres off-screen ones, shrinks oversized ones', () => {
    expect(
      fitToDisplays({ bounds: { x: 100, y: 100, width: 800, height: 600 }, maximized: false }, [screen]).bounds,
    ).toEqual({ x: 100, y: 100, width: 800, height: 600 });
    const off = fitToDisplays({ bounds: { x: 5000, y: 100, width: 800, height: 600 }, maximized: false }, [
      screen,
    ]).bounds;
    expect(off).toEqual({ x: 560, y: 240, width: 800, height: 600 });
    const big = fitToDisplays({ bounds: { x: 0, y: 0, width: 4000, height: 3000 }, maximized: false }, [screen]).bounds;
    expect(big).toEqual({ x: 0, y: 0, width: 1920, height: 1080 });
    expect(fitToDisplays(null, [screen]).bounds.width).toBe(1100);
  });
});
