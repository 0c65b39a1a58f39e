/**
 * The web host's per-launch key (as Jupyter's token): 256 random bits made at start, printed once in
 * the address to open, and required on every WebSocket upgrade and every HTTP request under /api.
 * The host and Origin checks keep other web pages out; the key keeps out other local processes and
 * other users of the machine, who can reach 127.0.0.1 too.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

/** Shortest key accepted from INKLING_WEB_TOKEN (a generated one is 43 characters). */
export const MIN_TOKEN_LENGTH = 32;

export function newToken(): string {
  return randomBytes(32).toString('base64url');
}

/** Throws with a message a writer can act on when a pinned key is too weak to protect anything. */
export function checkPinnedToken(token: string): string {
  if (token.length < MIN_TOKEN_LENGTH || !/^[A-Za-z0-9._~-]+$/.test(token)) {
    throw new Error(
      `INKLING_WEB_TOKEN must be at least ${MIN_TOKEN_LENGTH} characters of letters, digits, "-", "_", "." or "~" (got ${token.length} characters). Unset it to get a fresh random key.`,
    );
  }
  return token;
}

/** The key a request presents: `Authorization: Bearer <key>`, else `?token=<key>` in its URL. */
export function presentedToken(req: IncomingMessage): string | null {
  const auth = req.headers.authorization;
  if (typeof auth === 'string') {
    const m = /^Bearer\s+(\S+)\s*$/i.exec(auth);
    return m ? m[1] : null;
  }
  const url = req.url ?? '';
  const q = url.indexOf('?');
  if (q < 0) return null;
  return new URLSearchParams(url.slice(q + 1)).get('token');
}

const digest = (s: string): Buffer => createHash('sha256').update(s, 'utf8').digest();

/** Constant-time comparison (hashing first hides the length too). */
export function tokenMatches(presented: string | null, expected: string): boolean {
  if (presented === null) return false;
  return timingSafeEqual(digest(presented), digest(expected));
}
