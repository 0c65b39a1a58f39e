/**
 * Security settings of the desktop app, as pure data and functions so a unit test can check them
 * without Electron. Every window uses `secureWebPreferences`; every response carries `CSP`; only
 * pages served from `APP_ORIGIN` may call the API, navigate, or be shown.
 */
import type { WebPreferences } from 'electron';
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

/** Links the writer clicks that open in the system browser instead of a new window (https only). */
export function isExternalLink(url: string): boolean {
  try {
    return new URL(url).protocol === 'https:';
  } catch {
    return false;
  }
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
