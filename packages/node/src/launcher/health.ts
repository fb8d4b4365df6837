/** Waiting for nodes: `/health` answering 200, and a node list showing every expected member alive. */
import { HttpClient } from '@ringkv/client';

const pollIntervalMs = 100;

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * Polls `url` until it answers ok (resolves undefined), or the deadline passes or `gaveUp()` says to stop
 * (resolves the last reason it was not healthy).
 */
export async function waitHealthy(
  url: string,
  token: string | undefined,
  deadlineMs: number,
  gaveUp: () => boolean = () => false,
): Promise<string | undefined> {
  const client = new HttpClient(url, { requestTimeoutMs: 1000, ...(token === undefined ? {} : { token }) });
  let reason = 'not polled';
  // Bounded by the deadline; a refused connection just means "not up yet".
  while (Date.now() < deadlineMs && !gaveUp()) {
    try {
      await client.health();
      return undefined;
    } catch (error) {
      reason = (error as Error).message;
    }
    await sleep(pollIntervalMs);
  }
  return reason;
}

/** Polls the node list at `url` until every id in `expected` is alive; returns the ids still missing. */
export async function waitMembers(
  url: string,
  token: string | undefined,
  expected: string[],
  deadlineMs: number,
): Promise<string[]> {
  const client = new HttpClient(url, { requestTimeoutMs: 1000, ...(token === undefined ? {} : { token }) });
  let missing = expected;
  while (Date.now() < deadlineMs) {
    try {
      const { nodes } = await client.nodes();
      const alive = new Set(nodes.filter((node) => node.status === 'alive').map((node) => node.id));
      missing = expected.filter((id) => !alive.has(id));
      if (missing.length === 0) return [];
    } catch (error) {
      // Busy or restarting: asked again until the deadline; the caller reports who is still missing.
      missing = expected.map((id) => `${id} (${(error as Error).message})`);
    }
    await sleep(pollIntervalMs * 2);
  }
  return missing;
}
