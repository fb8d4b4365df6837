import { defineConfig } from '@playwright/test';

// Playwright cannot download its own browser here, so every run uses Debian's chromium
// (installed by scripts/ensure-chromium.mjs). The flags keep it off the closed network.
export default defineConfig({
  testDir: '.',
  testMatch: '**/*.e2e.ts',
  outputDir: './test-results',
  timeout: 120_000,
  workers: 1,
  reporter: [['list']],
  use: {
    launchOptions: {
      executablePath: '/usr/bin/chromium',
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
      ],
    },
    screenshot: 'off',
  },
});
