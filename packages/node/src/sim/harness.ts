/**
 * `SimCluster`: N simulated nodes in one process, on one virtual clock and one seeded network.
 *
 * How to build full nodes on it (replication engineer): pass a `factory` that receives a `SimNodeContext`
 * and returns your node, started. The context carries everything a node may touch:
 *   - `clock`: this node's `Clock` view (timers are cancelled when it crashes),
 *   - `random`: this node's own seeded `Random` stream (a fresh stream on every restart),
 *   - `endpoint`: `send(to, message)` / `onMessage(handler)` for ANY message (membership and data alike);
 *     payloads cross the network as JSON, so decode them on receipt as the real transport does,
 *   - `durable(name, create)`: state that survives crash/restart, e.g.
 *     `const store = context.durable('store', () => new MemoryStore())` keeps the store across a crash.
 * Example:
 *   const cluster = new SimCluster({ seed, scenario: 'replication-quorum', factory: (context) =>
 *     buildFullNode(context) });   // membership + coordinator + store
 *   cluster.add('n1:7001'); ...; cluster.runFor(10_000);     // synchronous nodes
 *   await cluster.runForAsync(10_000);                         // nodes with async code (promises)
 *   cluster.crash('n2:7001'); cluster.restart('n2:7001');
 *   if (!ok) cluster.fail('acknowledged write lost: ...');     // throws with the one-line replay command
 * `runForAsync` drains every microtask (and promise chain) between two events with `setImmediate`, so
 * async code stays deterministic as long as it waits only on simulated events. Scenarios register
 * themselves in `sim/scenarios.ts` (`registerScenario`) and are listed in `sim/all-scenarios.ts`.
 */
import type { NodeId } from '../core/types.js';
import { type NodeClock, SimClock } from './clock.js';
import { drawFaultRates, type Endpoint, type FaultRates, SimNetwork } from './network.js';
import { Prng } from './prng.js';

export interface SimNodeContext {
  readonly id: NodeId;
  readonly clock: NodeClock;
  readonly random: Prng;
  readonly endpoint: Endpoint;
  /** 0 on the first start, then 1, 2, ... after each restart. */
  readonly restarts: number;
  /** A value created once per node id that survives crashes (the node's store, its data directory). */
  durable<T>(name: string, create: () => T): T;
}

/** A simulated node. `onCrash` (optional) is told that the process died; it must not send anything. */
export interface SimNode {
  onCrash?(): void;
}

export type SimNodeFactory<N extends object> = (context: SimNodeContext) => N;

export interface SimClusterOptions<N extends object> {
  seed: number;
  factory: SimNodeFactory<N>;
  /** For the replay command. */
  scenario: string;
  /** Defaults to rates drawn from the seed (swarm testing). */
  faults?: FaultRates;
  /** The `--nodes` of the replay command (defaults to the number of nodes added). */
  nodes?: number;
  /** Each node's wall clock is off by up to this much (both ways). */
  clockSkewMsMax?: number;
}

export class SimFailure extends Error {
  constructor(
    message: string,
    readonly replay: string,
  ) {
    super(`${message}\n  replay: ${replay}`);
    this.name = 'SimFailure';
  }
}

export function replayCommand(seed: number, nodes: number, scenario: string): string {
  return `pnpm sim --seed ${seed} --nodes ${nodes} --scenario ${scenario}`;
}

interface Slot<N> {
  node: N | undefined;
  clock: NodeClock | undefined;
  restarts: number;
  durable: Map<string, unknown>;
}

const flushMicrotasks = () => new Promise<void>((resolve) => setImmediate(resolve));

export class SimCluster<N extends object> {
  readonly clock = new SimClock();
  readonly network: SimNetwork;
  /** The scenario's own stream: which node crashes, where the partition falls. */
  readonly random: Prng;
  readonly seed: number;
  readonly scenario: string;
  private readonly root: Prng;
  private readonly slots = new Map<NodeId, Slot<N>>();

  constructor(private readonly options: SimClusterOptions<N>) {
    this.seed = options.seed;
    this.scenario = options.scenario;
    this.root = new Prng(options.seed);
    this.random = this.root.fork('scenario');
    const faults = options.faults ?? drawFaultRates(this.root.fork('faults'));
    this.network = new SimNetwork(this.clock, this.root.fork('network'), faults);
  }

  /** Creates and starts node `id` (it must be new). */
  add(id: NodeId): N {
    if (this.slots.has(id)) throw new Error(`sim: node ${id} already exists`);
    this.slots.set(id, { node: undefined, clock: undefined, restarts: 0, durable: new Map() });
    return this.boot(id);
  }

  /** Every node ever added, in the order added. */
  ids(): NodeId[] {
    return [...this.slots.keys()];
  }

  /** Nodes currently running. */
  running(): NodeId[] {
    return this.ids().filter((id) => this.slots.get(id)!.node !== undefined);
  }

  isRunning(id: NodeId): boolean {
    return this.slots.get(id)?.node !== undefined;
  }

  node(id: NodeId): N {
    const node = this.slots.get(id)?.node;
    if (!node) throw new Error(`sim: node ${id} is not running`);
    return node;
  }

  /** The process dies: timers stop, packets to it are lost, only `durable` state survives. */
  crash(id: NodeId): void {
    const slot = this.slot(id);
    if (!slot.node) return;
    slot.clock!.cancelAll();
    this.network.close(id);
    (slot.node as SimNode).onCrash?.();
    slot.node = undefined;
    slot.clock = undefined;
  }

  /** Starts a crashed node again through the factory, with its durable state. */
  restart(id: NodeId): N {
    const slot = this.slot(id);
    if (slot.node) throw new Error(`sim: node ${id} is running`);
    slot.restarts++;
    return this.boot(id);
  }

  /** Runs every event due in the next `ms` milliseconds of virtual time (synchronous nodes). */
  runFor(ms: number): void {
    const untilMs = this.clock.nowMs() + ms;
    for (let next = this.clock.nextAtMs(); next !== undefined && next <= untilMs; ) {
      this.clock.step();
      next = this.clock.nextAtMs();
    }
    this.clock.advanceTo(untilMs);
  }

  /** Like `runFor`, draining promise chains between events (nodes with async code). */
  async runForAsync(ms: number): Promise<void> {
    const untilMs = this.clock.nowMs() + ms;
    await flushMicrotasks();
    for (let next = this.clock.nextAtMs(); next !== undefined && next <= untilMs; ) {
      this.clock.step();
      await flushMicrotasks();
      next = this.clock.nextAtMs();
    }
    this.clock.advanceTo(untilMs);
  }

  /**
   * Runs in steps of `stepMs` until `done()` holds or `timeoutMs` passes. Returns the elapsed virtual
   * milliseconds when it held, undefined on timeout.
   */
  runUntil(done: () => boolean, timeoutMs: number, stepMs: number): number | undefined {
    const startMs = this.clock.nowMs();
    for (let waitedMs = 0; waitedMs <= timeoutMs; waitedMs += stepMs) {
      if (done()) return this.clock.nowMs() - startMs;
      this.runFor(stepMs);
    }
    return undefined;
  }

  replayCommand(): string {
    return replayCommand(this.seed, this.options.nodes ?? this.slots.size, this.scenario);
  }

  /** Throws a `SimFailure` whose message ends with the one-line replay command. */
  fail(message: string): never {
    throw new SimFailure(
      `[seed ${this.seed} at ${this.clock.elapsedMs()}ms] ${message}`,
      this.replayCommand(),
    );
  }

  private slot(id: NodeId): Slot<N> {
    const slot = this.slots.get(id);
    if (!slot) throw new Error(`sim: unknown node ${id}`);
    return slot;
  }

  private boot(id: NodeId): N {
    const slot = this.slot(id);
    const skewMax = this.options.clockSkewMsMax ?? 0;
    const nodeRandom = this.root.fork(`node:${id}:${slot.restarts}`);
    const clock = this.clock.view(skewMax > 0 ? nodeRandom.between(-skewMax, skewMax) : 0);
    const context: SimNodeContext = {
      id,
      clock,
      random: nodeRandom,
      endpoint: this.network.endpoint(id),
      restarts: slot.restarts,
      durable: <T>(name: string, create: () => T): T => {
        if (!slot.durable.has(name)) slot.durable.set(name, create());
        return slot.durable.get(name) as T;
      },
    };
    slot.clock = clock;
    slot.node = this.options.factory(context);
    return slot.node;
  }
}
