/**
 * Smoke test in a real browser against a real `ringkv node` process: the dashboard page renders at `/`,
 * the interactive API docs at `/docs` load from the node itself (no request leaves it), and a page on the
 * node's own origin may open the client WebSocket (the origin check lets it through).
 */
import { expect, test } from '@playwright/test';
import {
  type NodeProcess,
  startNodeProcess,
  stopAllNodeProcesses,
} from '../packages/node/test/helpers/node-process.js';

let node: NodeProcess;

test.beforeAll(async () => {
  node = await startNodeProcess({ args: ['--memory', '--vnodes', '16'], portRange: [20900, 20999] });
});

test.afterAll(async () => {
  await stopAllNodeProcesses();
});

test('the dashboard page renders at /', async ({ page }) => {
  const response = await page.goto(`${node.url}/`);
  expect(response?.status()).toBe(200);
  await expect(page).toHaveTitle(/ringkv/);
});

test('/docs shows the API from /openapi.json, with every asset served by the node', async ({ page }) => {
  const hosts = new Set<string>();
  page.on('request', (request) => {
    hosts.add(new URL(request.url()).host);
  });
  await page.goto(`${node.url}/docs`);
  await expect(page.locator('.swagger-ui .info .title')).toContainText('ringkv');
  await expect(page.locator('.opblock-summary-path', { hasText: '/create/{key}' })).toBeVisible();
  // Swagger UI lists problems it finds in the document (bad references, schema errors) in this box.
  await expect(page.locator('.errors-wrapper')).toHaveCount(0);
  expect([...hosts]).toEqual([node.address]);
});

test("a page on the node's origin may use the client WebSocket", async ({ page }) => {
  await page.goto(`${node.url}/docs`);
  const reply = await page.evaluate(
    (url) =>
      new Promise<unknown>((resolve, reject) => {
        const socket = new WebSocket(url);
        socket.onopen = () => socket.send(JSON.stringify({ id: 1, op: 'get_node', key: 'from-the-browser' }));
        socket.onmessage = (message) => {
          resolve(JSON.parse(String(message.data)));
          socket.close();
        };
        socket.onerror = () => reject(new Error('WebSocket refused'));
      }),
    node.wsUrl,
  );
  expect(reply).toEqual({
    id: 1,
    ok: true,
    result: { key: 'from-the-browser', node: node.address, replicas: [node.address] },
  });
});
