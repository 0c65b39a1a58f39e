/**
 * A pass-through proxy on 127.0.0.1 between the app and `inkling serve`, so a test can break a
 * streamed completion at a known place however fast the tiny model writes. Everything is forwarded
 * as it comes (a closed client connection closes the server's too, so cancelling still reaches the
 * server) until `holdAfter(events)`; then the next streamed completion:
 *
 * - is asked for token by token: `logprobs` above 0 becomes 0. inkling serve sends each choice whole
 *   once decoded when top alternatives are asked for (docs/REMOTE.md), where vLLM and llama.cpp's
 *   server stream tokens one by one either way; this makes it stream as they do;
 * - passes its first `events` Server-Sent Events, then nothing more: the rest is held back;
 * - `drop()` then drops that connection, as a killed server's or a pulled cable's drops.
 */
import { createServer, request, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

interface Hold {
  events: number;
  reached: () => void;
}

export class StreamGate {
  private hold: Hold | null = null;
  private readonly held = new Set<ServerResponse>();
  private readonly sockets = new Set<Socket>();

  private constructor(
    private readonly server: Server,
    private readonly upstream: URL,
  ) {}

  /** A gate in front of `upstreamUrl` (a server's API root, e.g. http://127.0.0.1:PORT/v1). */
  static async start(upstreamUrl: string): Promise<StreamGate> {
    const server = createServer();
    const gate = new StreamGate(server, new URL(upstreamUrl));
    server.on('request', (req: IncomingMessage, res: ServerResponse) => gate.forward(req, res));
    server.on('connection', (s: Socket) => {
      gate.sockets.add(s);
      s.on('close', () => gate.sockets.delete(s));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return gate;
  }

  /** The API root to give the app: the upstream's, on the gate's port. */
  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}${this.upstream.pathname}`;
  }

  /** The next streamed completion passes `events` events, then holds; resolves once they have passed. */
  holdAfter(events: number): Promise<void> {
    return new Promise<void>((reached) => (this.hold = { events, reached }));
  }

  /** Every held stream's connection drops (nothing more of it reaches the app). */
  drop(): void {
    for (const res of this.held) res.socket?.destroy();
    this.held.clear();
  }

  async close(): Promise<void> {
    this.drop();
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private forward(req: IncomingMessage, res: ServerResponse): void {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      let body = Buffer.concat(chunks);
      let hold: Hold | null = null;
      if (this.hold && req.method === 'POST' && req.url?.endsWith('/completions')) {
        const json = parse(body);
        if (json?.stream === true) {
          hold = this.hold;
          this.hold = null;
          if (typeof json.logprobs === 'number' && json.logprobs > 0) json.logprobs = 0;
          body = Buffer.from(JSON.stringify(json));
        }
      }
      const headers = { ...req.headers, host: this.upstream.host, 'content-length': String(body.length) };
      const up = request(
        { host: this.upstream.hostname, port: this.upstream.port, method: req.method, path: req.url, headers },
        (upRes) => {
          upRes.on('error', () => res.socket?.destroy());
          res.writeHead(upRes.statusCode ?? 502, upRes.headers);
          res.flushHeaders();
          if (!hold) {
            upRes.pipe(res);
            return;
          }
          // Whole events only, until the hold; then nothing (the rest is dropped with the connection).
          const h = hold;
          let pending = '';
          let passed = 0;
          upRes.on('data', (chunk: Buffer) => {
            if (passed >= h.events) return;
            pending += chunk.toString('utf8');
            let end: number;
            while (passed < h.events && (end = pending.indexOf('\n\n')) >= 0) {
              res.write(pending.slice(0, end + 2));
              pending = pending.slice(end + 2);
              passed++;
            }
            if (passed >= h.events) {
              this.held.add(res);
              h.reached();
            }
          });
        },
      );
      // The server went away: so does the app's connection. The app went away: so does the server's.
      up.on('error', () => res.socket?.destroy());
      res.on('close', () => {
        this.held.delete(res);
        up.destroy();
      });
      up.end(body);
    });
  }
}

function parse(body: Buffer): { stream?: unknown; logprobs?: unknown } | null {
  try {
    const json: unknown = JSON.parse(body.toString('utf8'));
    return json && typeof json === 'object' ? (json as { stream?: unknown; logprobs?: unknown }) : null;
  } catch {
    return null;
  }
}
