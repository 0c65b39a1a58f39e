/**
 * electron/main/updater.ts: when auto-update is allowed and from which feed. Pure decisions only;
 * electron-updater itself needs Electron.
 */
import { describe, expect, it } from 'vitest';
import { decideUpdates, feedFromAppUpdateYml, parseFeed, type UpdatePolicyInput } from '../../electron/main/updater';

/** What electron-builder writes into resources/app-update.yml for a build that names its repository. */
const BAKED =
  'owner: inkling-app\nrepo: inkling\nprovider: github\nreleaseType: draft\nupdaterCacheDirName: inkling-updater\n';
/** …and for a build that names none. */
const NO_FEED = 'updaterCacheDirName: inkling-updater\n';

const packagedWindows: UpdatePolicyInput = { isPackaged: true, platform: 'win32', env: {}, appUpdateYml: BAKED };

describe('parseFeed', () => {
  it('accepts owner/repo, github:owner/repo and https URLs', () => {
    expect(parseFeed('inkling-app/inkling')).toEqual({ provider: 'github', owner: 'inkling-app', repo: 'inkling' });
    expect(parseFeed(' github:a.b/c_d ')).toEqual({ provider: 'github', owner: 'a.b', repo: 'c_d' });
    expect(parseFeed('https://updates.example.org/inkling/')).toEqual({
      provider: 'generic',
      url: 'https://updates.example.org/inkling/',
    });
    expect(parseFeed('http://127.0.0.1:8080/feed')).toEqual({ provider: 'generic', url: 'http://127.0.0.1:8080/feed' });
  });

  it('refuses anything else: plain http to another host, credentials in URLs, paths, other schemes', () => {
    for (const bad of [
      'http://updates.example.org/',
      'https://user:pw@example.org/',
      'a/b/c',
      '../x',
      'owner/..',
      'file:///etc',
      'javascript:alert(1)',
      '',
      'owner/',
      'github:',
    ]) {
      expect(parseFeed(bad), bad).toBeNull();
    }
  });
});

describe('feedFromAppUpdateYml', () => {
  it('reads the feed electron-builder bakes in, and none from a build without a repository', () => {
    expect(feedFromAppUpdateYml(BAKED)).toEqual({ provider: 'github', owner: 'inkling-app', repo: 'inkling' });
    expect(feedFromAppUpdateYml(NO_FEED)).toBeNull();
    expect(feedFromAppUpdateYml('provider: github\nowner: x\n')).toBeNull(); // no repo
    expect(feedFromAppUpdateYml("provider: generic\nurl: 'https://u.example.org/f'\r\n")).toEqual({
      provider: 'generic',
      url: 'https://u.example.org/f',
    });
    expect(feedFromAppUpdateYml('provider: s3\nbucket: b\n')).toBeNull(); // not a provider Inkling publishes to
  });
});

describe('decideUpdates', () => {
  it('is on for a packaged app whose installer names a feed', () => {
    expect(decideUpdates(packagedWindows)).toEqual({
      enabled: true,
      source: 'package',
      feed: { provider: 'github', owner: 'inkling-app', repo: 'inkling' },
    });
    expect(decideUpdates({ ...packagedWindows, platform: 'darwin' }).enabled).toBe(true);
    expect(
      decideUpdates({ ...packagedWindows, platform: 'linux', env: { APPIMAGE: '/home/w/Inkling.AppImage' } }).enabled,
    ).toBe(true);
  });

  it('is off unless a feed is configured', () => {
    expect(decideUpdates({ ...packagedWindows, appUpdateYml: null })).toMatchObject({
      enabled: false,
      reason: expect.stringMatching(/no release feed/),
    });
    expect(decideUpdates({ ...packagedWindows, appUpdateYml: NO_FEED })).toMatchObject({
      enabled: false,
      reason: expect.stringMatching(/no release feed/),
    });
  });

  it('INKLING_UPDATE_FEED configures a feed (and a malformed one turns updates off, saying why)', () => {
    const r = decideUpdates({ ...packagedWindows, appUpdateYml: null, env: { INKLING_UPDATE_FEED: 'me/fork' } });
    expect(r).toEqual({ enabled: true, source: 'env', feed: { provider: 'github', owner: 'me', repo: 'fork' } });
    const bad = decideUpdates({ ...packagedWindows, env: { INKLING_UPDATE_FEED: 'http://evil.example/' } });
    expect(bad).toMatchObject({ enabled: false, reason: expect.stringMatching(/INKLING_UPDATE_FEED/) });
  });

  it('is off in development, in tests, when the writer or the environment says so, and for .deb installs', () => {
    const off = (input: Partial<UpdatePolicyInput>, reason: RegExp) =>
      expect(decideUpdates({ ...packagedWindows, ...input })).toMatchObject({
        enabled: false,
        reason: expect.stringMatching(reason),
      });
    off({ isPackaged: false }, /development/);
    off({ testMode: true }, /test/);
    off({ writerEnabled: false }, /settings/);
    off({ env: { INKLING_DISABLE_UPDATES: '1', INKLING_UPDATE_FEED: 'a/b' } }, /INKLING_DISABLE_UPDATES/);
    off({ platform: 'linux' }, /package manager/);
    off({ platform: 'freebsd' }, /freebsd/);
    // The explicit "yes" of a writer does not conjure a feed.
    off({ writerEnabled: true, appUpdateYml: null }, /no release feed/);
  });
});
