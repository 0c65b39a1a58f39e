/**
 * build/electron-builder.yml, checked the way electron-builder will read it (js-yaml, minimatch):
 * targets, installers' options, what gets packed and unpacked from the asar, the files it names.
 * Packaging itself needs each OS's runner (see docs/RELEASING.md); this is what can be held here.
 */
import fs from 'node:fs';
import path from 'node:path';
import { minimatch } from 'minimatch';
import { describe, expect, it } from 'vitest';
import { at, exists, readJson, readYaml, ROOT } from './helpers';

const config = readYaml('build/electron-builder.yml');
const pkg = readJson('package.json');

/** electron-builder's config keys → Node's platform names (used in onnxruntime-node's bin folders). */
const PLATFORMS = { win: 'win32', mac: 'darwin', linux: 'linux' } as const;

/** [platform, arch] for every target the config builds. */
function targets(): Array<[string, string]> {
  const out = new Set<string>();
  for (const [key, platform] of Object.entries(PLATFORMS)) {
    const list = at(config, key, 'target');
    expect(Array.isArray(list), `${key}.target is a list`).toBe(true);
    for (const t of list as unknown[]) for (const arch of at(t, 'arch') as string[]) out.add(`${platform}/${arch}`);
  }
  return [...out].map((s) => s.split('/') as [string, string]);
}

function listFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    return e.isDirectory() ? listFiles(p) : [p];
  });
}

const ORT_BIN = path.join(ROOT, 'node_modules', 'onnxruntime-node', 'bin');
const ortFiles = listFiles(ORT_BIN).map((f) => path.relative(ROOT, f).split(path.sep).join('/'));

/** Files electron-builder keeps from node_modules for a target: only `!` patterns apply there. */
function keptNodeModuleFiles(files: string[], platform: string, arch: string): string[] {
  const excludes = (config.files as string[])
    .filter((p) => p.startsWith('!'))
    .map((p) => p.slice(1).replaceAll('${platform}', platform).replaceAll('${arch}', arch));
  return files.filter((f) => !excludes.some((x) => minimatch(f, x, { dot: true })));
}

describe('electron-builder.yml', () => {
  it('names the app and writes installers outside dist/ (which is packed)', () => {
    expect(config.appId).toBe('app.inkling.desktop');
    expect(config.productName).toBe('Inkling');
    expect(config.productName).toBe(pkg.productName);
    const output = at(config, 'directories', 'output') as string;
    expect(output).toBeTruthy();
    expect(output.startsWith('dist')).toBe(false);
    expect(at(config, 'directories', 'buildResources')).toBe('build');
  });

  it('packs the bundles, the tokenizer, the catalog and package.json — and the main entry is among them', () => {
    const files = config.files as string[];
    for (const p of ['dist/electron/**', 'dist/renderer/**', 'models/gpt2/**', 'models/catalog.json', 'package.json'])
      expect(files).toContain(p);
    const includes = files.filter((p) => !p.startsWith('!'));
    const packed = (f: string) =>
      includes.some((p) => minimatch(f, p, { dot: true })) &&
      !files
        .filter((p) => p.startsWith('!'))
        .some((p) =>
          minimatch(f, p.slice(1).replaceAll('${platform}', 'linux').replaceAll('${arch}', 'x64'), { dot: true }),
        );
    expect(pkg.main).toBe('dist/electron/main/index.js');
    for (const f of [
      pkg.main as string,
      'dist/electron/preload/index.js',
      'dist/electron/engine/host.js',
      'dist/electron/package.json',
      'dist/renderer/index.html',
      'models/gpt2/vocab.json',
      'models/gpt2/merges.txt',
    ]) {
      expect(packed(f), `${f} is packed`).toBe(true);
    }
    // Nothing from the working tree that is not the app (caches, test output, sources, the output folder).
    for (const f of [
      '.cache/bench/model.onnx',
      'artifacts/x.png',
      'electron/main/index.ts',
      'release/Inkling.exe',
      'dist/electron/main/index.js.map',
    ]) {
      expect(packed(f), `${f} is not packed`).toBe(false);
    }
    // Platform-level `files` made of only `!` patterns make electron-builder pack the whole project.
    for (const key of Object.keys(PLATFORMS)) expect(at(config, key, 'files'), `${key}.files`).toBeUndefined();
  });

  it('unpacks every onnxruntime-node native binary (.node, .so, .dylib, .dll) from the asar', () => {
    expect(config.asar).toBe(true);
    const unpack = config.asarUnpack as string[];
    expect(unpack).toContain('node_modules/onnxruntime-node/bin/**');
    const natives = ortFiles.filter((f) => /\.(node|so(\.\d+)*|dylib|dll)$/.test(f));
    expect(natives.length).toBeGreaterThan(5);
    expect(
      natives.some((f) => f.endsWith('.dll')) &&
        natives.some((f) => f.endsWith('.dylib')) &&
        natives.some((f) => /\.so(\.\d+)*$/.test(f)),
    ).toBe(true);
    const notUnpacked = natives.filter((f) => !unpack.some((p) => minimatch(f, p, { dot: true })));
    expect(notUnpacked).toEqual([]);
  });

  it('ships each target only its own onnxruntime binaries, and each target has one (except known gaps)', () => {
    // onnxruntime-node publishes no darwin/x64 build, so there is no Intel Mac target (an app that
    // cannot run a model is not shipped). Any target without its binary fails here.
    const list = targets();
    expect(list).toEqual(
      expect.arrayContaining([
        ['win32', 'x64'],
        ['win32', 'arm64'],
        ['darwin', 'arm64'],
        ['linux', 'x64'],
        ['linux', 'arm64'],
      ]),
    );
    expect(list).not.toContainEqual(['darwin', 'x64']);
    for (const [platform, arch] of list) {
      const kept = keptNodeModuleFiles(ortFiles, platform, arch);
      const foreign = kept.filter((f) => !f.includes(`/${platform}/${arch}/`));
      expect(foreign, `${platform}/${arch} packs no other platform's binaries`).toEqual([]);
      const hasBinding = kept.some((f) => f.endsWith(`/${platform}/${arch}/onnxruntime_binding.node`));
      expect(hasBinding, `${platform}/${arch} has onnxruntime_binding.node`).toBe(true);
    }
    // The pruning must not touch other packages.
    expect(
      keptNodeModuleFiles(
        ['node_modules/onnxruntime-node/dist/index.js', 'node_modules/onnxruntime-common/dist/index.js'],
        'linux',
        'x64',
      ),
    ).toHaveLength(2);
  });

  it('Windows: NSIS for x64 and arm64, per-user, folder choice, never deletes user data', () => {
    expect(at(config, 'win', 'target')).toEqual([{ target: 'nsis', arch: ['x64', 'arm64'] }]);
    expect(at(config, 'nsis', 'oneClick')).toBe(false);
    expect(at(config, 'nsis', 'perMachine')).toBe(false);
    expect(at(config, 'nsis', 'allowElevation')).toBe(false);
    expect(at(config, 'nsis', 'allowToChangeInstallationDirectory')).toBe(true);
    expect(at(config, 'nsis', 'deleteAppDataOnUninstall')).toBe(false);
  });

  it('macOS: DMG (+ zip for updates) for Apple silicon, hardened runtime, entitlements, notarization', () => {
    const t = at(config, 'mac', 'target') as Array<{ target: string; arch: string[] }>;
    expect(t.find((x) => x.target === 'dmg')?.arch).toEqual(['arm64']);
    expect(t.find((x) => x.target === 'zip')?.arch).toEqual(['arm64']);
    expect(at(config, 'mac', 'hardenedRuntime')).toBe(true);
    expect(at(config, 'mac', 'notarize')).toBe(true);
    for (const key of ['entitlements', 'entitlementsInherit']) {
      const file = at(config, 'mac', key) as string;
      expect(exists(file), `${file} exists`).toBe(true);
      const plist = fs.readFileSync(path.join(ROOT, file), 'utf8');
      const keys = [...plist.replace(/<!--[\s\S]*?-->/g, '').matchAll(/<key>([^<]+)<\/key>/g)].map((m) => m[1]);
      // V8 needs JIT; nothing broader (library validation stays on, no sandbox-less device access).
      expect(keys).toEqual(['com.apple.security.cs.allow-jit']);
      expect(plist).toMatch(/<key>com\.apple\.security\.cs\.allow-jit<\/key>\s*<true\/>/);
    }
  });

  it('Linux: AppImage and deb with maintainer, homepage, category and synopsis', () => {
    const t = at(config, 'linux', 'target') as Array<{ target: string; arch: string[] }>;
    expect(t.map((x) => x.target).sort()).toEqual(['AppImage', 'deb']);
    expect(at(config, 'linux', 'maintainer')).toMatch(/^.+ <[^@\s]+@[^@\s]+>$/);
    expect(at(config, 'linux', 'synopsis')).toBeTruthy();
    expect(String(at(config, 'linux', 'category')).split(';')).toEqual(
      expect.arrayContaining(['Office', 'TextEditor']),
    );
    // electron-builder's deb target refuses to build without a homepage.
    const homepage = (at(config, 'extraMetadata', 'homepage') ?? pkg.homepage) as string;
    expect(homepage).toMatch(/^https:\/\//);
  });

  it('associates .md and .txt, and every file the config names exists', () => {
    const assoc = config.fileAssociations as Array<{ ext: string; mimeType: string; role: string }>;
    expect(assoc.map((a) => a.ext).sort()).toEqual(['md', 'txt']);
    expect(Object.fromEntries(assoc.map((a) => [a.ext, a.mimeType]))).toEqual({
      md: 'text/markdown',
      txt: 'text/plain',
    });
    for (const file of [
      config.afterPack,
      at(config, 'win', 'icon'),
      at(config, 'mac', 'icon'),
      at(config, 'linux', 'icon'),
    ] as string[]) {
      expect(exists(file), `${file} exists`).toBe(true);
    }
  });

  it('publishes to GitHub releases as a draft', () => {
    expect(at(config, 'publish', 'provider')).toBe('github');
    expect(at(config, 'publish', 'releaseType')).toBe('draft');
  });

  it('native modules are N-API prebuilt, so no rebuild runs at packaging time', () => {
    expect(config.npmRebuild).toBe(false);
    const ort = readJson('node_modules/onnxruntime-node/package.json');
    expect(at(ort, 'binary', 'napi_versions')).toBeTruthy();
    expect(fs.existsSync(path.join(ROOT, 'node_modules', 'onnxruntime-node', 'binding.gyp'))).toBe(false);
  });
});
