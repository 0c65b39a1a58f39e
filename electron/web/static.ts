/**
 * Serves the built renderer from one folder: GET/HEAD only, correct MIME types, the CSP and other
 * hardening headers, and no way out of the folder (.., encoded slashes, symlinks, NUL bytes).
 */
import { createReadStream, promises as fsp } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import * as path from 'node:path';
import { InklingError } from '../common/errors';

export const MIME_TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
  '.ico': 'image/x-icon',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.ttf': 'font/ttf',
  '.otf': 'font/otf',
  '.wasm': 'application/wasm',
  '.webmanifest': 'application/manifest+json',
};

export function securityHeaders(csp: string): Record<string, string> {
  return {
    'Content-Security-Policy': csp,
    'X-Content-Type-Options': 'nosniff',
    'X-Frame-Options': 'DENY',
    'Referrer-Policy': 'no-referrer',
    'Cross-Origin-Opener-Policy': 'same-origin',
    'Cross-Origin-Resource-Policy': 'same-origin',
    'Permissions-Policy': 'camera=(), microphone=(), geolocation=(), usb=(), serial=(), hid=()',
  };
}

/**
 * Maps a URL path to a file inside `root`, or null when it would leave it. Pure apart from `root`.
 * Encoded separators (%2F, %5C) and NUL are refused outright rather than interpreted.
 */
export function resolveStaticPath(root: string, urlPath: string): string | null {
  let decoded: string;
  try {
    decoded = decodeURIComponent(urlPath);
  } catch {
    return null;
  }
  if (decoded.includes('\0') || /%2f|%5c/i.test(urlPath) || decoded.includes('\\')) return null;
  const rel = path.posix.normalize(decoded.endsWith('/') ? decoded + 'index.html' : decoded);
  if (!rel.startsWith('/') || rel.split('/').includes('..')) return null;
  const full = path.resolve(root, '.' + rel);
  const base = path.resolve(root);
  return full.startsWith(base + path.sep) ? full : null;
}

function send(res: ServerResponse, status: number, body: string, headers: Record<string, string>): void {
  res.writeHead(status, {
    ...headers,
    'Content-Type': 'text/plain; charset=utf-8',
    'Content-Length': Buffer.byteLength(body),
  });
  res.end(body);
}

export async function serveStatic(req: IncomingMessage, res: ServerResponse, root: string, csp: string): Promise<void> {
  const headers = securityHeaders(csp);
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    send(res, 405, 'Method not allowed.\n', { ...headers, Allow: 'GET, HEAD' });
    return;
  }
  const urlPath = (req.url ?? '/').split('?')[0].split('#')[0];
  const file = resolveStaticPath(root, urlPath);
  if (!file) {
    send(res, 400, 'Bad path.\n', headers);
    return;
  }
  let stat;
  let real: string;
  try {
    real = await fsp.realpath(file);
    // A symlink inside the folder must not lead outside it.
    const realRoot = await fsp.realpath(root);
    if (!real.startsWith(realRoot + path.sep)) throw new InklingError('not_found', `${urlPath} leads outside the app`);
    stat = await fsp.stat(real);
    if (!stat.isFile()) throw new InklingError('not_found', `${urlPath} is not a file`);
  } catch {
    // Missing, outside the folder or not a file: all answer 404, saying nothing about which.
    send(res, 404, 'Not found.\n', headers);
    return;
  }
  const type = MIME_TYPES[path.extname(real).toLowerCase()] ?? 'application/octet-stream';
  res.writeHead(200, { ...headers, 'Content-Type': type, 'Content-Length': stat.size, 'Cache-Control': 'no-cache' });
  if (req.method === 'HEAD') {
    res.end();
    return;
  }
  createReadStream(real)
    .on('error', () => res.destroy())
    .pipe(res);
}
