/**
 * A located key on the ring: a needle where the key hashes, then the clockwise walk to each node of its
 * preference list, numbered in order (1 = primary). Markers of nearby tokens are spread apart, with a
 * leader line to the exact token.
 */
import { formatToken } from '../lib/format.js';
import { type RingToken, tokenSpace, walkToNodes } from '../lib/ring.js';
import { arcPath, type Point, pointAt, spreadMarkers, tickPath } from '../lib/svg-path.js';
import type { LocatedKey } from './RingView.js';

interface LocatedKeyOverlayProps {
  located: LocatedKey;
  /** The ring drawn now: the walk is recomputed on it, so it follows ring changes after the lookup. */
  sorted: readonly RingToken[];
  centre: Point;
  /** Radius of the walk and the markers, outside the ticks. */
  radius: number;
  /** Radius of the outer edge of the arcs, where leader lines end. */
  bandRadius: number;
  slotColor: (node: string) => string;
  /** Hide the key's label (the centre text about a hovered range would run into it). */
  quiet: boolean;
}

const markerRadius = 10;

export function LocatedKeyOverlay(props: LocatedKeyOverlayProps) {
  const { located, sorted, centre, radius, bandRadius, slotColor, quiet } = props;
  const keyTurn = located.token / tokenSpace;
  const steps = walkToNodes(sorted, located.token, located.replicas);
  const gapTurns = (2.4 * markerRadius) / (2 * Math.PI * radius);
  const placed = spreadMarkers(
    steps.map((step) => step.distance / tokenSpace),
    gapTurns,
  );
  const walkTurns = placed.at(-1) ?? 0;
  const labelAt = pointAt(centre, bandRadius - 46, keyTurn);
  return (
    <g className="located" data-testid="located-key" pointerEvents="none">
      <path className="located-needle" d={tickPath(centre, bandRadius - 30, radius + 8, keyTurn)} />
      <KeyDot at={pointAt(centre, radius, keyTurn)} />
      {walkTurns > 0 && <path className="located-walk" d={arcPath(centre, radius, keyTurn, walkTurns)} />}
      {steps.map((step, index) => {
        const at = pointAt(centre, radius, keyTurn + placed[index]!);
        const exact = pointAt(centre, bandRadius, step.token / tokenSpace);
        return (
          <g key={step.node} data-testid="located-step" data-node={step.node}>
            <line className="located-leader" x1={at.x} y1={at.y} x2={exact.x} y2={exact.y} />
            <circle
              className="located-step"
              cx={at.x}
              cy={at.y}
              r={markerRadius}
              style={{ fill: slotColor(step.node) }}
            />
            <text className="located-step-label" x={at.x} y={at.y + 4} textAnchor="middle">
              {index + 1}
            </text>
          </g>
        );
      })}
      {!quiet && (
        <text
          className="located-label"
          x={labelAt.x}
          y={labelAt.y}
          textAnchor={labelAt.x < centre.x ? 'start' : 'end'}
        >
          {located.key} · {formatToken(located.token)}
        </text>
      )}
    </g>
  );
}

function KeyDot({ at }: { at: Point }) {
  return <circle className="located-dot" cx={at.x} cy={at.y} r={5} />;
}
