/**
 * One `ringkv node` child of the launcher: spawned with the same Node and the tsx loader, its stdout and
 * stderr appended to a log file, its exit observed. It runs in its own process group so that a Ctrl-C in
 * the terminal reaches only the launcher, which then stops every node exactly once (a node treats a second
 * signal as "exit now, skip the drain").
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createWriteStream, type WriteStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { nodeV8Flags } from './node-flags.js';

const cliPath = fileURLToPath(new URL('../cli.ts', import.meta.url));
const tsxLoader = import.meta.resolve('tsx');

/** Node flags the launcher sets itself; their environment variables would otherwise compete. */
const launcherOwnedEnv = [
  'RINGKV_PORT',
  'RINGKV_HOST',
  'RINGKV_ADVERTISE',
  'RINGKV_DATA',
  'RINGKV_MEMORY',
  'RINGKV_JOIN',
];

export interface NodeProcessOptions {
  port: number;
  host: string;
  /** Data directory, or undefined for --memory. */
  dataDir: string | undefined;
  join: string[];
  logPath: string;
  /** Extra `ringkv node` flags passed through (token, cluster secret, vnodes, ...). */
  extraArgs: string[];
}

export type ExitInfo = { code: number | null; signal: NodeJS.Signals | null };

export class NodeProcess {
  readonly id: string;
  readonly url: string;
  readonly options: NodeProcessOptions;
  readonly exited: Promise<ExitInfo>;
  private readonly child: ChildProcess;
  private readonly log: WriteStream;
  private exitInfo: ExitInfo | undefined;

  constructor(options: NodeProcessOptions) {
    this.options = options;
    this.id = `${options.host}:${options.port}`;
    this.url = `http://${this.id}`;
    const args = [
      ...nodeV8Flags,
      '--import',
      tsxLoader,
      cliPath,
      'node',
      '--port',
      String(options.port),
      '--host',
      options.host,
    ];
    args.push(...(options.dataDir === undefined ? ['--memory'] : ['--data', options.dataDir]));
    if (options.join.length > 0) args.push('--join', options.join.join(','));
    args.push(...options.extraArgs);
    const env = { ...process.env };
    for (const name of launcherOwnedEnv) delete env[name];
    this.log = createWriteStream(options.logPath, { flags: 'a' });
    this.child = spawn(process.execPath, args, { env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    this.child.stdout?.pipe(this.log, { end: false });
    this.child.stderr?.pipe(this.log, { end: false });
    this.exited = new Promise((resolve) => {
      this.child.once('exit', (code, signal) => {
        this.exitInfo = { code, signal };
        resolve(this.exitInfo);
      });
      this.child.once('error', (error) => {
        this.log.write(`launcher: cannot start the node process: ${error.message}\n`);
        this.exitInfo = { code: 1, signal: null };
        resolve(this.exitInfo);
      });
    });
    this.exited.then(() => setTimeout(() => this.log.end(), 100));
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  get running(): boolean {
    return this.exitInfo === undefined;
  }

  get exit(): ExitInfo | undefined {
    return this.exitInfo;
  }

  /** Asks the node to drain and stop (SIGTERM); `exited` resolves when it has. */
  stop(): void {
    if (this.running) this.child.kill('SIGTERM');
  }

  kill(): void {
    if (this.running) this.child.kill('SIGKILL');
  }

  /** The last `lines` lines of the node's log, to show why it stopped. */
  async logTail(lines = 12): Promise<string> {
    const bytesMax = 16 * 1024;
    const file = await open(this.options.logPath, 'r');
    try {
      const { size } = await file.stat();
      const start = Math.max(0, size - bytesMax);
      const buffer = Buffer.alloc(size - start);
      await file.read(buffer, 0, buffer.length, start);
      return buffer.toString('utf8').trimEnd().split('\n').slice(-lines).join('\n');
    } finally {
      await file.close();
    }
  }
}

export function describeExit(exit: ExitInfo): string {
  return exit.signal ? `was killed by ${exit.signal}` : `exited with status ${exit.code}`;
}
