/** The local launcher's control URL when this cluster runs under `pnpm start`, else null. Asked once. */
import { useEffect, useState } from 'react';
import { findLauncher, launcherCandidates } from '../data/launcher.js';

export function useLauncher(self: string, members: readonly string[]): string | null {
  const [launcher, setLauncher] = useState<string | null>(null);
  const [asked, setAsked] = useState(false);
  useEffect(() => {
    if (asked || members.length === 0) return;
    setAsked(true);
    let cancelled = false;
    void findLauncher(launcherCandidates(window.location, members), self).then((found) => {
      if (!cancelled) setLauncher(found);
    });
    return () => {
      cancelled = true;
    };
  }, [asked, members, self]);
  return launcher;
}
