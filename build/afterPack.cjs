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
 * Check a packaged app with `npx @electron/fuses read --app <path to Inkling.app | Inkling.exe | inkling>`.
 * test/build/fuses.test.ts runs this hook on a stand-in executable and reads the fuses back.
 */
'use strict';

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

function archName(arch) {
  return typeof arch === 'number' ? ARCH_NAMES[arch] ?? String(arch) : String(arch);
}

/**
 * The hook. `fuses` is @electron/fuses (a parameter so a test can pass the same module explicitly).
 * After flipping, it reads the wire back and fails the build if any fuse did not take.
 */
async function afterPack(context, fuses = require('@electron/fuses'), env = process.env) {
  const settings = fuseSettings(env);
  const arch = archName(context.arch);
  // Flipping bytes invalidates the ad-hoc signature an arm64 macOS binary must carry to run at all.
  const config = fuseConfig(settings, fuses, { resetAdHocDarwinSignature: context.electronPlatformName === 'darwin' && arch === 'arm64' });
  const binary = electronBinaryPath(context);
  await fuses.flipFuses(binary, config);

  const wire = await fuses.getCurrentFuseWire(binary);
  const wrong = Object.entries(settings)
    .filter(([name, on]) => wire[fuses.FuseV1Options[name]] !== (on ? 49 : 48)) // FuseState ENABLE '1' / DISABLE '0'
    .map(([name, on]) => `${name} should be ${on ? 'on' : 'off'} but reads ${JSON.stringify(String.fromCharCode(wire[fuses.FuseV1Options[name]] ?? 63))}`);
  if (wrong.length > 0) throw new Error(`afterPack: fuses did not take in ${binary}: ${wrong.join('; ')}`);

  const summary = Object.entries(settings).map(([name, on]) => `${name}=${on ? 'on' : 'off'}`).join(' ');
  console.log(`  • inkling fuses  ${context.electronPlatformName}/${arch}${env.INKLING_TEST_BUILD === '1' ? ' (test build)' : ''}: ${summary}`);
}

module.exports = afterPack;
module.exports.default = afterPack;
module.exports.afterPack = afterPack;
module.exports.fuseSettings = fuseSettings;
module.exports.fuseConfig = fuseConfig;
module.exports.electronBinaryPath = electronBinaryPath;
