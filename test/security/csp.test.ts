/**
 * The Content-Security-Policy reaches the page on every path: the renderer's <meta> tag (written by
 * the vite plugin from electron/api/csp.ts), the web host's HTML and error responses, and the built
 * page when dist/renderer is current. The page itself carries no inline script a policy would have to
 * allow. (Enforcement in a real browser: e2e/web/security.spec.ts and e2e/electron/security.spec.ts.)
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Plugin } from 'vite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CSP, contentSecurityPolicy } from '../../electron/api';
import { startWebHost, type WebHost } from '../../electron/web';
import { rendererBuildReason } from '../../electron/web/rendererBuild';
import { makeFixture, rawGet, type Fixture } from '../web/helpers';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

function directives(policy: string): Map<string, string[]> {
  return new Map(
    policy
      .split(';')
      .map((d) => d.trim())
      .filter(Boolean)
      .map((d) => {
        const [name, ...values] = d.split(/\s+/);
        return [name.toLowerCase(), values] as const;
      }),
  );
}

/** What every variant of the policy must say, whatever else it allows. */
function expectStrict(policy: string, where: string): void {
  const d = directives(policy);
  expect(d.get('default-src'), `${where}: default-src`).toEqual(["'none'"]);
  expect(d.get('script-src'), `${where}: script-src`).toEqual(["'self'"]);
  expect(d.get('object-src'), `${where}: object-src`).toEqual(["'none'"]);
  expect(d.get('base-uri'), `${where}: base-uri`).toEqual(["'none'"]);
  expect(d.get('frame-src'), `${where}: frame-src`).toEqual(["'none'"]);
  expect(d.get('form-action'), `${where}: form-action`).toEqual(["'none'"]);
  // Nothing may load from the network at large or run generated code.
  expect(policy, where).not.toMatch(
    /unsafe-eval|wasm-unsafe-eval|unsafe-hashes|strict-dynamic|'nonce-|'sha(256|384|512)-/,
  );
  for (const [name, values] of d) {
    for (const v of values) {
      expect(
        v === '*' || /^(https?:|wss?:)?\*?$/.test(v) || v === 'https:' || v === 'http:',
        `${where}: ${name} allows ${v}`,
      ).toBe(false);
      if (v.startsWith('ws:')) expect(v, `${where}: ${name}`).toMatch(/^ws:\/\/(127\.0\.0\.1|localhost):(\d+|\*)$/);
    }
  }
}

/** Runs the renderer's HTML through the same vite plugin the build uses. */
async function renderedIndexHtml(): Promise<string> {
  const config = (await import('../../vite.config')).default as { plugins?: unknown[] };
  const plugin = (config.plugins ?? [])
    .flat(Infinity as 1)
    .find((p) => (p as Plugin | null)?.name === 'inkling-csp-meta') as Plugin | undefined;
  expect(plugin, 'vite.config.ts has the inkling-csp-meta plugin').toBeDefined();
  const transform = plugin!.transformIndexHtml as (html: string) => string;
  return transform(fs.readFileSync(path.join(ROOT, 'renderer', 'index.html'), 'utf8'));
}

function metaPolicies(html: string): string[] {
  return [...html.matchAll(/<meta\s+http-equiv=["']Content-Security-Policy["']\s+content=(["'])(.*?)\1/gi)].map(
    (m) => m[2],
  );
}

function expectNoInlineScript(html: string, where: string): void {
  const withoutComments = html.replace(/<!--[\s\S]*?-->/g, '');
  for (const m of withoutComments.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/gi)) {
    expect(m[1], `${where}: every script has a src`).toMatch(/\ssrc=/);
    expect(m[2].trim(), `${where}: a script with a src has no body`).toBe('');
  }
  expect(withoutComments, `${where}: no inline event handler attributes`).not.toMatch(/\son[a-z]+\s*=/i);
  expect(withoutComments, `${where}: no javascript: URLs`).not.toMatch(/javascript:/i);
}

describe('the renderer page', () => {
  it('the vite plugin writes the one policy into the meta tag (without frame-ancestors, which meta ignores)', async () => {
    const html = await renderedIndexHtml();
    const policies = metaPolicies(html);
    expect(policies).toEqual([contentSecurityPolicy({ forMeta: true, connectSrc: ['ws://127.0.0.1:*'] })]);
    expectStrict(policies[0], 'meta');
    expect(policies[0]).not.toContain('frame-ancestors');
    expect(html).not.toContain('__INKLING_CSP__');
    // The meta tag must come before anything it governs.
    expect(html.indexOf('Content-Security-Policy')).toBeLessThan(html.search(/<script|<link rel="stylesheet"/));
  });

  it('the source page has no inline script', () => {
    expectNoInlineScript(fs.readFileSync(path.join(ROOT, 'renderer', 'index.html'), 'utf8'), 'renderer/index.html');
  });

  it('the built page carries the same policy and no inline script (when dist/renderer is current)', async (ctx) => {
    const stale = await rendererBuildReason(ROOT);
    if (stale) ctx.skip(`dist/renderer is not current (${stale}); the e2e fixtures build it`);
    const html = fs.readFileSync(path.join(ROOT, 'dist', 'renderer', 'index.html'), 'utf8');
    expect(metaPolicies(html)).toEqual([contentSecurityPolicy({ forMeta: true, connectSrc: ['ws://127.0.0.1:*'] })]);
    expectNoInlineScript(html, 'dist/renderer/index.html');
  });

  it("Electron's header policy is strict and forbids framing", () => {
    expectStrict(CSP, 'electron');
    expect(directives(CSP).get('frame-ancestors')).toEqual(["'none'"]);
  });
});

describe('the web host', () => {
  let fx: Fixture;
  let host: WebHost;
  beforeAll(async () => {
    fx = makeFixture();
    host = await startWebHost({
      port: 0,
      dataDir: fx.dataDir,
      rendererDir: fx.rendererDir,
      log: () => undefined,
      createEngine: () => {
        throw new Error('no engine without a model');
      },
    });
  });
  afterAll(async () => {
    await host?.close();
    fx?.cleanup();
  });

  it('sends the policy, naming only its own socket, on pages, assets and errors alike', async () => {
    const expected = contentSecurityPolicy({
      connectSrc: [`ws://127.0.0.1:${host.port}`, `ws://localhost:${host.port}`],
    });
    for (const [p, status] of [
      ['/', 200],
      ['/index.html', 200],
      ['/assets/app.js', 200],
      ['/missing.html', 404],
      ['/%2e%2e%2fsecret.txt', 400],
    ] as const) {
      const res = await rawGet(host.port, p);
      expect(res.status, p).toBe(status);
      expect(res.headers['content-security-policy'], p).toBe(expected);
      expect(res.headers['x-content-type-options'], p).toBe('nosniff');
      expect(res.headers['x-frame-options'], p).toBe('DENY');
    }
    const policy = (await rawGet(host.port, '/')).headers['content-security-policy'] as string;
    expectStrict(policy, 'web host');
    expect(directives(policy).get('connect-src')).toEqual([
      "'self'",
      `ws://127.0.0.1:${host.port}`,
      `ws://localhost:${host.port}`,
    ]);
    expect(directives(policy).get('frame-ancestors')).toEqual(["'none'"]);
  });

  it('sends the policy on method errors too', async () => {
    const res = await rawGet(host.port, '/', { method: 'POST' });
    expect(res.status).toBe(405);
    expect(res.headers['content-security-policy']).toContain("script-src 'self'");
  });
});
