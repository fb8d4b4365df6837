/**
 * The dashboard against a real 3-node cluster (real `ringkv node` processes joined with --join), in
 * Chromium: the ring, the forms, locate-key, live traffic, adding a node from the page and a node crash.
 * One cluster for the file; the tests run in order and build on each other's state.
 */
import { expect, type Page, test } from '@playwright/test';
import { api, type NodesBody, ringNodes, writeKeys } from './helpers/api.js';
import {
  legendChip,
  legendNodes,
  nodeRow,
  openDashboard,
  pageTimeoutMs,
  ring,
  savePageScreenshot,
  saveScreenshot,
  totalCopies,
} from './helpers/dashboard.js';
import { type RunningNode, startNode, stopAllNodes } from './helpers/nodes.js';

test.describe.configure({ mode: 'serial' });
test.use({ viewport: { width: 1440, height: 1000 } });

/** Membership changes (join, admit, failure detection) settle in seconds; the bound is generous. */
const clusterTimeoutMs = 60_000;

let nodes: RunningNode[] = [];
let spare: RunningNode;
let page: Page;

test.beforeAll(async ({ browser }) => {
  test.setTimeout(300_000);
  const first = await startNode();
  // The other two join through the first; the spare starts alone, to be admitted from the page later.
  const [second, third, standalone] = await Promise.all([
    startNode({ join: [first.address] }),
    startNode({ join: [first.address] }),
    startNode(),
  ]);
  nodes = [first, second!, third!];
  spare = standalone!;
  const expected = nodes.map((node) => node.address).sort();
  await expect.poll(() => ringNodes(first.url), { timeout: clusterTimeoutMs }).toEqual(expected);
  page = await browser.newPage();
  await openDashboard(page, `${first.url}/`);
});

test.afterAll(async () => {
  await page?.close();
  await stopAllNodes();
});

test('the ring shows the three nodes of the cluster, all alive', async () => {
  await expect(ring(page)).toHaveAttribute('data-nodes', '3', { timeout: pageTimeoutMs });
  expect(await legendNodes(page)).toEqual(nodes.map((node) => node.address).sort());
  for (const node of nodes)
    await expect(legendChip(page, node.address)).toHaveAttribute('data-status', 'alive');
});

test('hovering the ring shows the range under the pointer with its primary and replicas', async () => {
  const box = (await ring(page).boundingBox())!;
  // The arc band at twelve o'clock: 246 of the 320 user units from the centre of the 640-unit view box.
  await page.mouse.move(box.x + box.width / 2 + 2, box.y + (box.height * (320 - 246)) / 640);
  const centre = page.getByTestId('ring-centre');
  await expect(centre).toHaveAttribute('data-primary', /^127\.0\.0\.1:/);
  const primary = await centre.getAttribute('data-primary');
  const replicas = (await centre.getAttribute('data-replicas'))?.split(',') ?? [];
  // Replication factor 3 on 3 nodes: the range lives on every node, the primary first.
  expect([primary, ...replicas].sort()).toEqual(nodes.map((node) => node.address).sort());
  await expect(centre).toContainText(`primary ${primary}`);
  await expect(page.getByTestId('hovered-range').locator('circle')).toHaveCount(3);
  await page.mouse.move(0, 0);
  await expect(page.getByTestId('hovered-range')).toHaveCount(0);
});

test('a key created in the form is readable through the HTTP API and counted in the distribution', async () => {
  await expect(page.getByTestId('total-keys')).toHaveText(/^\d/, { timeout: pageTimeoutMs });
  const copiesBefore = await totalCopies(page);
  await page.getByTestId('data-key').fill('e2e:created-in-the-page');
  await page.getByTestId('data-value').fill('{"from": "dashboard"}');
  await page.getByTestId('data-submit').click();
  await expect(page.getByTestId('data-result')).toContainText('"version"');

  // Read through another node than the one the page talks to.
  const read = await api(nodes[1]!.url, 'GET', `/read/${encodeURIComponent('e2e:created-in-the-page')}`);
  expect(read.status).toBe(200);
  expect(read.body).toMatchObject({ key: 'e2e:created-in-the-page', value: { from: 'dashboard' } });
  // Replication factor 3 on 3 nodes: one key is three stored copies.
  await expect.poll(() => totalCopies(page), { timeout: pageTimeoutMs }).toBe(copiesBefore + 3);
});

test('locate-key names the same nodes as GET /get_node and draws the walk', async () => {
  const key = 'user:42';
  const answer = await api<{ node: string; replicas: string[] }>(
    nodes[2]!.url,
    'GET',
    `/get_node/${encodeURIComponent(key)}`,
  );
  await page.getByTestId('locate-input').fill(key);
  await page.getByRole('button', { name: 'Locate', exact: true }).click();
  const listed = page.getByTestId('locate-replicas').locator('li');
  await expect(listed).toHaveCount(answer.body.replicas.length);
  expect(await listed.evaluateAll((items) => items.map((item) => item.getAttribute('data-node')))).toEqual(
    answer.body.replicas,
  );
  await expect(listed.first()).toContainText('primary');
  expect(answer.body.replicas[0]).toBe(answer.body.node);
  const steps = page.getByTestId('located-step');
  expect(await steps.evaluateAll((items) => items.map((item) => item.getAttribute('data-node')))).toEqual(
    answer.body.replicas,
  );
  await expect(page.getByTestId('locate-disagrees')).toHaveCount(0);
  await saveScreenshot(page.getByTestId('ring-panel'), 'ring');
});

test('bad input in the forms shows the SPEC error code and message', async () => {
  const httpAnswer = await api<{ error: { code: string; message: string } }>(
    nodes[0]!.url,
    'POST',
    '/add_node/node1',
  );
  expect(httpAnswer.status).toBe(400);
  await page.getByTestId('add-node-input').fill('node1');
  await page.getByRole('button', { name: 'Add node' }).click();
  const membershipError = page.getByTestId('membership-error');
  await expect(membershipError).toContainText(httpAnswer.body.error.code);
  await expect(membershipError).toContainText('HOST:PORT');

  await page.getByTestId('data-key').fill('e2e:created-in-the-page');
  await page.getByTestId('data-value').fill('"again"');
  await page.getByTestId('data-submit').click();
  await expect(page.getByTestId('data-error')).toContainText('KEY_EXISTS');

  await page.getByRole('radio', { name: 'read' }).check({ force: true });
  await page.getByTestId('data-key').fill('e2e:never-written');
  await page.getByTestId('data-submit').click();
  await expect(page.getByTestId('data-error')).toContainText('KEY_NOT_FOUND');
  await page.getByRole('radio', { name: 'create' }).check({ force: true });
});

test('live traffic updates from the stats topic without reloading', async () => {
  const samples = async () => Number(await page.getByTestId('stats-samples').textContent());
  const before = await samples();
  // Load for the charts, kept running until the page shows it: a fixed 150 writes could finish between two
  // stats samples and leave the newest sample at 0. Bounded: at most 190 rounds of 16 creates.
  let trafficShown = false;
  const load = (async () => {
    for (let round = 0; round < 190 && !trafficShown; round++) {
      await writeKeys(nodes[1]!.url, `e2e:traffic:${round}:`, 16);
    }
  })();
  await expect.poll(samples, { timeout: pageTimeoutMs }).toBeGreaterThanOrEqual(before + 3);
  await expect
    .poll(async () => Number((await page.getByTestId('ops-now').textContent())?.replace(/,/g, '')), {
      timeout: pageTimeoutMs,
    })
    .toBeGreaterThan(0)
    .finally(() => {
      trafficShown = true;
    });
  await load;
  await saveScreenshot(page.getByTestId('traffic'), 'traffic');
  // The whole page for the README: a tall viewport rather than a stitched full-page capture.
  await page.setViewportSize({ width: 1440, height: 1640 });
  await page.mouse.wheel(0, -10_000);
  await savePageScreenshot(page, 'dashboard');
  await page.setViewportSize({ width: 1440, height: 1000 });
});

test('adding a fourth node from the page puts it on the ring', async () => {
  await page.getByTestId('add-node-input').fill(spare.address);
  await page.getByRole('button', { name: 'Add node' }).click();
  await expect(page.getByTestId('membership-result')).toContainText(spare.address, {
    timeout: clusterTimeoutMs,
  });
  await expect(ring(page)).toHaveAttribute('data-nodes', '4', { timeout: clusterTimeoutMs });
  await expect(legendChip(page, spare.address)).toBeVisible();
  // The other members learn of it by gossip.
  await expect.poll(() => ringNodes(nodes[1]!.url), { timeout: clusterTimeoutMs }).toContain(spare.address);
  nodes.push(spare);
});

test('keys written before the fourth node joined move to it, and the page shows them there', async () => {
  const keysOnSpare = async () => {
    const listed = await api<NodesBody>(spare.url, 'GET', '/nodes');
    return listed.body.nodes.find((node) => node.id === spare.address)?.keys ?? 0;
  };
  await expect.poll(keysOnSpare, { timeout: clusterTimeoutMs }).toBeGreaterThan(0);
  const keysShown = async () =>
    Number((await nodeRow(page, spare.address).getByTestId('node-keys').textContent())?.replace(/,/g, ''));
  await expect.poll(keysShown, { timeout: clusterTimeoutMs }).toBeGreaterThan(0);
});

test('a node killed with SIGKILL turns suspect, then dead, on the page', async () => {
  const victim = nodes[2]!;
  // Record every status the page shows for the victim, so a short suspicion is not missed between polls.
  await page.evaluate(recordStatuses, victim.address);

  await victim.kill('SIGKILL');
  await expect(legendChip(page, victim.address)).toHaveAttribute('data-status', 'dead', {
    timeout: clusterTimeoutMs,
  });
  const seen = await page.evaluate(() => (globalThis as unknown as BrowserScope).statusesSeen ?? []);
  expect(seen[0]).toBe('alive');
  expect(seen.indexOf('suspect')).toBeGreaterThan(0);
  expect(seen.indexOf('suspect')).toBeLessThan(seen.indexOf('dead'));
});

test('removing a node asks for confirmation, then the node is leaving', async () => {
  const leaving = spare.address;
  await nodeRow(page, leaving).getByRole('button', { name: 'remove' }).click();
  const dialog = page.getByTestId('confirm-dialog');
  await expect(dialog).toContainText(`Remove ${leaving}?`);
  await dialog.getByRole('button', { name: 'Cancel' }).click();
  await expect(dialog).toHaveCount(0);
  expect(await ringNodes(nodes[0]!.url)).toContain(leaving);

  await nodeRow(page, leaving).getByRole('button', { name: 'remove' }).click();
  await page.getByTestId('confirm-button').click();
  await expect(page.getByTestId('membership-result')).toContainText('"leaving"', {
    timeout: clusterTimeoutMs,
  });
  // Leaving, or already gone from the ring once its data has moved.
  const statusOrGone = async () => {
    const chip = legendChip(page, leaving);
    if ((await chip.count()) === 0) return 'gone';
    return chip.getAttribute('data-status', { timeout: 1_000 });
  };
  await expect.poll(statusOrGone, { timeout: clusterTimeoutMs }).toMatch(/^(leaving|gone)$/);
});

/** The few browser globals the status recorder uses (the e2e code is type-checked without the DOM lib). */
interface BrowserScope {
  document: {
    body: unknown;
    querySelector(selector: string): { getAttribute(name: string): string | null } | null;
  };
  MutationObserver: new (callback: () => void) => { observe(target: unknown, options: object): void };
  statusesSeen?: string[];
}

/** Runs in the page: appends each status the legend shows for `node` to `statusesSeen`, in order. */
function recordStatuses(node: string): void {
  const scope = globalThis as unknown as BrowserScope;
  const seen: string[] = [];
  scope.statusesSeen = seen;
  const record = () => {
    const chip = scope.document.querySelector(`[data-testid="legend-node"][data-node="${node}"]`);
    const status = chip?.getAttribute('data-status');
    if (status && seen.at(-1) !== status) seen.push(status);
  };
  record();
  new scope.MutationObserver(record).observe(scope.document.body, {
    subtree: true,
    childList: true,
    attributes: true,
    attributeFilter: ['data-status'],
  });
}
