/**
 * Finds Electron's binary WITHOUT triggering a download (requiring the `electron` package would
 * throw, and its installer would try the network). The npm package records the binary's path in
 * node_modules/electron/path.txt once the postinstall download has succeeded.
 */
import fs from 'node:fs';
import path from 'node:path';

export function findElectronBinary(root: string): { path: string | null; reason: string } {
  const dir = path.join(root, 'node_modules', 'electron');
  const pathTxt = path.join(dir, 'path.txt');
  if (!fs.existsSync(dir))
    return { path: null, reason: 'the electron package is not installed (node_modules/electron is missing)' };
  if (!fs.existsSync(pathTxt))
    return {
      path: null,
      reason: "Electron's binary is not downloaded here (node_modules/electron/path.txt is missing)",
    };
  const bin = path.join(dir, 'dist', fs.readFileSync(pathTxt, 'utf8').trim());
  if (!fs.existsSync(bin)) return { path: null, reason: `Electron's binary ${bin} named by path.txt does not exist` };
  return { path: bin, reason: '' };
}
