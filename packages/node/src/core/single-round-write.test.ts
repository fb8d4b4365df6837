import { describe, expect, it } from 'vitest';
import { testCluster } from './data-cluster.test-helper.js';
import type { StoredRecord } from './types.js';

/** A 3-node cluster (rf 3, quorums of 2), a key, and its replicas: the coordinator first. */
async function setUp(key = 'k') {
  const c = testCluster(3);
  const [coordinator, second, third] = c.ring.preferenceList(key, 3) as [string, string, string];
  const node = c.nodes.get(coordinator)!;
  const store = (id: string) => c.stores.get(id)!;
  /** Replaces what `id` holds for `key` with `record` (or nothing). */
  async function hold(id: string, record: StoredRecord | undefined) {
    const held = store(id).get(key);
    if (held) await store(id).purge(key, held.version);
    if (record) await store(id).put(key, record);
  }
  /** A version newer than any the cluster's clocks will stamp in these tests. */
  const future = (c.clock.nowMs() + 3_600_000) * 4096;
  const requestsFrom = (id: string) => c.sent.filter((request) => request.from === id);
  return { c, key, coordinator, second, third, node, store, hold, future, requestsFrom };
}

describe('single-round writes (coordinator is a replica, quorums of 2)', () => {
  it('decides and writes an update in one round when the replicas agree: no replica read', async () => {
    const t = await setUp();
    await t.c.settle(t.node.execute('create', t.key, '"v1"', 'quorum'));
    await t.c.runFor(10);
    t.c.sent.length = 0;
    const written = await t.c.settle(t.node.execute('update', t.key, '"v2"', 'quorum'));
    expect(written.valueJson).toBe('"v2"');
    expect(t.requestsFrom(t.coordinator).map((request) => [request.to, request.type])).toEqual(
      expect.arrayContaining([
        [t.second, 'replica-writes'],
        [t.third, 'replica-writes'],
      ]),
    );
    expect(t.requestsFrom(t.coordinator)).toHaveLength(2);
    await t.c.runFor(10);
    for (const id of [t.coordinator, t.second, t.third]) expect(t.store(id).get(t.key)).toEqual(written);
    expect(t.node.coordinator.stats.singleRoundWrites).toBe(2); // the create and the update
  });

  it('writes to a replica that held an older record once another replica agreed', async () => {
    const t = await setUp();
    await t.c.settle(t.node.execute('create', t.key, '"v1"', 'quorum'));
    await t.c.runFor(10);
    await t.hold(t.second, { valueJson: '"old"', version: 1, writer: t.second });
    const written = await t.c.settle(t.node.execute('update', t.key, '"v2"', 'quorum'));
    await t.c.runFor(10);
    expect(t.store(t.second).get(t.key)).toEqual(written);
    expect(t.store(t.third).get(t.key)).toEqual(written);
  });

  it('refuses an update of a key a quorum deleted, and applies it nowhere', async () => {
    const t = await setUp();
    await t.c.settle(t.node.execute('create', t.key, '"v1"', 'quorum'));
    await t.c.runFor(10);
    const live = t.store(t.coordinator).get(t.key)!;
    const deleted: StoredRecord = { valueJson: null, version: t.future, writer: t.second };
    await t.hold(t.second, deleted);
    await t.hold(t.third, deleted);
    await expect(t.c.settle(t.node.execute('update', t.key, '"v2"', 'quorum'))).rejects.toMatchObject({
      code: 'KEY_NOT_FOUND',
    });
    await t.c.runFor(1_500);
    expect(t.store(t.coordinator).get(t.key)).toEqual(live);
    expect(t.store(t.second).get(t.key)).toEqual(deleted);
    expect(t.store(t.third).get(t.key)).toEqual(deleted);
    expect(t.node.coordinator.stats.singleRoundRefused).toBe(1);
  });

  it('takes one agreeing replica as the read quorum even if the other holds a newer delete', async () => {
    const t = await setUp();
    await t.c.settle(t.node.execute('create', t.key, '"v1"', 'quorum'));
    await t.c.runFor(10);
    const deleted: StoredRecord = { valueJson: null, version: t.future, writer: t.second };
    await t.hold(t.second, deleted);
    const written = await t.c.settle(t.node.execute('update', t.key, '"v2"', 'quorum'));
    await t.c.runFor(10);
    expect(t.store(t.coordinator).get(t.key)).toEqual(written);
    expect(t.store(t.third).get(t.key)).toEqual(written);
    // The newer delete wins on its replica, by last-writer-wins, as after a two-round update.
    expect(t.store(t.second).get(t.key)).toEqual(deleted);
  });

  it('answers TIMEOUT, not KEY_NOT_FOUND, when a silent replica may have applied the write', async () => {
    const t = await setUp();
    await t.c.settle(t.node.execute('create', t.key, '"v1"', 'quorum'));
    await t.c.runFor(10);
    const deleted: StoredRecord = { valueJson: null, version: t.future, writer: t.third };
    await t.hold(t.third, deleted);
    t.c.silent.add(t.second);
    await expect(t.c.settle(t.node.execute('update', t.key, '"v2"', 'quorum'))).rejects.toMatchObject({
      code: 'TIMEOUT',
      message: expect.stringContaining('may have been applied'),
    });
  });

  it('decides on the refusals when no replica applied, and writes in a second round if the condition holds', async () => {
    const t = await setUp();
    await t.c.settle(t.node.execute('create', t.key, '"v1"', 'quorum'));
    await t.c.runFor(10);
    // Both other replicas hold a newer live value the coordinator missed: they refuse, the update holds.
    const newer: StoredRecord = { valueJson: '"elsewhere"', version: t.future, writer: t.second };
    await t.hold(t.second, newer);
    await t.hold(t.third, newer);
    t.c.sent.length = 0;
    const written = await t.c.settle(t.node.execute('update', t.key, '"v2"', 'quorum'));
    expect(written.version).toBeGreaterThan(newer.version);
    expect(t.requestsFrom(t.coordinator).filter((r) => r.type === 'replica-writes')).toHaveLength(4);
    await t.c.runFor(10);
    for (const id of [t.coordinator, t.second, t.third]) expect(t.store(id).get(t.key)).toEqual(written);
  });

  it('falls back to a quorum read when its own record says the condition fails (it may be stale)', async () => {
    const t = await setUp();
    await t.c.settle(t.node.execute('create', t.key, '"v1"', 'quorum'));
    await t.c.runFor(10);
    await t.hold(t.coordinator, undefined);
    t.c.sent.length = 0;
    const written = await t.c.settle(t.node.execute('update', t.key, '"v2"', 'quorum'));
    expect(written.valueJson).toBe('"v2"');
    expect(t.requestsFrom(t.coordinator).some((request) => request.type === 'replica-reads')).toBe(true);
  });

  it('recreates a deleted key in one round, expecting the tombstone every replica holds', async () => {
    const t = await setUp();
    await t.c.settle(t.node.execute('create', t.key, '"v1"', 'quorum'));
    await t.c.settle(t.node.execute('delete', t.key, undefined, 'quorum'));
    await t.c.runFor(10);
    t.c.sent.length = 0;
    const written = await t.c.settle(t.node.execute('create', t.key, '"v2"', 'quorum'));
    expect(written.valueJson).toBe('"v2"');
    expect(t.requestsFrom(t.coordinator).every((request) => request.type === 'replica-writes')).toBe(true);
    expect(t.node.coordinator.stats.singleRoundWrites).toBe(3);
  });

  it('keeps two rounds for consistency all (three answers to decide)', async () => {
    const t = await setUp();
    await t.c.settle(t.node.execute('create', t.key, '"v1"', 'all'));
    expect(t.requestsFrom(t.coordinator).some((request) => request.type === 'replica-reads')).toBe(true);
    expect(t.node.coordinator.stats.singleRoundWrites).toBe(0);
  });
});
