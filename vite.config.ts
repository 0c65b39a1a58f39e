/**
 * Builds the renderer (renderer/ → dist/renderer). `base: './'` makes every asset URL relative, so
 * the same build loads from file:// in Electron and from the web host's http://127.0.0.1:N/.
 * The renderer may import `electron/api` (outside the root): it is plain TypeScript with no Node deps.
 */
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

const here = (p: string): string => fileURLToPath(new URL(p, import.meta.url));

export default defineConfig({
  root: here('./renderer'),
  base: './',
  plugins: [react()],
  build: {
    outDir: here('./dist/renderer'),
    emptyOutDir: true,
    target: 'es2022',
    sourcemap: true,
    // The polyfill would be an extra script; Chromium/Electron support modulepreload natively.
    modulePreload: { polyfill: false },
    chunkSizeWarningLimit: 1500,
  },
  server: { host: '127.0.0.1', fs: { allow: [here('.')] } },
});
