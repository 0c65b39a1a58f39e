#!/usr/bin/env node
/**
 * `npm run dist -- [--win|--mac|--linux] [--x64|--arm64] [--dir] [--publish always] [--test-build]`
 *
 * Builds Inkling's installers for the current OS (or the platform flags given):
 *   1. a clean build of the bundles — main, preload and engine host into dist/electron/ and the
 *      renderer into dist/renderer/ — by `scripts/start-electron.mjs --build-only`, the same build
 *      `npm start` runs (skip with --skip-build to reuse what is in dist/);
 *   2. electron-builder with build/electron-builder.yml; installers land in release/.
 *
 * An Electron past its support window is refused (scripts/electron-support.mjs) unless
 * --allow-unsupported-electron is given. Other flags go to electron-builder unchanged. Without --publish
 * nothing is uploaded (--publish never).
 * --test-build sets INKLING_TEST_BUILD=1 for build/afterPack.cjs (keeps the Node inspector fuse on so
 * Playwright can drive the packaged app) and does not pass the repository as the update feed (a
 * package.json "repository" or git remote would still name one; the updater is off in test runs).
 * The GitHub repository releases go to (and the packaged update feed) is INKLING_GITHUB_REPOSITORY or,
 * in GitHub Actions, GITHUB_REPOSITORY ("owner/repo"). See docs/RELEASING.md.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { electronSupport } from './electron-support.mjs';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const CONFIG = 'build/electron-builder.yml';

/** What the packaged app needs from step 1 (package.json "main" is the first). */
export const REQUIRED_OUTPUTS = [
  'dist/electron/main/index.js',
  'dist/electron/preload/index.js',
  'dist/electron/engine/host.js',
  'dist/electron/package.json',
  'dist/renderer/index.html',
];

export const REQUIRED_ICONS = ['build/icons/icon.ico', 'build/icons/icon.icns', 'build/icons/512x512.png'];

const REPO_RE = /^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+$/;

/**
 * Pure: the electron-builder command line and environment for `argv` (this script's arguments).
 * @param {string[]} argv
 * @param {Record<string, string | undefined>} env
 * @returns {{ args: string[], env: Record<string, string | undefined>, testBuild: boolean, skipBuild: boolean, repository: string | null, allowUnsupportedElectron: boolean }}
 */
export function planDist(argv, env) {
  const testBuild = argv.includes('--test-build') || env.INKLING_TEST_BUILD === '1';
  const skipBuild = argv.includes('--skip-build');
  const allowUnsupportedElectron = argv.includes('--allow-unsupported-electron');
  const passThrough = argv.filter(
    (a) => a !== '--test-build' && a !== '--skip-build' && a !== '--allow-unsupported-electron',
  );
  const args = ['--config', CONFIG];

  const wanted = env.INKLING_GITHUB_REPOSITORY || env.GITHUB_REPOSITORY || '';
  if (wanted && !REPO_RE.test(wanted)) {
    throw new Error(
      `INKLING_GITHUB_REPOSITORY / GITHUB_REPOSITORY must look like "owner/repo", found ${JSON.stringify(wanted)}`,
    );
  }
  // A test build must never find a real update feed.
  const repository = wanted && !testBuild ? wanted : null;
  if (repository) {
    const [owner, repo] = repository.split('/');
    args.push(`-c.publish.owner=${owner}`, `-c.publish.repo=${repo}`);
  }
  if (!passThrough.some((a) => a === '--publish' || a.startsWith('--publish=') || a === '-p'))
    args.push('--publish', 'never');
  args.push(...passThrough);

  const childEnv = { ...env };
  if (testBuild) childEnv.INKLING_TEST_BUILD = '1';
  else delete childEnv.INKLING_TEST_BUILD;
  return { args, env: childEnv, testBuild, skipBuild, repository, allowUnsupportedElectron };
}

function fail(message) {
  process.stderr.write(`inkling dist: ${message}\n`);
  process.exit(1);
}

function run(label, args, env) {
  process.stderr.write(`inkling dist: ${label}\n`);
  const r = spawnSync(process.execPath, args, { cwd: ROOT, stdio: 'inherit', env });
  if (r.status !== 0) fail(`${label} failed (exit ${r.status ?? r.signal})`);
}

function main() {
  let plan;
  try {
    plan = planDist(process.argv.slice(2), process.env);
  } catch (e) {
    fail(e.message);
  }
  const electron = JSON.parse(readFileSync(path.join(ROOT, 'node_modules', 'electron', 'package.json'), 'utf8'));
  const support = electronSupport(electron.version, Date.now());
  if (!support.supported) {
    if (!plan.allowUnsupportedElectron) fail(support.message);
    process.stderr.write(`inkling dist: WARNING ${support.message}\n`);
  }
  const missingIcons = REQUIRED_ICONS.filter((f) => !existsSync(path.join(ROOT, f)));
  if (missingIcons.length)
    fail(`missing ${missingIcons.join(', ')}; run \`node scripts/icons.mjs\` (needs Chromium) and commit the result`);

  if (!plan.skipBuild) {
    // Clean, so an installer never ships a stale bundle or renderer.
    rmSync(path.join(ROOT, 'dist'), { recursive: true, force: true });
    run(
      'building main, preload, engine host and renderer',
      [path.join(ROOT, 'scripts', 'start-electron.mjs'), '--build-only'],
      process.env,
    );
  }
  const missing = REQUIRED_OUTPUTS.filter((f) => !existsSync(path.join(ROOT, f)));
  if (missing.length) fail(`the build did not produce ${missing.join(', ')} (see scripts/start-electron.mjs)`);

  if (plan.testBuild)
    process.stderr.write('inkling dist: TEST BUILD (Node inspector fuse on, no update feed) — not for release\n');
  if (!plan.repository && !plan.testBuild)
    process.stderr.write(
      'inkling dist: no INKLING_GITHUB_REPOSITORY / GITHUB_REPOSITORY: the installers carry no update feed unless package.json names a repository\n',
    );
  run(
    `electron-builder ${plan.args.join(' ')}`,
    [path.join(ROOT, 'node_modules', 'electron-builder', 'cli.js'), ...plan.args],
    plan.env,
  );
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) main();
