/**
 * A simulated node that runs membership alone: the real `Membership` core, fed through the simulated
 * network. Every packet is decoded with the same zod decoder the peer transport uses; in the simulator a
 * message that fails to decode is a bug in the sender, so it fails the run.
 */
import { decodeMembershipMessage } from '@ringkv/protocol';
import { Membership, type MembershipConfig, type MembershipEvent } from '../core/membership.js';
import { defaultTokens, type Ring } from '../core/ring.js';
import { allocateTokens, evenlySpacedTokens } from '../core/tokens.js';
import type { NodeId } from '../core/types.js';
import type { SimNodeContext, SimNodeFactory } from './harness.js';

/** Protocol settings of the membership scenarios: the defaults, with few vnodes to keep runs fast. */
export const simMembershipConfig: Partial<MembershipConfig> = { vnodes: 8 };

/**
 * 'default': tokens from the id (defaultTokens); 'allocate': provisional, chosen on joining (tokens.ts),
 * and the test calls `markReady()`; 'allocate-and-stream': as 'allocate', and the node marks itself ready
 * 0 to 3 s (from its seed) after each time it takes tokens, as a real node does when its ranges have
 * streamed in.
 */
export type TokenChoice = 'default' | 'allocate' | 'allocate-and-stream';

/** The longest simulated streaming of a joiner's ranges ('allocate-and-stream'). */
const simStreamingMsMax = 3_000;

export interface ObservedEvent {
  atMs: number;
  event: MembershipEvent;
}

export class MembershipSimNode {
  readonly membership: Membership;
  /** Status changes seen by this node, for checkers that care about order (suspect before dead). */
  readonly events: ObservedEvent[] = [];

  constructor(
    context: SimNodeContext,
    seeds: NodeId[],
    config: Partial<MembershipConfig>,
    tokenChoice: TokenChoice = 'default',
  ) {
    const vnodes = config.vnodes ?? simMembershipConfig.vnodes!;
    // 'allocate': a new node, as the real one starts with an empty data directory (io/node-tokens.ts).
    const allocate = tokenChoice !== 'default';
    this.membership = new Membership({
      self: context.id,
      clock: context.clock,
      random: context.random,
      send: (to, message) => context.endpoint.send(to, message),
      tokens: !allocate
        ? defaultTokens(context.id, vnodes)
        : seeds.length > 0
          ? []
          : evenlySpacedTokens(context.id, vnodes),
      ...(allocate ? { chooseTokens: (others: Ring) => allocateTokens(others, context.id, vnodes) } : {}),
      config,
    });
    this.membership.onEvent((event) => {
      if (event.type !== 'ring') this.events.push({ atMs: context.clock.nowMs(), event });
      if (tokenChoice === 'allocate-and-stream' && tookTokens(event, context.id)) {
        const streamingMs = context.random.between(0, simStreamingMsMax);
        context.clock.setTimer(streamingMs, () => this.membership.markReady());
      }
    });
    context.endpoint.onMessage((from, raw) => {
      const decoded = decodeMembershipMessage(raw);
      if (!decoded.ok)
        throw new Error(`${context.id} got an invalid message from ${from}: ${decoded.error.message}`);
      this.membership.onMessage(from, decoded.message);
    });
    this.membership.start(seeds);
  }

  onCrash(): void {
    this.membership.stop();
  }
}

/** This node took tokens while joining (chosen on first contact, or chosen again after a collision). */
function tookTokens(event: MembershipEvent, self: NodeId): boolean {
  if (event.type !== 'member' || event.member.id !== self || event.member.status !== 'joining') return false;
  const before = event.previous?.tokens ?? [];
  return event.member.tokens.length > 0 && event.member.tokens.join() !== before.join();
}

/** A factory whose nodes join through the seeds `seedsFor(id)` picks at each (re)start. */
export function membershipNodes(
  seedsFor: (id: NodeId) => NodeId[],
  config: Partial<MembershipConfig> = simMembershipConfig,
  tokenChoice: TokenChoice = 'default',
): SimNodeFactory<MembershipSimNode> {
  return (context) => new MembershipSimNode(context, seedsFor(context.id), config, tokenChoice);
}
