/**
 * Under the local launcher (`ringkv cluster`, what `pnpm start` runs) the dashboard offers one click to
 * start a new local node, and the launcher admits it into the cluster.
 */
import { expect, test } from '@playwright/test';
import { ringNodes } from './helpers/api.js';
import { legendNodes, openDashboard, pageTimeoutMs, ring } from './helpers/dashboard.js';
import { type RunningLauncher, startLauncher } from './helpers/launcher.js';

let launcher: RunningLauncher | undefined;

test.afterAll(async () => {
  await launcher?.stop();
});

test('one click starts a new local node and the ring grows to include it', async ({ page }) => {
  test.setTimeout(240_000);
  launcher = await startLauncher(1);
  // The control port is not the default (base + 1000 is outside the e2e port range), so the page is told.
  await openDashboard(page, `${launcher.firstNodeUrl}/?launcher=${encodeURIComponent(launcher.controlUrl)}`);
  await expect(ring(page)).toHaveAttribute('data-nodes', '1', { timeout: pageTimeoutMs });

  const button = page.getByTestId('launch-node');
  await expect(button).toBeVisible({ timeout: pageTimeoutMs });
  await button.click();
  await expect(page.getByTestId('launcher-result')).toContainText('"node"', { timeout: 120_000 });

  await expect(ring(page)).toHaveAttribute('data-nodes', '2', { timeout: 60_000 });
  const onRing = await ringNodes(launcher.firstNodeUrl);
  expect(onRing).toHaveLength(2);
  expect(await legendNodes(page)).toEqual(onRing);
});
