/**
 * The local cluster launcher behind `ringkv cluster` and `pnpm start`: N `ringkv node` children on
 * consecutive ports (the first alone, the rest joining it), data under `<dir>/<port>`, logs under
 * `<dir>/logs/<port>.log`. It restarts nothing: a node that dies is reported loudly and stays down. It stops
 * every node gracefully on request, and can start one more node and admit it (`ringkv cluster add`).
 * Nodes added that way are remembered in `<dir>/launcher.json` and started again (joining) next time, so a
 * restart brings back the whole cluster and its data.
 *
 * Lifecycle: starting -> running -> stopping -> stopped; start() failing goes straight to stopping.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HttpClient, RingKvError } from '@ringkv/client';
import { type AddNodeResult, limits } from '@ringkv/protocol';
import { waitHealthy, waitMembers } from './health.js';
import { describeExit, NodeProcess } from './node-process.js';

export interface LauncherConfig {
  nodes: number;
  basePort: number;
  host: string;
  /** Absolute data directory, or undefined for --memory. */
  dataDir: string | undefined;
  controlPort: number;
  token: string | undefined;
  /** `ringkv node` flags passed to every node (token, cluster secret, vnodes, ...). */
  extraArgs: string[];
}

export interface Output {
  info(line: string): void;
  alert(line: string): void;
}

type State = 'idle' | 'starting' | 'running' | 'stopping' | 'stopped';

export interface NodeSummary {
  id: string;
  url: string;
  pid: number | undefined;
  running: boolean;
  dataDir: string | undefined;
  log: string;
}

export class Launcher {
  readonly config: LauncherConfig;
  readonly logDir: string;
  private readonly output: Output;
  private readonly children: NodeProcess[] = [];
  private state: State = 'idle';
  private adding = false;
  private readonly stoppedWithAllDead: Promise<void>;
  private allDead: () => void = () => {};

  constructor(config: LauncherConfig, output: Output) {
    this.config = config;
    this.output = output;
    this.logDir = join(config.dataDir ?? join(tmpdir(), `ringkv-cluster-${config.basePort}`), 'logs');
    this.stoppedWithAllDead = new Promise((resolve) => {
      this.allDead = resolve;
    });
  }

  /** Resolves when every node has died on its own (not through stop()). */
  get everyNodeDied(): Promise<void> {
    return this.stoppedWithAllDead;
  }

  /** Starts every node and waits for all to be healthy; on failure stops what started and throws. */
  async start(): Promise<void> {
    this.transition('idle', 'starting');
    mkdirSync(this.logDir, { recursive: true });
    try {
      const ports = Array.from({ length: this.config.nodes }, (_, index) => this.config.basePort + index);
      for (const port of [...ports, ...this.addedPorts().filter((port) => !ports.includes(port))]) {
        // A stop (Ctrl-C) during start-up ends it: no further node is started.
        if (this.state !== 'starting') throw new LaunchError(`stopped while starting (${this.state})`);
        const first = this.children[0];
        const child = await this.startNode(port, first ? [first.id] : []);
        // One join at a time: a new node chooses its tokens against the ring it sees, so the next one
        // waits until this one is in it (and alive). A node that never shows is reported after start.
        if (first) {
          await waitMembers(
            first.url,
            this.config.token,
            [child.id],
            Date.now() + limits.launcherMembershipWaitMsMax,
          );
        }
      }
    } catch (error) {
      await this.stop();
      throw error;
    }
    if (this.state !== 'starting') throw new LaunchError(`stopped while starting (${this.state})`);
    this.state = 'running';
    const missing = await waitMembers(
      this.children[0]!.url,
      this.config.token,
      this.children.map((child) => child.id),
      Date.now() + limits.launcherMembershipWaitMsMax,
    );
    if (missing.length > 0) {
      this.output.alert(
        `ringkv cluster: WARNING: ${this.children[0]!.id} does not list ${missing.join(', ')} as alive ` +
          `after ${limits.launcherMembershipWaitMsMax / 1000} s; the nodes may not have formed one cluster`,
      );
    }
  }

  /** Starts one more node on the next port and admits it into the cluster with add_node. */
  async addNode(): Promise<{ node: string; pid: number | undefined; result: AddNodeResult }> {
    if (this.state !== 'running') throw new RingKvError('CONFLICT', `the launcher is ${this.state}`);
    if (this.adding)
      throw new RingKvError('CONFLICT', 'another node is being added; try again when it is done');
    if (this.children.length >= limits.launcherNodesMax) {
      throw new RingKvError('CONFLICT', `the launcher runs at most ${limits.launcherNodesMax} nodes`);
    }
    this.adding = true;
    try {
      const port = Math.max(...this.children.map((child) => child.options.port)) + 1;
      const child = await this.startNode(port, []);
      const admitter = this.children.find((candidate) => candidate.running && candidate !== child);
      if (!admitter) throw new RingKvError('UNAVAILABLE', 'no running node to admit the new one');
      const client = new HttpClient(admitter.url, {
        requestTimeoutMs: 60_000,
        ...(this.config.token === undefined ? {} : { token: this.config.token }),
      });
      try {
        const result = await client.addNode(child.id);
        this.output.info(
          `ringkv cluster: added ${child.id} (pid ${child.pid}); nodes: ${result.nodes.join(', ')}`,
        );
        this.rememberAdded(port);
        return { node: child.id, pid: child.pid, result };
      } catch (error) {
        this.output.alert(
          `ringkv cluster: ${admitter.id} refused to admit ${child.id}: ${(error as Error).message}`,
        );
        child.stop();
        await child.exited;
        this.children.splice(this.children.indexOf(child), 1);
        throw error;
      }
    } finally {
      this.adding = false;
    }
  }

  nodes(): NodeSummary[] {
    return this.children.map((child) => ({
      id: child.id,
      url: child.url,
      pid: child.pid,
      running: child.running,
      dataDir: child.options.dataDir,
      log: child.options.logPath,
    }));
  }

  /**
   * Stops every node gracefully (SIGTERM; they drain), killing those still running after
   * limits.launcherStopMsMax. Resolves true when every node stopped with status 0 or had already died
   * and been reported.
   */
  async stop(): Promise<boolean> {
    if (this.state === 'stopping' || this.state === 'stopped') return true;
    this.state = 'stopping';
    const running = this.children.filter((child) => child.running);
    for (const child of running) child.stop();
    const timer = setTimeout(() => {
      for (const child of running.filter((candidate) => candidate.running)) {
        this.output.alert(`ringkv cluster: ${child.id} did not stop in time; killing it`);
        child.kill();
      }
    }, limits.launcherStopMsMax);
    const exits = await Promise.all(running.map((child) => child.exited));
    clearTimeout(timer);
    this.state = 'stopped';
    let clean = true;
    exits.forEach((exit, index) => {
      // Status 0 is a drained stop; dying of our SIGTERM means it had not yet installed its handler (it was
      // still starting), so there was nothing to drain either.
      if (exit.code === 0 || exit.signal === 'SIGTERM') return;
      clean = false;
      this.output.alert(`ringkv cluster: ${running[index]!.id} ${describeExit(exit)} while stopping`);
    });
    return clean;
  }

  private get stateFile(): string | undefined {
    return this.config.dataDir === undefined ? undefined : join(this.config.dataDir, 'launcher.json');
  }

  /** Ports of nodes added by earlier runs on this data directory (none in memory mode). */
  private addedPorts(): number[] {
    const file = this.stateFile;
    if (file === undefined) return [];
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw error;
    }
    const ports = (JSON.parse(text) as { addedPorts?: unknown }).addedPorts;
    if (
      !Array.isArray(ports) ||
      !ports.every((port) => Number.isInteger(port) && port > 0 && port < 65_536)
    ) {
      throw new LaunchError(`${file}: addedPorts must be a list of ports; fix or delete the file`);
    }
    return ports.slice(0, limits.launcherNodesMax);
  }

  private rememberAdded(port: number): void {
    const file = this.stateFile;
    if (file === undefined) return;
    const ports = [...new Set([...this.addedPorts(), port])];
    writeFileSync(file, `${JSON.stringify({ addedPorts: ports }, null, 2)}\n`);
  }

  /** Last resort when the launcher itself exits abnormally: detached children would otherwise outlive it. */
  killAll(): void {
    for (const child of this.children) child.kill();
  }

  private async startNode(port: number, joinNodes: string[]): Promise<NodeProcess> {
    const dataDir = this.config.dataDir === undefined ? undefined : join(this.config.dataDir, String(port));
    const child = new NodeProcess({
      port,
      host: this.config.host,
      dataDir,
      join: joinNodes,
      logPath: join(this.logDir, `${port}.log`),
      extraArgs: this.config.extraArgs,
    });
    this.children.push(child);
    child.exited.then((exit) => this.onExit(child, exit));
    const failure = await waitHealthy(
      child.url,
      this.config.token,
      Date.now() + limits.launcherNodeStartMsMax,
      () => !child.running,
    );
    if (failure !== undefined) {
      const why = child.exit
        ? describeExit(child.exit)
        : `is not healthy after ${limits.launcherNodeStartMsMax} ms (${failure})`;
      const tail = await child.logTail().catch((error: Error) => `(no log: ${error.message})`);
      throw new LaunchError(
        `node ${child.id} ${why}; its log (${child.options.logPath}) ends:\n${indent(tail)}`,
      );
    }
    return child;
  }

  /** A node that exits while the cluster runs is reported loudly and left down: nothing restarts silently. */
  private async onExit(
    child: NodeProcess,
    exit: { code: number | null; signal: NodeJS.Signals | null },
  ): Promise<void> {
    if (this.state !== 'running') return;
    const tail = await child.logTail().catch((error: Error) => `(no log: ${error.message})`);
    this.output.alert(
      [
        '',
        `!!! ringkv cluster: node ${child.id} (pid ${child.pid}) ${describeExit(exit)}. It is NOT restarted.`,
        `!!! The other nodes keep serving. Its log (${child.options.logPath}) ends:`,
        indent(tail),
        '',
      ].join('\n'),
    );
    if (this.children.every((candidate) => !candidate.running)) this.allDead();
  }

  private transition(from: State, to: State): void {
    if (this.state !== from) throw new Error(`launcher: cannot go from ${this.state} to ${to}`);
    this.state = to;
  }
}

export class LaunchError extends Error {
  override readonly name = 'LaunchError';
}

function indent(text: string): string {
  return text
    .split('\n')
    .map((line) => `    ${line}`)
    .join('\n');
}
