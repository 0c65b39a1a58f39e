/**
 * scripts/electron-support.mjs: `npm run dist` refuses to package an Electron that left its support
 * window (the latest three majors), estimated from the 8-week release cadence. The installed version
 * is checked against today's date only by `npm run dist`; here dates are fixed so the test never
 * changes its verdict with the calendar.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ROOT } from './helpers';

interface Support {
  supported: boolean;
  major: number;
  endsOn: string;
  message: string;
}
interface SupportModule {
  electronSupport(version: string, now: number): Support;
  estimatedRelease(major: number): number;
}
interface DistModule {
  planDist(
    argv: string[],
    env: Record<string, string | undefined>,
  ): { args: string[]; allowUnsupportedElectron: boolean };
}

const support = (await import(pathToFileURL(path.join(ROOT, 'scripts', 'electron-support.mjs')).href)) as SupportModule;
const dist = (await import(pathToFileURL(path.join(ROOT, 'scripts', 'dist.mjs')).href)) as DistModule;
const day = (iso: string) => Date.parse(`${iso}T00:00:00Z`);

describe('Electron support window', () => {
  it('places known releases within a few weeks of the estimate, never after it', () => {
    // Real stable releases: the estimate may be early (holiday breaks) but must not be late.
    for (const [major, released] of [
      [33, '2024-10-15'],
      [34, '2025-01-14'],
      [36, '2025-04-29'],
    ] as const) {
      const early = (day(released) - support.estimatedRelease(major)) / 86_400_000;
      expect(early, `Electron ${major}`).toBeGreaterThanOrEqual(0);
      expect(early, `Electron ${major}`).toBeLessThan(120);
    }
  });

  it('supports a major until the third one after it ships, then refuses it with what to do', () => {
    const ends = support.estimatedRelease(48);
    const inside = support.electronSupport('45.5.0', ends - 86_400_000);
    expect(inside).toMatchObject({ supported: true, major: 45 });
    const outside = support.electronSupport('45.5.0', ends);
    expect(outside.supported).toBe(false);
    expect(outside.message).toContain('Electron 45 left');
    expect(outside.message).toContain('npm install --save-dev electron@latest');
    expect(outside.message).toContain('--allow-unsupported-electron');
    expect(outside.endsOn).toBe(new Date(ends).toISOString().slice(0, 10));
    expect(support.electronSupport('not-a-version', 0).supported).toBe(false);
  });

  it('holds for the Electron in package.json at the time this test was written (2026-12-02)', () => {
    const installed = JSON.parse(readFileSync(path.join(ROOT, 'node_modules', 'electron', 'package.json'), 'utf8'));
    const verdict = support.electronSupport(installed.version, day('2026-12-02'));
    expect(verdict.supported, verdict.message).toBe(true);
  });

  it('npm run dist takes --allow-unsupported-electron and does not hand it to electron-builder', () => {
    const plan = dist.planDist(['--linux', '--allow-unsupported-electron'], {});
    expect(plan.allowUnsupportedElectron).toBe(true);
    expect(plan.args).not.toContain('--allow-unsupported-electron');
    expect(dist.planDist(['--linux'], {}).allowUnsupportedElectron).toBe(false);
  });
});
