/**
 * Serves the built renderer on app://inkling/ (registered as a standard, secure scheme), so the
 * page has a real origin for 'self' in the CSP and absolute asset paths work, unlike file://.
 */
import { protocol } from 'electron';
import { promises as fsp } from 'node:fs';
import * as path from 'node:path';
import { MIME_TYPES, resolveStaticPath } from '../web/static';
import { APP_HOST, APP_SCHEME, responseSecurityHeaders } from './security';

/** Must run before `app.whenReady()`. */
export function registerAppScheme(): void {
  protocol.registerSchemesAsPrivileged([
    { scheme: APP_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true, corsEnabled: true } },
  ]);
}

export function serveRenderer(rendererDir: string): void {
  protocol.handle(APP_SCHEME, async (request) => {
    const url = new URL(request.url);
    const headers = responseSecurityHeaders();
    if (url.host !== APP_HOST || request.method !== 'GET') return new Response('Not found', { status: 404, headers });
    const file = resolveStaticPath(rendererDir, url.pathname === '/' ? '/index.html' : url.pathname);
    if (!file) return new Response('Bad path', { status: 400, headers });
    try {
      const real = await fsp.realpath(file);
      if (!real.startsWith((await fsp.realpath(rendererDir)) + path.sep)) throw new Error('outside');
      const body = await fsp.readFile(real);
      const type = MIME_TYPES[path.extname(real).toLowerCase()] ?? 'application/octet-stream';
      return new Response(body, { status: 200, headers: { ...headers, 'Content-Type': type } });
    } catch {
      return new Response('Not found', { status: 404, headers });
    }
  });
}
