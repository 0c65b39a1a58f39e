/**
 * The server's key never follows a redirect to another server. A misconfigured or hostile server
 * can answer 307 with another address; the request may follow it (fetch does), but the Authorization
 * header must stay behind — checked on the project's own HTTP layer, not assumed of fetch. A redirect
 * to the same server keeps it (the request still goes where the writer pointed).
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { open, readJson, type HttpSettings } from '../../../electron/services/remote/http';

interface Seen {
  path: string;
  authorization: string | null;
}

/** A server that records what it is sent; `redirects` maps a path to the Location it answers 307 with. */
async function server(redirects: Record<string, () => string> = {}) {
  const seen: Seen[] = [];
  const s = http.createServer((req, res) => {
    seen.push({ path: req.url ?? '', authorization: req.headers.authorization ?? null });
    const to = redirects[req.url ?? ''];
    if (to) {
      res.writeHead(307, { location: to() });
      res.end();
      return;
    }
    res.setHeader('content-type', 'application/json');
    res.end('{"object":"list","data":[]}');
  });
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(s.address() as AddressInfo).port}`;
  return { seen, url, close: () => new Promise<void>((r) => s.close(() => r())) };
}

let elsewhere: Awaited<ReturnType<typeof server>>;
let first: Awaited<ReturnType<typeof server>>;
beforeAll(async () => {
  elsewhere = await server();
  first = await server({
    '/v1/models': () => `${elsewhere.url}/v1/models`,
    '/v1/here': () => `${first.url}/v1/models-here`,
  });
});
afterAll(async () => {
  await first.close();
  await elsewhere.close();
});

const settings = (): HttpSettings => ({
  baseUrl: `${first.url}/v1`,
  apiKey: 'sk-writer-secret',
  headersTimeoutMs: 5_000,
  idleTimeoutMs: 5_000,
  maxRetries: 0,
  maxRetryWaitMs: 0,
});

describe('a redirect', () => {
  it('to another server does not carry the key', async () => {
    const s = settings();
    await readJson(s, await open(s, 'GET', 'models', undefined));
    expect(first.seen.at(-1)).toEqual({ path: '/v1/models', authorization: 'Bearer sk-writer-secret' });
    expect(elsewhere.seen).toEqual([{ path: '/v1/models', authorization: null }]);
  });

  it('within the same server keeps it', async () => {
    const s = settings();
    await readJson(s, await open(s, 'GET', 'here', undefined));
    expect(first.seen.slice(-2)).toEqual([
      { path: '/v1/here', authorization: 'Bearer sk-writer-secret' },
      { path: '/v1/models-here', authorization: 'Bearer sk-writer-secret' },
    ]);
  });
});
