/**
 * What every client-side command shares: connection flags (`--url`, `--token`, each also from the
 * environment), output mode, and the exit-status rules of SPEC 1: 0 success, 1 an error from the cluster
 * (one line `CODE: message` on stderr), 2 usage (bad arguments, also one line on stderr).
 */
import { RingKvError } from '@ringkv/client';
import { type Command, InvalidArgumentError, Option } from 'commander';

export const defaultUrl = 'http://127.0.0.1:7001';

export interface ConnectionFlags {
  url: string;
  token?: string;
  timeout?: number;
  pretty?: boolean;
}

/** A usage error found before anything was sent: exit status 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

export function addConnectionOptions(command: Command): Command {
  return command
    .addOption(new Option('--url <url>', 'any node of the cluster').env('RINGKV_URL').default(defaultUrl))
    .addOption(new Option('--token <token>', 'the cluster token, when nodes require one').env('RINGKV_TOKEN'))
    .addOption(
      new Option('--timeout <ms>', 'give up after this many milliseconds')
        .argParser(integerArgument(1, 3_600_000))
        .default(5000),
    )
    .option('--pretty', 'human-readable output instead of JSON');
}

/** An option parser for an integer in [min, max]; commander reports its failure as a usage error. */
export function integerArgument(min: number, max: number): (text: string) => number {
  return (text) => {
    const value = Number(text);
    if (!/^\d+$/.test(text.trim()) || value < min || value > max) {
      throw new InvalidArgumentError(`expected an integer from ${min} to ${max}`);
    }
    return value;
  };
}

/** An option parser for a number in [0, 1]. */
export function ratioArgument(text: string): number {
  const value = Number(text);
  if (text.trim() === '' || !Number.isFinite(value) || value < 0 || value > 1) {
    throw new InvalidArgumentError('expected a number from 0 to 1');
  }
  return value;
}

/** VALUE is parsed as JSON when it is valid JSON, otherwise taken as a string (SPEC 1). */
export function parseValue(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text; // not JSON: the value is the string itself, by definition
  }
}

/**
 * Runs a command body and turns its failure into the SPEC exit status. Arguments are validated first, so a
 * RingKvError raised before `send` is a usage error (2) and one raised by the cluster is an error (1).
 */
export async function runCommand(body: () => Promise<void>): Promise<void> {
  try {
    await body();
  } catch (error) {
    process.exitCode = reportError(error);
  }
}

/** Prints the one-line error and returns the exit status. */
export function reportError(error: unknown): number {
  if (error instanceof UsageError) {
    process.stderr.write(`error: ${error.message}\n`);
    return 2;
  }
  if (error instanceof LocalInputError) {
    process.stderr.write(`${error.cause.code}: ${error.cause.message}\n`);
    return 2;
  }
  if (error instanceof RingKvError) {
    process.stderr.write(`${error.code}: ${oneLine(error.message)}\n`);
    return 1;
  }
  const message = error instanceof Error ? error.message : String(error);
  process.stderr.write(`INTERNAL: ${oneLine(message)}\n`);
  return 1;
}

/** Input the client library refused before sending (empty key, value too large): a usage error. */
export class LocalInputError extends Error {
  override readonly cause: RingKvError;

  constructor(cause: RingKvError) {
    super(cause.message);
    this.cause = cause;
  }
}

/** Runs a synchronous argument check; its RingKvError becomes a usage error. */
export function checkInput<T>(check: () => T): T {
  try {
    return check();
  } catch (error) {
    if (error instanceof RingKvError) throw new LocalInputError(error);
    throw error;
  }
}

function oneLine(text: string): string {
  return text.replace(/\s*\n\s*/g, ' ');
}

export function writeJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value)}\n`);
}
