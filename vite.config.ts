/**
 * Builds the renderer (renderer/ → dist/renderer). `base: './'` makes every asset URL relative, so
 * the same build loads from file:// in Electron and from the web host's http://127.0.0.1:N/.
 * The renderer may import `electron/api` (outside the root): it is plain TypeScript with no Node deps.
 */
import { fileURLToPath } from 'node:url';
import { defineConfig, type Plugin } from 'vite';
import react from '@vitejs/plugin-react';
import { contentSecurityPolicy } from './electron/api/csp.ts';

const here = (p: string): string => fileURLToPath(new URL(p, import.meta.url));

/**
 * Writes the one CSP definition (electron/api/csp.ts) into index.html's <meta> tag, so the page, the
 * Electron session and the web host can never disagree. ws://127.0.0.1:* lets the page reach the web
 * host's API whatever port it runs on; Electron talks over IPC and opens no socket.
 */
function cspMeta(): Plugin {
  const policy = contentSecurityPolicy({ forMeta: true, connectSrc: ['ws://127.0.0.1:*'] });
  return {
    name: 'inkling-csp-meta',
    transformIndexHtml: (html) => {
      if (!html.includes('__INKLING_CSP__'))
        throw new Error('renderer/index.html lost its __INKLING_CSP__ placeholder.');
      return html.replace('__INKLING_CSP__', policy);
    },
  };
}

export default defineConfig({
  root: here('./renderer'),
  base: './',
  plugins: [react(), cspMeta()],
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
