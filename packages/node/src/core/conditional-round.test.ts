import { RingKvError } from '@ringkv/protocol';
import { describe, expect, it } from 'vitest';
import { SimClock } from '../sim/clock.js';
import { ConditionalRound, type NotApplied, type RoundDecision } from './conditional-round.js';
import type { StoredRecord } from './types.js';

const sent: StoredRecord = { valueJson: '"new"', version: 100, writer: 'a:1' };
const older: StoredRecord = { valueJson: '"old"', version: 50, writer: 'b:1' };
const newer: StoredRecord = { valueJson: null, version: 200, writer: 'c:1' };

function round(replicas = ['b:1', 'c:1']) {
  const clock = new SimClock();
  const decisions: RoundDecision[] = [];
  const followUps: NotApplied[] = [];
  const r = new ConditionalRound(
    replicas,
    sent,
    clock,
    1000,
    (decision) => decisions.push(decision),
    (outcome) => followUps.push(outcome),
  );
  return { clock, r, decisions, followUps };
}

describe('ConditionalRound', () => {
  it('decides applied on the first replica that applied, and hands over the others after', () => {
    const t = round();
    t.r.answer('b:1', { held: older });
    expect(t.decisions).toEqual([]);
    t.r.answer('c:1', true);
    expect(t.decisions).toEqual([{ kind: 'applied', by: 'c:1' }]);
    expect(t.followUps).toEqual([{ node: 'b:1', held: older }]);
  });

  it('hands over refusals and failures that arrive after the decision, and silence at the deadline', () => {
    const t = round(['b:1', 'c:1', 'd:1', 'e:1']);
    t.r.answer('b:1', true);
    t.r.answer('c:1', { held: undefined });
    t.r.fail('d:1', new RingKvError('UNAVAILABLE', 'gone'));
    expect(t.followUps.map((outcome) => outcome.node)).toEqual(['c:1', 'd:1']);
    t.clock.step(); // the deadline
    expect(t.followUps.map((outcome) => outcome.node)).toEqual(['c:1', 'd:1', 'e:1']);
    expect(t.followUps[2]).toMatchObject({ error: { code: 'TIMEOUT' } });
    expect(t.decisions).toHaveLength(1);
  });

  it('decides refused once every replica refused, with what each holds and nothing unknown', () => {
    const t = round();
    t.r.answer('b:1', { held: older });
    t.r.answer('c:1', { held: newer });
    expect(t.decisions).toEqual([{ kind: 'refused', held: [older, newer], unknown: 0, timedOut: false }]);
    expect(t.followUps).toEqual([]);
  });

  it('counts failed and silent replicas as unknown: they may have applied the write', () => {
    const failed = round();
    failed.r.answer('b:1', { held: newer });
    failed.r.fail('c:1', new RingKvError('UNAVAILABLE', 'lost'));
    expect(failed.decisions).toEqual([{ kind: 'refused', held: [newer], unknown: 1, timedOut: false }]);
    const silent = round();
    silent.r.answer('b:1', { held: newer });
    expect(silent.decisions).toEqual([]);
    const startMs = silent.clock.nowMs();
    silent.clock.step(); // the deadline
    expect(silent.clock.nowMs() - startMs).toBe(1000);
    expect(silent.decisions).toEqual([{ kind: 'refused', held: [newer], unknown: 1, timedOut: true }]);
    silent.r.answer('c:1', true); // too late: the caller has moved on
    expect(silent.decisions).toHaveLength(1);
  });

  it('takes a refusal holding the very write sent (a repeated request) as applied', () => {
    const t = round();
    t.r.answer('b:1', { held: { ...sent } });
    expect(t.decisions).toEqual([{ kind: 'applied', by: 'b:1' }]);
  });

  it('ignores a second answer from one replica and answers from replicas it did not ask', () => {
    const t = round();
    t.r.answer('b:1', { held: older });
    t.r.answer('b:1', true);
    t.r.answer('x:1', true);
    expect(t.decisions).toEqual([]);
    t.r.answer('c:1', { held: older });
    expect(t.decisions).toEqual([{ kind: 'refused', held: [older, older], unknown: 0, timedOut: false }]);
  });
});
