import type { Command } from 'commander';

/** Not implemented yet: registers nothing. */
export function registerClusterCommand(_program: Command): void {}
