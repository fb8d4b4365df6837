/**
 * Writes one `## Section` of BENCHMARKS.md and leaves every other section as it was: several benchmarks
 * (ring, store, simulator, cluster, http, memory) share the file, each owning its own section.
 */
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const benchmarksHeader =
  '# ringkv benchmarks\n\nNumbers from the scripts in `bench/`, each section written by its own script ' +
  '(`pnpm bench:<name>`). They are measurements of one run on one machine, not pass/fail checks.\n';

export const benchmarksPath = fileURLToPath(new URL('../../BENCHMARKS.md', import.meta.url));

/**
 * Replaces the section whose heading line is exactly `heading` (e.g. `## Cluster`) up to the next `## `
 * heading, or appends it at the end. Pure, so it is unit-tested.
 */
export function replaceSection(document: string, heading: string, body: string): string {
  const section = `${heading}\n\n${body.trim()}\n`;
  const lines = document.split('\n');
  const start = lines.findIndex((line) => line.trimEnd() === heading);
  if (start === -1) {
    const trimmed = document.trimEnd();
    return `${trimmed}${trimmed.length > 0 ? '\n\n' : ''}${section}`;
  }
  let end = lines.findIndex((line, index) => index > start && line.startsWith('## '));
  if (end === -1) end = lines.length;
  const before = lines.slice(0, start).join('\n').trimEnd();
  const after = lines.slice(end).join('\n').trim();
  return `${before}\n\n${section}${after.length > 0 ? `\n${after}\n` : ''}`;
}

/** Reads BENCHMARKS.md (creating it with a short header), replaces one section, writes it atomically. */
export function writeBenchmarksSection(heading: string, body: string, filePath = benchmarksPath): void {
  const current = existsSync(filePath) ? readFileSync(filePath, 'utf8') : benchmarksHeader;
  const next = replaceSection(current, heading, body);
  const temporary = path.join(path.dirname(filePath), `.${path.basename(filePath)}.${process.pid}.tmp`);
  writeFileSync(temporary, next);
  renameSync(temporary, filePath);
}
