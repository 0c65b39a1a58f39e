/**
 * Electron security checklist, URL and permission side: which URLs the window may navigate to
 * (only the app's own pages), which links may open in the system browser (http/https only, no
 * credentials), and permissions (all denied). Tables, so a new case is one line.
 */
import { describe, expect, it } from 'vitest';
import {
  APP_ORIGIN,
  allowPermission,
  externalLinkTarget,
  guardWebContents,
  isAllowedNavigation,
  isAppUrl,
  isExternalLink,
  type GuardableContents,
} from '../../electron/main/security';

/** [url, navigation allowed (and trusted IPC sender), opens externally] */
const CASES: [string, boolean, boolean][] = [
  // The app itself: navigation (reload, in-app links) yes; never handed to the system browser.
  ['app://inkling/index.html', true, false],
  ['app://inkling/', true, false],
  ['app://inkling', true, false],
  ['APP://inkling/index.html', true, false], // schemes are case-insensitive
  ['app://inkling/assets/x.js?v=1#top', true, false],
  // Look-alikes of the app origin.
  ['app://INKLING/', false, false],
  ['app://evil/index.html', false, false],
  ['app://inkling.evil/', false, false],
  ['app://evil.inkling/', false, false],
  ['app://inkling%2eevil/', false, false],
  ['app://inkling\\@evil/', false, false],
  ['app://user@inkling/', false, false],
  ['app://user:pw@inkling/', false, false],
  ['app://inkling:99/', false, false],
  ['app:inkling/index.html', false, false],
  ['app:///inkling/', false, false],
  ['https://inkling/', false, true],
  // The web: only ever opened externally, never navigated to inside the window.
  ['https://example.com', false, true],
  ['HTTPS://EXAMPLE.COM/x', false, true],
  ['http://example.com/page?q=1', false, true],
  ['http://127.0.0.1:8080/', false, false], // plain http to this computer: refused (see below)
  ['https://[::1]/', false, true],
  ['https://xn--80ak6aa92e.com/', false, true],
  // Credentials can disguise the real host: refused.
  ['https://user@example.com', false, false],
  ['https://:pw@example.com', false, false],
  ['https://bank.example@evil.example/', false, false],
  // Script and inline-document schemes.
  ['javascript:alert(1)', false, false],
  ['JaVaScRiPt:alert(1)', false, false],
  [' javascript:alert(1)', false, false],
  ['java\nscript:alert(1)', false, false],
  ['data:text/html,<script>alert(1)</script>', false, false],
  ['data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==', false, false],
  ['blob:https://example.com/0b1c', false, false],
  ['view-source:https://example.com', false, false],
  // Local files and shares.
  ['file:///etc/passwd', false, false],
  ['file:///C:/Windows/System32/calc.exe', false, false],
  ['file://host/share/x.md', false, false],
  ['\\\\host\\share', false, false],
  ['smb://host/share', false, false],
  // Other applications' custom schemes (they can run programs).
  ['vscode://file/etc/passwd', false, false],
  ['ms-settings:', false, false],
  ['ms-msdt:/id PCWDiagnostic', false, false],
  ['search-ms:query=x', false, false],
  ['x-apple.systempreferences:', false, false],
  ['intent://x#Intent;end', false, false],
  ['steam://run/1', false, false],
  ['mailto:a@b.c', false, false],
  ['tel:123', false, false],
  ['ftp://example.com', false, false],
  ['ws://127.0.0.1/', false, false],
  ['chrome://settings', false, false],
  ['devtools://devtools/bundled/inspector.html', false, false],
  ['about:blank', false, false],
  // Not URLs at all.
  ['//example.com', false, false],
  ['example.com', false, false],
  ['/etc/passwd', false, false],
  ['', false, false],
];

describe('navigation and external links', () => {
  it.each(CASES)('%j: navigate %s, open externally %s', (url, navigate, external) => {
    expect(isAllowedNavigation(url)).toBe(navigate);
    expect(isAppUrl(url)).toBe(navigate);
    expect(isExternalLink(url)).toBe(external);
    // No URL is both: the window never shows the web, the browser never gets the app.
    expect(isAllowedNavigation(url) && isExternalLink(url)).toBe(false);
  });

  it('the app origin is app://inkling', () => {
    expect(APP_ORIGIN).toBe('app://inkling');
  });

  it('copes with hostile input without throwing', () => {
    const weird = [
      '\u0000',
      '\ud800',
      'https://' + 'a'.repeat(100_000) + '.com',
      'https://%zz',
      'http://[::1',
      '\u202ehttps://example.com',
    ];
    for (const url of weird) {
      expect(() => isAllowedNavigation(url)).not.toThrow();
      expect(() => isExternalLink(url)).not.toThrow();
    }
    // Only the well-formed long host is a link; broken hosts are not.
    expect(isExternalLink('https://%zz')).toBe(false);
    expect(isExternalLink('http://[::1')).toBe(false);
  });
});

describe('external links are normalised, and local http refused', () => {
  it.each([
    ['HTTPS://EXAMPLE.COM/a b', 'https://example.com/a%20b'],
    ['https://example.com', 'https://example.com/'],
    ['https://EXAMPLE.com:443/x/../y', 'https://example.com/y'],
    ['https://xn--80ak6aa92e.com/', 'https://xn--80ak6aa92e.com/'],
    ['https://пример.com/', 'https://xn--e1afmkfd.com/'],
    ['  https://example.com/\t', 'https://example.com/'],
    ['https://example.com/"><script>', 'https://example.com/%22%3E%3Cscript%3E'],
    ['http://example.com/page?q=1', 'http://example.com/page?q=1'],
    ['https://127.0.0.1:8080/', 'https://127.0.0.1:8080/'], // https: the browser checks the certificate
  ])('%j opens as %j', (raw, opened) => {
    expect(externalLinkTarget(raw)).toEqual({ ok: true, url: opened });
  });

  it.each([
    'http://localhost:3000/',
    'http://LOCALHOST/',
    'http://app.localhost/',
    'http://127.0.0.1/',
    'http://127.1/', // new URL() reads this as 127.0.0.1
    'http://2130706433/', // …and this
    'http://0x7f000001/',
    'http://0.0.0.0:8000/',
    'http://10.0.0.1/',
    'http://172.16.5.4/',
    'http://192.168.1.1/admin',
    'http://169.254.169.254/latest/meta-data/',
    'http://[::1]/',
    'http://[::ffff:127.0.0.1]/',
    'http://[fe80::1]/',
    'http://[fd00::1]/',
    'http://router/',
    'http://printer.local/',
  ])('%j (plain http to this computer or the local network) is refused with a reason', (raw) => {
    const d = externalLinkTarget(raw);
    expect(d.ok).toBe(false);
    expect(!d.ok && d.reason).toMatch(/points to this computer or the local network/);
  });

  it('says why each other link is refused', () => {
    const reason = (raw: string) => {
      const d = externalLinkTarget(raw);
      return d.ok ? null : d.reason;
    };
    expect(reason('file:///etc/passwd')).toBe(
      'Inkling opens only web links (https://…); this one uses "file:", which could open a file or another program.',
    );
    expect(reason('JaVaScRiPt:alert(1)')).toMatch(/uses "javascript:"/);
    expect(reason('https://bank.example@evil.example/')).toMatch(/user name or password before the site's name/);
    expect(reason('not a url')).toBe('It is not a web address.');
  });

  it('the window-open guard hands on only the normalised URL and reports a refusal', () => {
    let handler: ((details: { url: string }) => { action: 'deny' }) | undefined;
    const contents: GuardableContents = {
      on: () => contents,
      setWindowOpenHandler: (h) => void (handler = h),
    };
    const opened: string[] = [];
    const refused: string[] = [];
    guardWebContents(
      contents,
      (url) => opened.push(url),
      (reason) => refused.push(reason),
    );
    expect(handler!({ url: 'HTTPS://Example.COM/a b' })).toEqual({ action: 'deny' });
    expect(handler!({ url: 'http://192.168.1.1/' })).toEqual({ action: 'deny' });
    expect(handler!({ url: 'vscode://file/etc/passwd' })).toEqual({ action: 'deny' });
    expect(opened).toEqual(['https://example.com/a%20b']);
    expect(refused).toHaveLength(2);
    expect(refused[1]).toMatch(/"vscode:"/);
  });
});

describe('permissions', () => {
  /** Every permission name Electron 45 can ask a handler about, plus unknown ones. */
  const PERMISSIONS = [
    'ar',
    'automatic-fullscreen',
    'background-fetch',
    'background-sync',
    'captured-surface-control',
    'clipboard-read',
    'clipboard-sanitized-write',
    'deprecated-sync-clipboard-read',
    'display-capture',
    'fileSystem',
    'fullscreen',
    'geolocation',
    'geolocation-approximate',
    'hand-tracking',
    'hid',
    'idle-detection',
    'keyboardLock',
    'local-fonts',
    'local-network',
    'local-network-access',
    'loopback-network',
    'media',
    'mediaKeySystem',
    'midi',
    'midiSysex',
    'nfc',
    'notifications',
    'openExternal',
    'payment-handler',
    'periodic-background-sync',
    'persistent-storage',
    'pointerLock',
    'screen-wake-lock',
    'sensors',
    'serial',
    'smart-card',
    'speaker-selection',
    'storage-access',
    'system-wake-lock',
    'top-level-storage-access',
    'usb',
    'vr',
    'web-app-installation',
    'web-printing',
    'window-management',
    'unknown',
    '',
    '__proto__',
    'constructor',
    'camera',
    'microphone',
  ];
  it.each(PERMISSIONS)('%j is denied', (permission) => {
    expect(allowPermission(permission)).toBe(false);
  });
});
