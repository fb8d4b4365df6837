/**
 * Many RingClient calls at once for the large real-process tests: a bounded window of calls in flight,
 * failures collected as text, and a bulk create that sends failed keys again.
 */
import type { RingClient } from '@ringkv/client';

export const errorText = (error: unknown): string =>
  error instanceof Error
    ? `${(error as { code?: string }).code ?? ''} ${error.message}`.trim()
    : String(error);

/** Runs `call` over `items`, `window` at a time; returns the failures (the texts `call` resolves to). */
export async function inWindows<T>(
  items: readonly T[],
  window: number,
  call: (item: T) => Promise<string | undefined>,
): Promise<string[]> {
  const failures: string[] = [];
  for (let start = 0; start < items.length; start += window) {
    const results = await Promise.all(items.slice(start, start + window).map(call));
    for (const result of results) if (result !== undefined) failures.push(result);
  }
  return failures;
}

/**
 * Creates every key with `valueFor(key)`, `window` at a time. Keys whose create failed (a starved machine
 * times some out) are sent again, up to `roundsMax` passes; KEY_EXISTS then means an earlier attempt was
 * applied, with the same value. Returns the failures of the last pass (empty: every key exists).
 */
export async function createAll(
  client: RingClient,
  keys: readonly string[],
  valueFor: (key: string) => unknown,
  options: { window: number; roundsMax: number },
): Promise<string[]> {
  let pending = keys;
  let failures: string[] = [];
  for (let round = 0; round < options.roundsMax && pending.length > 0; round++) {
    const failed: string[] = [];
    failures = await inWindows(pending, options.window, async (key) => {
      try {
        await client.create(key, valueFor(key));
      } catch (error) {
        if ((error as { code?: string }).code === 'KEY_EXISTS') return undefined;
        failed.push(key);
        return `${key}: ${errorText(error)}`;
      }
      return undefined;
    });
    pending = failed;
  }
  return failures;
}
