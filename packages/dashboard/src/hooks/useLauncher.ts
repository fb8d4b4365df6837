/** The local launcher's control URL when this cluster runs under `pnpm start`, else null. Asked once. */
import { useEffect, useRef, useState } from 'react';
import { findLauncher, launcherCandidates } from '../connection/launcher.js';

export function useLauncher(self: string, members: readonly string[]): string | null {
  const [launcher, setLauncher] = useState<string | null>(null);
  // A ref, not state: setting it must not re-run (and so cancel) the effect that is asking.
  const askedRef = useRef(false);
  useEffect(() => {
    if (askedRef.current || members.length === 0) return;
    askedRef.current = true;
    void findLauncher(launcherCandidates(window.location, members), self).then(setLauncher);
  }, [members, self]);
  return launcher;
}
