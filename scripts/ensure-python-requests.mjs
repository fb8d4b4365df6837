#!/usr/bin/env node
// The original project's Python client test (packages/node/test/api-http.test.ts) runs `python3` with
// `requests`. On a fresh Debian machine python3 has no `requests`: install Debian's python3-requests, as
// ensure-chromium.mjs does for the browser. When that is impossible (not Debian, no root, no network) the
// test is skipped and vitest reports it as skipped, so this script only warns.
import { execSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

const hasRequests = () => spawnSync('python3', ['-c', 'import requests'], { stdio: 'ignore' }).status === 0;
if (hasRequests()) process.exit(0);
if (process.platform !== 'linux' || !existsSync('/usr/bin/apt-get')) {
  console.warn('python3 with `requests` is missing: the Python client test will be skipped.');
  process.exit(0);
}
const sudo = process.getuid?.() === 0 ? '' : 'sudo ';
console.log("Installing Debian's python3-requests for the Python client test (once per machine)...");
try {
  execSync(
    `${sudo}apt-get update -qq && ${sudo}env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3 python3-requests`,
    { stdio: 'inherit' },
  );
} catch (error) {
  console.warn(
    `could not install python3-requests (${error.message}): the Python client test will be skipped.`,
  );
}
if (!hasRequests()) {
  console.warn(
    '`python3` on the PATH still lacks `requests` (another python3 first on the PATH?): the test will be skipped.',
  );
}
