/** Runs one cluster call from a form and keeps its outcome (result or SPEC error) for display. */
import { useCallback, useState } from 'react';
import { type ClusterError, toClusterError } from '../connection/cluster-source.js';

export type Outcome<T> =
  | { state: 'idle' }
  | { state: 'pending' }
  | { state: 'ok'; result: T }
  | { state: 'error'; error: ClusterError };

export function useOperation<T>(): [Outcome<T>, (run: () => Promise<T>) => Promise<void>] {
  const [outcome, setOutcome] = useState<Outcome<T>>({ state: 'idle' });
  const execute = useCallback(async (run: () => Promise<T>) => {
    setOutcome({ state: 'pending' });
    try {
      setOutcome({ state: 'ok', result: await run() });
    } catch (error) {
      setOutcome({ state: 'error', error: toClusterError(error) });
    }
  }, []);
  return [outcome, execute];
}
