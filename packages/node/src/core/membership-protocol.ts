/**
 * The moving parts behind `Membership` (membership.ts has the overview): the lifecycle (start, leave,
 * stop), the protocol period and one handler per message type. The ideas they use live beside it:
 * applying facts (membership-facts.ts), this node's own entry and refutation (membership-self.ts),
 * joining and token choice (membership-joining.ts), add_node (membership-admission.ts), and the checksums,
 * piggybacked facts and full-state syncs that probes carry (membership-sync.ts).
 */
import type { MembershipMessage, MemberUpdate } from '@ringkv/protocol';
import { Dissemination } from './dissemination.js';
import type { MemberState, MemberTable } from './member-table.js';
import type { MembershipEvent } from './membership.js';
import { Admission } from './membership-admission.js';
import type { MembershipConfig } from './membership-config.js';
import { MemberFacts } from './membership-facts.js';
import { Joining, type TokenChoiceDeps } from './membership-joining.js';
import { SelfState } from './membership-self.js';
import { StateSync } from './membership-sync.js';
import { Prober, pickRandom } from './probe.js';
import { Seeds } from './seeds.js';
import { TimerSet } from './timer-set.js';
import { assert, type Clock, type NodeId, type Random } from './types.js';

export interface ProtocolDeps extends TokenChoiceDeps {
  self: NodeId;
  clock: Clock;
  random: Random;
  send: (to: NodeId, message: MembershipMessage) => void;
  config: MembershipConfig;
  table: MemberTable;
  emit: (event: MembershipEvent) => void;
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
  private readonly facts: MemberFacts;
  private readonly prober: Prober;
  private readonly sync: StateSync;
  private readonly selfState: SelfState;
  private readonly admission: Admission;
  private seeds: Seeds | undefined;
  private periods = 0;
  private readonly joining: Joining;

  constructor(private readonly deps: ProtocolDeps) {
    const { config } = deps;
    this.timers = new TimerSet(deps.clock);
    this.queue = new Dissemination(config.disseminationQueueMax, config.disseminationFactor);
    this.sync = new StateSync({ ...deps, queue: this.queue });
    this.selfState = new SelfState({ ...deps, queue: this.queue, gossips: () => !this.awaitingSeed });
    this.joining = new Joining({ ...deps, timers: this.timers, selfState: this.selfState });
    this.admission = new Admission({
      table: deps.table,
      offer: (to) => this.sync.sendSync(to, true),
      founding: () => this.joining.keep(),
    });
    this.facts = new MemberFacts({
      ...deps,
      queue: this.queue,
      timers: this.timers,
      selfState: this.selfState,
      stats: this.stats,
      running: () => this.lifecycle === 'running',
      removedSelf: () => {
        if (this.lifecycle === 'running') this.becomeRemoved();
      },
      rechooseTokens: () => this.rechooseTokens(),
      announce: () => this.announce(),
    });
    this.prober = new Prober({
      timers: this.timers,
      random: deps.random,
      config,
      send: (to, message) => this.sync.sendProbe(to, message),
      targets: () => this.others((status) => status !== 'dead'),
      helpers: (target) => this.others((status, id) => status === 'alive' && id !== target),
      failed: (target) => this.facts.probeFailed(target),
    });
  }

  private get me(): MemberState {
    return this.selfState.me;
  }

  private get awaitingSeed(): boolean {
    return this.joining.awaitingSeed;
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
        return this.joining.introduction();
      },
      sendSync: (to) => this.sync.sendSync(to, true),
    });
    if (this.seeds.seeds.length > 0) {
      this.joining.awaitingSeed = true;
      this.selfState.set('joining', this.me.incarnation);
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
    this.admission.admit(id);
  }

  /** A fact decided here (decommission): apply it and gossip it. */
  applyLocal(fact: MemberUpdate): void {
    this.facts.apply([fact], undefined);
  }

  /** forget(): remove `fact.id` and tell every member, and the removed node itself, directly. */
  announceRemoval(fact: MemberUpdate): void {
    this.facts.apply([fact], undefined);
    for (const id of [...this.others(() => true), fact.id])
      this.deps.send(id, { type: 'leave', member: fact });
  }

  onMessage(from: NodeId, message: MembershipMessage): void {
    if (this.lifecycle === 'created' || this.lifecycle === 'stopped') return;
    const joined = this.lifecycle === 'running';
    switch (message.type) {
      case 'ping':
        this.tellRemoved(from);
        this.facts.apply(message.updates, from);
        this.sync.sendProbe(from, { type: 'ack', seq: message.seq });
        this.maybeSync(from, message);
        break;
      case 'ack':
        this.onAck(from, message);
        break;
      case 'ping-req':
        this.facts.apply(message.updates, from);
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
        this.facts.apply([message.member], from);
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
    this.facts.apply(message.updates, from);
    const relay = this.prober.onAck(message.seq);
    if (relay) this.sync.sendProbe(relay.to, { type: 'ack', seq: relay.seq });
    this.maybeSync(from, message);
  }

  /**
   * A join reply or a sync: merge. A node awaiting its seeds is now in: a returning member is alive at
   * once; a new one chooses its tokens against the ring it now sees and stays joining until `markReady`.
   */
  private onFullState(from: NodeId, members: MemberUpdate[], reply: boolean): void {
    const chose = this.facts.apply(members, from, () => this.joining.choose());
    const wasAwaiting = this.awaitingSeed;
    this.joining.awaitingSeed = false;
    if (wasAwaiting && this.me.status === 'joining' && !chose)
      this.selfState.set('alive', this.me.incarnation);
    if (chose) this.announce();
    else if (reply) this.sync.sendSync(from, false);
  }

  /**
   * A joining node whose ranges have arrived turns alive (a no-op in any other state) once the join gate
   * opens: a node that joined at the same moment announced its tokens to the members we pull from, and once
   * we are alive only it can still move.
   */
  markReady(): void {
    if (this.lifecycle !== 'running' || this.awaitingSeed || this.me.status !== 'joining') return;
    if (
      !this.joining.mayTurnAlive(
        () => this.pullFullStates(),
        () => this.markReady(),
      )
    )
      return;
    this.selfState.set('alive', this.me.incarnation);
    this.announce();
  }

  private pullFullStates(): void {
    const members = this.others((status) => status === 'alive' || status === 'joining');
    for (const id of pickRandom(members, this.deps.config.indirectPingCount, this.deps.random)) {
      this.sync.sendSync(id, true);
    }
  }

  /** Whether we started with seeds and none has answered yet. */
  isAwaitingSeed(): boolean {
    return this.awaitingSeed;
  }

  /** Pushes our full state to every other member at once (token choice, end of a join): no gossip delay. */
  private announce(): void {
    for (const id of this.others(() => true)) this.sync.sendSync(id, false);
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
    this.admission.tick();
    this.timers.schedule(this.deps.config.protocolPeriodMs, () => this.tick());
  }

  private onJoin(from: NodeId, member: MemberUpdate): void {
    this.joining.keep();
    this.facts.apply([member], from);
    const members = this.deps.table.fullState();
    this.deps.send(from, { type: 'join-reply', members, checksum: this.deps.table.checksum() });
  }

  /** While joining, chooses tokens again around a concurrent joiner's (membership-joining.ts). */
  private rechooseTokens(): boolean {
    if (this.lifecycle !== 'running' || !this.joining.rechoose()) return false;
    this.stats.tokenRechoices++;
    return true;
  }

  private becomeRemoved(): void {
    this.stop();
    this.deps.emit({ type: 'removed', id: this.deps.self });
  }

  /** A probe's checksum differs from ours: a full sync may be due (membership-sync.ts decides). */
  private maybeSync(from: NodeId, message: { checksum: string; updates: readonly MemberUpdate[] }): void {
    if (this.lifecycle !== 'running' || this.awaitingSeed) return;
    if (this.sync.maybeSync(from, message)) this.stats.syncsStarted++;
  }

  private others(keep: (status: MemberState['status'], id: NodeId) => boolean): NodeId[] {
    const ids: NodeId[] = [];
    for (const member of this.deps.table.view()) {
      if (member.id !== this.deps.self && keep(member.status, member.id)) ids.push(member.id);
    }
    return ids;
  }
}
