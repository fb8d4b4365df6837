/** The `stats` topic as a bounded history of samples, for the traffic charts. */
import { useEffect, useState } from 'react';
import { statsSamplesMax } from '../config/limits.js';
import type { ClusterSource } from '../connection/cluster-source.js';
import { appendSample, type StatsSample } from '../lib/series.js';

export function useStats(source: ClusterSource | null): StatsSample[] {
  const [history, setHistory] = useState<StatsSample[]>([]);
  useEffect(() => {
    if (!source) return;
    return source.onEvent((event) => {
      if (event.event !== 'stats') return;
      setHistory((previous) => appendSample(previous, event.data.nodes, statsSamplesMax));
    });
  }, [source]);
  return history;
}
