/**
 * Where API keys for remote servers live, apart from the settings (which are plain JSON the writer
 * may share or sync). Plain Node: the desktop app passes a codec backed by Electron's safeStorage
 * (electron/main/secrets.ts), so the file holds only what the OS keychain can decrypt; the web host
 * has no keychain and passes the plain codec, so the file holds the key as text, readable only by
 * this user (mode 0600). docs/SECURITY.md says so.
 *
 * Secret values never go into messages or logs: errors name the store's file, never a key.
 */
import { promises as fsp } from 'node:fs';
import * as path from 'node:path';
import { atomicWriteFile, SerialQueue } from '../../common/fs';

export interface SecretStore {
  /** 'os-keychain': encrypted with the OS keychain; 'file': plain text in a file only this user can read; 'memory': forgotten on exit. */
  readonly kind: 'os-keychain' | 'file' | 'memory';
  get(name: string): Promise<string | null>;
  set(name: string, value: string): Promise<void>;
  delete(name: string): Promise<void>;
}

/** Turns a secret into the bytes stored on disk and back. */
export interface SecretCodec {
  readonly kind: 'os-keychain' | 'file';
  encode(plain: string): Buffer;
  decode(stored: Buffer): string;
}

/** No encryption: for hosts without a keychain (the web host). The file is still 0600. */
export const PLAIN_CODEC: SecretCodec = {
  kind: 'file',
  encode: (plain) => Buffer.from(plain, 'utf8'),
  decode: (stored) => stored.toString('utf8'),
};

export class MemorySecretStore implements SecretStore {
  readonly kind = 'memory' as const;
  private readonly values = new Map<string, string>();
  async get(name: string): Promise<string | null> {
    return this.values.get(name) ?? null;
  }
  async set(name: string, value: string): Promise<void> {
    this.values.set(name, value);
  }
  async delete(name: string): Promise<void> {
    this.values.delete(name);
  }
}

interface SecretsFile {
  format: 'inkling-secrets';
  version: 1;
  /** name → base64 of the codec's bytes. */
  secrets: Record<string, string>;
}

/** `<dataDir>/secrets.json`, written atomically with mode 0600. */
export class FileSecretStore implements SecretStore {
  private readonly queue = new SerialQueue();

  constructor(
    readonly file: string,
    private readonly codec: SecretCodec,
  ) {}

  get kind(): 'os-keychain' | 'file' {
    return this.codec.kind;
  }

  static inDataDir(dataDir: string, codec: SecretCodec): FileSecretStore {
    return new FileSecretStore(path.join(dataDir, 'secrets.json'), codec);
  }

  async get(name: string): Promise<string | null> {
    const stored = (await this.read()).secrets[name];
    if (stored === undefined) return null;
    try {
      return this.codec.decode(Buffer.from(stored, 'base64'));
    } catch {
      // Encrypted by another user account or keychain: as good as absent (the writer enters it again).
      return null;
    }
  }

  set(name: string, value: string): Promise<void> {
    return this.queue.run(async () => {
      const data = await this.read();
      data.secrets[name] = this.codec.encode(value).toString('base64');
      await this.write(data);
    });
  }

  delete(name: string): Promise<void> {
    return this.queue.run(async () => {
      const data = await this.read();
      if (!(name in data.secrets)) return;
      delete data.secrets[name];
      await this.write(data);
    });
  }

  private async read(): Promise<SecretsFile> {
    let text: string;
    try {
      text = await fsp.readFile(this.file, 'utf8');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return empty();
      throw new Error(`The stored API keys (${this.file}) could not be read: ${(e as Error).message}`);
    }
    try {
      const j = JSON.parse(text) as Partial<SecretsFile>;
      if (j.format !== 'inkling-secrets' || !j.secrets || typeof j.secrets !== 'object') return empty();
      const secrets: Record<string, string> = {};
      for (const [k, v] of Object.entries(j.secrets)) if (typeof v === 'string') secrets[k] = v;
      return { format: 'inkling-secrets', version: 1, secrets };
    } catch {
      // A torn or foreign file: start over (the keys can be entered again; nothing else lives here).
      return empty();
    }
  }

  private async write(data: SecretsFile): Promise<void> {
    await atomicWriteFile(this.file, JSON.stringify(data), { mode: 0o600 });
    // atomicWriteFile keeps an existing file's mode: make sure it is this user's alone.
    await fsp.chmod(this.file, 0o600).catch(() => undefined);
  }
}

function empty(): SecretsFile {
  return { format: 'inkling-secrets', version: 1, secrets: {} };
}
