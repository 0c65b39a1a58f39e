/**
 * Where Inkling keeps its data when no --data-dir is given: the same folder Electron's
 * `app.getPath('userData')` uses for an app named "Inkling", so the web host and the desktop app
 * share settings, recent files and backups.
 */
import * as os from 'node:os';
import * as path from 'node:path';

export const APP_DIR_NAME = 'Inkling';

export function dataDirFor(platform: NodeJS.Platform, env: NodeJS.ProcessEnv, home: string): string {
  if (platform === 'win32')
    return path.win32.join(env.APPDATA || path.win32.join(home, 'AppData', 'Roaming'), APP_DIR_NAME);
  if (platform === 'darwin') return path.posix.join(home, 'Library', 'Application Support', APP_DIR_NAME);
  const config =
    env.XDG_CONFIG_HOME && path.isAbsolute(env.XDG_CONFIG_HOME) ? env.XDG_CONFIG_HOME : path.join(home, '.config');
  return path.join(config, APP_DIR_NAME);
}

export function defaultDataDir(): string {
  return dataDirFor(process.platform, process.env, os.homedir());
}
