/**
 * The Content-Security-Policy, enforced by a real Chromium on the app page served by the real web
 * host: the header and the <meta> tag are both there, and the browser refuses inline script, script
 * from another origin, eval, frames, and sockets to other ports. A second origin on 127.0.0.1 stands in
 * for "the internet"; the test checks that it never even receives a request.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { test, expect } from './fixtures';

test.use({ hostOptions: { model: false } });

interface Violation {
  directive: string;
  blocked: string;
}

test('the page carries the CSP and the browser enforces it', async ({ page, host }) => {
  // Another origin on this machine, counting requests: anything the CSP lets through would show here.
  const hits: string[] = [];
  const other = http.createServer((req, res) => {
    hits.push(req.url ?? '');
    res.writeHead(200, { 'Content-Type': 'text/javascript', 'Access-Control-Allow-Origin': '*' });
    res.end('window.__fromOtherOrigin = true;');
  });
  await new Promise<void>((resolve) => other.listen(0, '127.0.0.1', () => resolve()));
  const otherOrigin = `http://127.0.0.1:${(other.address() as AddressInfo).port}`;
  try {
    const response = await page.goto(host.url);
    await expect(page.getByRole('toolbar', { name: 'Inkling' })).toBeVisible();
    const header = response!.headers()['content-security-policy'];
    expect(header).toContain("script-src 'self'");
    expect(header).toContain(`connect-src 'self' ${host.origin.replace('http://', 'ws://')}`);
    const meta = await page.locator('meta[http-equiv="Content-Security-Policy"]').getAttribute('content');
    expect(meta).toContain("script-src 'self'");
    expect(meta).toContain("default-src 'none'");

    const result = await page.evaluate(async (origin) => {
      const w = window as unknown as Record<string, unknown>;
      const violations: Violation[] = [];
      document.addEventListener('securitypolicyviolation', (e) =>
        violations.push({ directive: e.effectiveDirective, blocked: e.blockedURI }),
      );
      const settle = () => new Promise((r) => setTimeout(r, 0));

      // 1. Inline script.
      const inline = document.createElement('script');
      inline.textContent = 'window.__inlineRan = true;';
      document.body.appendChild(inline);

      // 2. Script from another origin.
      const external = document.createElement('script');
      const externalDone = new Promise<string>((resolve) => {
        external.onload = () => resolve('loaded');
        external.onerror = () => resolve('refused');
      });
      external.src = `${origin}/evil.js`;
      document.body.appendChild(external);

      // 3. Code from strings, run by the page later (code evaluated by the test harness itself is exempt).
      (setTimeout as unknown as (code: string, ms: number) => void)('window.__evalRan = true;', 0);

      // 4. A frame of another page.
      const frame = document.createElement('iframe');
      frame.src = `${origin}/frame.html`;
      document.body.appendChild(frame);

      // 5. A socket to another port.
      let socket = 'opened';
      try {
        const ws = new WebSocket(origin.replace('http', 'ws') + '/socket');
        socket = await new Promise<string>((resolve) => {
          ws.onopen = () => resolve('opened');
          ws.onerror = () => resolve('refused');
        });
      } catch (e) {
        socket = (e as Error).name;
      }

      const externalOutcome = await externalDone;
      for (let i = 0; i < 10 && violations.length < 4; i++) await settle();
      await new Promise((r) => setTimeout(r, 50)); // the string timer's turn has come and gone
      frame.remove();
      return {
        inlineRan: Boolean(w.__inlineRan),
        external: externalOutcome,
        fromOtherOrigin: Boolean(w.__fromOtherOrigin),
        evalRan: Boolean(w.__evalRan),
        socket,
        violations,
      };
    }, otherOrigin);

    expect(result.inlineRan).toBe(false);
    expect(result.external).toBe('refused');
    expect(result.fromOtherOrigin).toBe(false);
    expect(result.evalRan).toBe(false);
    expect(result.socket).not.toBe('opened');
    const directives = result.violations.map((v) => v.directive);
    expect(directives).toEqual(expect.arrayContaining(['script-src-elem', 'script-src', 'frame-src', 'connect-src']));
    expect(result.violations).toContainEqual({ directive: 'script-src', blocked: 'eval' });
    expect(hits, 'the other origin received requests the CSP should have stopped').toEqual([]);

    // The app still works after all that.
    await expect(page.getByTestId('engine-state')).toHaveAttribute('data-state', 'no_model');
  } finally {
    // Chromium may hold a speculative (pre)connection open without sending a request: drop it.
    other.closeAllConnections();
    await new Promise<void>((resolve) => other.close(() => resolve()));
  }
});
