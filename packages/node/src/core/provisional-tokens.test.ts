/**
 * Who chooses tokens again after a concurrent join (provisional-tokens.ts), on a member table fed facts by
 * hand: the joiner moves for tokens it never saw unless their owner is a joiner that will move itself.
 */
import { describe, expect, it } from 'vitest';
import { MemberTable } from './member-table.js';
import { ProvisionalTokens, type TokenChoiceReason, tokenRechoicesMax } from './provisional-tokens.js';
import type { Ring } from './ring.js';

const self = 'm:1';

function setUp() {
  const table = new MemberTable({ id: self, status: 'joining', incarnation: 1, tokens: [] });
  table.apply({ id: 'a:1', status: 'alive', incarnation: 1, tokens: [100, 200] });
  table.settle();
  const calls: Array<{ reason: TokenChoiceReason; nodes: string[] }> = [];
  const finals: number[][] = [];
  let next = 1_000;
  const tokens = new ProvisionalTokens({
    self,
    table,
    choose: (others: Ring, reason) => {
      calls.push({ reason, nodes: others.nodes() });
      next += 10;
      return [next];
    },
    onFinal: (final) => finals.push(final),
  });
  return { table, tokens, calls, finals };
}

describe('ProvisionalTokens after a concurrent join', () => {
  it('chooses once against the others, then again only for tokens it did not see', () => {
    const { table, tokens, calls, finals } = setUp();
    expect(tokens.choose()).toEqual([1_010]);
    expect(calls).toEqual([{ reason: 'join', nodes: ['a:1'] }]);
    expect(tokens.rechoose()).toBeUndefined();
    // A fact about a member it saw, tokens unchanged (a new incarnation): nothing to do.
    table.apply({ id: 'a:1', status: 'alive', incarnation: 2, tokens: [100, 200] });
    expect(tokens.rechoose()).toBeUndefined();
    // A joiner with a smaller id took tokens meanwhile: it keeps them, so this node moves.
    table.apply({ id: 'b:1', status: 'joining', incarnation: 1, tokens: [150] });
    expect(tokens.rechoose()).toEqual([1_020]);
    expect(calls.at(-1)).toEqual({ reason: 'collision', nodes: ['a:1', 'b:1'] });
    expect(finals).toEqual([[1_010], [1_020]]);
    expect(tokens.rechoiceCount).toBe(1);
    // Chosen around b:1 now: no further move until something else appears.
    expect(tokens.rechoose()).toBeUndefined();
  });

  it('leaves the move to a joiner whose id sorts after its own, but not to an alive member', () => {
    const { table, tokens } = setUp();
    tokens.choose();
    table.apply({ id: 'z:1', status: 'joining', incarnation: 1, tokens: [150] });
    expect(tokens.rechoose()).toBeUndefined();
    // The same node finished joining before it heard of us: it no longer moves, so we do.
    table.apply({ id: 'z:1', status: 'alive', incarnation: 1, tokens: [150] });
    expect(tokens.rechoose()).toEqual([1_020]);
  });

  it('moves when a member it saw changed its tokens (a joiner that moved itself)', () => {
    const { table, tokens } = setUp();
    table.apply({ id: 'b:1', status: 'joining', incarnation: 1, tokens: [150] });
    tokens.choose();
    expect(tokens.rechoose()).toBeUndefined();
    table.apply({ id: 'b:1', status: 'joining', incarnation: 2, tokens: [160] });
    expect(tokens.rechoose()).toEqual([1_020]);
  });

  it('never moves before choosing, after settling, or past the bound', () => {
    const { table, tokens } = setUp();
    table.apply({ id: 'b:1', status: 'alive', incarnation: 1, tokens: [150] });
    expect(tokens.rechoose()).toBeUndefined();
    tokens.choose();
    for (let i = 0; i < tokenRechoicesMax + 3; i++) {
      table.apply({ id: 'b:1', status: 'alive', incarnation: 2 + i, tokens: [300 + i] });
      const moved = tokens.rechoose();
      if (i < tokenRechoicesMax) expect(moved).toBeDefined();
      else expect(moved).toBeUndefined();
    }
    expect(tokens.rechoiceCount).toBe(tokenRechoicesMax);
  });

  it('is final once settled (the node serves reads)', () => {
    const { table, tokens } = setUp();
    tokens.choose();
    tokens.settle();
    table.apply({ id: 'b:1', status: 'alive', incarnation: 1, tokens: [150] });
    expect(tokens.rechoose()).toBeUndefined();
    expect(tokens.provisional).toBe(false);
  });

  it('stops moving when the owner declines to choose again', () => {
    const table = new MemberTable({ id: self, status: 'joining', incarnation: 1, tokens: [] });
    table.apply({ id: 'a:1', status: 'alive', incarnation: 1, tokens: [100] });
    const reasons: TokenChoiceReason[] = [];
    const tokens = new ProvisionalTokens({
      self,
      table,
      choose: (_others, reason) => {
        reasons.push(reason);
        return reason === 'join' ? [500] : undefined;
      },
      onFinal: undefined,
    });
    expect(tokens.choose()).toEqual([500]);
    table.apply({ id: 'b:1', status: 'alive', incarnation: 1, tokens: [150] });
    expect(tokens.rechoose()).toBeUndefined();
    table.apply({ id: 'c:1', status: 'alive', incarnation: 1, tokens: [170] });
    expect(tokens.rechoose()).toBeUndefined();
    expect(reasons).toEqual(['join', 'collision']);
  });
});
