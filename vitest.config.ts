import { defineConfig } from 'vitest/config';

// One runner for every package. Real-process tests live in packages/*/test and spawn `ringkv node`;
// they are slow to start, so they get a generous per-test timeout, but no test asserts on speed.
export default defineConfig({
  test: {
    include: [
      'packages/*/src/**/*.test.ts',
      'packages/*/src/**/*.test.tsx',
      'packages/*/test/**/*.test.ts',
      'bench/**/*.test.ts',
    ],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // One fast-check seed for repeatable runs (FC_SEED=random explores: `pnpm test:properties`).
    setupFiles: ['scripts/fast-check-seed.ts'],
    reporters: ['default'],
  },
});
