/**
 * The WebSocket client (the renderer's) when the host goes away and comes back on the same port:
 * it retries with backoff, says where it stands (reconnecting / unauthorized / open again), fails
 * calls at once while the host is away instead of leaving them hanging, and works again after.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { errorCode, errorMessage, type ConnectionState } from '../../electron/api';
import { startWebHost, type WebHost } from '../../electron/web';
import { connect, makeFixture, waitUntil, type Fixture } from './helpers';

const TOKEN = 'reconnect-test-key-0123456789abcdefghijkl';
const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function start(fx: Fixture, port = 0, token = TOKEN): Promise<WebHost> {
  const h = await startWebHost({
    port,
    token,
    dataDir: fx.dataDir,
    rendererDir: fx.rendererDir,
    log: () => undefined,
    createEngine: () => {
      throw new Error('no engine');
    },
  });
  cleanups.push(() => h.close());
  return h;
}

describe('WebSocket client reconnection', () => {
  it('reconnects when the host restarts on its port, and the connection works again', async () => {
    const fx = makeFixture();
    cleanups.push(() => fx.cleanup());
    const first = await start(fx);
    const api = connect(first, { initialDelayMs: 20, maxDelayMs: 200 });
    cleanups.push(() => api.close());
    const states: ConnectionState['state'][] = [];
    api.onConnectionChange((s) => states.push(s.state));
    await api.ready;
    await api.updateSettings({ theme: 'dark' });

    await first.close();
    await waitUntil(() => api.connection.state === 'reconnecting', 'the client to notice');
    // While the host is away a call fails at once, saying why.
    const offline = await api.getSettings().catch((e: unknown) => e);
    expect(errorCode(offline)).toBe('internal');
    expect(errorMessage(offline)).toMatch(/Not connected to the Inkling host.*reconnecting/);

    await start(fx, first.port);
    await waitUntil(() => api.connection.state === 'open', 'the client to reconnect', 20_000);
    expect(api.connection).toEqual({ state: 'open', reconnected: true });
    expect((await api.getSettings()).theme).toBe('dark');
    expect(states[0]).toBe('open');
    expect(states).toContain('reconnecting');
    expect(states[states.length - 1]).toBe('open');
  });

  it('says the key was refused when the host comes back with another one, and fails calls with not_allowed', async () => {
    const fx = makeFixture();
    cleanups.push(() => fx.cleanup());
    const first = await start(fx);
    const api = connect(first, { initialDelayMs: 20, maxDelayMs: 200 });
    cleanups.push(() => api.close());
    await api.ready;
    await first.close();
    await waitUntil(() => api.connection.state === 'reconnecting', 'the client to notice');
    await start(fx, first.port, 'another-key-entirely-0123456789abcdefghij');
    await waitUntil(() => api.connection.state === 'unauthorized', 'the refused key to show', 20_000);
    const refused = await api.getSettings().catch((e: unknown) => e);
    expect(errorCode(refused)).toBe('not_allowed');
    expect(errorMessage(refused)).toMatch(/refused this page’s key.*#token=/);
  });

  it('a call in flight when the connection drops fails (it may or may not have run) instead of hanging', async () => {
    const fx = makeFixture();
    cleanups.push(() => fx.cleanup());
    const host = await start(fx);
    // Hold a call open on the host until the connection is gone.
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    const call = host.backend.call.bind(host.backend);
    host.backend.call = async (method, args, client) => {
      if (method === 'listRecentFiles') await held;
      return call(method, args, client);
    };
    const api = connect(host, { initialDelayMs: 20, maxDelayMs: 200 });
    cleanups.push(() => api.close());
    await api.ready;
    const inFlight = api.listRecentFiles().catch((e: unknown) => e);
    await waitUntil(() => host.connections().some((c) => c.inFlight === 1), 'the call to reach the host');
    for (const c of host.connections()) expect(c.inFlight).toBe(1);
    await host.close();
    release();
    expect(errorMessage(await inFlight)).toMatch(/connection to the Inkling host was lost before it answered/);
  });
});
