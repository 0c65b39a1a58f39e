/**
 * A real HTTP server on 127.0.0.1 that answers like the Hugging Face Hub for folders of files, so
 * the downloader is tested against sockets, not mocks.
 *
 *   HEAD|GET /{repo}/resolve/{main|commit}/{file}
 *     LFS-like file (default: *.safetensors, *.onnx, *.onnx_data, *.bin): 302 to /cdn/{repo}/{sha256}
 *       with X-Repo-Commit, X-Linked-Etag: "<sha256>", X-Linked-Size, like the Hub's CDN redirect
 *       (Location relative or absolute, see `redirect`); the CDN answer has an unrelated ETag.
 *     small file: 200 with ETag "<git blob sha1>" (40 hex, not a sha256) and X-Repo-Commit.
 *   Range: bytes=N- → 206 with Content-Range. Unknown repo/revision/file → 404.
 *
 * Faults are set per file (`setFault`) and apply to GETs that carry the bytes. Every request is
 * logged (`log`) with its Range header, status and body bytes sent, for assertions.
 */
import http from 'node:http';
import fs from 'node:fs';
import path from 'node:path';
import { createHash } from 'node:crypto';
import type { AddressInfo } from 'node:net';

export interface HubFault {
  /** Answer ranged GETs with 200 and the whole file (a server without Range support). */
  ignoreRange?: boolean;
  /** Destroy the connection after sending this many body bytes of a response… */
  cutAfterBytes?: number;
  /** …for this many responses (default 1; Infinity = every time). */
  cutTimes?: number;
  /** Serve the content with one byte flipped while HEAD still advertises the true sha256. */
  corrupt?: boolean;
  /** Send `bytes` every `intervalMs` (a slow link). */
  trickle?: { bytes: number; intervalMs: number };
  /** Answer the next N GETs of this file with 503. */
  fail503Times?: number;
}

export interface HubLogEntry {
  method: string;
  path: string;
  /** Repo-relative file name this request was about, when known. */
  file: string | null;
  range: string | null;
  /** The credentials the request carried (Authorization, Cookie), to check what reached which host. */
  authorization: string | null;
  cookie: string | null;
  /** The Host header: which name the client used for this server. */
  host: string;
  status: number;
  /** Body bytes written to the socket. */
  bytesSent: number;
  cut: boolean;
}

export interface HubServerOptions {
  /** repo id ("org/name") → folder whose files it serves (subfolders allowed). */
  repos: Record<string, string>;
  /** 40-hex commit the revision "main" resolves to. */
  commit?: string;
  /**
   * Location of the CDN redirect: a path ('relative'), a full URL ('absolute'), a full URL naming this
   * server as `localhost` instead of 127.0.0.1 ('other-host': another origin, like the Hub's CDN), or
   * no redirect.
   */
  redirect?: RedirectMode;
  isLfs?: (file: string) => boolean;
}

export type RedirectMode = 'relative' | 'absolute' | 'other-host' | 'none';

export interface HubServer {
  url: string;
  commit: string;
  log: HubLogEntry[];
  setFault(file: string, fault: HubFault): void;
  clearFaults(): void;
  setRedirect(mode: RedirectMode): void;
  /** GET entries for one file, in order (redirect hops excluded: only responses that carry bytes). */
  gets(file: string): HubLogEntry[];
  close(): Promise<void>;
}

interface Served {
  repo: string;
  file: string;
  data: Buffer;
  sha256: string;
  gitSha1: string;
}

function listFiles(dir: string, prefix = ''): string[] {
  const out: string[] = [];
  for (const e of fs.readdirSync(path.join(dir, prefix), { withFileTypes: true })) {
    const rel = prefix ? `${prefix}/${e.name}` : e.name;
    if (e.isDirectory()) out.push(...listFiles(dir, rel));
    else if (e.isFile()) out.push(rel);
  }
  return out;
}

const defaultIsLfs = (f: string): boolean => /\.(safetensors|onnx|onnx_data|bin)$/.test(f);

export async function startHubServer(opts: HubServerOptions): Promise<HubServer> {
  const commit = opts.commit ?? createHash('sha1').update('inkling-test-commit').digest('hex');
  const isLfs = opts.isLfs ?? defaultIsLfs;
  let redirect = opts.redirect ?? 'relative';
  const log: HubLogEntry[] = [];
  const faults = new Map<string, HubFault & { cutsDone?: number }>();
  const files = new Map<string, Served>(); // key `${repo}/${file}`
  const bySha = new Map<string, Served>(); // key `${repo}/${sha256}`
  for (const [repo, dir] of Object.entries(opts.repos)) {
    for (const file of listFiles(dir)) {
      const data = fs.readFileSync(path.join(dir, file));
      const sha256 = createHash('sha256').update(data).digest('hex');
      const gitSha1 = createHash('sha1').update(`blob ${data.length}\0`).update(data).digest('hex');
      const s: Served = { repo, file, data, sha256, gitSha1 };
      files.set(`${repo}/${file}`, s);
      bySha.set(`${repo}/${sha256}`, s);
    }
  }

  let origin = '';

  const sendBody = async (
    req: http.IncomingMessage,
    res: http.ServerResponse,
    s: Served,
    entry: HubLogEntry,
  ): Promise<void> => {
    const fault = faults.get(s.file) ?? {};
    if (req.method === 'GET' && fault.fail503Times && fault.fail503Times > 0) {
      fault.fail503Times--;
      entry.status = 503;
      res.writeHead(503, { 'Content-Type': 'text/plain', 'Content-Length': '11' });
      res.end('unavailable');
      return;
    }
    let data = s.data;
    if (fault.corrupt) {
      data = Buffer.from(s.data);
      data[data.length >> 1] ^= 0xff;
    }
    const m = /^bytes=(\d+)-$/.exec(String(req.headers.range ?? ''));
    let start = 0;
    const headers: http.OutgoingHttpHeaders = { 'Accept-Ranges': 'bytes', 'Content-Type': 'application/octet-stream' };
    if (m && !fault.ignoreRange) {
      start = Number(m[1]);
      if (start >= data.length) {
        entry.status = 416;
        res.writeHead(416, { 'Content-Range': `bytes */${data.length}`, 'Content-Length': '0' });
        res.end();
        return;
      }
      entry.status = 206;
      headers['Content-Range'] = `bytes ${start}-${data.length - 1}/${data.length}`;
    } else {
      entry.status = 200;
    }
    headers['Content-Length'] = String(data.length - start);
    res.writeHead(entry.status, headers);
    if (req.method === 'HEAD') return void res.end();

    const cutTimes = fault.cutTimes ?? 1;
    const cutNow = fault.cutAfterBytes !== undefined && (fault.cutsDone ?? 0) < cutTimes;
    if (cutNow) fault.cutsDone = (fault.cutsDone ?? 0) + 1;
    const limit = cutNow ? fault.cutAfterBytes! : Infinity;
    const chunk = fault.trickle?.bytes ?? 64 * 1024;
    let pos = start;
    while (pos < data.length && entry.bytesSent < limit) {
      if (res.destroyed) return;
      const n = Math.min(chunk, data.length - pos, limit - entry.bytesSent);
      const ok = await new Promise<boolean>((resolve) =>
        res.write(data.subarray(pos, pos + n), (err) => resolve(!err)),
      );
      if (!ok) return;
      entry.bytesSent += n;
      pos += n;
      if (fault.trickle && pos < data.length) await new Promise((r) => setTimeout(r, fault.trickle!.intervalMs));
    }
    if (pos < data.length) {
      entry.cut = true;
      res.socket?.destroy();
      return;
    }
    res.end();
  };

  const handle = async (req: http.IncomingMessage, res: http.ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? '/', origin);
    const p = decodeURIComponent(url.pathname);
    const entry: HubLogEntry = {
      method: req.method ?? '',
      path: p,
      file: null,
      range: req.headers.range ? String(req.headers.range) : null,
      authorization: req.headers.authorization ?? null,
      cookie: req.headers.cookie ?? null,
      host: req.headers.host ?? '',
      status: 0,
      bytesSent: 0,
      cut: false,
    };
    log.push(entry);
    const notFound = (why: string): void => {
      entry.status = 404;
      res.writeHead(404, { 'Content-Type': 'text/plain', 'X-Error-Message': why });
      res.end(why);
    };

    const cdn = /^\/cdn\/(.+)\/([0-9a-f]{64})$/.exec(p);
    if (cdn) {
      const s = bySha.get(`${cdn[1]}/${cdn[2]}`);
      if (!s) return notFound('no such object');
      entry.file = s.file;
      res.setHeader('ETag', `"cdn-${s.sha256.slice(0, 16)}"`); // unrelated to the content hash, like S3
      return sendBody(req, res, s, entry);
    }
    const m = /^\/(.+?)\/resolve\/([^/]+)\/(.+)$/.exec(p);
    if (!m) return notFound('not a resolve URL');
    const [, repo, rev, file] = m;
    entry.file = file;
    if (!Object.hasOwn(opts.repos, repo)) return notFound(`Repository not found: ${repo}`);
    if (rev !== 'main' && rev !== commit) return notFound(`Revision not found: ${rev}`);
    const s = files.get(`${repo}/${file}`);
    if (!s) return notFound(`Entry not found: ${file}`);
    res.setHeader('X-Repo-Commit', commit);
    if (isLfs(file)) {
      res.setHeader('X-Linked-Etag', `"${s.sha256}"`);
      res.setHeader('X-Linked-Size', String(s.data.length));
      res.setHeader('ETag', `"${s.sha256}"`);
      if (redirect !== 'none') {
        const loc = `/cdn/${repo}/${s.sha256}`;
        entry.status = 302;
        const base =
          redirect === 'absolute' ? origin : redirect === 'other-host' ? origin.replace('127.0.0.1', 'localhost') : '';
        res.writeHead(302, { Location: base + loc, 'Content-Length': '0' });
        res.end();
        return;
      }
    } else {
      res.setHeader('ETag', `"${s.gitSha1}"`);
    }
    return sendBody(req, res, s, entry);
  };

  const server = http.createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      res.destroy(err instanceof Error ? err : new Error(String(err)));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    url: origin,
    commit,
    log,
    setFault: (file, fault) => faults.set(file, { ...fault }),
    clearFaults: () => faults.clear(),
    setRedirect: (mode) => {
      redirect = mode;
    },
    gets: (file) => log.filter((e) => e.method === 'GET' && e.file === file && e.status !== 302),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
