/**
 * SWIM membership (Das, Gupta, Motivala 2002) with memberlist's and ringpop's refinements, as a pure state
 * machine: it reads time and sets timers only through `Clock`, draws randomness only from `Random`, and
 * talks only through `send`. The same code runs in the node process and in the simulator.
 *
 * - Failure detection (probe.ts): a probe per protocol period, round robin; ping-req through k peers; a
 *   member that answers neither way is suspected at its incarnation; a suspect not refuted within
 *   `suspectTimeoutMs` is declared dead (suspicion.ts). Dead members stay listed and in the ring until
 *   removed (their data is still owned there); one dead member is pinged each period, so a healed
 *   partition or a restarted node is noticed.
 * - Refutation: a node that hears it is suspect or dead bumps its incarnation and announces itself again.
 * - Dissemination (dissemination.ts): facts ride on pings, acks and ping-reqs; when two nodes' checksums
 *   differ and neither has anything left to gossip, one starts a full-state push-pull sync.
 * - Joining goes through seeds (retried with backoff until one answers with its full state); `leave()`
 *   announces a `removed` fact to every member; `admit`, `decommission` and `forget` serve add_node and
 *   remove_node. Precedence between facts is in member-table.ts.
 */
import { limits, type MembershipMessage, RingKvError } from '@ringkv/protocol';
import { type MemberState, MemberTable } from './member-table.js';
import { type MembershipConfig, resolveMembershipConfig } from './membership-config.js';
import { MembershipProtocol } from './membership-protocol.js';
import type { TokenChoiceReason } from './provisional-tokens.js';
import type { Ring } from './ring.js';
import type { Clock, NodeId, Random } from './types.js';

export { factOf, type MemberState, type MemberStatus, supersedes } from './member-table.js';
export type { MembershipConfig } from './membership-config.js';

export type MembershipEvent =
  | { type: 'member'; member: MemberState; previous?: MemberState }
  | { type: 'removed'; id: NodeId }
  | { type: 'ring'; ring: Ring };

export interface MembershipDeps {
  self: NodeId;
  clock: Clock;
  random: Random;
  /** Fire and forget through the peer transport. */
  send: (to: NodeId, message: MembershipMessage) => void;
  /** This node's tokens on the ring (may be empty when `chooseTokens` is set and seeds are given). */
  tokens: number[];
  /**
   * A new node's tokens are provisional: on first contact with a cluster this picks the real ones against
   * the other members' ring (core/tokens.ts `allocateTokens`), and the node is `joining` until
   * `markReady()` (its ranges have streamed in). Returning undefined keeps the provisional tokens. Called
   * again with `collision` while joining when another node joined at the same moment.
   */
  chooseTokens?: (others: Ring, reason: TokenChoiceReason) => number[] | undefined;
  /** With `chooseTokens`: the tokens stopped being provisional (chosen, or kept as the founder). */
  onTokensFinal?: (tokens: number[]) => void;
  config?: Partial<MembershipConfig>;
  /** Starting incarnation; defaults to the clock's milliseconds, so every restart starts higher. */
  incarnation?: number;
}

export class Membership {
  readonly self: NodeId;
  readonly config: MembershipConfig;
  private readonly table: MemberTable;
  private readonly protocol: MembershipProtocol;
  private readonly listeners = new Set<(event: MembershipEvent) => void>();

  constructor(deps: MembershipDeps) {
    this.self = deps.self;
    this.config = resolveMembershipConfig(deps.config);
    const tokensMin = deps.chooseTokens ? 0 : 1;
    if (deps.tokens.length < tokensMin || deps.tokens.length > limits.vnodesMax) {
      throw new Error(`membership: a node declares 1..${limits.vnodesMax} tokens, not ${deps.tokens.length}`);
    }
    const incarnation = deps.incarnation ?? Math.floor(deps.clock.nowMs());
    this.table = new MemberTable({ id: deps.self, status: 'alive', incarnation, tokens: deps.tokens });
    this.table.settle();
    this.protocol = new MembershipProtocol({
      self: deps.self,
      clock: deps.clock,
      random: deps.random,
      send: deps.send,
      config: this.config,
      table: this.table,
      emit: (event) => this.emit(event),
      ...(deps.chooseTokens ? { chooseTokens: deps.chooseTokens } : {}),
      ...(deps.onTokensFinal ? { onTokensFinal: deps.onTokensFinal } : {}),
    });
  }

  /** Starts protocol periods; with seeds, joins through them (retrying with backoff until one answers). */
  start(seeds: NodeId[]): void {
    this.protocol.start(seeds);
  }

  /** Cancels every timer; messages are ignored from now on. */
  stop(): void {
    this.protocol.stop();
  }

  /** Graceful leave: announce our removal to every member, keep gossiping it briefly, then stop. */
  leave(): void {
    this.protocol.leave();
  }

  onMessage(from: NodeId, message: MembershipMessage): void {
    this.protocol.onMessage(from, message);
  }

  /**
   * add_node: offer our full state to the running node `id` (the transport has checked that it answers)
   * until it answers with its own; the two states merge and gossip carries the newcomer everywhere.
   * Throws NODE_EXISTS when `id` is already a member that is not dead (a suspect one too: it is a member,
   * and a node under load is suspected for a moment right after it joins). A dead member may be added again.
   */
  admit(id: NodeId): void {
    if (id === this.self || this.isMember(id))
      throw new RingKvError('NODE_EXISTS', `${id} is already a member`);
    this.protocol.admit(id);
  }

  /** Whether `id` is in this node's member table with any status but `dead` (what add_node refuses). */
  isMember(id: NodeId): boolean {
    const status = this.table.get(id)?.status;
    return status !== undefined && status !== 'dead';
  }

  /**
   * remove_node: mark `id` leaving, everywhere. The fact is announced `membershipOperatorIncarnationStep`
   * incarnations above the member's, so a refutation in flight cannot undo it. Throws NODE_NOT_FOUND for
   * an unknown id.
   */
  decommission(id: NodeId): void {
    const member = this.requireMember(id);
    if (member.status === 'leaving') return;
    const incarnation = member.incarnation + limits.membershipOperatorIncarnationStep;
    this.protocol.applyLocal({ id, status: 'leaving', incarnation, tokens: member.tokens });
  }

  /** remove_node completed: `id` leaves the ring for good (until it restarts and rejoins). */
  forget(id: NodeId): void {
    const member = this.requireMember(id);
    if (id === this.self) {
      this.leave();
      return;
    }
    const incarnation = member.incarnation + limits.membershipOperatorIncarnationStep;
    this.protocol.announceRemoval({ id, status: 'removed', incarnation });
  }

  /** Every member, this node included, sorted by id. Removed members are not listed. */
  members(): MemberState[] {
    return this.table.list();
  }

  member(id: NodeId): MemberState | undefined {
    const member = this.table.get(id);
    return member && { ...member, tokens: [...member.tokens] };
  }

  /** Alive, joining or leaving: reachable as far as we know (not suspect, not dead). */
  isLive(id: NodeId): boolean {
    const status = this.table.get(id)?.status;
    return status === 'alive' || status === 'joining' || status === 'leaving';
  }

  /** The serving ring: every member with tokens except joining ones. Reads and coordination use it. */
  ring(): Ring {
    return this.table.ring();
  }

  /** The serving ring plus joining members: writes reach them too, and rebalancing streams to them. */
  fullRing(): Ring {
    return this.table.fullRing();
  }

  /** A joining node whose ranges have all arrived announces itself alive (no-op otherwise). */
  markReady(): void {
    this.protocol.markReady();
  }

  /** Started with seeds, and none has answered yet (we know no cluster to serve from). */
  awaitingSeed(): boolean {
    return this.protocol.isAwaitingSeed();
  }

  /** Increments on every change of the ring seen here. */
  epoch(): number {
    return this.table.epoch();
  }

  /** The ring's checksum: equal on every node once gossip settles. */
  checksum(): string {
    return this.table.ring().checksum;
  }

  /** The checksum of every member's status and incarnation too (what pings carry). */
  stateChecksum(): string {
    return this.table.checksum();
  }

  /** Counters for metrics and the simulator's reports. */
  stats(): Readonly<Record<string, number>> {
    return this.protocol.stats;
  }

  /** Whether the protocol is running (false before start, after stop, leave or removal). */
  running(): boolean {
    return this.protocol.lifecycle === 'running';
  }

  onEvent(listener: (event: MembershipEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private requireMember(id: NodeId): MemberState {
    const member = this.table.get(id);
    if (!member) throw new RingKvError('NODE_NOT_FOUND', `${id} is not a member`);
    return member;
  }

  private emit(event: MembershipEvent): void {
    for (const listener of this.listeners) listener(event);
  }
}
