/**
 * A located key on the ring: a needle where the key hashes, then the clockwise walk to each node of its
 * preference list, numbered in order (1 = primary).
 */
import { formatToken } from '../lib/format.js';
import { tokenSpace } from '../lib/ring.js';
import { arcPath, type Point, pointAt, tickPath } from '../lib/svg-path.js';
import type { LocatedKey } from './RingView.js';

interface LocatedKeyOverlayProps {
  located: LocatedKey;
  centre: Point;
  radius: number;
  slotColor: (node: string) => string;
}

export function LocatedKeyOverlay({ located, centre, radius, slotColor }: LocatedKeyOverlayProps) {
  const keyTurn = located.token / tokenSpace;
  const farthest = located.steps.reduce((max, step) => Math.max(max, step.distance), 0);
  const label = pointAt(centre, 120, keyTurn);
  return (
    <g className="located" data-testid="located-key" pointerEvents="none">
      <path className="located-needle" d={tickPath(centre, 132, radius + 8, keyTurn)} />
      <KeyDot at={pointAt(centre, radius, keyTurn)} />
      {farthest > 0 && (
        <path className="located-walk" d={arcPath(centre, radius, keyTurn, farthest / tokenSpace)} />
      )}
      {located.steps.map((step, index) => {
        const at = pointAt(centre, radius, step.token / tokenSpace);
        return (
          <g key={step.node} data-testid="located-step" data-node={step.node}>
            <circle
              className="located-step"
              cx={at.x}
              cy={at.y}
              r={10}
              style={{ fill: slotColor(step.node) }}
            />
            <text className="located-step-label" x={at.x} y={at.y + 4} textAnchor="middle">
              {index + 1}
            </text>
          </g>
        );
      })}
      <text className="located-label" x={label.x} y={label.y} textAnchor="middle">
        {formatToken(located.token)}
      </text>
    </g>
  );
}

function KeyDot({ at }: { at: Point }) {
  return <circle className="located-dot" cx={at.x} cy={at.y} r={5} />;
}
