import type { Command } from 'commander';

/** Not implemented yet: registers nothing. */
export function registerClientCommands(_program: Command): void {}
