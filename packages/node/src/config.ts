/**
 * `ringkv node` options: flags and environment variables -> defaults merged once -> validated with zod,
 * then cross-field rules that say what is wrong (`writeQuorum must be <= replicationFactor`). The table
 * `nodeOptions` is the one list of options: the command registers its flags from it and this module reads
 * the environment from it, so a flag and its variable cannot drift apart.
 *
 * Precedence: a flag beats its environment variable, which beats the default.
 */
import { resolve } from 'node:path';
import { limits, NodeAddress } from '@ringkv/protocol';
import { z } from 'zod';

export const logLevels = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof logLevels)[number];

export type StoreSelection = { memory: true } | { dataDir: string };

export interface NodeConfig {
  port: number;
  host: string;
  /** `HOST:PORT` peers and clients use to reach this node; it is also the node's id. */
  advertise: string;
  nodeId: string;
  store: StoreSelection;
  join: string[];
  vnodes: number;
  replicationFactor: number;
  readQuorum: number;
  writeQuorum: number;
  clusterSecret: string | undefined;
  /** Peers must name the same cluster in their handshake: two clusters on one network never merge. */
  clusterName: string;
  token: string | undefined;
  /** Browser origins (besides the node's own) allowed to open a WebSocket; `*` allows any. */
  allowOrigins: string[];
  logLevel: LogLevel;
  connectionsMax: number;
  requestsInflightMax: number;
}

export interface OptionSpec {
  key: RawKey;
  flag: string;
  env: string;
  help: string;
}

type RawKey =
  | 'port'
  | 'host'
  | 'advertise'
  | 'data'
  | 'memory'
  | 'join'
  | 'vnodes'
  | 'replicationFactor'
  | 'readQuorum'
  | 'writeQuorum'
  | 'clusterSecret'
  | 'clusterName'
  | 'token'
  | 'allowOrigin'
  | 'logLevel'
  | 'connectionsMax'
  | 'requestsInflightMax';

export type RawOptions = Partial<Record<RawKey, string | boolean>>;

export const portDefault = 7001;

/** A flag `--replication-factor <n>` reads `RINGKV_REPLICATION_FACTOR` into `replicationFactor`. */
function option(flag: string, help: string): OptionSpec {
  const name = flag.split(' ')[0]!.slice(2);
  const key = name.replace(/-([a-z])/g, (_, letter: string) => letter.toUpperCase()) as RawKey;
  return { key, flag, env: `RINGKV_${name.replaceAll('-', '_').toUpperCase()}`, help };
}

export const nodeOptions: readonly OptionSpec[] = [
  option('--port <port>', `port for HTTP and WebSocket (default ${portDefault})`),
  option('--host <host>', 'address to listen on (default 127.0.0.1)'),
  option('--advertise <host:port>', 'address others reach this node at, and its id (default HOST:PORT)'),
  option('--data <dir>', 'keep data on disk in DIR (default ./data/PORT)'),
  option('--memory', 'keep data in memory only (lost on exit)'),
  option('--join <host:port,...>', 'nodes of an existing cluster to join'),
  option('--vnodes <n>', `virtual nodes on the ring (default ${limits.vnodesDefault})`),
  option('--replication-factor <n>', `replicas per key (default ${limits.replicationFactorDefault})`),
  option('--read-quorum <n>', `replicas a quorum read waits for (default ${limits.quorumDefault})`),
  option('--write-quorum <n>', `replicas a quorum write waits for (default ${limits.quorumDefault})`),
  option('--cluster-secret <secret>', 'secret peers must prove they know'),
  option('--cluster-name <name>', 'name peers must share (default ringkv)'),
  option('--token <token>', 'token every HTTP request and WebSocket must present'),
  option('--allow-origin <origin,...>', 'other browser origins allowed to connect (or *)'),
  option('--log-level <level>', `one of ${logLevels.join(', ')} (default info)`),
  option(
    '--connections-max <n>',
    `WebSocket connections accepted at once (default ${limits.connectionsMax})`,
  ),
  option(
    '--requests-inflight-max <n>',
    `requests one WebSocket may have outstanding (default ${limits.requestsInflightPerConnectionMax})`,
  ),
];

/** Bad options: the CLI prints the message (one line) and exits with status 2. */
export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

const defaults: RawOptions = {
  host: '127.0.0.1',
  vnodes: String(limits.vnodesDefault),
  replicationFactor: String(limits.replicationFactorDefault),
  readQuorum: String(limits.quorumDefault),
  writeQuorum: String(limits.quorumDefault),
  logLevel: 'info',
  clusterName: 'ringkv',
  connectionsMax: String(limits.connectionsMax),
  requestsInflightMax: String(limits.requestsInflightPerConnectionMax),
};

function integer(min: number, max: number) {
  return z
    .string()
    .trim()
    .regex(/^[0-9]+$/, `must be a whole number from ${min} to ${max}`)
    .transform(Number)
    .pipe(z.number().min(min, `must be at least ${min}`).max(max, `must be at most ${max}`));
}

const truthy = ['1', 'true', 'yes', 'on'];
const falsy = ['0', 'false', 'no', 'off', ''];

const flagSchema = z.union([z.boolean(), z.string()]).transform((value, context) => {
  if (typeof value === 'boolean') return value;
  const lower = value.trim().toLowerCase();
  if (truthy.includes(lower)) return true;
  if (falsy.includes(lower)) return false;
  context.addIssue({ code: 'custom', message: `must be true or false, got "${value}"` });
  return z.NEVER;
});

const nodeList = z
  .string()
  .transform((text) =>
    text
      .split(',')
      .map((part) => part.trim())
      .filter((part) => part.length > 0),
  )
  .pipe(z.array(NodeAddress).max(limits.clusterNodesMax));

const originList = z.string().transform((text, context) => {
  const origins: string[] = [];
  for (const part of text
    .split(',')
    .map((p) => p.trim())
    .filter((p) => p.length > 0)) {
    if (part === '*') {
      origins.push('*');
      continue;
    }
    const origin = URL.canParse(part) ? new URL(part).origin : 'null';
    if (origin === 'null') {
      context.addIssue({
        code: 'custom',
        message: `"${part}" is not an origin such as http://localhost:5173`,
      });
      return z.NEVER;
    }
    origins.push(origin);
  }
  return origins;
});

const text = z.string().min(1, 'must not be empty');

const rawSchema = z.object({
  port: integer(1, 65535).optional(),
  host: text,
  advertise: NodeAddress.optional(),
  data: text.optional(),
  memory: flagSchema.optional(),
  join: nodeList.optional(),
  vnodes: integer(limits.vnodesMin, limits.vnodesMax),
  replicationFactor: integer(1, limits.replicationFactorMax),
  readQuorum: integer(1, limits.replicationFactorMax),
  writeQuorum: integer(1, limits.replicationFactorMax),
  clusterSecret: text.optional(),
  clusterName: z
    .string()
    .regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/, 'must be 1 to 64 letters, digits, ".", "_" or "-"'),
  token: text.optional(),
  allowOrigin: originList.optional(),
  logLevel: z.enum(logLevels),
  connectionsMax: integer(1, 1_000_000),
  requestsInflightMax: integer(1, 1_000_000),
});

type Parsed = z.infer<typeof rawSchema>;

/** Reads every option's environment variable; unset and empty variables count as absent. */
export function optionsFromEnv(env: Record<string, string | undefined>): RawOptions {
  const options: RawOptions = {};
  for (const spec of nodeOptions) {
    const value = env[spec.env];
    if (value !== undefined && value !== '') options[spec.key] = value;
  }
  return options;
}

function labelOf(key: string, flags: RawOptions): string {
  const spec = nodeOptions.find((candidate) => candidate.key === key);
  if (spec === undefined) return key;
  const flag = spec.flag.split(' ')[0]!;
  return flags[spec.key] === undefined ? `${flag} (${spec.env})` : flag;
}

const wildcardHosts = ['0.0.0.0', '::', '[::]'];

function hostPort(host: string, port: number): string {
  return host.includes(':') && !host.startsWith('[') ? `[${host}]:${port}` : `${host}:${port}`;
}

/** The cross-field rules, each a sentence naming the options involved. */
function crossFieldProblems(parsed: Parsed): string[] {
  const problems: string[] = [];
  if (parsed.data !== undefined && parsed.memory === true) {
    problems.push('--data and --memory are exclusive: pick one');
  }
  if (parsed.writeQuorum > parsed.replicationFactor) {
    problems.push(
      `writeQuorum must be <= replicationFactor (--write-quorum ${parsed.writeQuorum}, --replication-factor ${parsed.replicationFactor})`,
    );
  }
  if (parsed.readQuorum > parsed.replicationFactor) {
    problems.push(
      `readQuorum must be <= replicationFactor (--read-quorum ${parsed.readQuorum}, --replication-factor ${parsed.replicationFactor})`,
    );
  }
  if (parsed.advertise === undefined && wildcardHosts.includes(parsed.host)) {
    problems.push(
      `--advertise HOST:PORT is required when --host is ${parsed.host}: peers need a reachable address`,
    );
  }
  return problems;
}

/**
 * Merges defaults, environment and flags (in that order of precedence, lowest first), validates, and
 * returns the config. Throws ConfigError with a one-line reason naming the option.
 * Without `--data` or `--memory`, data goes to `./data/PORT` under `cwd`: a store that promises durability
 * should not lose data because a flag was forgotten.
 */
export function parseNodeConfig(
  flags: RawOptions,
  env: Record<string, string | undefined> = {},
  cwd: string = process.cwd(),
): NodeConfig {
  const merged: RawOptions = { ...defaults, ...optionsFromEnv(env), ...definedOnly(flags) };
  const result = rawSchema.safeParse(merged);
  if (!result.success) {
    const message = result.error.issues
      .slice(0, 3)
      .map((issue) => `${labelOf(String(issue.path[0] ?? ''), flags)}: ${issue.message}`)
      .join('; ');
    throw new ConfigError(message);
  }
  const parsed = result.data;
  const problems = crossFieldProblems(parsed);
  if (problems.length > 0) throw new ConfigError(problems.join('; '));
  const port = parsed.port ?? portDefault;
  const advertise = parsed.advertise ?? hostPort(parsed.host, port);
  const store: StoreSelection =
    parsed.memory === true ? { memory: true } : { dataDir: resolve(cwd, parsed.data ?? `data/${port}`) };
  return {
    port,
    host: parsed.host,
    advertise,
    nodeId: advertise,
    store,
    join: parsed.join ?? [],
    vnodes: parsed.vnodes,
    replicationFactor: parsed.replicationFactor,
    readQuorum: parsed.readQuorum,
    writeQuorum: parsed.writeQuorum,
    clusterSecret: parsed.clusterSecret,
    clusterName: parsed.clusterName,
    token: parsed.token,
    allowOrigins: parsed.allowOrigin ?? [],
    logLevel: parsed.logLevel,
    connectionsMax: parsed.connectionsMax,
    requestsInflightMax: parsed.requestsInflightMax,
  };
}

function definedOnly(options: RawOptions): RawOptions {
  const result: RawOptions = {};
  for (const [key, value] of Object.entries(options) as Array<[RawKey, string | boolean | undefined]>) {
    if (value !== undefined) result[key] = value;
  }
  return result;
}
