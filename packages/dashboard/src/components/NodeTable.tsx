/**
 * The members: colour, status, share of the ring (primary and as any replica), keys, bytes, data moving,
 * and a remove button. Hovering a row highlights that node on the ring.
 */
import { nodeColorVar } from '../config/theme.js';
import { formatBytes, formatCount, formatPercent } from '../lib/format.js';
import type { NodeRow } from '../lib/nodes.js';
import type { RingModel } from '../lib/ring-model.js';
import { StatusBadge } from './StatusBadge.js';

interface NodeTableProps {
  rows: readonly NodeRow[];
  model: RingModel | null;
  slots: ReadonlyMap<string, number>;
  self: string;
  onHighlight: (node: string | null) => void;
  onRemove: (node: string) => void;
}

export function NodeTable({ rows, model, slots, self, onHighlight, onRemove }: NodeTableProps) {
  return (
    <div className="table-scroll">
      <table className="node-table" data-testid="node-table">
        <thead>
          <tr>
            <th>node</th>
            <th>status</th>
            <th className="number" title="share of the ring this node owns as primary">
              primary
            </th>
            <th className="number" title="share of the ring this node stores as any replica">
              replica
            </th>
            <th className="number">keys</th>
            <th className="number">bytes</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {rows.map((row) => (
            <tr
              key={row.id}
              data-testid="node-row"
              data-node={row.id}
              data-status={row.status}
              onPointerEnter={() => onHighlight(row.id)}
              onPointerLeave={() => onHighlight(null)}
            >
              <td className="node-id">
                <span className="swatch" style={{ background: nodeColorVar(slots.get(row.id) ?? 0) }} />
                {row.id}
                {row.id === self && <span className="self-tag">this page</span>}
              </td>
              <td>
                <StatusBadge status={row.status} />
              </td>
              <td className="number">{share(model?.primaryShare.get(row.id))}</td>
              <td className="number">{share(model?.replicaShare.get(row.id))}</td>
              <td className="number" data-testid="node-keys">
                {row.keys === null ? '–' : formatCount(row.keys)}
              </td>
              <td className="number">{row.bytes === null ? '–' : formatBytes(row.bytes)}</td>
              <td>
                <button type="button" className="link danger" onClick={() => onRemove(row.id)}>
                  remove
                </button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

const share = (fraction: number | undefined) => (fraction === undefined ? '–' : formatPercent(fraction));
