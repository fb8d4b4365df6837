/**
 * This node's own copy of a write, as the coordinator makes it: `Store.write`, with a failure (thrown in the
 * call, or the durability promise rejecting) turned into the caller's error. Undefined when the write is
 * decided and nothing is left to wait for (the memory engine), else a promise of its durability, so the
 * usual case takes no promise.
 */
import type { Store } from '../store/store.js';
import type { StoredRecord } from './types.js';

export function writeOwnCopy(
  store: Store,
  key: string,
  record: StoredRecord,
  failed: (cause: unknown) => Error,
): undefined | Promise<void> {
  let outcome: boolean | Promise<boolean>;
  try {
    outcome = store.write(key, record);
  } catch (cause) {
    throw failed(cause);
  }
  if (!(outcome instanceof Promise)) return undefined;
  return outcome.then(
    () => undefined,
    (cause: unknown) => {
      throw failed(cause);
    },
  );
}
