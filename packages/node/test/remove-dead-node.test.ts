/**
 * Issue 4 item 2, the dead-node case on real processes: four LMDB nodes (replication factor 3) hold 3,000
 * keys; one is SIGKILLed and, once the others have declared it dead, removed with remove_node. It cannot
 * stream anything, so the survivors must re-replicate its ranges among themselves: afterwards it is gone
 * from every member list and ring, and every replica of the new ring holds every key (read straight from
 * each store over the peer protocol, not through a coordinator).
 */
import { RingClient } from '@ringkv/client';
import { afterAll, describe, expect, it } from 'vitest';
import type { PeerTransport } from '../src/io/peer-transport.js';
import { createAll } from './helpers/bulk-calls.js';
import {
  LmdbCluster,
  nodesSeenBy,
  rebalanced,
  replicaMismatches,
  ringSeenBy,
  settledOn,
  until,
} from './helpers/rebalance-cluster.js';

const portRange: [number, number] = [22800, 22899];
const secret = 'remove-dead-secret';
const cluster = new LmdbCluster(secret, portRange);
let client: RingClient | undefined;
let testPeer: PeerTransport | undefined;

afterAll(async () => {
  client?.close();
  await testPeer?.close();
  await cluster.stopAll();
});

describe('remove_node on a dead node (real processes)', () => {
  it('re-replicates its ranges from the survivors, and it leaves every ring', async () => {
    const first = await cluster.start([], ['--vnodes', '32']);
    for (let size = 2; size <= 4; size++) {
      await cluster.start([first.id], ['--vnodes', '32']);
      await until(`${size} nodes settle`, () => settledOn(cluster.processes), 30_000);
    }
    const keys = Array.from({ length: 3_000 }, (_, i) => `dead:${i}`);
    const valueFor = (key: string) => ({ key });
    client = await RingClient.connect(
      cluster.processes.map((node) => node.url),
      { requestTimeoutMs: 30_000 },
    );
    expect(await createAll(client, keys, valueFor, { window: 200, roundsMax: 3 })).toEqual([]);
    client.close();
    client = undefined;

    const victim = cluster.processes[3]!;
    const survivors = cluster.processes.slice(0, 3);
    await victim.kill('SIGKILL');
    await until(
      `every survivor declares ${victim.id} dead`,
      async () => {
        const views = await Promise.all(survivors.map(nodesSeenBy));
        return views.every((view) => view.find((entry) => entry.id === victim.id)?.status === 'dead');
      },
      60_000,
    );

    const response = await fetch(`${first.url}/remove_node/${encodeURIComponent(victim.id)}`, {
      method: 'DELETE',
    });
    expect(response.status).toBe(202);
    expect(await response.json()).toEqual({ node: victim.id, status: 'leaving' });
    await until(
      `${victim.id} leaves every member list and ring`,
      async () => {
        const views = await Promise.all(survivors.map(nodesSeenBy));
        const rings = await Promise.all(survivors.map(ringSeenBy));
        return (
          views.every((view) => !view.some((entry) => entry.id === victim.id)) &&
          rings.every((view) => !view.ring.has(victim.id) && view.checksum === rings[0]!.checksum)
        );
      },
      60_000,
    );
    await until('the survivors have moved every range', () => rebalanced(survivors), 90_000);

    testPeer = await cluster.inspector();
    const { ring } = await ringSeenBy(first);
    expect(ring.nodes().sort()).toEqual(survivors.map((node) => node.id).sort());
    const expected = (key: string) => JSON.stringify(valueFor(key));
    const missing = await replicaMismatches(testPeer, ring, 3, keys, (key, value) => value === expected(key));
    expect(missing.length, `first few: ${missing.slice(0, 5).join(', ')}`).toBe(0);
  }, 240_000);
});
