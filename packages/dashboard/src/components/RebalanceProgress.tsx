/** Data moving between nodes after a join or leave: ranges pending, what has moved, and the rate. */
import { formatBytes, formatCount } from '../lib/format.js';
import type { RebalanceTotals } from '../lib/nodes.js';

export function RebalanceProgress({ totals }: { totals: RebalanceTotals | null }) {
  if (!totals) return null;
  return (
    <div className="rebalance" role="status" data-testid="rebalance">
      <span className="rebalance-pulse" aria-hidden="true" />
      <strong>Rebalancing</strong>
      <span>
        {formatCount(totals.rangesPending)} ranges pending on {totals.nodesMoving}{' '}
        {totals.nodesMoving === 1 ? 'node' : 'nodes'}
      </span>
      <span>
        moved {formatCount(totals.keysMoved)} keys · {formatBytes(totals.bytesMoved)}
      </span>
      <span>
        {formatCount(totals.keysPerSecond)} keys/s · {formatBytes(totals.bytesPerSecond)}/s
      </span>
    </div>
  );
}
