/**
 * The ring: every vnode token as a tick coloured by its node, the range each vnode owns as an arc, node
 * status as the arc's style, replicas of the range under the pointer (or of a highlighted node) on inner
 * bands, and a located key with the walk to its preference list. Presentational: data comes in props.
 */
import type { NodeStatus } from '@ringkv/protocol';
import { memo, type PointerEvent, useMemo, useState } from 'react';
import { denseRingTicksMin } from '../config/limits.js';
import { nodeColorVar } from '../config/theme.js';
import { useAnimatedArcs } from '../hooks/useAnimatedArcs.js';
import { formatPercent, formatToken } from '../lib/format.js';
import { ownerIndex, preferenceWalk, tokenSpace } from '../lib/ring.js';
import { nodePaths, type RingGeometry } from '../lib/ring-drawing.js';
import type { RingModel } from '../lib/ring-model.js';
import { arcPath, type Point, pointAt, spreadMarkers, turnOfPoint } from '../lib/svg-path.js';
import { LocatedKeyOverlay } from './LocatedKeyOverlay.js';

export interface LocatedKey {
  key: string;
  token: number;
  /** The preference list from the node's /get_node answer, primary first. */
  replicas: string[];
}

interface RingViewProps {
  model: RingModel;
  statuses: ReadonlyMap<string, NodeStatus>;
  slots: ReadonlyMap<string, number>;
  located: LocatedKey | null;
  highlightNode: string | null;
}

const size = 640;
const centre: Point = { x: size / 2, y: size / 2 };
const arcRadius = 246;
const arcWidth = 22;
const replicaBandWidth = 9;
const replicaRadius = (rank: number) => arcRadius - arcWidth / 2 - 7 - (rank - 1) * (replicaBandWidth + 3);

/** Memoised: the page re-renders every stats second, the ring only when its own props change. */
export const RingView = memo(function RingView({
  model,
  statuses,
  slots,
  located,
  highlightNode,
}: RingViewProps) {
  const frames = useAnimatedArcs(model.ranges);
  const dense = model.sorted.length > denseRingTicksMin;
  const geometry: RingGeometry = useMemo(
    () => ({
      centre,
      arcRadius,
      tickInnerRadius: arcRadius + arcWidth / 2 + 4,
      tickOuterRadius: arcRadius + arcWidth / 2 + (dense ? 12 : 20),
    }),
    [dense],
  );
  const paths = useMemo(() => nodePaths(frames, geometry), [frames, geometry]);
  const [hoveredRange, setHoveredRange] = useState<number | null>(null);

  const onPointerMove = (event: PointerEvent<SVGSVGElement>) => {
    const box = event.currentTarget.getBoundingClientRect();
    const point = {
      x: ((event.clientX - box.left) / box.width) * size,
      y: ((event.clientY - box.top) / box.height) * size,
    };
    const distance = Math.hypot(point.x - centre.x, point.y - centre.y);
    if (model.sorted.length === 0 || distance < 150 || distance > size / 2) return setHoveredRange(null);
    const token = Math.floor(turnOfPoint(centre, point) * tokenSpace);
    setHoveredRange(ownerIndex(model.sorted, token));
  };

  const slotColor = (node: string) => nodeColorVar(slots.get(node) ?? 0);
  const dimmed = (node: string) => highlightNode !== null && highlightNode !== node;

  return (
    <svg
      className="ring"
      viewBox={`0 0 ${size} ${size}`}
      role="img"
      aria-label={`Ring of ${model.nodes.length} nodes, ${model.sorted.length} vnodes`}
      data-testid="ring"
      data-nodes={model.nodes.length}
      data-epoch={model.epoch}
      onPointerMove={onPointerMove}
      onPointerLeave={() => setHoveredRange(null)}
    >
      <circle className="ring-guide" cx={centre.x} cy={centre.y} r={arcRadius} />
      {paths.map((node) => (
        <g
          key={node.node}
          className={`ring-node status-${statuses.get(node.node) ?? 'alive'}`}
          data-node={node.node}
          style={{ color: slotColor(node.node), opacity: dimmed(node.node) ? 0.18 : 1 }}
        >
          <path className="ring-arcs" d={node.arcs} strokeWidth={arcWidth} />
          <path className={dense ? 'ring-ticks dense' : 'ring-ticks'} d={node.ticks} />
          {node.fadingTicks && (
            <path className="ring-ticks" d={node.fadingTicks} style={{ opacity: node.fadingOpacity }} />
          )}
        </g>
      ))}
      {highlightNode && (
        <NodeReplicaBand model={model} node={highlightNode} color={slotColor(highlightNode)} />
      )}
      {hoveredRange !== null && !highlightNode && (
        <HoveredRangeBands model={model} index={hoveredRange} slotColor={slotColor} />
      )}
      {located && (
        <LocatedKeyOverlay
          located={located}
          sorted={model.sorted}
          centre={centre}
          radius={size / 2 - 18}
          bandRadius={arcRadius + arcWidth / 2}
          slotColor={slotColor}
          quiet={hoveredRange !== null}
        />
      )}
      <RingCentre model={model} hoveredRange={hoveredRange} />
    </svg>
  );
});

/**
 * The hovered range again on inner bands, one per replica rank, in each replica's colour, and numbered
 * markers where the clockwise walk from the range meets each replica (1 = the primary, the range's owner).
 */
function HoveredRangeBands(props: { model: RingModel; index: number; slotColor: (node: string) => string }) {
  const range = props.model.ranges[props.index];
  const replicas = props.model.preferenceLists[props.index] ?? [];
  if (!range) return null;
  const startTurn = range.startToken / tokenSpace;
  const lengthTurns = range.length / tokenSpace;
  const walk = preferenceWalk(props.model.sorted, range.endToken, replicas.length);
  const markerRadius = arcRadius + arcWidth / 2 + 30;
  const placed = spreadMarkers(
    walk.map((step) => step.distance / tokenSpace),
    0.018,
  );
  return (
    <g className="ring-hover" pointerEvents="none" data-testid="hovered-range">
      <path
        className="ring-hover-outline"
        d={arcPath(centre, arcRadius, startTurn, lengthTurns)}
        strokeWidth={arcWidth + 6}
      />
      {replicas.slice(1).map((node, rank) => (
        <path
          key={node}
          className="ring-replica-band"
          d={arcPath(centre, replicaRadius(rank + 1), startTurn, lengthTurns)}
          strokeWidth={replicaBandWidth}
          style={{ stroke: props.slotColor(node) }}
        />
      ))}
      {walk.map((step, rank) => {
        const at = pointAt(centre, markerRadius, range.endToken / tokenSpace + (placed[rank] ?? 0));
        return (
          <g key={step.node}>
            <circle
              className="hover-step"
              cx={at.x}
              cy={at.y}
              r={7}
              style={{ fill: props.slotColor(step.node) }}
            />
            <text className="hover-step-label" x={at.x} y={at.y + 3} textAnchor="middle">
              {rank + 1}
            </text>
          </g>
        );
      })}
    </g>
  );
}

/** Every range `node` holds as a replica (not primary), on the inner band. */
function NodeReplicaBand({ model, node, color }: { model: RingModel; node: string; color: string }) {
  const d = useMemo(
    () =>
      model.ranges
        .map((range, index) =>
          range.node !== node && model.preferenceLists[index]?.includes(node)
            ? arcPath(centre, replicaRadius(1), range.startToken / tokenSpace, range.length / tokenSpace)
            : '',
        )
        .join(''),
    [model, node],
  );
  return (
    <path className="ring-replica-band" d={d} strokeWidth={replicaBandWidth} style={{ stroke: color }} />
  );
}

const centreLineIds = ['first', 'second', 'third', 'fourth'] as const;

function RingCentre(props: { model: RingModel; hoveredRange: number | null }) {
  const { model } = props;
  const range = props.hoveredRange !== null ? model.ranges[props.hoveredRange] : undefined;
  const replicas = range ? (model.preferenceLists[props.hoveredRange!] ?? []).slice(1) : [];
  const lines: [string, string][] = range
    ? [
        ['ring-centre-title', `(${formatToken(range.startToken)}, ${formatToken(range.endToken)}]`],
        ['ring-centre-line', `primary ${range.node}`],
        ['ring-centre-line', `replicas ${replicas.join(', ') || 'none'}`],
        ['ring-centre-muted', `${formatPercent(range.length / tokenSpace, 2)} of the ring`],
      ]
    : [
        ['ring-centre-big', String(model.nodes.length)],
        ['ring-centre-line', model.nodes.length === 1 ? 'node' : 'nodes'],
        ['ring-centre-muted', `${model.vnodes} vnodes each · RF ${model.replicationFactor}`],
        ['ring-centre-muted', `epoch ${model.epoch} · hover a range`],
      ];
  return (
    <g
      className="ring-centre"
      pointerEvents="none"
      data-testid="ring-centre"
      data-primary={range?.node}
      data-replicas={range ? replicas.join(',') : undefined}
    >
      {centreLineIds.map((id, index) => {
        const [className, text] = lines[index]!;
        return (
          <text
            key={id}
            className={className}
            x={centre.x}
            y={centre.y - 34 + index * 24 + (className === 'ring-centre-big' ? 6 : 0)}
            textAnchor="middle"
          >
            {text}
          </text>
        );
      })}
    </g>
  );
}
