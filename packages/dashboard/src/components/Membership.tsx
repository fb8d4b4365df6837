/**
 * The members and how to change them: the node table, add a node by address, remove one (after a
 * confirmation), and, under the local launcher, start a new local node with one click.
 */
import type { AddNodeResult, RemoveNodeResult } from '@ringkv/protocol';
import { type FormEvent, useState } from 'react';
import type { ClusterSource } from '../connection/cluster-source.js';
import { useOperation } from '../hooks/useOperation.js';
import { type NodeRow, rebalanceTotals } from '../lib/nodes.js';
import type { RingModel } from '../lib/ring-model.js';
import { ConfirmDialog } from './ConfirmDialog.js';
import { LaunchLocalNode } from './LaunchLocalNode.js';
import { NodeTable } from './NodeTable.js';
import { OutcomeView } from './OutcomeView.js';
import { RebalanceProgress } from './RebalanceProgress.js';

interface MembershipProps {
  source: ClusterSource | null;
  rows: readonly NodeRow[];
  model: RingModel | null;
  slots: ReadonlyMap<string, number>;
  onHighlight: (node: string | null) => void;
  onChanged: () => void;
  /** The local launcher's control URL (under `pnpm start`), or null. */
  launcherUrl: string | null;
}

export function Membership(props: MembershipProps) {
  const { source, rows, model, slots, onHighlight, onChanged, launcherUrl } = props;
  const [address, setAddress] = useState('');
  const [removing, setRemoving] = useState<string | null>(null);
  const [outcome, execute] = useOperation<AddNodeResult | RemoveNodeResult>();

  const run = (call: (source: ClusterSource) => Promise<AddNodeResult | RemoveNodeResult>) =>
    execute(async () => {
      if (!source) throw new Error('not connected');
      const result = await call(source);
      onChanged();
      return result;
    });

  const addNode = (event: FormEvent) => {
    event.preventDefault();
    void run((connected) => connected.request('add_node', { node: address.trim() }));
  };

  const confirmRemove = () => {
    const node = removing;
    setRemoving(null);
    if (node) void run((connected) => connected.request('remove_node', { node }));
  };

  return (
    <section className="panel" aria-labelledby="members-title">
      <header className="panel-header">
        <h2 id="members-title">Nodes</h2>
      </header>
      <RebalanceProgress totals={rebalanceTotals(rows)} />
      <NodeTable
        rows={rows}
        model={model}
        slots={slots}
        self={source?.host ?? ''}
        onHighlight={onHighlight}
        onRemove={setRemoving}
      />
      <form className="inline-form" onSubmit={addNode} data-testid="add-node-form">
        <input
          aria-label="address of the node to add"
          placeholder="127.0.0.1:7004"
          value={address}
          onChange={(event) => setAddress(event.target.value)}
          data-testid="add-node-input"
        />
        <button type="submit" disabled={outcome.state === 'pending'}>
          Add node
        </button>
      </form>
      {launcherUrl && <LaunchLocalNode launcherUrl={launcherUrl} onChanged={onChanged} />}
      <OutcomeView outcome={outcome} testId="membership" />
      {removing && (
        <ConfirmDialog
          title={`Remove ${removing}?`}
          body="Its data streams to the nodes that take over its ranges, then it leaves the ring. Keys stay readable while data moves."
          confirmLabel="Remove node"
          onConfirm={confirmRemove}
          onCancel={() => setRemoving(null)}
        />
      )}
    </section>
  );
}
