/**
 * API keys of remote servers, encrypted with Electron's safeStorage (the OS keychain: Keychain on
 * macOS, DPAPI on Windows, libsecret / kwallet on Linux). The storing is the plain-Node
 * FileSecretStore; this file only supplies the codec. Where safeStorage has no real keychain
 * (Linux without a secret service reports 'basic_text'), keys are kept in memory only, for this
 * session, rather than written to disk under a hard-coded password.
 */
import { safeStorage } from 'electron';
import { FileSecretStore, MemorySecretStore, type SecretCodec, type SecretStore } from '../services/secrets';

export function desktopSecretStore(dataDir: string): SecretStore {
  const weak = process.platform === 'linux' && safeStorage.getSelectedStorageBackend?.() === 'basic_text';
  if (!safeStorage.isEncryptionAvailable() || weak) return new MemorySecretStore();
  const codec: SecretCodec = {
    kind: 'os-keychain',
    encode: (plain) => safeStorage.encryptString(plain),
    decode: (stored) => safeStorage.decryptString(stored),
  };
  return FileSecretStore.inDataDir(dataDir, codec);
}
