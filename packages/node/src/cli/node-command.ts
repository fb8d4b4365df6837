import type { Command } from 'commander';

/** Not implemented yet: registers nothing. */
export function registerNodeCommand(_program: Command): void {}
