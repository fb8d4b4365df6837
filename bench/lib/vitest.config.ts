import { defineConfig } from 'vitest/config';

// The bench helpers' own unit tests (pure parsing and formatting; no timing assertions).
// Run with `npx vitest run -c bench/lib/vitest.config.ts`.
export default defineConfig({
  test: {
    root: new URL('../..', import.meta.url).pathname,
    include: ['bench/**/*.test.ts'],
    testTimeout: 30_000,
  },
});
