import { errorCodes, RingKvError } from '@ringkv/protocol';
import { Command, CommanderError } from 'commander';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { registerClientCommands } from './client-commands.js';
import { LocalInputError, parseValue, reportError, UsageError } from './common.js';
import { formatRing } from './format.js';
import { table } from './table.js';

const commands = [
  'create',
  'read',
  'update',
  'delete',
  'get-node',
  'add-node',
  'remove-node',
  'nodes',
  'ring',
];

function program(output: { out: string; err: string }): Command {
  const root = new Command('ringkv').exitOverride().configureOutput({
    writeOut: (text) => {
      output.out += text;
    },
    writeErr: (text) => {
      output.err += text;
    },
  });
  registerClientCommands(root);
  return root;
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe('ringkv client commands (in-process)', () => {
  it.each(commands)('%s --help shows its usage, the connection flags and exits 0', async (name) => {
    const output = { out: '', err: '' };
    const error = await program(output)
      .parseAsync(['node', 'ringkv', name, '--help'])
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(CommanderError);
    expect((error as CommanderError).exitCode).toBe(0);
    expect(output.out).toContain(`Usage: ringkv ${name}`);
    for (const flag of ['--url <url>', 'RINGKV_URL', '--token <token>', '--pretty'])
      expect(output.out).toContain(flag);
    const data = ['create', 'read', 'update', 'delete'].includes(name);
    expect(output.out.includes('--consistency <level>')).toBe(data);
  });

  it('prints every SPEC error code as one line CODE: message and exits 1', () => {
    const lines: string[] = [];
    vi.spyOn(process.stderr, 'write').mockImplementation((text) => {
      lines.push(String(text));
      return true;
    });
    for (const code of errorCodes) {
      expect(reportError(new RingKvError(code, `something about ${code}\nwith a second line`))).toBe(1);
    }
    expect(lines).toEqual(errorCodes.map((code) => `${code}: something about ${code} with a second line\n`));
  });

  it('input refused before sending is a usage error (exit 2)', () => {
    vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    expect(reportError(new LocalInputError(new RingKvError('TOO_LARGE', 'key is 2000 bytes')))).toBe(2);
    expect(reportError(new UsageError('bad'))).toBe(2);
    expect(reportError(new Error('a bug'))).toBe(1);
  });

  it('takes VALUE as JSON when it parses, else as the string itself', () => {
    expect(parseValue('{"a":1}')).toEqual({ a: 1 });
    expect(parseValue('42')).toBe(42);
    expect(parseValue('"quoted"')).toBe('quoted');
    expect(parseValue('null')).toBeNull();
    expect(parseValue('hello world')).toBe('hello world');
    expect(parseValue('{broken')).toBe('{broken');
  });

  it('--pretty ring shows each node share of the token space', () => {
    const text = formatRing({
      epoch: 3,
      vnodes: 2,
      replicationFactor: 3,
      tokens: [
        { token: 2 ** 30, node: 'b:1' },
        { token: 2 ** 31, node: 'a:1' },
        { token: 3 * 2 ** 30, node: 'b:1' },
        { token: 2 ** 32 - 1, node: 'a:1' },
      ],
    });
    // a:1 owns (2^30, 2^31] and (3*2^30, 2^32-1]: half; b:1 the rest, wrapping past zero.
    expect(text).toMatch(/a:1 +2 +50\.0%/);
    expect(text).toMatch(/b:1 +2 +50\.0%/);
    expect(text).toMatch(/^epoch +3$/m);
  });

  it('aligns table columns, numbers to the right', () => {
    expect(
      table(
        ['NODE', 'KEYS'],
        [
          ['a:1', 5],
          ['long:1', 120],
        ],
      ),
    ).toBe('NODE    KEYS\na:1        5\nlong:1   120');
  });
});
