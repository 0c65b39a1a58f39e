/**
 * Builds the bench's two browser scripts with esbuild into a temp folder: the probe (injected into
 * both pages before their own scripts) and the peer's page, a bare CodeMirror 6 editor (page/peer.ts)
 * opened from file://.
 */
import { build } from 'esbuild';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const HERE = path.dirname(fileURLToPath(import.meta.url));

const PEER_HTML = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>bare CodeMirror 6 (bench:typing peer)</title>
<style>
  html, body { margin: 0; height: 100%; }
  #editor { height: 100vh; }
</style>
</head>
<body>
<div id="editor"></div>
<script src="peer.js"></script>
</body>
</html>
`;

export interface BenchPages {
  /** The probe's code, for page.addInitScript({ content }). */
  probe: string;
  /** file:// address of the peer's page. */
  peerUrl: string;
}

export async function buildPages(outDir: string): Promise<BenchPages> {
  fs.mkdirSync(outDir, { recursive: true });
  const common = {
    bundle: true,
    format: 'iife',
    platform: 'browser',
    target: 'chrome120',
    // Minified and in production mode, as Vite builds Inkling's renderer.
    minify: true,
    define: { 'process.env.NODE_ENV': '"production"' },
    logLevel: 'warning',
  } as const;
  await build({
    ...common,
    entryPoints: [path.join(HERE, 'page', 'probe.ts')],
    outfile: path.join(outDir, 'probe.js'),
  });
  await build({ ...common, entryPoints: [path.join(HERE, 'page', 'peer.ts')], outfile: path.join(outDir, 'peer.js') });
  fs.writeFileSync(path.join(outDir, 'peer.html'), PEER_HTML);
  return {
    probe: fs.readFileSync(path.join(outDir, 'probe.js'), 'utf8'),
    peerUrl: pathToFileURL(path.join(outDir, 'peer.html')).href,
  };
}
