/**
 * Auto-update from GitHub Releases with electron-updater, under two rules:
 *   - OFF unless a release feed is configured: the installer was built with a repository (electron-
 *     builder then writes <resources>/app-update.yml with provider/owner/repo, see scripts/dist.mjs) or
 *     INKLING_UPDATE_FEED names one. Development runs, test runs, .deb installs, INKLING_DISABLE_UPDATES=1
 *     and a writer who turned updates off never check.
 *   - Nothing is downloaded or installed without asking: a found update is offered (download / later),
 *     a downloaded one is offered again (restart now / install when Inkling quits).
 *
 * `decideUpdates` is pure (unit-tested in test/build/updater.test.ts); `startAutoUpdates` is the one
 * call main makes. electron and electron-updater are imported lazily so this file loads under plain
 * Node for the tests.
 *
 * Wiring (electron/main/index.ts, after the first window exists):
 *   void startAutoUpdates({
 *     isPackaged: app.isPackaged,
 *     resourcesPath: process.resourcesPath,
 *     testMode: process.env.INKLING_TEST_HOOKS === '1',
 *     parentWindow: () => BrowserWindow.getFocusedWindow() ?? undefined,
 *     log: (m) => console.error(`inkling: ${m}`),
 *   });
 */
import fs from 'node:fs';
import path from 'node:path';
import type { BrowserWindow } from 'electron';
import type { UpdateInfo } from 'electron-updater';

export type UpdateFeed = { provider: 'github'; owner: string; repo: string } | { provider: 'generic'; url: string };

export interface UpdatePolicyInput {
  /** app.isPackaged: a development run never updates itself. */
  isPackaged: boolean;
  platform: NodeJS.Platform;
  env: Readonly<Record<string, string | undefined>>;
  /** Text of <resources>/app-update.yml, or null when the file does not exist. */
  appUpdateYml: string | null;
  /** The writer's setting; undefined when there is none (the default is to check). */
  writerEnabled?: boolean;
  /** The e2e test hooks are on: tests never reach the network. */
  testMode?: boolean;
}

export type UpdatePolicy =
  { enabled: true; feed: UpdateFeed; source: 'env' | 'package' } | { enabled: false; reason: string };

const NAME_RE = /^[A-Za-z0-9_.-]+$/;

/**
 * Parses a feed given by hand: "owner/repo" or "github:owner/repo" (GitHub Releases), or an https URL
 * of a folder holding electron-builder's latest*.yml files (http is accepted for 127.0.0.1/localhost
 * only, for testing). Returns null when `spec` is none of these.
 */
export function parseFeed(spec: string): UpdateFeed | null {
  const s = spec.trim();
  if (/^https?:\/\//i.test(s)) {
    let u: URL;
    try {
      u = new URL(s);
    } catch {
      return null;
    }
    const local = u.hostname === '127.0.0.1' || u.hostname === 'localhost' || u.hostname === '[::1]';
    if (u.protocol !== 'https:' && !(u.protocol === 'http:' && local)) return null;
    if (u.username || u.password) return null;
    return { provider: 'generic', url: u.toString() };
  }
  const slug = s.startsWith('github:') ? s.slice('github:'.length) : s;
  const parts = slug.split('/');
  if (parts.length !== 2 || !parts.every((p) => NAME_RE.test(p) && p !== '.' && p !== '..')) return null;
  return { provider: 'github', owner: parts[0], repo: parts[1] };
}

/**
 * Reads the feed electron-builder baked into app-update.yml (flat "key: value" lines). A build made
 * without a repository has the file but no provider: that is no feed.
 */
export function feedFromAppUpdateYml(text: string): UpdateFeed | null {
  const fields = new Map<string, string>();
  for (const line of text.split(/\r?\n/)) {
    const m = /^([A-Za-z][A-Za-z0-9]*):\s*(.*?)\s*$/.exec(line);
    if (m) fields.set(m[1], m[2].replace(/^(['"])(.*)\1$/, '$2'));
  }
  const provider = fields.get('provider');
  if (provider === 'github') {
    const owner = fields.get('owner') ?? '';
    const repo = fields.get('repo') ?? '';
    return NAME_RE.test(owner) && NAME_RE.test(repo) ? { provider: 'github', owner, repo } : null;
  }
  if (provider === 'generic') {
    const feed = parseFeed(fields.get('url') ?? '');
    return feed?.provider === 'generic' ? feed : null;
  }
  return null;
}

/** Whether this run may check for updates, and from where. Pure. */
export function decideUpdates(input: UpdatePolicyInput): UpdatePolicy {
  const { env } = input;
  if (env.INKLING_DISABLE_UPDATES === '1') return { enabled: false, reason: 'turned off by INKLING_DISABLE_UPDATES=1' };
  if (input.testMode) return { enabled: false, reason: 'test run (INKLING_TEST_HOOKS=1)' };
  if (input.writerEnabled === false) return { enabled: false, reason: 'turned off in settings' };
  if (!input.isPackaged) return { enabled: false, reason: 'development run (not a packaged app)' };
  if (input.platform === 'linux' && !env.APPIMAGE) {
    return {
      enabled: false,
      reason:
        'installed from a package (.deb): updates come from the package manager; only the AppImage updates itself',
    };
  }
  if (input.platform !== 'linux' && input.platform !== 'darwin' && input.platform !== 'win32') {
    return { enabled: false, reason: `no installer updates on ${input.platform}` };
  }
  const fromEnv = env.INKLING_UPDATE_FEED?.trim();
  if (fromEnv) {
    const feed = parseFeed(fromEnv);
    if (!feed) {
      return {
        enabled: false,
        reason: `INKLING_UPDATE_FEED ${JSON.stringify(fromEnv)} is not "owner/repo", "github:owner/repo" or an https URL`,
      };
    }
    return { enabled: true, feed, source: 'env' };
  }
  const baked = input.appUpdateYml === null ? null : feedFromAppUpdateYml(input.appUpdateYml);
  if (!baked) return { enabled: false, reason: 'no release feed configured (this build names no repository)' };
  return { enabled: true, feed: baked, source: 'package' };
}

/** What the prompts get to show: the version and, when the release has them, its name and notes. */
export interface UpdateOffer {
  version: string;
  releaseName?: string;
  releaseNotes?: string;
}

export interface UpdatePrompts {
  /** An update was found: resolve true to download it now, false to leave it for now. */
  offerDownload(offer: UpdateOffer): Promise<boolean>;
  /** It is downloaded: resolve true to restart now; false installs it when Inkling quits. */
  offerRestart(offer: UpdateOffer): Promise<boolean>;
}

export interface UpdaterHandle {
  /** Checks now (errors are logged, never thrown: an offline writer is not bothered). */
  check(): Promise<void>;
  dispose(): void;
}

export interface StartUpdaterOptions {
  log(message: string): void;
  /** First check this long after start (default 30 s: let the window and engine settle). */
  firstCheckDelayMs?: number;
  /** Then every (default 6 h). */
  intervalMs?: number;
}

function offerOf(info: UpdateInfo): UpdateOffer {
  const notes = info.releaseNotes;
  const text =
    typeof notes === 'string' ? notes : Array.isArray(notes) ? notes.map((n) => n.note ?? '').join('\n') : undefined;
  // Release notes are HTML from GitHub; a native dialog shows text, so keep it short and tag-free.
  const plain = text
    ?.replace(/<[^>]*>/g, '')
    .replace(/\n{3,}/g, '\n\n')
    .trim()
    .slice(0, 1500);
  return { version: info.version, releaseName: info.releaseName ?? undefined, releaseNotes: plain || undefined };
}

/** Starts electron-updater for an enabled policy. The caller checks `policy.enabled` first. */
export async function startUpdater(
  policy: Extract<UpdatePolicy, { enabled: true }>,
  prompts: UpdatePrompts,
  options: StartUpdaterOptions,
): Promise<UpdaterHandle> {
  const { autoUpdater } = await import('electron-updater');
  const log = options.log;
  autoUpdater.autoDownload = false; // ask first
  autoUpdater.autoInstallOnAppQuit = false; // until the writer has accepted a download
  autoUpdater.allowPrerelease = false;
  autoUpdater.allowDowngrade = false;
  autoUpdater.logger = {
    info: (m: unknown) => log(`updater: ${String(m)}`),
    warn: (m: unknown) => log(`updater: ${String(m)}`),
    error: (m: unknown) => log(`updater: ${String(m)}`),
  };
  if (policy.source === 'env') autoUpdater.setFeedURL(policy.feed);

  const offered = new Set<string>(); // one offer per version per session
  let busy = false;
  autoUpdater.on('update-available', (info: UpdateInfo) => {
    if (offered.has(info.version)) return;
    offered.add(info.version);
    void prompts
      .offerDownload(offerOf(info))
      .then(async (yes) => {
        if (!yes) return log(`updater: ${info.version} available; the writer chose not to download it now`);
        await autoUpdater.downloadUpdate();
      })
      .catch((e: Error) => log(`updater: download of ${info.version} failed: ${e.message}`));
  });
  autoUpdater.on('update-downloaded', (info: UpdateInfo) => {
    autoUpdater.autoInstallOnAppQuit = true; // the writer asked for this update
    void prompts
      .offerRestart(offerOf(info))
      .then((now) => {
        if (now) autoUpdater.quitAndInstall();
        else log(`updater: ${info.version} downloaded; it installs when Inkling quits`);
      })
      .catch((e: Error) => log(`updater: ${e.message}`));
  });
  autoUpdater.on('error', (e: Error) => log(`updater: ${e.message}`));

  const check = async (): Promise<void> => {
    if (busy) return;
    busy = true;
    try {
      await autoUpdater.checkForUpdates();
    } catch (e) {
      log(`updater: check failed: ${(e as Error).message}`);
    } finally {
      busy = false;
    }
  };
  const first = setTimeout(() => void check(), options.firstCheckDelayMs ?? 30_000);
  const every = setInterval(() => void check(), options.intervalMs ?? 6 * 60 * 60 * 1000);
  first.unref?.();
  every.unref?.();
  const where =
    policy.feed.provider === 'github' ? `github.com/${policy.feed.owner}/${policy.feed.repo}` : policy.feed.url;
  log(`updater: checking ${where} for updates (${policy.source === 'env' ? 'INKLING_UPDATE_FEED' : 'built-in feed'})`);
  return {
    check,
    dispose() {
      clearTimeout(first);
      clearInterval(every);
      autoUpdater.removeAllListeners();
    },
  };
}

/** Prompts as native message boxes, attached to the writer's window when there is one. */
export function dialogPrompts(parentWindow: () => BrowserWindow | undefined): UpdatePrompts {
  const ask = async (message: string, detail: string, buttons: string[]): Promise<boolean> => {
    const { dialog } = await import('electron');
    const opts = { type: 'info' as const, message, detail, buttons, defaultId: 0, cancelId: 1, noLink: true };
    const win = parentWindow();
    const r = win ? await dialog.showMessageBox(win, opts) : await dialog.showMessageBox(opts);
    return r.response === 0;
  };
  const notes = (o: UpdateOffer) => (o.releaseNotes ? `\n\n${o.releaseNotes}` : '');
  return {
    offerDownload: (o) =>
      ask(
        `Inkling ${o.version} is available`,
        `Download it now? Your documents stay open while it downloads.${notes(o)}`,
        ['Download', 'Not Now'],
      ),
    offerRestart: (o) =>
      ask(
        `Inkling ${o.version} is ready to install`,
        'Restart now to finish? Inkling asks about unsaved changes before it restarts. Otherwise the update installs when you quit Inkling.',
        ['Restart Now', 'Later'],
      ),
  };
}

export interface AutoUpdateOptions {
  isPackaged: boolean;
  /** process.resourcesPath (where electron-builder writes app-update.yml). */
  resourcesPath: string;
  testMode?: boolean;
  writerEnabled?: boolean;
  parentWindow: () => BrowserWindow | undefined;
  log(message: string): void;
  env?: Readonly<Record<string, string | undefined>>;
}

/**
 * Keeps the updater in step with the writer's "check for updates" setting: started (as far as the
 * policy allows) while it is on, disposed as soon as it is turned off, started again when turned back
 * on. `start(writerEnabled)` is startAutoUpdates with the setting passed on; it logs why it is off.
 */
export function followUpdateSetting(
  initial: boolean,
  start: (writerEnabled: boolean) => Promise<UpdaterHandle | null>,
): { set(enabled: boolean): void } {
  let enabled = initial;
  let handle: Promise<UpdaterHandle | null> = start(enabled);
  return {
    set(next: boolean) {
      if (next === enabled) return;
      enabled = next;
      // Each change waits for the previous start, so a quick off-on-off ends with no updater running.
      handle = handle
        .catch(() => null)
        .then((h) => {
          h?.dispose();
          return start(next);
        });
    },
  };
}

/** Decides, and starts the updater when allowed. Returns null (after logging why) when it is off. */
export async function startAutoUpdates(options: AutoUpdateOptions): Promise<UpdaterHandle | null> {
  let appUpdateYml: string | null = null;
  try {
    appUpdateYml = fs.readFileSync(path.join(options.resourcesPath, 'app-update.yml'), 'utf8');
  } catch {
    appUpdateYml = null; // development runs and builds without a feed have no such file
  }
  const policy = decideUpdates({
    isPackaged: options.isPackaged,
    platform: process.platform,
    env: options.env ?? process.env,
    appUpdateYml,
    writerEnabled: options.writerEnabled,
    testMode: options.testMode,
  });
  if (!policy.enabled) {
    options.log(`updater: off: ${policy.reason}`);
    return null;
  }
  return startUpdater(policy, dialogPrompts(options.parentWindow), { log: options.log });
}
