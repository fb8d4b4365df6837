import { describe, expect, it } from 'vitest';
import { Dissemination } from './dissemination.js';

const fact = (id: string, incarnation = 1) => ({ id, status: 'alive' as const, incarnation, tokens: [1] });

describe('Dissemination', () => {
  it('sends each fact factor x ceil(log10(n + 1)) times, then forgets it', () => {
    const queue = new Dissemination(16, 3);
    expect(queue.transmissionsFor(9)).toBe(3);
    expect(queue.transmissionsFor(10)).toBe(6);
    queue.enqueue(fact('a:1'));
    let sent = 0;
    for (let i = 0; i < 10; i++) sent += queue.take('x:1', 9, 8).length;
    expect(sent).toBe(3);
    expect(queue.size).toBe(0);
  });

  it('keeps one fact per member, the newest, and never sends a fact back to its source', () => {
    const queue = new Dissemination(16, 3);
    queue.enqueue(fact('a:1', 1));
    queue.enqueue(fact('a:1', 2), 'b:1');
    expect(queue.size).toBe(1);
    expect(queue.take('b:1', 3, 8)).toEqual([]);
    expect(queue.hasFor('b:1')).toBe(false);
    expect(queue.take('c:1', 3, 8)).toEqual([fact('a:1', 2)]);
  });

  it('sends the least-sent facts first, at most `max` per message', () => {
    const queue = new Dissemination(16, 5);
    queue.enqueue(fact('a:1'));
    queue.take('x:1', 3, 8);
    queue.enqueue(fact('b:1'));
    queue.enqueue(fact('c:1'));
    expect(queue.take('x:1', 3, 2).map((f) => f.id)).toEqual(['b:1', 'c:1']);
  });

  it('is bounded: a full queue drops the most-sent fact and counts it', () => {
    const queue = new Dissemination(2, 5);
    queue.enqueue(fact('a:1'));
    queue.take('x:1', 3, 1);
    queue.enqueue(fact('b:1'));
    queue.enqueue(fact('c:1'));
    expect(queue.size).toBe(2);
    expect(queue.dropped).toBe(1);
    expect(queue.take('x:1', 3, 8).map((f) => f.id)).toEqual(['b:1', 'c:1']);
  });
});
