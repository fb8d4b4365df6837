#!/usr/bin/env node
// Runs the TypeScript sources through tsx, so `ringkv` works from a fresh clone without a build step.
// The CLI runs in a child process: signals sent to this wrapper (Ctrl-C, a supervisor's SIGTERM) are passed
// on to it, and the wrapper exits with the child's status once the child has stopped.
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const tsx = require.resolve('tsx/cli');
const cli = fileURLToPath(new URL('../src/cli.ts', import.meta.url));
// V8 flags of every node process: the same list as src/launcher/node-flags.ts (the reasons are there).
// tsx passes flags given before the script on to the node process that runs it.
const nodeV8Flags = ['--max-semi-space-size=8', '--no-allocation-site-pretenuring', '--no-memory-reducer'];
const child = spawn(process.execPath, [tsx, ...nodeV8Flags, cli, ...process.argv.slice(2)], {
  stdio: 'inherit',
});
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.on(signal, () => child.kill(signal));
}
child.on('exit', (code, signal) => {
  process.exit(code ?? (signal ? 128 : 1));
});
