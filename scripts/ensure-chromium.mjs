#!/usr/bin/env node
// Installs Debian's chromium for the browser tests when it is missing. Playwright cannot download its own
// browser here (no route to its CDN), so e2e runs against /usr/bin/chromium.
import { execSync } from 'node:child_process';
import { existsSync } from 'node:fs';

const chromiumPath = '/usr/bin/chromium';
if (existsSync(chromiumPath)) process.exit(0);
if (process.platform !== 'linux' || !existsSync('/usr/bin/apt-get')) {
  console.error(`e2e needs Chromium at ${chromiumPath}; install it with your package manager.`);
  process.exit(1);
}
const sudo = process.getuid?.() === 0 ? '' : 'sudo ';
console.log('Installing Debian chromium for the e2e tests (once per machine)...');
execSync(
  `${sudo}apt-get update -qq && ${sudo}env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium`,
  {
    stdio: 'inherit',
  },
);
