/**
 * The desktop app's API-key store: electron/main/secrets.ts under a stand-in `electron` whose
 * safeStorage scrambles reversibly. The key never reaches the disk as text; where Linux has no
 * keyring (safeStorage's 'basic_text') nothing is written at all.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

vi.mock('electron', async () => {
  const { createFakeElectron } = await import('../security/fakeElectron');
  return createFakeElectron(os.tmpdir()).module;
});

let dir: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'inkling-secrets-'));
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('desktopSecretStore', () => {
  it('keeps keys encrypted with safeStorage in the data folder, readable again after a restart', async () => {
    const { desktopSecretStore } = await import('../../electron/main/secrets');
    const store = desktopSecretStore(dir);
    expect(store.kind).toBe('os-keychain');
    await store.set('remote-api-key:https://gpu.example/v1', 'sk-very-secret');
    const file = fs.readFileSync(path.join(dir, 'secrets.json'), 'utf8');
    expect(file).not.toContain('sk-very-secret');
    expect(file).not.toContain(Buffer.from('sk-very-secret').toString('base64'));
    if (process.platform !== 'win32') expect(fs.statSync(path.join(dir, 'secrets.json')).mode & 0o777).toBe(0o600);
    expect(await desktopSecretStore(dir).get('remote-api-key:https://gpu.example/v1')).toBe('sk-very-secret');
  });

  it('writes nothing where Linux offers no keyring (safeStorage would use a hard-coded password)', async () => {
    const electron = (await import('electron')) as unknown as { safeStorage: { backend: string } };
    const { desktopSecretStore } = await import('../../electron/main/secrets');
    electron.safeStorage.backend = 'basic_text';
    try {
      const store = desktopSecretStore(dir);
      await store.set('remote-api-key:https://gpu.example/v1', 'sk-very-secret');
      expect(await store.get('remote-api-key:https://gpu.example/v1')).toBe('sk-very-secret');
      if (process.platform === 'linux') {
        expect(store.kind).toBe('memory');
        expect(fs.existsSync(path.join(dir, 'secrets.json'))).toBe(false);
      }
    } finally {
      electron.safeStorage.backend = 'gnome_libsecret';
    }
  });
});
