/**
 * `npm run web` serves dist/renderer; this rebuilds it with vite when it is missing or older than
 * the sources it is built from (renderer/, electron/api/, vite.config.ts).
 */
import { spawn } from 'node:child_process';
import { promises as fsp } from 'node:fs';
import { createRequire } from 'node:module';
import * as path from 'node:path';

const SOURCES = ['renderer', 'electron/api', 'electron/engine/generate/params.ts', 'vite.config.ts'];
const SKIP_DIRS = new Set(['node_modules', '.git', 'dist']);

async function newestMtime(p: string): Promise<number> {
  let stat;
  try {
    stat = await fsp.stat(p);
  } catch {
    return 0;
  }
  if (!stat.isDirectory()) return stat.mtimeMs;
  let newest = 0;
  for (const entry of await fsp.readdir(p, { withFileTypes: true })) {
    if (entry.isDirectory() && SKIP_DIRS.has(entry.name)) continue;
    newest = Math.max(newest, await newestMtime(path.join(p, entry.name)));
  }
  return newest;
}

/** Why a build is needed, or null when dist is current. */
export async function rendererBuildReason(
  root: string,
  outDir = path.join(root, 'dist', 'renderer'),
): Promise<string | null> {
  const built = await fsp.stat(path.join(outDir, 'index.html')).catch(() => null);
  if (!built) return `${path.relative(root, outDir)} has not been built yet`;
  let newest = 0;
  for (const s of SOURCES) newest = Math.max(newest, await newestMtime(path.join(root, s)));
  return newest > built.mtimeMs ? 'the renderer sources changed since the last build' : null;
}

/** Runs `vite build` in `root`, with its output on stderr (stdout carries only the ready line). */
export async function buildRenderer(root: string): Promise<void> {
  const require = createRequire(path.join(root, 'package.json'));
  let viteBin: string;
  try {
    viteBin = path.join(path.dirname(require.resolve('vite/package.json')), 'bin', 'vite.js');
  } catch {
    throw new Error('vite is not installed; run npm install first.');
  }
  await new Promise<void>((resolve, reject) => {
    const child = spawn(process.execPath, [viteBin, 'build'], { cwd: root, stdio: ['ignore', 2, 2] });
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      if (code === 0) resolve();
      else
        reject(
          new Error(
            `Building the renderer failed (vite build ${signal ? `killed by ${signal}` : `exited with ${code}`}); see the output above.`,
          ),
        );
    });
  });
}

export async function ensureRendererBuilt(root: string, log: (m: string) => void): Promise<void> {
  const reason = await rendererBuildReason(root);
  if (!reason) return;
  log(`Building the renderer (${reason})…`);
  await buildRenderer(root);
}
