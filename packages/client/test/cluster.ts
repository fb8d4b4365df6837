/**
 * A real 3-node cluster for the client's tests: `ringkv node` processes started by the node package's
 * spawn helper, `@ringkv/node/test-support` (the first alone, the others joining it), waited on until
 * every node lists every other as alive and all report the same ring checksum.
 */
import { HttpClient, type RingClient } from '@ringkv/client';
import { type NodeProcess, startNodeProcess } from '@ringkv/node/test-support';
import type { StatsEvent } from '@ringkv/protocol';

export async function startCluster(portRange: [number, number], size = 3): Promise<NodeProcess[]> {
  const args = ['--memory', '--vnodes', '16'];
  const first = await startNodeProcess({ portRange, args });
  const others = await Promise.all(
    Array.from({ length: size - 1 }, () =>
      startNodeProcess({ portRange, args: [...args, '--join', first.address] }),
    ),
  );
  const nodes = [first, ...others];
  await waitForAgreement(
    nodes.map((node) => node.url),
    nodes.map((node) => node.address),
  );
  return nodes;
}

/** Polls until every node lists exactly `members` as alive and every ring has the same checksum. */
export async function waitForAgreement(urls: string[], members: string[], timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = '';
  while (Date.now() < deadline) {
    try {
      const views = await Promise.all(
        urls.map(async (url) => {
          const client = new HttpClient(url, { requestTimeoutMs: 2000 });
          const [nodes, ring] = await Promise.all([client.nodes(), client.ring()]);
          const alive = nodes.nodes.filter((node) => node.status === 'alive').map((node) => node.id);
          return {
            alive: alive.sort().join(','),
            checksum: ring.checksum,
            ringNodes: new Set(ring.tokens.map((t) => t.node)).size,
          };
        }),
      );
      last = JSON.stringify(views);
      const expected = [...members].sort().join(',');
      if (
        views.every(
          (view) =>
            view.alive === expected &&
            view.checksum === views[0]!.checksum &&
            view.ringNodes === members.length,
        )
      ) {
        return;
      }
    } catch (error) {
      last = (error as Error).message;
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`cluster did not agree within ${timeoutMs} ms: ${last}`);
}

/**
 * The `forwarded` counter of every node, from a stats event whose every sample was taken after `afterMs`
 * (so operations finished before then are counted).
 */
export async function forwardedAfter(
  client: RingClient,
  afterMs: number,
  timeoutMs = 30_000,
): Promise<Map<string, number>> {
  return new Promise((resolve, reject) => {
    let unsubscribe: (() => Promise<void>) | undefined;
    let done = false;
    const finish = (result: Map<string, number> | Error) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      void unsubscribe?.();
      if (result instanceof Error) reject(result);
      else resolve(result);
    };
    const timer = setTimeout(() => finish(new Error('no fresh stats event in time')), timeoutMs);
    client
      .subscribe(['stats'], (event) => {
        const stats = event.data as StatsEvent;
        if (stats.nodes.length === 0 || !stats.nodes.every((node) => node.at > afterMs)) return;
        finish(new Map(stats.nodes.map((node) => [node.node, node.forwarded])));
      })
      .then(
        (off) => {
          unsubscribe = off;
          if (done) void off();
        },
        (error: Error) => finish(error),
      );
  });
}
