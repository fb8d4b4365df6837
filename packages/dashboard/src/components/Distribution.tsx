/**
 * Key distribution: keys and bytes per node against the ideal even share, the max/mean imbalance, and an
 * estimated density of keys along the ring.
 */
import {
  Area,
  AreaChart,
  Bar,
  BarChart,
  type BarShapeProps,
  CartesianGrid,
  Rectangle,
  ReferenceLine,
  Tooltip,
  XAxis,
  YAxis,
} from 'recharts';
import { densityBinCount } from '../config/limits.js';
import { nodeColorVar } from '../config/theme.js';
import { densityAlongRing, distribution } from '../lib/distribution.js';
import { formatBytes, formatCount } from '../lib/format.js';
import type { NodeRow } from '../lib/nodes.js';
import type { RingModel } from '../lib/ring-model.js';
import { axisProps, ChartFigure, gridProps, tooltipProps } from './ChartFrame.js';
import { Stat } from './Stat.js';

interface DistributionProps {
  rows: readonly NodeRow[];
  model: RingModel | null;
  slots: ReadonlyMap<string, number>;
}

const shortNode = (node: string) => node.replace(/^127\.0\.0\.1:/, ':');

export function Distribution({ rows, model, slots }: DistributionProps) {
  const reporting = rows.filter((row) => row.status !== 'dead' && row.keys !== null);
  const result = distribution(
    reporting.map((row) => ({ node: row.id, keys: row.keys!, bytes: row.bytes ?? 0 })),
  );
  // Recomputed per render: O(vnodes x bins) arithmetic, well under a millisecond at 50 x 256 vnodes.
  const keysByNode = new Map(reporting.map((row) => [row.id, row.keys!]));
  const density = model
    ? densityAlongRing(model.ranges, model.preferenceLists, keysByNode, densityBinCount).map((bin) => ({
        degrees: Math.round(bin.startTurn * 360),
        keys: bin.keys,
      }))
    : [];

  const bar = (props: BarShapeProps) => (
    <Rectangle
      {...props}
      fill={nodeColorVar(slots.get(String(props.payload?.node)) ?? 0)}
      radius={[3, 3, 0, 0]}
    />
  );

  return (
    <section className="panel" aria-labelledby="distribution-title" data-testid="distribution">
      <header className="panel-header">
        <h2 id="distribution-title">Key distribution</h2>
        <div className="stats-row">
          <Stat label="stored copies" value={formatCount(result.totalKeys)} testId="total-keys" />
          <Stat label="bytes" value={formatBytes(result.totalBytes)} />
          <Stat
            label="imbalance max/mean"
            value={result.imbalance === null ? '–' : `${result.imbalance.toFixed(2)}×`}
            testId="imbalance"
          />
        </div>
      </header>
      <div className="chart-grid">
        <ChartFigure title="Keys per node" note="dashed line: ideal even share">
          <BarChart responsive style={{ width: '100%', height: 200 }} data={result.rows}>
            <CartesianGrid {...gridProps} />
            <XAxis dataKey="node" tickFormatter={shortNode} {...axisProps} />
            <YAxis {...axisProps} width={48} allowDecimals={false} />
            <Tooltip {...tooltipProps} cursor={{ fill: 'var(--surface-raised)' }} />
            <Bar dataKey="keys" shape={bar} isAnimationActive={false} />
            <ReferenceLine
              y={result.rows[0]?.idealKeys ?? 0}
              stroke="var(--text-muted)"
              strokeDasharray="5 4"
            />
          </BarChart>
        </ChartFigure>
        <ChartFigure title="Bytes per node" note="dashed line: ideal even share">
          <BarChart responsive style={{ width: '100%', height: 200 }} data={result.rows}>
            <CartesianGrid {...gridProps} />
            <XAxis dataKey="node" tickFormatter={shortNode} {...axisProps} />
            <YAxis {...axisProps} width={72} tickFormatter={formatBytes} />
            <Tooltip
              {...tooltipProps}
              cursor={{ fill: 'var(--surface-raised)' }}
              formatter={(bytes) => formatBytes(Number(bytes))}
            />
            <Bar dataKey="bytes" shape={bar} isAnimationActive={false} />
            <ReferenceLine
              y={result.rows[0]?.idealBytes ?? 0}
              stroke="var(--text-muted)"
              strokeDasharray="5 4"
            />
          </BarChart>
        </ChartFigure>
      </div>
      <ChartFigure
        title="Key density along the ring (estimate)"
        note="each node's key count spread evenly over the ranges it replicates; not a scan of real key positions"
        testId="density"
      >
        <AreaChart responsive style={{ width: '100%', height: 140 }} data={density}>
          <CartesianGrid {...gridProps} />
          <XAxis dataKey="degrees" {...axisProps} tickFormatter={(degrees: number) => `${degrees}°`} />
          <YAxis {...axisProps} width={48} tickFormatter={(keys: number) => formatCount(keys)} />
          <Tooltip
            {...tooltipProps}
            labelFormatter={(degrees) => `from ${degrees}° of the ring`}
            formatter={(keys) => formatCount(Number(keys))}
          />
          <Area
            dataKey="keys"
            type="step"
            stroke="var(--accent)"
            fill="var(--accent)"
            fillOpacity={0.18}
            isAnimationActive={false}
          />
        </AreaChart>
      </ChartFigure>
    </section>
  );
}
