import type { Command } from 'commander';

/** Not implemented yet: registers nothing. */
export function registerToolCommands(_program: Command): void {}
