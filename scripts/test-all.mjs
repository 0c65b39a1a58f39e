#!/usr/bin/env node
// `npm test`: the type check and lint, then every test the project has — unit and integration tests (vitest), then end-to-end
// tests in Chromium and Electron (Playwright) — and one summary line at the end:
//   N passed, N failed[, N skipped]
// Extra arguments go to both runners' file filters (e.g. `npm test -- tokenizer`).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const out = join(root, '.cache', 'test-results');
rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });
const filters = process.argv.slice(2);
// Runners' JS entry points under this Node (no shell, no .cmd shims: works the same on Windows).
const VITEST = join(root, 'node_modules', 'vitest', 'vitest.mjs');
const PLAYWRIGHT = join(root, 'node_modules', '@playwright', 'test', 'cli.js');
const totals = { passed: 0, failed: 0, skipped: 0 };
let crashed = [];

function run(label, cmd, args, env = {}) {
  console.log(`\n=== ${label}: ${args.map((a) => a.replace(root + '/', '')).join(' ')}`);
  const r = spawnSync(cmd, args, { cwd: root, stdio: 'inherit', env: { ...process.env, ...env } });
  return r.status ?? 1;
}

// 0. The renderer bundle, which both suites check (the CSP tests read the built page).
if (
  run('renderer build', process.execPath, [
    join(root, 'node_modules', 'vite', 'bin', 'vite.js'),
    'build',
    '--logLevel',
    'warn',
  ]) !== 0
) {
  crashed.push('renderer build');
}

// 0b. The type checker and the linter over the whole project (vitest and Playwright strip types without checking
// them, so a type error would otherwise pass every test). Skipped when a filter asks for a few tests.
const gates = [];
if (!filters.length) {
  const TSC = join(root, 'node_modules', 'typescript', 'bin', 'tsc');
  if (run('type check', process.execPath, [TSC, '-p', 'tsconfig.json', '--noEmit']) !== 0) gates.push('type check');
  // The lint gate: likely bugs, the rules of hooks and the layers as import rules (eslint.config.mjs).
  const ESLINT = join(root, 'node_modules', 'eslint', 'bin', 'eslint.js');
  if (run('lint', process.execPath, [ESLINT, '.']) !== 0) gates.push('lint');
  // Formatting is Prettier's (.prettierrc.json); `npm run format` fixes what this reports.
  const PRETTIER = join(root, 'node_modules', 'prettier', 'bin', 'prettier.cjs');
  if (run('format check', process.execPath, [PRETTIER, '--check', '.', '--log-level', 'warn']) !== 0)
    gates.push('format check');
}

// 1. vitest: unit + integration tests (test/**).
const vitestJson = join(out, 'vitest.json');
const vStatus = run('unit and integration tests', process.execPath, [
  VITEST,
  'run',
  '--reporter=default',
  '--reporter=json',
  `--outputFile.json=${vitestJson}`,
  ...(filters.length ? ['--passWithNoTests', ...filters] : []),
]);
if (existsSync(vitestJson)) {
  const v = JSON.parse(readFileSync(vitestJson, 'utf8'));
  totals.passed += v.numPassedTests;
  totals.failed += v.numFailedTests;
  totals.skipped += v.numPendingTests + v.numTodoTests;
  // A suite that failed to load has no tests counted: count it as a failure.
  const broken = (v.testResults ?? []).filter((f) => f.status === 'failed' && (f.assertionResults ?? []).length === 0);
  totals.failed += broken.length;
} else if (vStatus !== 0) {
  crashed.push('vitest');
}

// 2. Playwright: end-to-end tests (e2e/web in Chromium, e2e/electron where Electron's binary exists).
if (existsSync(join(root, 'playwright.config.ts'))) {
  const pwJson = join(out, 'playwright.json');
  const pStatus = run(
    'end-to-end tests',
    process.execPath,
    [PLAYWRIGHT, 'test', '--reporter=list,json', ...(filters.length ? ['--pass-with-no-tests', ...filters] : [])],
    { PLAYWRIGHT_JSON_OUTPUT_NAME: pwJson },
  );
  if (existsSync(pwJson)) {
    const p = JSON.parse(readFileSync(pwJson, 'utf8'));
    totals.passed += (p.stats?.expected ?? 0) + (p.stats?.flaky ?? 0);
    if (p.stats?.flaky)
      console.log(`\n${p.stats.flaky} end-to-end test(s) passed only on their retry (flaky): see the list above.`);
    totals.failed += p.stats?.unexpected ?? 0;
    totals.skipped += p.stats?.skipped ?? 0;
    if ((p.errors ?? []).length > 0) totals.failed += p.errors.length;
  } else if (pStatus !== 0) {
    crashed.push('playwright');
  }
}

if (gates.length) {
  console.log(`\nThese checks found problems (see above): ${gates.join(', ')}`);
  totals.failed += gates.length;
}
if (crashed.length) {
  console.log(`\nThese runners failed before reporting results: ${crashed.join(', ')}`);
  totals.failed += crashed.length;
}
console.log(`\n${totals.passed} passed, ${totals.failed} failed${totals.skipped ? `, ${totals.skipped} skipped` : ''}`);
process.exit(totals.failed > 0 ? 1 : 0);
