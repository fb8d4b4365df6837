import { describe, expect, it } from 'vitest';
import { SimClock } from './clock.js';
import { drawFaultRates, type FaultRates, perfectNetwork, SimNetwork } from './network.js';
import { Prng } from './prng.js';

function setup(faults: FaultRates = perfectNetwork) {
  const clock = new SimClock();
  const network = new SimNetwork(clock, new Prng(1), faults);
  const received: Array<{ to: string; from: string; message: unknown }> = [];
  const endpoints = ['a:1', 'b:1', 'c:1'].map((id) => {
    const endpoint = network.endpoint(id);
    endpoint.onMessage((from, message) => received.push({ to: id, from, message }));
    return endpoint;
  });
  const drain = () => {
    while (clock.step()) {}
  };
  return { clock, network, received, endpoints, drain };
}

describe('SimNetwork', () => {
  it('delivers a copy of the payload, not the object itself', () => {
    const { endpoints, received, drain } = setup();
    const message = { type: 'ping', n: [1, 2] };
    endpoints[0]!.send('b:1', message);
    drain();
    expect(received).toEqual([{ to: 'b:1', from: 'a:1', message }]);
    expect(received[0]!.message).not.toBe(message);
  });

  it('keeps a path in delivery-time order and reorders when delays differ', () => {
    const faults = { ...perfectNetwork, delayMsMin: 1, delayMsMax: 100 };
    const { endpoints, received, drain } = setup(faults);
    for (let i = 0; i < 50; i++) endpoints[0]!.send('b:1', i);
    drain();
    const order = received.map((r) => r.message as number);
    expect([...order].sort((x, y) => x - y)).toEqual(Array.from({ length: 50 }, (_, i) => i));
    expect(order).not.toEqual([...order].sort((x, y) => x - y));
  });

  it('drops and duplicates at the configured rates', () => {
    const faults = { ...perfectNetwork, dropRate: 0.3, duplicateRate: 0.2 };
    const { endpoints, network, received, drain } = setup(faults);
    for (let i = 0; i < 200; i++) {
      endpoints[0]!.send('b:1', i);
      drain(); // one at a time so the path never overflows
    }
    expect(network.stats.dropped).toBeGreaterThan(30);
    expect(network.stats.duplicated).toBeGreaterThan(10);
    expect(received.length).toBe(200 - network.stats.dropped + network.stats.duplicated);
  });

  it('bounds a path: a full queue loses packets instead of growing', () => {
    const { endpoints, network, received, drain } = setup();
    for (let i = 0; i < 300; i++) endpoints[0]!.send('b:1', i);
    drain();
    expect(network.stats.overflowed).toBe(300 - 256);
    expect(received.length).toBe(256);
  });

  it('cuts paths across a partition, also for packets already in flight, until healed', () => {
    const { endpoints, network, received, drain } = setup();
    endpoints[0]!.send('b:1', 'in flight');
    network.partition([['a:1'], ['b:1', 'c:1']]);
    endpoints[0]!.send('b:1', 'cut');
    endpoints[1]!.send('c:1', 'same side');
    drain();
    expect(received.map((r) => r.message)).toEqual(['same side']);
    network.heal();
    endpoints[0]!.send('b:1', 'healed');
    drain();
    expect(received.map((r) => r.message)).toEqual(['same side', 'healed']);
  });

  it('loses packets to a closed (crashed) node and silences its old endpoint after a restart', () => {
    const { endpoints, network, received, drain } = setup();
    endpoints[0]!.send('b:1', 'lost');
    network.close('b:1');
    drain();
    expect(received).toEqual([]);
    const reborn = network.endpoint('a:1');
    endpoints[0]!.send('c:1', 'from the old life');
    reborn.send('c:1', 'from the new life');
    drain();
    expect(received.map((r) => r.message)).toEqual(['from the new life']);
  });

  it('draws fault rates from the seed, the same for the same seed', () => {
    expect(drawFaultRates(new Prng(11))).toEqual(drawFaultRates(new Prng(11)));
    const rates = Array.from({ length: 50 }, (_, seed) => drawFaultRates(new Prng(seed)).dropRate);
    expect(new Set(rates).size).toBeGreaterThan(10);
  });
});
