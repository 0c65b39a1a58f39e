/**
 * scripts/dist.mjs: the electron-builder command line `npm run dist` produces (pure planning; the
 * packaging itself runs on the release runners).
 */
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { exists, ROOT } from './helpers';

interface Plan {
  args: string[];
  env: Record<string, string | undefined>;
  testBuild: boolean;
  skipBuild: boolean;
  repository: string | null;
}
interface DistModule {
  CONFIG: string;
  REQUIRED_OUTPUTS: string[];
  REQUIRED_ICONS: string[];
  planDist(argv: string[], env: Record<string, string | undefined>): Plan;
}

// A computed specifier: dist.mjs is plain JavaScript without type declarations.
const dist = (await import(pathToFileURL(path.join(ROOT, 'scripts', 'dist.mjs')).href)) as DistModule;

describe('npm run dist', () => {
  it('uses the config in build/, never publishes unless asked, and passes platform flags through', () => {
    const plan = dist.planDist(['--linux', '--x64'], {});
    expect(plan.args).toEqual(['--config', 'build/electron-builder.yml', '--publish', 'never', '--linux', '--x64']);
    expect(exists(dist.CONFIG)).toBe(true);
    expect(plan.testBuild).toBe(false);
    expect(plan.env.INKLING_TEST_BUILD).toBeUndefined();
  });

  it('publishes to the repository GitHub Actions names, when the release workflow asks', () => {
    const plan = dist.planDist(['--win', '--publish', 'always'], {
      GITHUB_REPOSITORY: 'inkling-app/inkling',
      GH_TOKEN: 't',
    });
    expect(plan.repository).toBe('inkling-app/inkling');
    expect(plan.args).toEqual([
      '--config',
      'build/electron-builder.yml',
      '-c.publish.owner=inkling-app',
      '-c.publish.repo=inkling',
      '--win',
      '--publish',
      'always',
    ]);
    expect(plan.env.GH_TOKEN).toBe('t');
    // INKLING_GITHUB_REPOSITORY wins (e.g. building a fork's release locally).
    expect(dist.planDist([], { GITHUB_REPOSITORY: 'a/b', INKLING_GITHUB_REPOSITORY: 'c/d' }).repository).toBe('c/d');
    expect(() => dist.planDist([], { INKLING_GITHUB_REPOSITORY: 'not a repo' })).toThrow(/owner\/repo/);
  });

  it('--test-build sets INKLING_TEST_BUILD for the fuse hook and leaves the explicit update feed out', () => {
    const plan = dist.planDist(['--test-build', '--linux', 'dir'], { GITHUB_REPOSITORY: 'a/b' });
    expect(plan.testBuild).toBe(true);
    expect(plan.env.INKLING_TEST_BUILD).toBe('1');
    expect(plan.repository).toBeNull();
    expect(plan.args).not.toContain('--test-build');
    expect(plan.args.some((a) => a.startsWith('-c.publish'))).toBe(false);
    // A stray INKLING_TEST_BUILD in the shell does not leak into a release build's fuses… unless asked.
    expect(dist.planDist([], { INKLING_TEST_BUILD: '1' }).testBuild).toBe(true);
    expect(dist.planDist(['--skip-build'], {}).skipBuild).toBe(true);
  });

  it('checks for the bundles package.json and electron/main load, and for the icons', () => {
    expect(dist.REQUIRED_OUTPUTS).toEqual(
      expect.arrayContaining([
        'dist/electron/main/index.js',
        'dist/electron/preload/index.js',
        'dist/electron/engine/host.js',
        'dist/renderer/index.html',
      ]),
    );
    for (const icon of dist.REQUIRED_ICONS) expect(exists(icon), icon).toBe(true);
  });
});
