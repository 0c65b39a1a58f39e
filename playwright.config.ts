/**
 * Playwright: web e2e tests (e2e/web, Chromium against `npm run web`) and Electron e2e tests
 * (e2e/electron, skipped where Electron's binary is missing). One worker: the machine has 2 cores
 * and each test runs a web host plus an engine process.
 */
import { defineConfig } from '@playwright/test';

const CHROMIUM = process.env.INKLING_CHROMIUM ?? '/usr/bin/chromium';

export default defineConfig({
  testDir: 'e2e',
  outputDir: 'artifacts/test-results',
  workers: 1,
  fullyParallel: false,
  forbidOnly: Boolean(process.env.CI),
  // One retry: a test that fails twice is a failure; one that passes on retry is reported as "flaky".
  retries: 1,
  timeout: 90_000,
  expect: { timeout: 15_000 },
  reporter: [['list'], ['json', { outputFile: 'artifacts/e2e-results.json' }]],
  use: {
    browserName: 'chromium',
    viewport: { width: 1200, height: 780 },
    launchOptions: {
      executablePath: CHROMIUM,
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    },
    screenshot: 'only-on-failure',
    trace: 'retain-on-failure',
    actionTimeout: 15_000,
  },
});
