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
  return u.protocol === `${APP_SCHEME}:` && u.host === APP_HOST && u.username === '' && u.password === '' && u.port === '';
}

/** Navigation inside the window: only reloads of the app itself. */
export function isAllowedNavigation(url: string): boolean {
  return isAppUrl(url);
}

/**
 * Links the writer clicks that open in the system browser instead of a new window: http and https
 * only (never file:, javascript:, data: or another app's custom scheme), and no user:password@ part,
 * which can disguise the real host ("https://bank.example@evil.example/").
 */
export function isExternalLink(url: string): boolean {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return false;
  }
  return (u.protocol === 'https:' || u.protocol === 'http:') && u.hostname !== '' && u.username === '' && u.password === '';
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
 * link goes to the system browser instead.
 */
export function guardWebContents(contents: GuardableContents, openExternal: (url: string) => void): void {
  contents.on('will-navigate', (event, url) => {
    if (!isAllowedNavigation(url)) event.preventDefault();
  });
  contents.on('will-redirect', (event, url) => {
    if (!isAllowedNavigation(url)) event.preventDefault();
  });
  contents.on('will-attach-webview', (event) => event.preventDefault());
  contents.setWindowOpenHandler(({ url }) => {
    if (isExternalLink(url)) openExternal(url);
    return { action: 'deny' };
  });
}

type Headers = Record<string, string | string[]>;

/** The parts of Electron's Session the guards use (a test passes a fake). */
export interface GuardableSession {
  setPermissionRequestHandler(handler: (contents: unknown, permission: string, callback: (granted: boolean) => void) => void): void;
  setPermissionCheckHandler(handler: (contents: unknown, permission: string) => boolean): void;
  webRequest: {
    onHeadersReceived(listener: (details: { responseHeaders?: Headers }, callback: (response: { responseHeaders?: Headers }) => void) => void): void;
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
