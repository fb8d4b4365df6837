/**
 * The dashboard's connection state against a real node: it says when it is disconnected, reconnects by
 * itself, and carries the cluster's token (page URL `?token=` -> WebSocket `?token=`, HTTP Bearer).
 */
import { expect, test } from '@playwright/test';
import { api } from './helpers/api.js';
import { openDashboard, pageTimeoutMs, ring } from './helpers/dashboard.js';
import { type RunningNode, startNode, stopAllNodes } from './helpers/nodes.js';

test.afterAll(stopAllNodes);

test('the page says it is disconnected while its node is down and reconnects when it is back', async ({
  page,
}) => {
  const first = await startNode();
  await openDashboard(page, `${first.url}/`);
  await expect(ring(page)).toHaveAttribute('data-nodes', '1', { timeout: pageTimeoutMs });
  await expect(page.getByTestId('connection-banner')).toHaveCount(0);

  await first.kill('SIGKILL');
  const banner = page.getByTestId('connection-banner');
  await expect(banner).toBeVisible({ timeout: pageTimeoutMs });
  await expect(banner).toHaveAttribute('data-status', 'reconnecting');
  await expect(banner).toContainText(`Disconnected from ${first.address}`);

  // A new node on the same address: the page finds it without a reload.
  const second: RunningNode = await startNode({}, first.port);
  await expect(page.getByTestId('connection-pill')).toContainText('connected to', { timeout: pageTimeoutMs });
  await expect(banner).toHaveCount(0);
  const created = await api(second.url, 'POST', '/create/after-reconnect', { value: 1 });
  expect(created.status).toBe(201);
  await expect(page.getByTestId('total-keys')).toHaveText('1', { timeout: pageTimeoutMs });
});

test('the page uses the token from its URL, and says so when the node stops accepting it', async ({
  page,
}) => {
  const token = 'e2e-secret-one';
  const node = await startNode({ token });
  await openDashboard(page, `${node.url}/?token=${token}`);
  await expect(ring(page)).toHaveAttribute('data-nodes', '1', { timeout: pageTimeoutMs });

  // Operations go over the authenticated WebSocket: a create from the form lands.
  await page.getByTestId('data-key').fill('with-token');
  await page.getByTestId('data-value').fill('"yes"');
  await page.getByTestId('data-submit').click();
  await expect(page.getByTestId('data-result')).toContainText('"with-token"');
  expect((await api(node.url, 'GET', '/read/with-token', undefined, token)).body).toMatchObject({
    value: 'yes',
  });

  // The token is rotated: the node comes back with another one and refuses the page's.
  await node.kill('SIGKILL');
  await startNode({ token: 'e2e-secret-two' }, node.port);
  const banner = page.getByTestId('connection-banner');
  await expect(banner).toHaveAttribute('data-status', 'unauthorized', { timeout: pageTimeoutMs });
  await expect(banner).toContainText('needs a token');
});
