// Playwright configuration: Debian's Chromium (no browser download), one motcua demo server per run
// (started by global-setup.js unless MOTCUA_BASE_URL points at a running one).
const { defineConfig } = require('@playwright/test');

const path = require('node:path');

const chromium = process.env.CHROMIUM_BIN || '/usr/bin/chromium';
const artifacts = path.resolve(process.env.E2E_ARTIFACTS || path.join(__dirname, 'artifacts'));

module.exports = defineConfig({
  testDir: './tests',
  outputDir: path.join(artifacts, 'test-results'),
  globalSetup: require.resolve('./global-setup.js'),
  // Two cores are shared with the server: one browser at a time keeps timings honest.
  workers: Number(process.env.E2E_WORKERS || 1),
  fullyParallel: false,
  forbidOnly: !!process.env.CI,
  retries: 0,
  timeout: 60_000,
  expect: { timeout: 10_000 },
  reporter: [
    ['list'],
    ['json', { outputFile: path.join(artifacts, 'results.json') }],
  ],
  use: {
    // global-setup.js sets MOTCUA_BASE_URL before the workers start.
    baseURL: process.env.MOTCUA_BASE_URL,
    headless: true,
    locale: 'vi-VN',
    timezoneId: 'Asia/Ho_Chi_Minh',
    screenshot: 'only-on-failure',
    trace: 'retain-on-failure',
    launchOptions: {
      executablePath: chromium,
      // Without the background-networking flags Chromium keeps dialling hosts this closed network refuses.
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    },
  },
  projects: [{ name: 'chromium' }],
});
