/** The desktop window's security settings, checked without Electron (pure data). */
import { describe, expect, it } from 'vitest';
import { contentSecurityPolicy } from '../../electron/api';
import { CSP, allowPermission, isAllowedNavigation, isAppUrl, isExternalLink } from '../../electron/main/security';

// secureWebPreferences: the exact reviewed set is checked in test/security/windowPolicy.test.ts.

describe('CSP', () => {
  const directives = new Map(
    CSP.split(';').map((d) => {
      const [name, ...values] = d.trim().split(/\s+/);
      return [name, values] as const;
    }),
  );
  it('allows scripts only from the app, never inline or eval', () => {
    expect(directives.get('default-src')).toEqual(["'none'"]);
    expect(directives.get('script-src')).toEqual(["'self'"]);
    expect(directives.get('object-src')).toEqual(["'none'"]);
    expect(directives.get('base-uri')).toEqual(["'none'"]);
    expect(directives.get('frame-ancestors')).toEqual(["'none'"]);
    expect(CSP).not.toMatch(/unsafe-eval|\*|http:|https:/);
  });
  it('the meta-tag variant leaves out frame-ancestors; the web variant adds its socket', () => {
    expect(contentSecurityPolicy({ forMeta: true })).not.toContain('frame-ancestors');
    expect(contentSecurityPolicy({ connectSrc: ['ws://127.0.0.1:5'] })).toContain(
      "connect-src 'self' ws://127.0.0.1:5",
    );
  });
});

describe('URL and permission policy', () => {
  it('accepts only the app origin as a sender or navigation target', () => {
    expect(isAppUrl('app://inkling/index.html')).toBe(true);
    expect(isAppUrl('app://inkling/assets/x.js?v=1')).toBe(true);
    for (const bad of [
      'app://evil/index.html',
      'file:///etc/passwd',
      'https://inkling/',
      'app://user@inkling/',
      'app://inkling:99/',
      'not a url',
      '',
    ]) {
      expect(isAppUrl(bad), bad).toBe(false);
      expect(isAllowedNavigation(bad), bad).toBe(false);
    }
  });
  it('opens only http(s) links externally and denies every permission', () => {
    expect(isExternalLink('https://example.com')).toBe(true);
    expect(isExternalLink('http://example.com')).toBe(true);
    expect(isExternalLink('file:///x')).toBe(false);
    for (const p of ['media', 'notifications', 'clipboard-read', 'geolocation', 'openExternal'])
      expect(allowPermission(p)).toBe(false);
  });
});
