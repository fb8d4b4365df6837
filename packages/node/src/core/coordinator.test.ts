import { describe, expect, it } from 'vitest';
import { testCluster } from './data-cluster.test-helper.js';
import { notImmediate } from './replica.js';

describe('DataNode: routing and coordination', () => {
  it('writes through any node reach every replica, and every node reads them back', async () => {
    const c = testCluster(5);
    for (let i = 0; i < 20; i++) await c.settle(c.node(i % 5).execute('create', `k${i}`, `${i}`, 'quorum'));
    await c.runFor(10);
    for (let i = 0; i < 20; i++) {
      const replicas = c.ring.preferenceList(`k${i}`, 3);
      for (const id of c.ids) {
        expect(c.stores.get(id)!.get(`k${i}`)?.valueJson).toBe(replicas.includes(id) ? `${i}` : undefined);
      }
      for (let n = 0; n < 5; n++) {
        expect((await c.settle(c.node(n).execute('read', `k${i}`, undefined, 'quorum'))).valueJson).toBe(
          `${i}`,
        );
      }
    }
    const forwarded = c.ids.reduce((sum, id) => sum + c.nodes.get(id)!.forwarded, 0);
    expect(forwarded).toBeGreaterThan(0);
  });

  it('does not forward a request that arrives at its coordinator', async () => {
    const c = testCluster(3);
    const coordinator = c.ids.indexOf(c.node(0).coordinatorFor('k'));
    await c.settle(c.node(coordinator).execute('create', 'k', '1', 'quorum'));
    expect(c.node(coordinator).forwarded).toBe(0);
  });

  it('fails over to the next replica when the coordinator crashed before failure detection noticed', async () => {
    const cluster = testCluster(5);
    const [entry, coordinator] = [cluster.ids[0]!, cluster.ids[1]!];
    const key = Array.from({ length: 1000 }, (_, i) => `failover:${i}`).find(
      (k) => cluster.node(0).coordinatorFor(k) === coordinator,
    )!;
    await cluster.settle(cluster.node(0).execute('create', key, '"before"', 'quorum'));
    cluster.crashed.add(coordinator);
    const read = await cluster.settle(cluster.node(0).execute('read', key, undefined, 'quorum'));
    expect(read.valueJson).toBe('"before"');
    expect(cluster.down.has(coordinator)).toBe(true); // the failed attempt reached it first
    const written = await cluster.settle(cluster.node(0).execute('update', key, '"after"', 'quorum'));
    expect(written.valueJson).toBe('"after"');
    expect(entry).not.toBe(coordinator);
  });

  it('decides create, update and delete conditions', async () => {
    const c = testCluster(3);
    const n = c.node(1);
    const first = await c.settle(n.execute('create', 'k', '1', 'quorum'));
    await expect(c.settle(n.execute('create', 'k', '2', 'quorum'))).rejects.toMatchObject({
      code: 'KEY_EXISTS',
    });
    await expect(c.settle(n.execute('update', 'nope', '2', 'quorum'))).rejects.toMatchObject({
      code: 'KEY_NOT_FOUND',
    });
    const updated = await c.settle(n.execute('update', 'k', '2', 'quorum'));
    expect(updated.version).toBeGreaterThan(first.version);
    await c.settle(n.execute('delete', 'k', undefined, 'quorum'));
    await expect(c.settle(n.execute('read', 'k', undefined, 'quorum'))).rejects.toMatchObject({
      code: 'KEY_NOT_FOUND',
    });
    await expect(c.settle(n.execute('delete', 'k', undefined, 'quorum'))).rejects.toMatchObject({
      code: 'KEY_NOT_FOUND',
    });
    await c.runFor(10);
    for (const id of c.ids) expect(c.stores.get(id)!.get('k')?.valueJson).toBeNull(); // tombstones
    const again = await c.settle(n.execute('create', 'k', '3', 'quorum'));
    expect(again.valueJson).toBe('3');
  });

  it('lets exactly one of many concurrent creates of a key win', async () => {
    const c = testCluster(5);
    const attempts = c.ids.map((_, i) => c.node(i).execute('create', 'race', `${i}`, 'quorum'));
    const results = await c.settle(Promise.allSettled(attempts));
    const won = results.filter((result) => result.status === 'fulfilled');
    expect(won).toHaveLength(1);
    for (const result of results) {
      if (result.status === 'rejected') expect(result.reason).toMatchObject({ code: 'KEY_EXISTS' });
    }
  });

  it('refuses data operations while the node is still joining (its ring may be partial)', async () => {
    const c = testCluster(3);
    c.joining.add(c.ids[0]!);
    await expect(c.settle(c.node(0).execute('read', 'k', undefined, 'quorum'))).rejects.toMatchObject({
      code: 'UNAVAILABLE',
    });
    c.joining.clear();
    await expect(c.settle(c.node(0).execute('read', 'k', undefined, 'quorum'))).rejects.toMatchObject({
      code: 'KEY_NOT_FOUND',
    });
  });

  it('works as a one-node cluster with the default quorums', async () => {
    const c = testCluster(1);
    await c.settle(c.node(0).execute('create', 'k', '"v"', 'all'));
    expect((await c.settle(c.node(0).execute('read', 'k', undefined, 'quorum'))).valueJson).toBe('"v"');
  });
});

describe('DataNode: failures, hints and repair', () => {
  it('answers UNAVAILABLE when too few replicas are live, and accepts consistency one', async () => {
    const c = testCluster(3);
    c.down.add(c.ids[1]!);
    c.down.add(c.ids[2]!);
    await expect(c.settle(c.node(0).execute('create', 'k', '1', 'quorum'))).rejects.toMatchObject({
      code: 'UNAVAILABLE',
    });
    await c.settle(c.node(0).execute('create', 'k', '1', 'one'));
  });

  it('answers TIMEOUT when a replica never answers and the level needs it', async () => {
    const c = testCluster(3);
    c.silent.add(c.ids[2]!);
    // A key whose coordinator is not the silent node (that one would time out the forward itself).
    const key = ['a', 'b', 'c', 'd', 'e', 'f'].find((k) => c.ring.preferenceList(k, 3)[0] !== c.ids[2])!;
    const coordinator = c.node(c.ids.indexOf(c.ring.preferenceList(key, 3)[0]!));
    await c.settle(coordinator.execute('create', key, '1', 'quorum'));
    await expect(c.settle(coordinator.execute('update', key, '2', 'all'))).rejects.toMatchObject({
      code: 'TIMEOUT',
    });
  });

  it('keeps a hint for a down replica and delivers it when the replica returns', async () => {
    const c = testCluster(4);
    const replicas = c.ring.preferenceList('h', 3);
    const missing = replicas[2]!;
    c.down.add(missing);
    await c.settle(c.node(c.ids.indexOf(replicas[0]!)).execute('create', 'h', '"x"', 'quorum'));
    await c.runFor(10);
    expect(c.stores.get(missing)!.get('h')).toBeUndefined();
    const holders = c.ids.filter((id) => c.stores.get(id)!.hintCount() > 0);
    expect(holders).toHaveLength(1);
    expect(replicas).not.toContain(holders[0]); // the 4th node holds it: next clockwise beyond the list
    c.down.delete(missing);
    await c.runFor(500);
    expect(c.stores.get(missing)!.get('h')?.valueJson).toBe('"x"');
    expect(c.stores.get(holders[0]!)!.hintCount()).toBe(0);
  });

  it('keeps the hint on the coordinator when no node lies beyond the replicas', async () => {
    const c = testCluster(3);
    const replicas = c.ring.preferenceList('h', 3);
    c.silent.add(replicas[2]!);
    const coordinator = c.node(c.ids.indexOf(replicas[0]!));
    await c.settle(coordinator.execute('create', 'h', '1', 'quorum'));
    await c.runFor(1500);
    expect(c.stores.get(replicas[0]!)!.hintCount()).toBe(1);
    c.silent.clear();
    await c.runFor(500);
    expect(c.stores.get(replicas[2]!)!.get('h')?.valueJson).toBe('1');
    expect(c.stores.get(replicas[0]!)!.hintCount()).toBe(0);
  });

  it('repairs a stale replica after a read sees it', async () => {
    const c = testCluster(3);
    await c.settle(c.node(0).execute('create', 'r', '1', 'all'));
    const stale = c.ids[1]!;
    const store = c.stores.get(stale)!;
    const held = store.get('r')!;
    await store.purge('r', held.version);
    await store.put('r', { valueJson: '0', version: 1, writer: stale });
    const read = await c.settle(c.node(2).execute('read', 'r', undefined, 'all'));
    expect(read.valueJson).toBe('1');
    await c.runFor(10);
    expect(store.get('r')).toEqual(held);
    expect(c.ids.some((id) => c.nodes.get(id)!.coordinator.stats.readRepairs > 0)).toBe(true);
  });
});

describe('DataNode.readNow: reads answered at once from the local store', () => {
  it('answers only when one answer is enough and this node is a replica; else defers to execute', async () => {
    const c = testCluster(5);
    await c.settle(c.node(0).execute('create', 'n', '"v"', 'quorum'));
    const replicas = c.ring.preferenceList('n', 3);
    for (const id of c.ids) {
      const node = c.nodes.get(id)!;
      // A quorum of 2 needs another node: never answered at once.
      expect(node.readNow('n', 'quorum')).toBe(notImmediate);
      if (replicas.includes(id)) expect(node.readNow('n', 'one')).toMatchObject({ valueJson: '"v"' });
      else expect(node.readNow('n', 'one')).toBe(notImmediate);
    }
  });

  it('with replication factor 1 gives the owner the same answers as execute, tombstones included', async () => {
    const c = testCluster(3, { replicationFactor: 1, readQuorum: 1, writeQuorum: 1 });
    const owner = c.ring.preferenceList('k', 1)[0]!;
    const ownerNode = c.nodes.get(owner)!;
    const other = c.nodes.get(c.ids.find((id) => id !== owner)!)!;
    expect(ownerNode.readNow('k', 'quorum')).toBeUndefined();
    const written = await c.settle(other.execute('create', 'k', '1', 'quorum'));
    expect(ownerNode.readNow('k', 'quorum')).toEqual(written);
    expect(await c.settle(ownerNode.execute('read', 'k', undefined, 'quorum'))).toEqual(written);
    expect(other.readNow('k', 'quorum')).toBe(notImmediate);
    await c.settle(other.execute('delete', 'k', undefined, 'quorum'));
    expect(ownerNode.readNow('k', 'all')).toMatchObject({ valueJson: null });
  });

  it('defers while the node is still joining', () => {
    const c = testCluster(1, { replicationFactor: 1, readQuorum: 1, writeQuorum: 1 });
    c.joining.add(c.ids[0]!);
    expect(c.node(0).readNow('k', 'one')).toBe(notImmediate);
  });
});
