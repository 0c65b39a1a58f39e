/**
 * The Content-Security-Policy for the renderer, one definition for the Electron session headers, the
 * web host's headers and the page's <meta> tag. Scripts only from the app itself (no inline, no eval);
 * inline styles are allowed because CodeMirror and React set element styles; nothing else loads.
 */
export interface CspOptions {
  /** Extra connect-src sources (the web host adds its own ws://127.0.0.1:PORT). */
  connectSrc?: string[];
  /** A <meta> tag ignores frame-ancestors (and warns), so leave it out there. */
  forMeta?: boolean;
}

export function contentSecurityPolicy(options: CspOptions = {}): string {
  const directives: [string, string[]][] = [
    ['default-src', ["'none'"]],
    ['script-src', ["'self'"]],
    ['style-src', ["'self'", "'unsafe-inline'"]],
    ['img-src', ["'self'", 'data:', 'blob:']],
    ['font-src', ["'self'", 'data:']],
    ['connect-src', ["'self'", ...(options.connectSrc ?? [])]],
    ['worker-src', ["'self'"]],
    ['manifest-src', ["'self'"]],
    ['object-src', ["'none'"]],
    ['frame-src', ["'none'"]],
    ['base-uri', ["'none'"]],
    ['form-action', ["'none'"]],
  ];
  if (!options.forMeta) directives.push(['frame-ancestors', ["'none'"]]);
  return directives.map(([name, values]) => `${name} ${values.join(' ')}`).join('; ');
}

/** The policy as the Electron app sends it. */
export const CSP = contentSecurityPolicy();
