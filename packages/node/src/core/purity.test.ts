import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

// The linter bans imports and timer globals in core/; member calls on globals slip past it, so this test
// reads the sources. The core must be replayable from a seed: no wall clock, no ambient randomness.
const banned = [
  /\bDate\.now\s*\(/,
  /\bnew Date\s*\(/,
  /\bMath\.random\s*\(/,
  /\bperformance\.now\s*\(/,
  /\bprocess\./,
];

describe('core/ is pure', () => {
  const dir = new URL('.', import.meta.url).pathname;
  const sources = readdirSync(dir).filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts'));
  it('has sources to check', () => expect(sources.length).toBeGreaterThan(0));
  for (const file of sources) {
    it(`${file} reads no clock and draws no randomness of its own`, () => {
      const text = readFileSync(join(dir, file), 'utf8');
      for (const pattern of banned) expect(text, `${file} matches ${pattern}`).not.toMatch(pattern);
    });
  }
});
