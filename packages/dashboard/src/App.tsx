/**
 * The dashboard page: data hooks at the top (one ClusterSource, the cluster's ring and members, the
 * stats history), presentational panels below, wired by props only.
 */
import { useMemo, useState } from 'react';
import { ConnectionBanner } from './components/ConnectionBanner.js';
import { DataForm } from './components/DataForm.js';
import { Distribution } from './components/Distribution.js';
import { Header } from './components/Header.js';
import { LocateKey } from './components/LocateKey.js';
import { Membership } from './components/Membership.js';
import { RingLegend } from './components/RingLegend.js';
import { type LocatedKey, RingView } from './components/RingView.js';
import { Traffic } from './components/Traffic.js';
import { useCluster } from './hooks/useCluster.js';
import { useClusterSource, usePageEndpoint } from './hooks/useClusterSource.js';
import { useColorSlots } from './hooks/useColorSlots.js';
import { useLauncher } from './hooks/useLauncher.js';
import { useStats } from './hooks/useStats.js';
import { useTheme } from './hooks/useTheme.js';
import { nodeRows, statusByNode } from './lib/nodes.js';
import { ringModel } from './lib/ring-model.js';
import { latestByNode } from './lib/series.js';

export function App() {
  const endpoint = usePageEndpoint();
  const source = useClusterSource(endpoint);
  const cluster = useCluster(source);
  const history = useStats(source);
  const [theme, setTheme] = useTheme();
  const [located, setLocated] = useState<LocatedKey | null>(null);
  const [highlightNode, setHighlightNode] = useState<string | null>(null);

  const model = useMemo(() => (cluster.ring ? ringModel(cluster.ring) : null), [cluster.ring]);
  const rows = useMemo(
    () => nodeRows(cluster.nodes, model, latestByNode(history.slice(-1))),
    [cluster.nodes, model, history],
  );
  const memberIds = useMemo(() => rows.map((row) => row.id), [rows]);
  const slots = useColorSlots(memberIds);
  const launcherUrl = useLauncher(endpoint.host, memberIds);
  // Keyed by content: stats arrive every second, and the ring should redraw only when a status changes.
  const statusSignature = rows.map((row) => `${row.id}=${row.status}`).join();
  // biome-ignore lint/correctness/useExhaustiveDependencies: rows is read through its signature
  const statuses = useMemo(() => statusByNode(rows), [statusSignature]);

  return (
    <div className="app">
      <Header
        host={endpoint.host}
        status={cluster.connection.status}
        epoch={model?.epoch ?? null}
        theme={theme}
        onTheme={setTheme}
      />
      <ConnectionBanner connection={cluster.connection} host={endpoint.host} />
      <main className="layout">
        <section className="panel ring-panel" aria-labelledby="ring-title" data-testid="ring-panel">
          <header className="panel-header">
            <h2 id="ring-title">Ring</h2>
            <span className="muted">
              ticks: vnode tokens · arcs: ranges each node owns · inner bands: replicas
            </span>
          </header>
          {model ? (
            <RingView
              model={model}
              statuses={statuses}
              slots={slots}
              located={located}
              highlightNode={highlightNode}
            />
          ) : (
            <p className="muted ring-empty">Waiting for the ring…</p>
          )}
          <RingLegend rows={rows} slots={slots} onHighlight={setHighlightNode} />
        </section>
        <div className="side">
          <Membership
            source={source}
            rows={rows}
            model={model}
            slots={slots}
            onHighlight={setHighlightNode}
            onChanged={cluster.refresh}
            launcherUrl={launcherUrl}
          />
          <LocateKey source={source} model={model} slots={slots} located={located} onLocated={setLocated} />
          <DataForm source={source} onWritten={cluster.refresh} />
        </div>
        <div className="wide">
          <Traffic history={history} slots={slots} />
        </div>
        <div className="wide">
          <Distribution rows={rows} model={model} slots={slots} />
        </div>
      </main>
    </div>
  );
}
