/**
 * The few HTTP primitives the downloader needs, on Node's own `http`/`https`.
 *
 * Why not `fetch`: we need (1) to see every hop of a redirect chain, because the Hub puts the file's
 * metadata (X-Repo-Commit, X-Linked-Etag, X-Linked-Size) on its 302 and the CDN's final answer
 * carries a different ETag; (2) to re-send `Range` on each hop and drop `Authorization` when a
 * redirect leaves the Hub's origin; (3) a socket idle timeout and a clean distinction between
 * "cut mid-body" and "finished" while streaming to disk with backpressure. Node's http gives all of
 * that directly; with fetch each needs a workaround.
 */
import http from 'node:http';
import https from 'node:https';
import type { IncomingMessage, IncomingHttpHeaders } from 'node:http';
import { InklingError } from '../../common/errors';
import { HttpStatusError, OFFLINE_CODES, RetryableError, abortedError, offlineError } from './errors';

export const DEFAULT_ENDPOINT = 'https://huggingface.co';
const MAX_REDIRECTS = 10;
const USER_AGENT = `inkling/0.1; node/${process.versions.node}`;

/** The Hub endpoint: explicit option, else `HF_ENDPOINT`, else huggingface.co (no trailing slash). */
export function resolveEndpoint(endpoint?: string): string {
  const e = endpoint || process.env.HF_ENDPOINT || DEFAULT_ENDPOINT;
  return e.replace(/\/+$/, '');
}

export function resolveUrl(endpoint: string, repo: string, revision: string, file: string): string {
  const path = file.split('/').map(encodeURIComponent).join('/');
  return `${resolveEndpoint(endpoint)}/${repo}/resolve/${encodeURIComponent(revision)}/${path}`;
}

export interface RequestOptions {
  method: 'GET' | 'HEAD';
  headers?: Record<string, string>;
  signal?: AbortSignal;
  /** Destroy the socket when no byte arrives for this long (default 30 s). */
  idleTimeoutMs?: number;
  /** What the request is for, in error messages ("model.safetensors"). */
  label: string;
  /** Stop at a redirect for which this returns true, instead of following it. */
  stopAt?: (hop: Hop) => boolean;
}

export interface Hop {
  url: string;
  status: number;
  headers: IncomingHttpHeaders;
}

export interface FollowedResponse {
  /** The final, non-redirect response; its body is unread. */
  res: IncomingMessage;
  /** Every response in the chain, the final one last. */
  hops: Hop[];
  url: string;
}

function once(url: URL, opts: RequestOptions, headers: Record<string, string>): Promise<IncomingMessage> {
  return new Promise((resolve, reject) => {
    const signal = opts.signal;
    if (signal?.aborted) return reject(abortedError(opts.label));
    const lib = url.protocol === 'https:' ? https : url.protocol === 'http:' ? http : null;
    if (!lib) {
      return reject(new InklingError('http_error', `${opts.label}: unsupported URL scheme in ${url.href}`));
    }
    const req = lib.request(url, {
      method: opts.method,
      headers: { 'User-Agent': USER_AGENT, 'Accept-Encoding': 'identity', ...headers },
    });
    const onAbort = (): void => {
      req.destroy(abortedError(opts.label));
    };
    signal?.addEventListener('abort', onAbort, { once: true });
    const timeoutMs = opts.idleTimeoutMs ?? 30_000;
    req.setTimeout(timeoutMs, () => {
      req.destroy(new RetryableError(`${opts.label}: no data from ${url.host} for ${Math.round(timeoutMs / 1000)} s`));
    });
    req.on('response', (res) => {
      // The listener stays while the body streams: aborting then destroys the socket and the body
      // stream errors. Remove it once the response is fully consumed or closed.
      res.on('close', () => signal?.removeEventListener('abort', onAbort));
      resolve(res);
    });
    req.on('error', (err) => {
      signal?.removeEventListener('abort', onAbort);
      if (signal?.aborted) return reject(abortedError(opts.label));
      if (err instanceof InklingError || err instanceof RetryableError) return reject(err);
      // No network at all: say so at once instead of retrying for a quarter of a minute.
      const code = (err as NodeJS.ErrnoException).code;
      if (code && OFFLINE_CODES.has(code)) return reject(offlineError(opts.label, url.host, code, err));
      reject(new RetryableError(`${opts.label}: cannot reach ${url.host}: ${err.message}`, { cause: err }));
    });
    req.end();
  });
}

/** Request headers that carry credentials: never sent to another origin than the first one. */
const CREDENTIAL_HEADERS = new Set(['authorization', 'proxy-authorization', 'cookie']);

/** `headers` without credentials, whatever their spelling (header names are case-insensitive). */
export function withoutCredentials(headers: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(headers)) if (!CREDENTIAL_HEADERS.has(k.toLowerCase())) out[k] = v;
  return out;
}

/**
 * One request, following redirects (relative or absolute `Location`, up to 10 hops). The same
 * method and headers go to every hop, except credentials (`Authorization`, `Cookie`, in any case),
 * which are dropped once the chain leaves the first URL's origin (a token for the Hub is not for its
 * CDN). A redirect from https to http is refused: it would let anyone on the network path change
 * the file (or read the token).
 */
export async function request(url: string, opts: RequestOptions): Promise<FollowedResponse> {
  const hops: Hop[] = [];
  let current = new URL(url);
  const origin = current.origin;
  for (let i = 0; i <= MAX_REDIRECTS; i++) {
    const headers = current.origin === origin ? { ...(opts.headers ?? {}) } : withoutCredentials(opts.headers ?? {});
    const res = await once(current, opts, headers);
    const status = res.statusCode ?? 0;
    hops.push({ url: current.href, status, headers: res.headers });
    const location = res.headers.location;
    if ([301, 302, 303, 307, 308].includes(status) && location && !opts.stopAt?.(hops[hops.length - 1])) {
      res.resume(); // drain so the socket can be reused
      let next: URL;
      try {
        next = new URL(location, current);
      } catch {
        throw new InklingError('http_error', `${opts.label}: ${current.host} redirected to an address that is not a URL (${JSON.stringify(location.slice(0, 200))})`);
      }
      if (current.protocol === 'https:' && next.protocol !== 'https:') {
        throw new InklingError(
          'http_error',
          `${opts.label}: refused a redirect from a secure (https) address to an insecure one (${next.protocol}//${next.host}); the download was stopped so that nobody on the network can change the file`,
        );
      }
      current = next;
      continue;
    }
    return { res, hops, url: current.href };
  }
  throw new InklingError('http_error', `${opts.label}: more than ${MAX_REDIRECTS} redirects starting at ${url}`);
}

/** Turns a non-2xx final status into the right error: 5xx / 429 retryable, the rest fatal. */
export function statusError(label: string, url: string, status: number): Error {
  if (status >= 500 || status === 429 || status === 408) {
    return new RetryableError(`${label}: the server answered HTTP ${status} for ${url}`);
  }
  const hint =
    status === 404
      ? ' (no such repository, revision or file)'
      : status === 401 || status === 403
        ? ' (the repository is private or gated; Inkling downloads public models only)'
        : '';
  return new HttpStatusError(`${label}: the server answered HTTP ${status}${hint} for ${url}`, status);
}

export interface RemoteFileMeta {
  url: string;
  size: number;
  /** sha256 hex of the file content when the server published one (LFS files), else null. */
  sha256: string | null;
  /**
   * For a small (non-LFS) file: the git blob SHA-1 the Hub publishes as its ETag, sha1("blob <size>\0"
   * + content), which the downloaded bytes are checked against. Null when the ETag is not one.
   */
  gitSha1: string | null;
  /** The normalized ETag (quotes and W/ stripped), whatever it is. */
  etag: string | null;
  /** The commit the revision resolved to (`X-Repo-Commit`), when the server said. */
  commit: string | null;
}

function header(h: IncomingHttpHeaders, name: string): string | null {
  const v = h[name];
  if (Array.isArray(v)) return v[0] ?? null;
  return v ?? null;
}

export function normalizeEtag(raw: string | null): string | null {
  if (!raw) return null;
  return raw.trim().replace(/^W\//, '').replace(/^"(.*)"$/, '$1');
}

/**
 * Reads what the Hub says about a file from a redirect chain. The Hub answers `/resolve/` for an
 * LFS file with a 302 carrying `X-Linked-Etag` (the content's sha256), `X-Linked-Size` and
 * `X-Repo-Commit`; the CDN it points to has its own unrelated ETag. A small (git) file is answered
 * directly with `ETag` = its git blob sha1 (40 hex), which is not a content sha256.
 */
export function metaFromHops(hops: Hop[], url: string): RemoteFileMeta {
  const first = (name: string): string | null => {
    for (const h of hops) {
      const v = header(h.headers, name);
      if (v) return v;
    }
    return null;
  };
  const final = hops[hops.length - 1];
  const hubHop = hops.find((h) => header(h.headers, 'x-repo-commit')) ?? final;
  const etag = normalizeEtag(first('x-linked-etag') ?? header(hubHop.headers, 'etag'));
  const sizeText = first('x-linked-size') ?? header(final.headers, 'content-length');
  const size = sizeText === null ? NaN : Number(sizeText);
  return {
    url,
    size,
    sha256: etag && /^[0-9a-f]{64}$/i.test(etag) ? etag.toLowerCase() : null,
    gitSha1: etag && /^[0-9a-f]{40}$/i.test(etag) && !first('x-linked-etag') ? etag.toLowerCase() : null,
    etag,
    commit: first('x-repo-commit'),
  };
}

const isRedirect = (status: number): boolean => status >= 300 && status < 400;

/**
 * HEAD a file and read its size, sha256 and commit. Redirects are followed (a renamed repository
 * answers with a relative one) until a response carries the Hub's own metadata for an LFS file
 * (`X-Linked-Size`): the CDN behind that redirect is not asked, as its signed URLs are meant for
 * the GET. Errors carry the HTTP status (404 lets callers skip optional files).
 */
export async function headFile(
  url: string,
  label: string,
  opts: { signal?: AbortSignal; headers?: Record<string, string>; idleTimeoutMs?: number } = {},
): Promise<RemoteFileMeta> {
  const { res, hops } = await request(url, { method: 'HEAD', label, ...opts, stopAt: (hop) => header(hop.headers, 'x-linked-size') !== null });
  res.resume();
  const status = res.statusCode ?? 0;
  if (status !== 200 && !(isRedirect(status) && header(res.headers, 'x-linked-size') !== null)) throw statusError(label, url, status);
  const meta = metaFromHops(hops, url);
  if (!Number.isSafeInteger(meta.size) || meta.size < 0) {
    throw new InklingError('http_error', `${label}: the server did not report the file's size (no Content-Length / X-Linked-Size) for ${url}`);
  }
  return meta;
}
