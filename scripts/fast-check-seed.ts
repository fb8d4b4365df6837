/**
 * Vitest setup: every fast-check property runs from one seed, so `pnpm test` (and CI) is repeatable: a
 * property that fails, fails again with the same counterexample. `FC_SEED=<n>` picks another seed and
 * `FC_SEED=random` a fresh one per run (`pnpm test:properties` does that, to keep exploring); fast-check
 * prints the seed and path of any failure, so it can be replayed with FC_SEED.
 */
import fc from 'fast-check';

const requested = process.env.FC_SEED;
if (requested !== 'random') {
  const seed = requested === undefined ? 20261127 : Number(requested);
  if (!Number.isSafeInteger(seed))
    throw new Error(`FC_SEED must be an integer or "random", not ${requested}`);
  fc.configureGlobal({ seed });
}
