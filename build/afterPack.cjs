/**
 * electron-builder `afterPack` hook: flips Inkling's Electron fuses in the packed app, before
 * electron-builder signs it (fuses live in the executable, so flipping after signing would break the
 * signature). Fuses are build-time switches that no argument or environment variable can undo:
 *
 *   RunAsNode                              off  ELECTRON_RUN_AS_NODE cannot turn the app into a plain Node
 *   EnableCookieEncryption                 on   cookies on disk are encrypted with an OS-protected key
 *   EnableNodeOptionsEnvironmentVariable   off  NODE_OPTIONS cannot inject code or flags
 *   EnableNodeCliInspectArguments          off  --inspect & co. are ignored, so nobody attaches a
 *                                               debugger to a writer's app; ON only in test builds
 *                                               (INKLING_TEST_BUILD=1), which Playwright drives
 *   EnableEmbeddedAsarIntegrityValidation  on   app.asar must match the hash electron-builder embeds
 *                                               (enforced on macOS and Windows; Linux has no support yet)
 *   OnlyLoadAppFromAsar                    on   the app loads only from app.asar, not from a folder
 *                                               dropped next to it
 *   GrantFileProtocolExtraPrivileges       off  the UI is served from app://, so file:// needs no
 *                                               special powers
 *
 * It also checks that onnxruntime-node's native binaries were unpacked for the target (see below).
 *
 * Check a packaged app with `npx @electron/fuses read --app <path to Inkling.app | Inkling.exe | inkling>`.
 * test/build/fuses.test.ts runs this hook on a stand-in executable and reads the fuses back.
 */
'use strict';

const fs = require('node:fs');
const path = require('node:path');

/** builder-util's Arch enum (ia32 = 0, x64 = 1, armv7l = 2, arm64 = 3, universal = 4) as names. */
const ARCH_NAMES = ['ia32', 'x64', 'armv7l', 'arm64', 'universal'];

/**
 * The fuses Inkling sets, by @electron/fuses option name (true = on). Pure: depends only on `env`.
 * @param {Record<string, string | undefined>} env
 * @returns {Record<string, boolean>}
 */
function fuseSettings(env) {
  const testBuild = env.INKLING_TEST_BUILD === '1';
  return {
    RunAsNode: false,
    EnableCookieEncryption: true,
    EnableNodeOptionsEnvironmentVariable: false,
    EnableNodeCliInspectArguments: testBuild,
    EnableEmbeddedAsarIntegrityValidation: true,
    OnlyLoadAppFromAsar: true,
    GrantFileProtocolExtraPrivileges: false,
  };
}

/**
 * Turns named settings into the config `flipFuses` takes ({ version, [FuseV1Options.X]: bool }).
 * Fails if @electron/fuses does not know a name (a rename would otherwise silently skip a fuse).
 */
function fuseConfig(settings, fuses, options = {}) {
  const { FuseVersion, FuseV1Options } = fuses;
  const config = { version: FuseVersion.V1, resetAdHocDarwinSignature: options.resetAdHocDarwinSignature === true };
  for (const [name, on] of Object.entries(settings)) {
    const index = FuseV1Options[name];
    if (typeof index !== 'number') throw new Error(`afterPack: @electron/fuses has no fuse named ${name}`);
    config[index] = on;
  }
  return config;
}

/** The Electron executable inside the packed app, as flipFuses expects it. */
function electronBinaryPath(context) {
  const { appOutDir, electronPlatformName, packager } = context;
  switch (electronPlatformName) {
    case 'darwin':
    case 'mas':
      return path.join(appOutDir, `${packager.appInfo.productFilename}.app`);
    case 'win32':
      return path.join(appOutDir, `${packager.appInfo.productFilename}.exe`);
    default:
      return path.join(appOutDir, packager.executableName);
  }
}

/** The packaged app's resources folder (where app.asar and app.asar.unpacked are). */
function resourcesDir(context) {
  const { appOutDir, electronPlatformName, packager } = context;
  if (electronPlatformName === 'darwin' || electronPlatformName === 'mas') {
    return path.join(appOutDir, `${packager.appInfo.productFilename}.app`, 'Contents', 'Resources');
  }
  return path.join(appOutDir, 'resources');
}

/**
 * Checks that app.asar.unpacked holds onnxruntime-node's native binaries for exactly the target
 * platform/arch (electron-builder.yml prunes the others). Returns { errors, warnings }, each a list of
 * sentences. onnxruntime-node does not publish every combination (1.30 has no darwin/x64): a missing
 * binding for the target is a warning, since the app still starts and reports that the engine
 * cannot run; binaries of another platform or a missing package are errors.
 */
function checkOnnxruntimeBinaries(resources, platform, arch) {
  const errors = [];
  const warnings = [];
  const pkg = path.join(resources, 'app.asar.unpacked', 'node_modules', 'onnxruntime-node');
  const bin = path.join(pkg, 'bin');
  if (!fs.existsSync(bin)) {
    errors.push(
      `${bin} is missing: onnxruntime-node's native binaries were not unpacked from app.asar (check asarUnpack)`,
    );
    return { errors, warnings };
  }
  for (const napi of fs.readdirSync(bin)) {
    for (const os of fs.readdirSync(path.join(bin, napi))) {
      const here = path.join(bin, napi, os);
      if (os !== platform) {
        errors.push(
          `${here} belongs to another platform than ${platform}: build each installer on its own OS (electron-builder.yml prunes by the host platform)`,
        );
        continue;
      }
      for (const a of fs.readdirSync(here)) {
        if (a !== arch) errors.push(`${path.join(here, a)} belongs to another architecture than ${arch}`);
      }
      const binding = path.join(here, arch, 'onnxruntime_binding.node');
      if (!fs.existsSync(binding)) {
        warnings.push(
          `onnxruntime-node ships no ${platform}/${arch} binary (${binding} is missing): this build starts, but its engine cannot run models`,
        );
      }
    }
  }
  if (!fs.readdirSync(bin).some((napi) => fs.existsSync(path.join(bin, napi, platform)))) {
    warnings.push(
      `onnxruntime-node ships no ${platform} binaries at all: this build starts, but its engine cannot run models`,
    );
  }
  return { errors, warnings };
}

function archName(arch) {
  return typeof arch === 'number' ? (ARCH_NAMES[arch] ?? String(arch)) : String(arch);
}

/**
 * The hook. `fuses` is @electron/fuses (a parameter so a test can pass the same module explicitly).
 * After flipping, it reads the wire back and fails the build if any fuse did not take.
 */
async function afterPack(context, fuses = require('@electron/fuses'), env = process.env) {
  const settings = fuseSettings(env);
  const arch = archName(context.arch);
  // Flipping bytes invalidates the ad-hoc signature an arm64 macOS binary must carry to run at all.
  const config = fuseConfig(settings, fuses, {
    resetAdHocDarwinSignature: context.electronPlatformName === 'darwin' && arch === 'arm64',
  });
  const binary = electronBinaryPath(context);
  await fuses.flipFuses(binary, config);

  const wire = await fuses.getCurrentFuseWire(binary);
  const wrong = Object.entries(settings)
    .filter(([name, on]) => wire[fuses.FuseV1Options[name]] !== (on ? 49 : 48)) // FuseState ENABLE '1' / DISABLE '0'
    .map(
      ([name, on]) =>
        `${name} should be ${on ? 'on' : 'off'} but reads ${JSON.stringify(String.fromCharCode(wire[fuses.FuseV1Options[name]] ?? 63))}`,
    );
  if (wrong.length > 0) throw new Error(`afterPack: fuses did not take in ${binary}: ${wrong.join('; ')}`);

  const ort = checkOnnxruntimeBinaries(resourcesDir(context), context.electronPlatformName, arch);
  for (const w of ort.warnings) console.warn(`  ⚠ inkling: ${w}`);
  if (ort.errors.length > 0) throw new Error(`afterPack: ${ort.errors.join('; ')}`);

  const summary = Object.entries(settings)
    .map(([name, on]) => `${name}=${on ? 'on' : 'off'}`)
    .join(' ');
  console.log(
    `  • inkling fuses  ${context.electronPlatformName}/${arch}${env.INKLING_TEST_BUILD === '1' ? ' (test build)' : ''}: ${summary}`,
  );
}

module.exports = afterPack;
module.exports.default = afterPack;
module.exports.afterPack = afterPack;
module.exports.fuseSettings = fuseSettings;
module.exports.fuseConfig = fuseConfig;
module.exports.electronBinaryPath = electronBinaryPath;
module.exports.resourcesDir = resourcesDir;
module.exports.checkOnnxruntimeBinaries = checkOnnxruntimeBinaries;
