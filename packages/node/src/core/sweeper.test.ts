import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { graceMs, ringOf, World } from './reclamation.test-helper.js';
import { cleanupAllowed, heldElsewhere } from './sweeper.js';
import { compareRecords, type StoredRecord } from './types.js';

const keysOf = (count: number) => Array.from({ length: count }, (_, i) => `key-${i}`);

describe('Sweeper: tombstone collection', () => {
  it('collects an expired tombstone only when every other replica holds it, nothing, or something newer', async () => {
    const world = await World.create({ ids: ['a:1', 'b:1', 'c:1'], replicationFactor: 3 });
    const deleted = world.record(graceMs + 1_000, null);
    const put = (id: string, key: string, record: StoredRecord) => world.store(id).put(key, record);
    for (const key of ['agreed', 'partial', 'disputed', 'newer', 'down']) await put('a:1', key, deleted);
    for (const id of ['b:1', 'c:1']) await put(id, 'agreed', deleted);
    await put('b:1', 'partial', deleted); // c:1 holds nothing: it never had the key
    await put('b:1', 'disputed', deleted);
    await put('c:1', 'disputed', world.record(graceMs + 5_000, '"older"')); // missed the delete
    await put('b:1', 'newer', world.record(10, '"written after the delete"'));
    for (const id of ['b:1', 'c:1']) await put(id, 'down', deleted);
    await put('a:1', 'young', world.record(graceMs - 10_000, null));
    const sweeper = world.sweeper('a:1');
    world.down.add('c:1');
    await world.sweep(sweeper);
    // With c:1 down nothing it replicates can be decided, except... every key here has c:1 as a replica.
    expect(sweeper.stats.tombstonesCollected).toBe(0);
    world.down.delete('c:1');
    await world.sweep(sweeper);
    const a = world.store('a:1');
    expect(a.get('agreed')).toBeUndefined();
    expect(a.get('partial')).toBeUndefined();
    expect(a.get('newer')).toBeUndefined();
    expect(a.get('down')).toBeUndefined();
    expect(a.get('disputed')).toEqual(deleted);
    expect(a.get('young')?.valueJson).toBeNull();
    expect(sweeper.status()).toMatchObject({ tombstonesCollected: 4, recordsCleaned: 0 });
    expect(a.counts().tombstones).toBe(2);
  });

  it('collects only when seen collectable twice: an older value landing in between keeps the tombstone', async () => {
    const world = await World.create({ ids: ['a:1', 'b:1'], replicationFactor: 2 });
    const deleted = world.record(graceMs * 2, null);
    await world.store('a:1').put('k', deleted);
    const sweeper = world.sweeper('a:1');
    await world.pass(sweeper); // b:1 holds nothing: a first look
    expect(world.store('a:1').get('k')).toEqual(deleted);
    // An anti-entropy page from a replica that came back stale lands on b:1 after that look.
    await world.store('b:1').put('k', world.record(graceMs * 3, '"old"'));
    await world.sweep(sweeper);
    expect(world.store('a:1').get('k')).toEqual(deleted);
    // Anti-entropy gives b:1 the tombstone (it holds the key, so it takes the expired tombstone).
    expect(await world.store('b:1').put('k', deleted)).toBe(true);
    await world.sweep(sweeper);
    expect(world.store('a:1').get('k')).toBeUndefined();
    expect(sweeper.stats.tombstonesCollected).toBe(1);
  });

  it('drops nothing while this node is joining, leaving, unknown or has transfers pending', async () => {
    const world = await World.create({ ids: ['a:1', 'b:1'], replicationFactor: 2 });
    const deleted = world.record(graceMs * 2, null);
    for (const id of ['a:1', 'b:1']) await world.store(id).put('gone', deleted);
    const sweeper = world.sweeper('a:1');
    for (const status of ['joining', 'leaving', 'suspect', undefined] as const) {
      if (status) world.status.set('a:1', status);
      else world.status.delete('a:1');
      await world.sweep(sweeper);
      expect(world.store('a:1').get('gone'), `status ${status}`).toEqual(deleted);
    }
    world.status.set('a:1', 'alive');
    world.pending.set('a:1', 1);
    await world.sweep(sweeper);
    expect(world.store('a:1').get('gone')).toEqual(deleted);
    world.pending.set('a:1', 0);
    await world.sweep(sweeper);
    expect(world.store('a:1').get('gone')).toBeUndefined();
  });

  it('collects on a ring of one: there is no other replica to resurrect the value', async () => {
    const world = await World.create({ ids: ['a:1'], replicationFactor: 3 });
    await world.store('a:1').put('gone', world.record(graceMs, null));
    await world.store('a:1').put('kept', world.record(graceMs, '"live"'));
    const sweeper = world.sweeper('a:1');
    await world.sweep(sweeper);
    expect(world.store('a:1').get('gone')).toBeUndefined();
    expect(world.store('a:1').get('kept')?.valueJson).toBe('"live"');
    expect(sweeper.status().recordsCleaned).toBe(0);
  });
});

describe('Sweeper: range cleanup', () => {
  it('drops the keys a join took away only once every new replica holds them or newer', async () => {
    const ids = ['a:1', 'b:1', 'c:1'];
    const world = await World.create({ ids, replicationFactor: 2 });
    const keys = keysOf(300);
    for (const key of keys) {
      for (const id of world.replicasOf(key)) await world.store(id).put(key, world.record(1_000, `"${key}"`));
    }
    await world.addStore('d:1');
    world.ring = ringOf([...ids, 'd:1']);
    const movedAway = keys.filter(
      (key) => world.store('a:1').get(key) && !world.replicasOf(key).includes('a:1'),
    );
    expect(movedAway.length).toBeGreaterThan(10);
    const sweeper = world.sweeper('a:1');
    await world.sweep(sweeper); // d:1 holds nothing yet: nothing may go
    expect(sweeper.stats.recordsCleaned).toBe(0);
    // Streaming: every new replica gets the keys (one of them an older version, one replica down).
    const [stale, unanswered] = movedAway;
    for (const key of keys) {
      for (const id of world.replicasOf(key)) {
        const record =
          world.store('a:1').get(key) ?? world.store('b:1').get(key) ?? world.store('c:1').get(key);
        const older = { ...record!, version: record!.version - 1 };
        await world.store(id).put(key, key === stale ? older : record!);
      }
    }
    const blocker = world.replicasOf(unanswered!).find((id) => id !== 'a:1')!;
    world.down.add(blocker);
    await world.sweep(sweeper);
    const a = world.store('a:1');
    expect(a.get(stale!)).toBeDefined();
    expect(a.get(unanswered!)).toBeDefined();
    const cleaned = movedAway.filter((key) => a.get(key) === undefined);
    expect(cleaned.length).toBe(sweeper.stats.recordsCleaned);
    // Everything else moved away went; a key a:1 still replicates never does; no key is lost anywhere.
    expect(cleaned.length).toBeGreaterThanOrEqual(
      movedAway.length - 2 - [...movedAway].filter((key) => world.replicasOf(key).includes(blocker)).length,
    );
    for (const key of keys) {
      if (world.replicasOf(key).includes('a:1')) expect(a.get(key)).toBeDefined();
      for (const id of world.replicasOf(key)) expect(world.store(id).get(key)).toBeDefined();
    }
  });

  it('drops a moved-away record only on a second look confirmMs after the first', async () => {
    const world = await World.create({ ids: ['a:1', 'b:1'], replicationFactor: 1 });
    const keys = keysOf(40);
    for (const key of keys) await world.store('a:1').put(key, world.record(10, '"v"'));
    for (const key of keys) await world.store('b:1').put(key, world.record(10, '"v"'));
    const movedAway = keys.filter((key) => world.replicasOf(key)[0] === 'b:1');
    expect(movedAway.length).toBeGreaterThan(5);
    const sweeper = world.sweeper('a:1');
    await world.pass(sweeper);
    expect(sweeper.stats.recordsCleaned).toBe(0);
    await world.pass(sweeper); // still within confirmMs of the first look
    expect(sweeper.stats.recordsCleaned).toBe(0);
    await world.sweep(sweeper);
    expect(sweeper.stats.recordsCleaned).toBe(movedAway.length);
    for (const key of keys) expect(world.store('a:1').get(key) === undefined).toBe(movedAway.includes(key));
  });

  it('keeps every record on a ring of one, off the ring, while pending, joining or leaving', async () => {
    const cleanupFacts = { enabled: true, ring: ringOf(['a:1', 'b:1']), self: 'a:1', rangesPending: 0 };
    expect(cleanupAllowed({ ...cleanupFacts, selfStatus: 'alive' })).toBe(true);
    expect(cleanupAllowed({ ...cleanupFacts, selfStatus: 'alive', enabled: false })).toBe(false);
    expect(cleanupAllowed({ ...cleanupFacts, selfStatus: 'alive', ring: ringOf(['a:1']) })).toBe(false);
    expect(cleanupAllowed({ ...cleanupFacts, selfStatus: 'alive', ring: ringOf(['b:1', 'c:1']) })).toBe(
      false,
    );
    expect(cleanupAllowed({ ...cleanupFacts, selfStatus: 'alive', rangesPending: 2 })).toBe(false);
    for (const selfStatus of ['joining', 'leaving', 'suspect', 'dead', undefined] as const) {
      expect(cleanupAllowed({ ...cleanupFacts, selfStatus })).toBe(false);
    }
  });

  it('heldElsewhere: every replica answered with the record or newer', () => {
    const mine = { valueJson: '"v"', version: 10, writer: 'a:1' };
    expect(heldElsewhere(mine, [mine, { ...mine, version: 11 }])).toBe(true);
    expect(heldElsewhere(mine, [{ ...mine, valueJson: null, version: 12 }])).toBe(true);
    expect(heldElsewhere(mine, [mine, { ...mine, version: 9 }])).toBe(false);
    expect(heldElsewhere(mine, [mine, undefined])).toBe(false);
    expect(heldElsewhere(mine, [mine, 'unknown'])).toBe(false);
    expect(heldElsewhere(mine, [])).toBe(false);
  });
});

describe('Sweeper: properties', () => {
  // Each node holds, per key, nothing or a record: live or deleted, older or younger than the grace period,
  // from a few versions so replicas hold older, equal and newer copies of one another.
  const held = fc.option(
    fc.record({
      ageMs: fc.constantFrom(10, 1_000, graceMs - 1, graceMs, graceMs + 1_000, 3 * graceMs),
      live: fc.boolean(),
    }),
    { nil: undefined },
  );
  const world = fc.record({
    holdings: fc.array(fc.array(held, { minLength: 5, maxLength: 5 }), { minLength: 12, maxLength: 12 }),
    down: fc.subarray(['b:1', 'c:1', 'd:1', 'e:1']),
    joined: fc.boolean(),
    pending: fc.constantFrom(0, 0, 1),
    status: fc.constantFrom('alive', 'alive', 'joining', 'leaving'),
  });

  it('property: nothing dropped could be lost or resurrected; with all replicas up, all that may go goes', async () => {
    const seen = { collected: 0, cleaned: 0, kept: 0 };
    await fc.assert(
      fc.asyncProperty(world, async (input) => {
        const ids = ['a:1', 'b:1', 'c:1', 'd:1'];
        const w = await World.create({ ids: [...ids, 'e:1'], replicationFactor: 2 });
        w.ring = ringOf(ids);
        const keys = keysOf(input.holdings.length);
        const all = [...ids, 'e:1'];
        for (const [k, key] of keys.entries()) {
          for (const [n, id] of all.entries()) {
            const h = input.holdings[k]![n];
            if (h) await w.store(id).put(key, w.record(h.ageMs, h.live ? `"${h.ageMs}"` : null, id));
          }
        }
        if (input.joined) w.ring = ringOf(all);
        for (const id of input.down) w.down.add(id);
        w.pending.set('a:1', input.pending);
        w.status.set('a:1', input.status as 'alive');
        const before = new Map(keys.map((key) => [key, w.store('a:1').get(key)]));
        const sweeper = w.sweeper('a:1');
        await w.sweep(sweeper);
        const settled = input.status === 'alive' && input.pending === 0;
        for (const key of keys) {
          const mine = before.get(key);
          const after = w.store('a:1').get(key);
          const others = w.replicasOf(key).filter((id) => id !== 'a:1');
          const answers = others.map((id) => (w.down.has(id) ? 'unknown' : w.store(id).get(key)));
          const owned = w.replicasOf(key).includes('a:1');
          const expired =
            mine?.valueJson === null && w.clock.nowMs() - Math.floor(mine.version / 4096) >= graceMs;
          if (mine === undefined) continue;
          const unshadowed = answers.every(
            (r) =>
              r !== 'unknown' && (r === undefined || r.valueJson === null || compareRecords(r, mine) >= 0),
          );
          const collectable = expired && unshadowed;
          // Both looks (the first at sweepAtMs) found it collectable: it must have gone.
          const collectableTwice =
            unshadowed &&
            mine?.valueJson === null &&
            w.sweepAtMs - Math.floor(mine.version / 4096) >= graceMs;
          const cleanable = mine !== undefined && !owned && heldElsewhere(mine, answers) && w.ring.size > 1;
          if (after === undefined && mine !== undefined) {
            // Dropped: it was safe to.
            expect(settled).toBe(true);
            expect(collectable || cleanable).toBe(true);
          }
          if (mine !== undefined && settled && (collectableTwice || cleanable)) expect(after).toBeUndefined();
          if (mine !== undefined && after !== undefined) expect(after).toEqual(mine);
        }
        seen.collected += sweeper.stats.tombstonesCollected;
        seen.cleaned += sweeper.stats.recordsCleaned;
        seen.kept += w.store('a:1').counts().keys + w.store('a:1').counts().tombstones;
        await w.closeAll();
      }),
      { seed: 42, numRuns: 150 },
    );
    // The generated worlds exercise both rules and the keeping side.
    expect(seen.collected).toBeGreaterThan(10);
    expect(seen.cleaned).toBeGreaterThan(10);
    expect(seen.kept).toBeGreaterThan(20);
  });
});

describe('Sweeper: scheduling', () => {
  it('counts a tick whose purge the store refused and keeps ticking', async () => {
    const world = await World.create({ ids: ['a:1'], replicationFactor: 1 });
    await world.store('a:1').put('gone', world.record(graceMs * 2, null));
    const sweeper = world.sweeper('a:1', { intervalMs: 1_000, confirmMs: 0 });
    world.settle();
    sweeper.start();
    await world.runFor(1_000); // the first look
    await world.store('a:1').close(); // the node is shutting down: purges reject
    await world.runFor(2_000);
    expect(sweeper.stats.failedTicks).toBeGreaterThanOrEqual(1);
    expect(sweeper.stats.ticks).toBe(3);
    sweeper.stop();
  });

  it('runs on the clock a page per tick, wraps around the ring, and stops when stopped', async () => {
    const world = await World.create({ ids: ['a:1'], replicationFactor: 1 });
    for (const key of keysOf(35)) await world.store('a:1').put(key, world.record(graceMs * 2, null));
    const sweeper = world.sweeper('a:1', { intervalMs: 1_000, recordsPerTick: 10 });
    world.settle();
    sweeper.start();
    await world.runFor(3_000);
    expect(sweeper.stats.ticks).toBe(3);
    expect(sweeper.stats.recordsExamined).toBe(30);
    // First looks only: each tombstone is collected when seen collectable again a confirmMs later.
    expect(world.store('a:1').counts().tombstones).toBe(35);
    await world.runFor(6_000);
    expect(world.store('a:1').counts().tombstones).toBe(0);
    expect(sweeper.stats.passes).toBeGreaterThanOrEqual(1);
    sweeper.stop();
    const ticks = sweeper.stats.ticks;
    await world.runFor(10_000);
    expect(sweeper.stats.ticks).toBe(ticks);
    expect(world.clock.pending()).toBe(0);
  });
});
