/**
 * build/afterPack.cjs: which fuses it sets (with and without INKLING_TEST_BUILD), and the hook run for
 * real — @electron/fuses flipping a stand-in executable that carries Electron's fuse wire — then read
 * back. Electron's own binary is not downloadable here; the stand-in has the same sentinel + wire
 * layout @electron/fuses looks for, so the bytes flipped are the ones a real build flips.
 */
import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ROOT } from './helpers';

type Settings = Record<string, boolean>;
interface Fuses {
  FuseVersion: { V1: string };
  FuseV1Options: Record<string, number>;
  flipFuses(binary: string, config: Record<string | number, unknown>): Promise<number>;
  getCurrentFuseWire(binary: string): Promise<Record<number | string, number | string>>;
}
interface Context {
  appOutDir: string;
  electronPlatformName: string;
  arch: number;
  packager: { appInfo: { productFilename: string }; executableName: string };
}
interface AfterPackModule {
  (context: Context, fuses?: Fuses, env?: Record<string, string | undefined>): Promise<void>;
  fuseSettings(env: Record<string, string | undefined>): Settings;
  fuseConfig(
    settings: Settings,
    fuses: Fuses,
    options?: { resetAdHocDarwinSignature?: boolean },
  ): Record<string | number, unknown>;
  electronBinaryPath(context: Context): string;
  checkOnnxruntimeBinaries(resources: string, platform: string, arch: string): { errors: string[]; warnings: string[] };
}

const require = createRequire(import.meta.url);
const afterPack = require(path.join(ROOT, 'build', 'afterPack.cjs')) as AfterPackModule;
const fuses = require('@electron/fuses') as Fuses;

const SENTINEL = 'dL7pKGdnNz796PbbjQWNKmHXBZaB9tsX'; // @electron/fuses' marker before the wire
const ON = 49; // FuseState.ENABLE ('1')
const X64 = 1; // builder-util Arch.x64
const ARM64 = 3;

const EXPECTED_RELEASE: Settings = {
  RunAsNode: false,
  EnableCookieEncryption: true,
  EnableNodeOptionsEnvironmentVariable: false,
  EnableNodeCliInspectArguments: false,
  EnableEmbeddedAsarIntegrityValidation: true,
  OnlyLoadAppFromAsar: true,
  GrantFileProtocolExtraPrivileges: false,
};

const tmpDirs: string[] = [];
afterEach(() => {
  for (const d of tmpDirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
  vi.restoreAllMocks();
});

/** A stand-in for Electron's executable: Electron's defaults on a 9-fuse wire (as in recent releases). */
function fakeElectron(file: string): void {
  const defaults = '101100111'; // RunAsNode on, cookies off, NODE_OPTIONS on, inspect on, integrity off, asar-only off, …
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(
    file,
    Buffer.concat([
      Buffer.from('\x7fELF stand-in '),
      Buffer.from(SENTINEL),
      Buffer.from([1, defaults.length]),
      Buffer.from(defaults, 'latin1'),
      Buffer.alloc(32),
    ]),
  );
}

/** A packed Linux app: the executable plus onnxruntime's unpacked binaries for `arch`. */
function linuxApp(arch: string, extraOrtDirs: string[] = []): Context {
  const appOutDir = fs.mkdtempSync(path.join(os.tmpdir(), 'inkling-afterpack-'));
  tmpDirs.push(appOutDir);
  fakeElectron(path.join(appOutDir, 'inkling'));
  const bin = path.join(
    appOutDir,
    'resources',
    'app.asar.unpacked',
    'node_modules',
    'onnxruntime-node',
    'bin',
    'napi-v6',
  );
  for (const dir of [`linux/${arch}`, ...extraOrtDirs]) {
    fs.mkdirSync(path.join(bin, dir), { recursive: true });
    fs.writeFileSync(path.join(bin, dir, 'onnxruntime_binding.node'), 'binding');
  }
  return {
    appOutDir,
    electronPlatformName: 'linux',
    arch: arch === 'arm64' ? ARM64 : X64,
    packager: { appInfo: { productFilename: 'Inkling' }, executableName: 'inkling' },
  };
}

async function readFuses(binary: string): Promise<Settings> {
  const wire = await fuses.getCurrentFuseWire(binary);
  return Object.fromEntries(
    Object.keys(EXPECTED_RELEASE).map((name) => [name, wire[fuses.FuseV1Options[name]] === ON]),
  );
}

describe('fuse settings', () => {
  it('release builds: run-as-node, NODE_OPTIONS, inspector and file:// privileges off; cookie encryption, asar-only and integrity on', () => {
    expect(afterPack.fuseSettings({})).toEqual(EXPECTED_RELEASE);
    expect(afterPack.fuseSettings({ INKLING_TEST_BUILD: '0' })).toEqual(EXPECTED_RELEASE);
    expect(afterPack.fuseSettings({ INKLING_TEST_BUILD: 'true' })).toEqual(EXPECTED_RELEASE); // only "1" counts
  });

  it('test builds (INKLING_TEST_BUILD=1) keep only the Node inspector on, for Playwright', () => {
    expect(afterPack.fuseSettings({ INKLING_TEST_BUILD: '1' })).toEqual({
      ...EXPECTED_RELEASE,
      EnableNodeCliInspectArguments: true,
    });
  });

  it("maps names onto @electron/fuses' wire indexes and refuses unknown names", () => {
    const config = afterPack.fuseConfig(EXPECTED_RELEASE, fuses);
    expect(config.version).toBe(fuses.FuseVersion.V1);
    expect(config[fuses.FuseV1Options.RunAsNode]).toBe(false);
    expect(config[fuses.FuseV1Options.OnlyLoadAppFromAsar]).toBe(true);
    expect(config[fuses.FuseV1Options.LoadBrowserProcessSpecificV8Snapshot]).toBeUndefined(); // left as Electron ships it
    expect(() => afterPack.fuseConfig({ RunAsNod: false }, fuses)).toThrow(/no fuse named RunAsNod/);
  });

  it('finds the executable the way electron-builder lays out each platform', () => {
    const packager = { appInfo: { productFilename: 'Inkling' }, executableName: 'inkling' };
    expect(
      afterPack.electronBinaryPath({ appOutDir: '/o', electronPlatformName: 'darwin', arch: ARM64, packager }),
    ).toBe(path.join('/o', 'Inkling.app'));
    expect(afterPack.electronBinaryPath({ appOutDir: '/o', electronPlatformName: 'win32', arch: X64, packager })).toBe(
      path.join('/o', 'Inkling.exe'),
    );
    expect(afterPack.electronBinaryPath({ appOutDir: '/o', electronPlatformName: 'linux', arch: X64, packager })).toBe(
      path.join('/o', 'inkling'),
    );
  });
});

describe('afterPack hook', () => {
  it('flips the fuses in the packed executable (release build)', async () => {
    vi.spyOn(console, 'log').mockImplementation(() => {});
    const ctx = linuxApp('x64');
    const binary = path.join(ctx.appOutDir, 'inkling');
    expect((await readFuses(binary)).RunAsNode).toBe(true); // Electron's default, before
    await afterPack(ctx, fuses, {});
    expect(await readFuses(binary)).toEqual(EXPECTED_RELEASE);
  });

  it('a test build keeps the inspector fuse on and everything else locked', async () => {
    vi.spyOn(console, 'log').mockImplementation(() => {});
    const ctx = linuxApp('arm64');
    await afterPack(ctx, fuses, { INKLING_TEST_BUILD: '1' });
    expect(await readFuses(path.join(ctx.appOutDir, 'inkling'))).toEqual({
      ...EXPECTED_RELEASE,
      EnableNodeCliInspectArguments: true,
    });
  });

  it('flips the framework binary inside a macOS bundle (x64: no ad-hoc re-signing needed)', async () => {
    vi.spyOn(console, 'log').mockImplementation(() => {});
    vi.spyOn(console, 'warn').mockImplementation(() => {});
    const appOutDir = fs.mkdtempSync(path.join(os.tmpdir(), 'inkling-afterpack-mac-'));
    tmpDirs.push(appOutDir);
    const framework = path.join(
      appOutDir,
      'Inkling.app',
      'Contents',
      'Frameworks',
      'Electron Framework.framework',
      'Electron Framework',
    );
    fakeElectron(framework);
    fs.mkdirSync(
      path.join(
        appOutDir,
        'Inkling.app',
        'Contents',
        'Resources',
        'app.asar.unpacked',
        'node_modules',
        'onnxruntime-node',
        'bin',
        'napi-v6',
        'darwin',
      ),
      { recursive: true },
    );
    await afterPack(
      {
        appOutDir,
        electronPlatformName: 'darwin',
        arch: X64,
        packager: { appInfo: { productFilename: 'Inkling' }, executableName: 'inkling' },
      },
      fuses,
      {},
    );
    expect(await readFuses(path.join(appOutDir, 'Inkling.app'))).toEqual(EXPECTED_RELEASE);
  });

  it('fails the build when another platform or architecture was packed, or onnxruntime was not unpacked', async () => {
    vi.spyOn(console, 'log').mockImplementation(() => {});
    await expect(afterPack(linuxApp('x64', ['win32/x64']), fuses, {})).rejects.toThrow(/win32.*another platform/);
    await expect(afterPack(linuxApp('x64', ['linux/arm64']), fuses, {})).rejects.toThrow(
      /arm64.*another architecture than x64/,
    );
    const bare = linuxApp('x64');
    fs.rmSync(path.join(bare.appOutDir, 'resources', 'app.asar.unpacked'), { recursive: true });
    await expect(afterPack(bare, fuses, {})).rejects.toThrow(/not unpacked from app\.asar.*asarUnpack/);
  });

  it('warns (and still builds) when onnxruntime publishes no binary for the target, e.g. darwin/x64', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'inkling-ort-'));
    tmpDirs.push(dir);
    fs.mkdirSync(path.join(dir, 'app.asar.unpacked', 'node_modules', 'onnxruntime-node', 'bin', 'napi-v6', 'darwin'), {
      recursive: true,
    });
    const r = afterPack.checkOnnxruntimeBinaries(dir, 'darwin', 'x64');
    expect(r.errors).toEqual([]);
    expect(r.warnings.join('\n')).toMatch(/no darwin\/x64 binary/);
  });
});
