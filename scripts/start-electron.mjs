#!/usr/bin/env node
/**
 * `npm start`: builds the desktop app and launches Electron.
 *   1. main + preload + engine host → dist/electron/ with esbuild (bundled CommonJS; `electron` and
 *      onnxruntime-node stay external: one is provided by Electron, the other is a native addon).
 *   2. the renderer → dist/renderer with vite, when missing or stale (shared with `npm run web`).
 *   3. runs the Electron binary on the project (extra arguments are passed on, e.g. --data-dir DIR).
 * `--build-only` stops after step 2 (the Electron e2e tests use it).
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const OUT = path.join(ROOT, 'dist', 'electron');
const log = (m) => process.stderr.write(`inkling start: ${m}\n`);

async function buildElectronBundles() {
  const esbuild = await import('esbuild');
  mkdirSync(OUT, { recursive: true });
  // The root package is ESM; these bundles are CommonJS.
  writeFileSync(path.join(OUT, 'package.json'), JSON.stringify({ type: 'commonjs' }) + '\n');
  const common = {
    bundle: true,
    format: 'cjs',
    platform: 'node',
    target: 'node22',
    sourcemap: 'linked',
    logLevel: 'warning',
    external: ['electron', 'onnxruntime-node'],
    // Source files use import.meta.url (ESM); in a CommonJS bundle it becomes the bundle's own URL.
    define: { 'import.meta.url': '__inklingImportMetaUrl' },
    banner: { js: 'var __inklingImportMetaUrl = require("url").pathToFileURL(__filename).href;' },
  };
  await Promise.all([
    esbuild.build({
      ...common,
      entryPoints: [path.join(ROOT, 'electron/main/index.ts')],
      outfile: path.join(OUT, 'main/index.js'),
    }),
    // The sandboxed preload may require only 'electron'; everything else is bundled in.
    // No import.meta banner here: a sandboxed preload has no __filename.
    esbuild.build({
      ...common,
      define: {},
      banner: {},
      entryPoints: [path.join(ROOT, 'electron/preload/index.ts')],
      outfile: path.join(OUT, 'preload/index.js'),
    }),
    esbuild.build({
      ...common,
      entryPoints: [path.join(ROOT, 'electron/engine/host/entry.ts')],
      outfile: path.join(OUT, 'engine/host.js'),
    }),
  ]);
}

async function buildRenderer() {
  const { tsImport } = await import('tsx/esm/api');
  const mod = await tsImport(pathToFileURL(path.join(ROOT, 'electron/web/rendererBuild.ts')).href, import.meta.url);
  await mod.ensureRendererBuilt(ROOT, log);
}

/** The Electron binary, without triggering a download: null when it is not installed. */
function electronBinary() {
  const dir = path.join(ROOT, 'node_modules', 'electron');
  const pathTxt = path.join(dir, 'path.txt');
  if (!existsSync(pathTxt)) return null;
  const bin = path.join(dir, 'dist', readFileSync(pathTxt, 'utf8').trim());
  return existsSync(bin) ? bin : null;
}

function installElectron() {
  const install = path.join(ROOT, 'node_modules', 'electron', 'install.js');
  if (!existsSync(install)) return false;
  log('Electron is not downloaded yet; downloading it now (first run only)…');
  const r = spawnSync(process.execPath, [install], { cwd: ROOT, stdio: 'inherit' });
  return r.status === 0;
}

async function main() {
  const argv = process.argv.slice(2);
  const buildOnly = argv.includes('--build-only');
  log('building main, preload and engine host…');
  await buildElectronBundles();
  await buildRenderer();
  if (buildOnly) return;

  let bin = electronBinary();
  if (!bin && installElectron()) bin = electronBinary();
  if (!bin) {
    log(
      'could not find or download the Electron binary.\n' +
        '  - Check your internet connection (or set ELECTRON_MIRROR to a reachable mirror) and run `npm start` again, or\n' +
        '  - reinstall it: `rm -rf node_modules/electron && npm install`.\n' +
        '  Meanwhile, the browser version works without Electron: `npm run web`.',
    );
    process.exit(1);
  }
  const env = { ...process.env };
  delete env.ELECTRON_RUN_AS_NODE;
  const child = spawn(bin, [ROOT, ...argv.filter((a) => a !== '--build-only')], { cwd: ROOT, stdio: 'inherit', env });
  const forward = (signal) => () => child.kill(signal);
  process.on('SIGINT', forward('SIGINT'));
  process.on('SIGTERM', forward('SIGTERM'));
  child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
}

main().catch((e) => {
  log(e?.stack ?? String(e));
  process.exit(1);
});
