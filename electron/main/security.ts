/**
 * Security settings of the desktop app, as pure data and functions so a unit test can check them
 * without Electron. Every window uses `secureWebPreferences`; every response carries `CSP`; only
 * pages served from `APP_ORIGIN` may call the API, navigate, or be shown.
 */
import type { BrowserWindowConstructorOptions, WebPreferences } from 'electron';
import { CSP as RENDERER_CSP } from '../api/csp';

export const CSP = RENDERER_CSP;

/** The renderer is served from a custom, privileged scheme (not file://) so 'self' means the app only. */
export const APP_SCHEME = 'app';
export const APP_HOST = 'inkling';
export const APP_ORIGIN = `${APP_SCHEME}://${APP_HOST}`;
export const APP_URL = `${APP_ORIGIN}/index.html`;

export function secureWebPreferences(preload: string, options: { devTools?: boolean } = {}): WebPreferences {
  return {
    preload,
    contextIsolation: true,
    sandbox: true,
    nodeIntegration: false,
    nodeIntegrationInWorker: false,
    nodeIntegrationInSubFrames: false,
    webSecurity: true,
    allowRunningInsecureContent: false,
    webviewTag: false,
    experimentalFeatures: false,
    navigateOnDragDrop: false,
    safeDialogs: true,
    spellcheck: true,
    devTools: options.devTools ?? false,
  };
}

export interface WindowOptionsInput {
  bounds: { x?: number; y?: number; width: number; height: number };
  minSize: { width: number; height: number };
  preload: string;
  devTools?: boolean;
}

/**
 * Every BrowserWindow's constructor options (window.ts passes them straight to `new BrowserWindow`),
 * pure so a unit test can check them: secure web preferences, hidden until ready.
 */
export function browserWindowOptions(input: WindowOptionsInput): BrowserWindowConstructorOptions {
  return {
    ...input.bounds,
    minWidth: input.minSize.width,
    minHeight: input.minSize.height,
    show: false,
    title: 'Inkling',
    backgroundColor: '#00000000',
    webPreferences: secureWebPreferences(input.preload, { devTools: input.devTools ?? false }),
  };
}

/** True for a URL of the app's own pages (used for the IPC sender check and navigation). */
export function isAppUrl(url: string): boolean {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return false;
  }
  return (
    u.protocol === `${APP_SCHEME}:` && u.host === APP_HOST && u.username === '' && u.password === '' && u.port === ''
  );
}

/** Navigation inside the window: only reloads of the app itself. */
export function isAllowedNavigation(url: string): boolean {
  return isAppUrl(url);
}

/** What to do with a link the page asks to open: hand `url` (normalised) to the system browser, or refuse saying why. */
export type ExternalLinkDecision = { ok: true; url: string } | { ok: false; reason: string };

/** IPv4 addresses that reach this computer or the local network (loopback, private, link-local, "this network", CGNAT). */
function isLocalIpv4(host: string): boolean {
  const m = /^(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(host);
  if (!m) return false;
  const [a, b] = [Number(m[1]), Number(m[2])];
  return (
    a === 0 ||
    a === 127 ||
    a === 10 ||
    (a === 172 && b >= 16 && b <= 31) ||
    (a === 192 && b === 168) ||
    (a === 169 && b === 254) ||
    (a === 100 && b >= 64 && b <= 127)
  );
}

/** A host name (as `new URL()` normalised it) that means this computer or the local network. */
export function isLocalHost(hostname: string): boolean {
  const h = hostname.toLowerCase().replace(/\.$/, '');
  if (h.startsWith('[')) {
    const v6 = h.slice(1, -1);
    if (v6 === '::1' || v6 === '::') return true;
    if (/^f[cd][0-9a-f]{2}:/.test(v6) || /^fe[89ab][0-9a-f]:/.test(v6)) return true; // unique-local, link-local
    const mapped = /^::ffff:(.+)$/.exec(v6);
    if (mapped) {
      // new URL() writes a mapped IPv4 address in hex: ::ffff:7f00:1 is 127.0.0.1.
      const hex = /^([0-9a-f]{1,4}):([0-9a-f]{1,4})$/.exec(mapped[1]);
      const v4 = hex
        ? [
            parseInt(hex[1], 16) >> 8,
            parseInt(hex[1], 16) & 255,
            parseInt(hex[2], 16) >> 8,
            parseInt(hex[2], 16) & 255,
          ].join('.')
        : mapped[1];
      return isLocalIpv4(v4);
    }
    return false;
  }
  if (isLocalIpv4(h)) return true;
  // localhost and its subdomains, mDNS names, and single-label names (an intranet machine: "router").
  return (
    h === 'localhost' || h.endsWith('.localhost') || h.endsWith('.local') || h.endsWith('.internal') || !h.includes('.')
  );
}

/**
 * Links the writer clicks that open in the system browser instead of a new window. The URL is
 * parsed and normalised with `new URL()` first and only the normalised form is ever handed on, so
 * the browser opens exactly what was checked. Allowed: `https:` to any host, and `http:` to hosts
 * on the internet (not this computer or the local network, whose devices and services a link could
 * drive). Never `file:`, `javascript:`, `data:` or another app's custom scheme, and no
 * user:password@ part, which can disguise the real host ("https://bank.example@evil.example/").
 */
export function externalLinkTarget(raw: string): ExternalLinkDecision {
  let u: URL;
  try {
    u = new URL(raw);
  } catch {
    return { ok: false, reason: 'It is not a web address.' };
  }
  if (u.protocol !== 'https:' && u.protocol !== 'http:') {
    const scheme = u.protocol.replace(/:$/, '').slice(0, 40);
    return {
      ok: false,
      reason: `Inkling opens only web links (https://…); this one uses "${scheme}:", which could open a file or another program.`,
    };
  }
  if (u.hostname === '') return { ok: false, reason: 'The link names no web site.' };
  if (u.username !== '' || u.password !== '') {
    return {
      ok: false,
      reason: `The link carries a user name or password before the site's name, which can disguise the real site (${u.hostname.slice(0, 200)}).`,
    };
  }
  if (u.protocol === 'http:' && isLocalHost(u.hostname)) {
    return {
      ok: false,
      reason: `The link points to this computer or the local network (${u.hostname.slice(0, 200)}) over plain http, where it could drive a local device or service.`,
    };
  }
  return { ok: true, url: u.href };
}

/** True when `externalLinkTarget` allows the link. */
export function isExternalLink(url: string): boolean {
  return externalLinkTarget(url).ok;
}

/** Permission requests (camera, notifications, clipboard-read, ...) are all denied. */
export function allowPermission(_permission: string): boolean {
  return false;
}

/** Headers set on every response the renderer receives. */
export function responseSecurityHeaders(): Record<string, string> {
  return {
    'Content-Security-Policy': CSP,
    'X-Content-Type-Options': 'nosniff',
    'Cross-Origin-Opener-Policy': 'same-origin',
  };
}

/** The parts of Electron's WebContents the guards use (a test passes a fake). */
export interface PreventableEvent {
  preventDefault(): void;
}
export interface GuardableContents {
  on(event: 'will-navigate' | 'will-redirect', listener: (event: PreventableEvent, url: string) => void): unknown;
  on(event: 'will-attach-webview', listener: (event: PreventableEvent) => void): unknown;
  setWindowOpenHandler(handler: (details: { url: string }) => { action: 'deny' }): void;
}

/**
 * Locks down one web contents (called for every one Electron creates): navigation and redirects
 * only within the app, no <webview>, and window.open never opens a window — an allowed external
 * link goes to the system browser instead (normalised, see externalLinkTarget), and a refused one
 * is reported through `onRefused` with a sentence the writer can read.
 */
export function guardWebContents(
  contents: GuardableContents,
  openExternal: (url: string) => void,
  onRefused?: (reason: string) => void,
): void {
  contents.on('will-navigate', (event, url) => {
    if (!isAllowedNavigation(url)) event.preventDefault();
  });
  contents.on('will-redirect', (event, url) => {
    if (!isAllowedNavigation(url)) event.preventDefault();
  });
  contents.on('will-attach-webview', (event) => event.preventDefault());
  contents.setWindowOpenHandler(({ url }) => {
    const decision = externalLinkTarget(url);
    if (decision.ok) openExternal(decision.url);
    else onRefused?.(decision.reason);
    return { action: 'deny' };
  });
}

type Headers = Record<string, string | string[]>;

/** The parts of Electron's Session the guards use (a test passes a fake). */
export interface GuardableSession {
  setPermissionRequestHandler(
    handler: (contents: unknown, permission: string, callback: (granted: boolean) => void) => void,
  ): void;
  setPermissionCheckHandler(handler: (contents: unknown, permission: string) => boolean): void;
  webRequest: {
    onHeadersReceived(
      listener: (
        details: { responseHeaders?: Headers },
        callback: (response: { responseHeaders?: Headers }) => void,
      ) => void,
    ): void;
  };
}

/** Denies every permission request and check, and puts the CSP on every response the session loads. */
export function guardSession(session: GuardableSession): void {
  session.setPermissionRequestHandler((_contents, permission, callback) => callback(allowPermission(permission)));
  session.setPermissionCheckHandler((_contents, permission) => allowPermission(permission));
  // A response's own policy (any spelling) stays too: Chromium enforces every policy, so ours always applies.
  session.webRequest.onHeadersReceived((details, callback) => {
    callback({ responseHeaders: { ...details.responseHeaders, 'Content-Security-Policy': [CSP] } });
  });
}
