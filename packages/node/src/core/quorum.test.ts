import { RingKvError } from '@ringkv/protocol';
import { describe, expect, it } from 'vitest';
import { SimClock } from '../sim/clock.js';
import { KeyQueue } from './key-queue.js';
import { awaitQuorum, QuorumRound, requiredAnswers } from './quorum.js';

const config = { readQuorum: 2, writeQuorum: 2 };

function deferred<T>() {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

const flush = () => new Promise((resolve) => setImmediate(resolve));

describe('requiredAnswers', () => {
  it('maps consistency levels to answers, capped by the replicas there are', () => {
    expect(requiredAnswers('one', 'write', 3, config)).toBe(1);
    expect(requiredAnswers('quorum', 'write', 3, config)).toBe(2);
    expect(requiredAnswers('all', 'read', 3, config)).toBe(3);
    expect(requiredAnswers('quorum', 'read', 1, config)).toBe(1);
    expect(requiredAnswers('all', 'read', 2, config)).toBe(2);
  });
});

describe('awaitQuorum', () => {
  it('resolves with the first k answers without waiting for the rest', async () => {
    const clock = new SimClock();
    const slow = deferred<number>();
    const outcome = await awaitQuorum(
      [
        { node: 'a', answer: Promise.resolve(1) },
        { node: 'b', answer: slow.promise },
        { node: 'c', answer: Promise.resolve(3) },
      ],
      2,
      clock,
      1000,
      'test',
    );
    expect(outcome.answers.map((answer) => answer.node).sort()).toEqual(['a', 'c']);
    slow.resolve(2);
    expect((await outcome.settled).length).toBe(3);
  });

  it('fails with UNAVAILABLE as soon as the quorum cannot be reached', async () => {
    const clock = new SimClock();
    const pending = deferred<number>();
    const result = awaitQuorum(
      [
        { node: 'a', answer: Promise.reject(new RingKvError('UNAVAILABLE', 'down')) },
        { node: 'b', answer: Promise.reject(new RingKvError('UNAVAILABLE', 'down')) },
        { node: 'c', answer: pending.promise },
      ],
      2,
      clock,
      1000,
      'test',
    );
    await expect(result).rejects.toMatchObject({ code: 'UNAVAILABLE' });
  });

  it('fails with TIMEOUT at the deadline', async () => {
    const clock = new SimClock();
    const never = deferred<number>();
    const result = awaitQuorum([{ node: 'a', answer: never.promise }], 1, clock, 1000, 'test');
    result.catch(() => undefined);
    await flush();
    clock.step();
    await expect(result).rejects.toMatchObject({ code: 'TIMEOUT' });
  });
});

describe('QuorumRound', () => {
  function round(attempts: number, required: number) {
    const clock = new SimClock();
    const events: string[] = [];
    const quorum: QuorumRound<number> = new QuorumRound<number>(
      attempts,
      required,
      clock,
      1000,
      () => 'read of "k"',
      (error) => events.push(error ? `decided ${error.code}: ${error.message}` : 'decided'),
      () => events.push(`settled ${quorum.results.length}`),
    );
    return { clock, events, quorum };
  }

  it('decides in the call that brings the k-th answer, and settles when every attempt answered', () => {
    const { events, quorum } = round(3, 2);
    quorum.answer('a', 1);
    expect(events).toEqual([]);
    quorum.fail('b', new RingKvError('UNAVAILABLE', 'down'));
    expect(events).toEqual([]);
    quorum.answer('c', 3);
    expect(events).toEqual(['settled 3', 'decided']);
    expect(quorum.answers.map((answer) => answer.value)).toEqual([1, 3]);
  });

  it('settles at the deadline with what arrived, once; later answers change nothing', () => {
    const { clock, events, quorum } = round(3, 2);
    quorum.answer('a', 1);
    quorum.answer('b', 2);
    expect(events).toEqual(['decided']);
    clock.step();
    expect(events).toEqual(['decided', 'settled 2']);
    quorum.answer('c', 3);
    expect(events).toEqual(['decided', 'settled 2']);
  });

  it('fails with TIMEOUT when a failure that made the quorum unreachable was a timeout', () => {
    const { events, quorum } = round(2, 2);
    quorum.fail('a', new RingKvError('TIMEOUT', 'late'));
    expect(events).toEqual(['decided TIMEOUT: read of "k": 0 replicas answered; 2 needed']);
  });
});

describe('KeyQueue', () => {
  it("starts the task of an idle key in the caller's turn", () => {
    const queue = new KeyQueue(10);
    let started = false;
    void queue.run('k', async () => {
      started = true;
    });
    expect(started).toBe(true);
  });

  it('runs operations on one key in order, one at a time, and other keys alongside', async () => {
    const queue = new KeyQueue(10);
    const log: string[] = [];
    const first = deferred<void>();
    const a1 = queue.run('a', async () => {
      log.push('a1 start');
      await first.promise;
      log.push('a1 end');
    });
    const a2 = queue.run('a', async () => {
      log.push('a2');
    });
    const b1 = queue.run('b', async () => {
      log.push('b1');
    });
    await b1;
    expect(log).toEqual(['a1 start', 'b1']);
    first.resolve();
    await Promise.all([a1, a2]);
    expect(log).toEqual(['a1 start', 'b1', 'a1 end', 'a2']);
    expect(queue.keys).toBe(0);
  });

  it('refuses work beyond its bound per key, and a failed task does not block the next', async () => {
    const queue = new KeyQueue(1);
    const gate = deferred<void>();
    const running = queue.run('k', () =>
      gate.promise.then(() => {
        throw new Error('boom');
      }),
    );
    await expect(queue.run('k', async () => 1)).rejects.toMatchObject({ code: 'UNAVAILABLE' });
    gate.resolve();
    await expect(running).rejects.toThrow('boom');
    await expect(queue.run('k', async () => 2)).resolves.toBe(2);
  });
});
