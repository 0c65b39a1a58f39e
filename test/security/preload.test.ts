/**
 * The preload (electron/preload/index.ts) run under Node with a fake `electron` (contextBridge and
 * ipcRenderer only; Electron's binary is not available here): the page gets one object of plain
 * functions, never ipcRenderer, and every call goes to its own inkling:call:<method> channel after
 * validation.
 */
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { IPC_EVENT_CHANNEL, METHOD_NAMES, SUBSCRIBE_NAMES, ipcMethodChannel } from '../../electron/api';

const fake = vi.hoisted(() => ({
  exposed: [] as { key: string; api: unknown }[],
  invoked: [] as { channel: string; args: unknown[] }[],
  listeners: new Map<string, (event: unknown, message: unknown) => void>(),
}));

vi.mock('electron', () => {
  const contextBridge = { exposeInMainWorld: (key: string, api: unknown) => void fake.exposed.push({ key, api }) };
  const ipcRenderer = {
    invoke: async (channel: string, ...args: unknown[]) => {
      fake.invoked.push({ channel, args });
      return { ok: true, value: null };
    },
    on: (channel: string, cb: (event: unknown, message: unknown) => void) => void fake.listeners.set(channel, cb),
  };
  return { contextBridge, ipcRenderer, default: { contextBridge, ipcRenderer } };
});

let api: Record<string, unknown>;
beforeAll(async () => {
  await import('../../electron/preload/index');
  api = fake.exposed[0].api as Record<string, unknown>;
});

describe('preload exposure', () => {
  it('exposes exactly one object, window.inkling, of functions named by the contract', () => {
    expect(fake.exposed.map((e) => e.key)).toEqual(['inkling']);
    const expected = [...METHOD_NAMES, ...Object.values(SUBSCRIBE_NAMES)].sort();
    expect(Object.keys(api).sort()).toEqual(expected);
    for (const [k, v] of Object.entries(api)) expect(typeof v, k).toBe('function');
    for (const leaked of ['ipcRenderer', 'invoke', 'send', 'sendSync', 'on', 'require', 'process'])
      expect(api).not.toHaveProperty(leaked);
  });

  it('listens on the one event channel only', () => {
    expect([...fake.listeners.keys()]).toEqual([IPC_EVENT_CHANNEL]);
  });

  it('sends each method on its own channel, and only after its arguments validate', async () => {
    fake.invoked.length = 0;
    await (api.getSettings as () => Promise<unknown>)();
    expect(fake.invoked).toEqual([{ channel: ipcMethodChannel('getSettings'), args: [] }]);
    fake.invoked.length = 0;
    const bad = await (api.restoreBackup as (id: unknown) => Promise<unknown>)('../../etc/passwd').catch(
      (e: Error) => e,
    );
    expect(String((bad as Error).message)).toMatch(/^\[bad_request\] restoreBackup: id/);
    const extra = await (api.getAppInfo as (...a: unknown[]) => Promise<unknown>)({
      __proto__: { polluted: true },
    }).catch((e: Error) => e);
    expect(String((extra as Error).message)).toMatch(/^\[bad_request\]/);
    expect(fake.invoked).toEqual([]);
  });

  it('ignores malformed pushes and closes a page that has no close listener', () => {
    const push = fake.listeners.get(IPC_EVENT_CHANNEL)!;
    fake.invoked.length = 0;
    for (const message of [
      null,
      undefined,
      42,
      'x',
      {},
      { channel: 7 },
      { channel: '__proto__', payload: {} },
      { channel: 'constructor' },
    ]) {
      expect(() => push({}, message)).not.toThrow();
    }
    expect(fake.invoked).toEqual([]);
    push({}, { channel: 'closeRequested', payload: { reason: 'window' } });
    expect(fake.invoked).toEqual([{ channel: ipcMethodChannel('confirmClose'), args: [{ proceed: true }] }]);
  });
});
