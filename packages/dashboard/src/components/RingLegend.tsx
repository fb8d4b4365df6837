/** One chip per node under the ring: its colour, its address and its status, readable at a glance. */
import { legendNodesMax } from '../config/limits.js';
import { nodeColorVar } from '../config/theme.js';
import type { NodeRow } from '../lib/nodes.js';
import { StatusBadge } from './StatusBadge.js';

interface RingLegendProps {
  rows: readonly NodeRow[];
  slots: ReadonlyMap<string, number>;
  onHighlight: (node: string | null) => void;
}

export function RingLegend({ rows, slots, onHighlight }: RingLegendProps) {
  const many = rows.length > legendNodesMax;
  const shown = many ? rows.filter((row) => row.status !== 'alive') : rows;
  const alive = rows.length - rows.filter((row) => row.status !== 'alive').length;
  return (
    <ul className="ring-legend" data-testid="ring-legend">
      {many && (
        <li className="legend-chip" data-testid="legend-summary">
          {alive} of {rows.length} nodes alive{shown.length > 0 ? '; the others:' : ''}
        </li>
      )}
      {shown.map((row) => (
        <li
          key={row.id}
          className={`legend-chip status-${row.status}`}
          data-testid="legend-node"
          data-node={row.id}
          data-status={row.status}
          onPointerEnter={() => onHighlight(row.id)}
          onPointerLeave={() => onHighlight(null)}
        >
          <span className="swatch" style={{ background: nodeColorVar(slots.get(row.id) ?? 0) }} />
          <span className="mono">{row.id}</span>
          <StatusBadge status={row.status} />
        </li>
      ))}
    </ul>
  );
}
