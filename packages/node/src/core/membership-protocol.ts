/**
 * The moving parts behind `Membership` (membership.ts has the overview): the protocol period, one handler
 * per message type, how a fact is applied (and how facts about this node are refuted), joining, leaving,
 * admission and the checksum-triggered full-state sync.
 */
import { limits, type MembershipMessage, type MemberUpdate, RingKvError } from '@ringkv/protocol';
import { Dissemination } from './dissemination.js';
import { JoinGate } from './join-gate.js';
import { factOf, type MemberState, type MemberTable } from './member-table.js';
import type { MembershipEvent } from './membership.js';
import type { MembershipConfig } from './membership-config.js';
import { type ProbeMessage, Prober, pickRandom } from './probe.js';
import { ProvisionalTokens, type TokenChoiceReason } from './provisional-tokens.js';
import type { Ring } from './ring.js';
import { Seeds } from './seeds.js';
import { SuspicionTimers } from './suspicion.js';
import { TimerSet } from './timer-set.js';
import { assert, type Clock, type NodeId, type Random } from './types.js';

export interface ProtocolDeps {
  self: NodeId;
  clock: Clock;
  random: Random;
  send: (to: NodeId, message: MembershipMessage) => void;
  config: MembershipConfig;
  table: MemberTable;
  emit: (event: MembershipEvent) => void;
  /**
   * Set when this node's tokens are provisional (a new node): called on the first full state from a
   * cluster (`join`), with the ring of the other members; the tokens it returns replace ours and this node
   * stays `joining` until `markReady()`. Undefined from it keeps our tokens (and we are a returning member).
   * Called again (`collision`) while still joining if another node joined at the same moment
   * (provisional-tokens.ts).
   */
  chooseTokens?: (others: Ring, reason: TokenChoiceReason) => number[] | undefined;
  /** Our tokens stopped being provisional (chosen, or kept because we founded the cluster): keep them. */
  onTokensFinal?: (tokens: number[]) => void;
}

type Lifecycle = 'created' | 'running' | 'leaving' | 'stopped';

export class MembershipProtocol {
  lifecycle: Lifecycle = 'created';
  readonly stats = {
    refutes: 0,
    syncsStarted: 0,
    suspected: 0,
    declaredDead: 0,
    joinAttempts: 0,
    tokenRechoices: 0,
  };
  private readonly timers: TimerSet;
  private readonly queue: Dissemination;
  private readonly suspicion: SuspicionTimers;
  private readonly prober: Prober;
  private readonly lastSyncMs = new Map<NodeId, number>();
  private readonly admitting = new Map<NodeId, number>();
  private seeds: Seeds | undefined;
  private periods = 0;
  /** Started with seeds and none has answered yet: our view of the cluster is only ourselves. */
  private awaitingSeed = false;
  private readonly tokens: ProvisionalTokens;
  private readonly joinGate: JoinGate;

  constructor(private readonly deps: ProtocolDeps) {
    const { config } = deps;
    this.tokens = new ProvisionalTokens({
      self: deps.self,
      table: deps.table,
      choose: deps.chooseTokens,
      onFinal: deps.onTokensFinal,
    });
    this.timers = new TimerSet(deps.clock);
    this.joinGate = new JoinGate({
      clock: deps.clock,
      timers: this.timers,
      joiningMinMs: config.joiningMinMs,
      pullWaitMs: config.pingTimeoutMs,
    });
    this.queue = new Dissemination(config.disseminationQueueMax, config.disseminationFactor);
    this.suspicion = new SuspicionTimers(this.timers, config.suspectTimeoutMs, (id, incarnation) =>
      this.suspicionExpired(id, incarnation),
    );
    this.prober = new Prober({
      timers: this.timers,
      random: deps.random,
      config,
      send: (to, message) => this.sendProbe(to, message),
      targets: () => this.others((status) => status !== 'dead'),
      helpers: (target) => this.others((status, id) => status === 'alive' && id !== target),
      failed: (target) => this.probeFailed(target),
    });
  }

  private get me(): MemberState {
    return this.deps.table.get(this.deps.self)!;
  }

  start(seeds: NodeId[]): void {
    assert(this.lifecycle === 'created', `membership: start() while ${this.lifecycle}`);
    this.lifecycle = 'running';
    this.seeds = new Seeds({
      ...this.deps,
      seeds,
      timers: this.timers,
      joining: () => this.lifecycle === 'running' && this.awaitingSeed,
      selfFact: () => {
        this.stats.joinAttempts++;
        // A new node introduces itself joining (with no tokens yet): it owns nothing until it has chosen.
        return { ...factOf(this.me), status: this.tokens.provisional ? 'joining' : 'alive' };
      },
      sendSync: (to) => this.sendSync(to, true),
    });
    if (this.seeds.seeds.length > 0) {
      this.awaitingSeed = true;
      this.setSelf('joining', this.me.incarnation);
      this.seeds.join();
    }
    this.timers.schedule(this.deps.config.protocolPeriodMs, () => this.tick());
  }

  stop(): void {
    this.lifecycle = 'stopped';
    this.timers.cancelAll();
    this.prober.clear();
    this.queue.clear();
  }

  leave(): void {
    if (this.lifecycle !== 'running') return;
    const fact: MemberUpdate = {
      id: this.deps.self,
      status: 'removed',
      incarnation: this.me.incarnation + 1,
    };
    this.lifecycle = 'leaving';
    this.queue.clear();
    this.queue.enqueue(fact);
    for (const id of this.others(() => true)) this.deps.send(id, { type: 'leave', member: fact });
    this.timers.schedule(this.deps.config.leaveLingerMs, () => this.becomeRemoved());
  }

  admit(id: NodeId): void {
    if (this.admitting.size >= limits.clusterNodesMax) {
      throw new RingKvError('UNAVAILABLE', `already admitting ${this.admitting.size} nodes; try again later`);
    }
    this.tokens.keep();
    this.admitting.set(id, limits.membershipAdmitAttemptsMax);
    this.sendSync(id, true);
  }

  /** A fact decided here (decommission): apply it and gossip it. */
  applyLocal(fact: MemberUpdate): void {
    this.applyFacts([fact], undefined);
  }

  /** forget(): remove `fact.id` and tell every member, and the removed node itself, directly. */
  announceRemoval(fact: MemberUpdate): void {
    this.applyFacts([fact], undefined);
    for (const id of [...this.others(() => true), fact.id])
      this.deps.send(id, { type: 'leave', member: fact });
  }

  onMessage(from: NodeId, message: MembershipMessage): void {
    if (this.lifecycle === 'created' || this.lifecycle === 'stopped') return;
    const joined = this.lifecycle === 'running';
    switch (message.type) {
      case 'ping':
        this.tellRemoved(from);
        this.applyFacts(message.updates, from);
        this.sendProbe(from, { type: 'ack', seq: message.seq });
        this.maybeSync(from, message);
        break;
      case 'ack':
        this.onAck(from, message);
        break;
      case 'ping-req':
        this.applyFacts(message.updates, from);
        this.prober.onPingReq(from, message.seq, message.target);
        break;
      case 'join':
        if (joined && message.member.id === from && this.seeds!.answersJoins())
          this.onJoin(from, message.member);
        break;
      case 'join-reply':
      case 'sync':
        if (joined) this.onFullState(from, message.members, message.type === 'sync' && message.reply);
        break;
      case 'leave':
        this.applyFacts([message.member], from);
        break;
    }
  }

  /** A node we removed still probes us (it missed the news): tell it directly. */
  private tellRemoved(from: NodeId): void {
    const incarnation = this.deps.table.removedAt(from);
    if (incarnation !== undefined) {
      this.deps.send(from, { type: 'leave', member: { id: from, status: 'removed', incarnation } });
    }
  }

  private onAck(from: NodeId, message: { seq: number; checksum: string; updates: MemberUpdate[] }): void {
    this.applyFacts(message.updates, from);
    const relay = this.prober.onAck(message.seq);
    if (relay) this.sendProbe(relay.to, { type: 'ack', seq: relay.seq });
    this.maybeSync(from, message);
  }

  /**
   * A join reply or a sync: merge. A node awaiting its seeds is now in: a returning member is alive at
   * once; a new one chooses its tokens against the ring it now sees and stays joining until `markReady`.
   */
  private onFullState(from: NodeId, members: MemberUpdate[], reply: boolean): void {
    const chose = this.applyFacts(members, from, () => this.chooseTokens());
    const wasAwaiting = this.awaitingSeed;
    this.awaitingSeed = false;
    if (wasAwaiting && this.me.status === 'joining' && !chose) this.setSelf('alive', this.me.incarnation);
    if (chose) this.announce();
    else if (reply) this.sendSync(from, false);
  }

  /**
   * Once, on the first full state with other members: provisional tokens are replaced by the ones the
   * node chooses against the others' ring, and the node becomes (or stays) joining, one incarnation up.
   * Runs before the ring is rebuilt, so no ring with our provisional tokens ever reaches a listener.
   */
  private chooseTokens(): boolean {
    const tokens = this.tokens.choose();
    if (tokens === undefined) return false;
    this.takeTokens(tokens);
    return true;
  }

  /**
   * While joining: a node that joined at the same moment took tokens we did not see when we chose ours;
   * choose again around them (provisional-tokens.ts says who moves). Before the ring is rebuilt, as above.
   */
  private rechooseTokens(): boolean {
    if (this.awaitingSeed || this.lifecycle !== 'running' || this.me.status !== 'joining') return false;
    const tokens = this.tokens.rechoose();
    if (tokens === undefined) return false;
    this.stats.tokenRechoices++;
    this.takeTokens(tokens);
    return true;
  }

  private takeTokens(tokens: number[]): void {
    this.joinGate.tookTokens();
    const previous = { ...this.me, tokens: [...this.me.tokens] };
    const member = { ...previous, status: 'joining' as const, incarnation: previous.incarnation + 1, tokens };
    this.deps.table.replace(member);
    this.queue.enqueue(factOf(member));
    this.deps.emit({ type: 'member', member: { ...member, tokens: [...tokens] }, previous });
  }

  /**
   * A joining node whose ranges have arrived turns alive (a no-op in any other state) once the join gate
   * opens: a node that joined at the same moment announced its tokens to the members we pull from, and once
   * we are alive only it can still move.
   */
  markReady(): void {
    if (this.lifecycle !== 'running' || this.awaitingSeed || this.me.status !== 'joining') return;
    if (
      !this.joinGate.open(
        () => this.pullFullStates(),
        () => this.markReady(),
      )
    )
      return;
    this.tokens.settle();
    this.setSelf('alive', this.me.incarnation);
    this.announce();
  }

  private pullFullStates(): void {
    const members = this.others((status) => status === 'alive' || status === 'joining');
    for (const id of pickRandom(members, this.deps.config.indirectPingCount, this.deps.random)) {
      this.sendSync(id, true);
    }
  }

  /** Whether we started with seeds and none has answered yet. */
  isAwaitingSeed(): boolean {
    return this.awaitingSeed;
  }

  /** Pushes our full state to every other member at once (token choice, end of a join): no gossip delay. */
  private announce(): void {
    for (const id of this.others(() => true)) this.sendSync(id, false);
  }

  private tick(): void {
    if (this.lifecycle !== 'running' && this.lifecycle !== 'leaving') return;
    this.prober.probeNext();
    this.periods++;
    const { protocolPeriodMs, seedSyncIntervalMs } = this.deps.config;
    const seedSyncEvery = Math.max(1, Math.round(seedSyncIntervalMs / protocolPeriodMs));
    if (!this.awaitingSeed && this.periods % seedSyncEvery === 0) this.seeds!.syncWithOne();
    const dead = this.others((status) => status === 'dead');
    if (dead.length > 0) this.prober.ping(dead[this.deps.random.int(dead.length)]!);
    for (const [id, attemptsLeft] of this.admitting) {
      if (this.deps.table.get(id) || attemptsLeft <= 0) this.admitting.delete(id);
      else {
        this.admitting.set(id, attemptsLeft - 1);
        this.sendSync(id, true);
      }
    }
    this.timers.schedule(this.deps.config.protocolPeriodMs, () => this.tick());
  }

  private onJoin(from: NodeId, member: MemberUpdate): void {
    this.tokens.keep();
    this.applyFacts([member], from);
    const members = this.deps.table.fullState();
    this.deps.send(from, { type: 'join-reply', members, checksum: this.deps.table.checksum() });
  }

  /** Applies a batch of facts, then `beforeSettle` (its result is returned), then rebuilds the ring once. */
  private applyFacts(
    facts: readonly MemberUpdate[],
    source: NodeId | undefined,
    beforeSettle?: () => boolean,
  ): boolean {
    for (const fact of facts) {
      if (fact.id === this.deps.self) this.onSelfFact(fact);
      else this.applyFact(fact, source);
    }
    const result = beforeSettle?.() ?? false;
    const rechose = !result && this.rechooseTokens();
    if (this.deps.table.settle()) this.deps.emit({ type: 'ring', ring: this.deps.table.ring() });
    if (rechose) this.announce();
    return result;
  }

  private applyFact(fact: MemberUpdate, source: NodeId | undefined): void {
    const result = this.deps.table.apply(fact);
    if (result.kind === 'changed') {
      const { member, previous } = result;
      this.queue.enqueue(factOf(member), source);
      if (member.status === 'suspect') this.suspicion.suspect(member.id, member.incarnation);
      else this.suspicion.clear(member.id);
      this.deps.emit(previous ? { type: 'member', member, previous } : { type: 'member', member });
    } else if (result.kind === 'removed') {
      this.suspicion.clear(fact.id);
      this.queue.enqueue({ id: fact.id, status: 'removed', incarnation: fact.incarnation }, source);
      this.deps.emit({ type: 'removed', id: fact.id });
    }
  }

  /** Someone says something about us: removal and decommission we accept; suspicion we refute. */
  private onSelfFact(fact: MemberUpdate): void {
    const me = this.me;
    if (fact.incarnation < me.incarnation) return;
    if (fact.status === 'removed') {
      if (this.lifecycle === 'running') this.becomeRemoved();
      return;
    }
    if (fact.status === 'leaving' && me.status !== 'leaving') {
      this.setSelf('leaving', fact.incarnation);
    } else if (fact.status === 'suspect' || fact.status === 'dead' || fact.incarnation > me.incarnation) {
      this.stats.refutes++;
      this.setSelf(me.status, fact.incarnation + 1);
    }
  }

  private setSelf(status: MemberState['status'], incarnation: number): void {
    const previous = { ...this.me };
    const member = { ...previous, status, incarnation };
    this.deps.table.replace(member);
    const ringChanged = this.deps.table.settle();
    // Before any seed answered, there is no one to tell (and our join message carries the fact).
    if (!this.awaitingSeed) this.queue.enqueue(factOf(member));
    this.deps.emit({ type: 'member', member: { ...member }, previous });
    if (ringChanged) this.deps.emit({ type: 'ring', ring: this.deps.table.ring() });
  }

  private becomeRemoved(): void {
    this.stop();
    this.deps.emit({ type: 'removed', id: this.deps.self });
  }

  private probeFailed(target: NodeId): void {
    const member = this.deps.table.get(target);
    if (this.lifecycle !== 'running' || !member) return;
    if (member.status === 'suspect' || member.status === 'dead') return;
    this.stats.suspected++;
    this.applyFacts([{ id: target, status: 'suspect', incarnation: member.incarnation }], undefined);
  }

  private suspicionExpired(id: NodeId, incarnation: number): void {
    const member = this.deps.table.get(id);
    if (member?.status !== 'suspect' || member.incarnation !== incarnation) return;
    this.stats.declaredDead++;
    this.applyFacts([{ id, status: 'dead', incarnation }], undefined);
  }

  /**
   * Gossip converges on its own while facts are in flight. When neither side has anything left to say
   * and the checksums still differ, some fact was lost (or forgotten by a full queue): push-pull the full
   * state, at most once per `syncIntervalMs` per peer.
   */
  private maybeSync(from: NodeId, message: { checksum: string; updates: readonly MemberUpdate[] }): void {
    if (this.lifecycle !== 'running' || this.awaitingSeed) return;
    if (message.updates.length > 0 || !this.deps.table.get(from) || this.queue.hasFor(from)) return;
    if (message.checksum === this.deps.table.checksum()) return;
    const nowMs = this.deps.clock.nowMs();
    const lastMs = this.lastSyncMs.get(from);
    if (lastMs !== undefined && nowMs - lastMs < this.deps.config.syncIntervalMs) return;
    if (this.lastSyncMs.size >= limits.clusterNodesMax) this.lastSyncMs.clear();
    this.lastSyncMs.set(from, nowMs);
    this.stats.syncsStarted++;
    this.sendSync(from, true);
  }

  private sendSync(to: NodeId, reply: boolean): void {
    const { table } = this.deps;
    this.deps.send(to, { type: 'sync', reply, members: table.fullState(), checksum: table.checksum() });
  }

  /**
   * Adds our checksum and piggybacked facts. A ping to a member we hold suspect always carries that
   * suspicion (Lifeguard's "buddy system"), so the member can refute at once instead of waiting for
   * the rumour to reach it.
   */
  private sendProbe(to: NodeId, message: ProbeMessage): void {
    const { table } = this.deps;
    const target = table.get(to);
    const buddy = message.type === 'ping' && target?.status === 'suspect';
    const max = limits.membershipUpdatesPerMessageMax - (buddy ? 1 : 0);
    const updates = this.queue.take(to, table.size, max);
    if (buddy && !updates.some((update) => update.id === to)) updates.unshift(factOf(target));
    this.deps.send(to, { ...message, checksum: table.checksum(), updates });
  }

  private others(keep: (status: MemberState['status'], id: NodeId) => boolean): NodeId[] {
    const ids: NodeId[] = [];
    for (const member of this.deps.table.view()) {
      if (member.id !== this.deps.self && keep(member.status, member.id)) ids.push(member.id);
    }
    return ids;
  }
}
