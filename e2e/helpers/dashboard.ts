/** What the browser tests read off the dashboard page, by its data-testid hooks. */
import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { expect, type Locator, type Page } from '@playwright/test';

export const screenshotsDir = fileURLToPath(new URL('../screenshots/', import.meta.url));

/** Slow first paint on a busy machine: tsx-compiled nodes and a software-rendered Chromium. */
export const pageTimeoutMs = 30_000;

export async function openDashboard(page: Page, url: string): Promise<void> {
  await page.goto(url);
  await expect(page.getByTestId('connection-pill')).toContainText('connected to', { timeout: pageTimeoutMs });
}

export function ring(page: Page): Locator {
  return page.getByTestId('ring');
}

/** The node ids the legend under the ring lists, sorted. */
export async function legendNodes(page: Page): Promise<string[]> {
  const ids = await page
    .getByTestId('legend-node')
    .evaluateAll((chips) => chips.map((chip) => chip.getAttribute('data-node') ?? ''));
  return ids.sort();
}

export function legendChip(page: Page, node: string): Locator {
  return page.locator(`[data-testid="legend-node"][data-node="${node}"]`);
}

export function nodeRow(page: Page, node: string): Locator {
  return page.locator(`[data-testid="node-row"][data-node="${node}"]`);
}

/** Stored copies in the distribution panel, as a number. */
export async function totalCopies(page: Page): Promise<number> {
  const text = (await page.getByTestId('total-keys').textContent()) ?? '';
  return Number(text.replace(/,/g, ''));
}

export async function saveScreenshot(locator: Locator, name: string): Promise<void> {
  mkdirSync(screenshotsDir, { recursive: true });
  await locator.screenshot({ path: `${screenshotsDir}${name}.png`, animations: 'disabled' });
}

export async function savePageScreenshot(page: Page, name: string): Promise<void> {
  mkdirSync(screenshotsDir, { recursive: true });
  await page.screenshot({ path: `${screenshotsDir}${name}.png`, animations: 'disabled' });
}
