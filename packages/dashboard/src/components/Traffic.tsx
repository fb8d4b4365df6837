/**
 * Live traffic from the `stats` topic: cluster-wide ops/s by operation, and one operation's p50 or p99
 * latency per node, as time series over the last two minutes.
 */
import { useState } from 'react';
import { CartesianGrid, Legend, Line, LineChart, Tooltip, XAxis, YAxis } from 'recharts';
import { latencyLinesMax } from '../config/limits.js';
import { nodeColorVar, opColorVar } from '../config/theme.js';
import { formatClock, formatCount } from '../lib/format.js';
import {
  busiestOp,
  latencySeries,
  opsSeries,
  type Percentile,
  type StatsSample,
  seriesNodes,
  slowestNodes,
  type TrafficOp,
  trafficOps,
} from '../lib/series.js';
import { axisProps, ChartFigure, gridProps, tooltipProps } from './ChartFrame.js';
import { Stat } from './Stat.js';

interface TrafficProps {
  history: readonly StatsSample[];
  slots: ReadonlyMap<string, number>;
}

const timeAxis = {
  dataKey: 'at',
  type: 'number',
  domain: ['dataMin', 'dataMax'],
  scale: 'time',
  tickFormatter: formatClock,
  minTickGap: 40,
} as const;

export function Traffic({ history, slots }: TrafficProps) {
  const [chosenOp, setChosenOp] = useState<TrafficOp | 'busiest'>('busiest');
  const [percentile, setPercentile] = useState<Percentile>('p99Ms');
  const op = chosenOp === 'busiest' ? busiestOp(history) : chosenOp;
  const ops = opsSeries(history);
  const latency = latencySeries(history, op, percentile);
  const allNodes = seriesNodes(history);
  // Fifty lines are a blur: past the bound, draw the slowest nodes (those an operator looks for).
  const nodes = allNodes.length > latencyLinesMax ? slowestNodes(latency, latencyLinesMax) : allNodes;
  const latest = ops.at(-1);
  const totalNow = latest ? trafficOps.reduce((sum, name) => sum + latest[name], 0) : 0;

  return (
    <section className="panel" aria-labelledby="traffic-title" data-testid="traffic">
      <header className="panel-header">
        <h2 id="traffic-title">Live traffic</h2>
        <div className="stats-row">
          <Stat label="ops/s now" value={formatCount(totalNow)} testId="ops-now" />
          <Stat label="samples" value={String(history.length)} testId="stats-samples" />
          <Stat label="last sample" value={latest ? formatClock(latest.at) : '–'} />
        </div>
      </header>
      {history.length === 0 && <p className="muted">Waiting for the first stats sample from the node…</p>}
      <div className="chart-grid">
        <ChartFigure title="Operations per second" note="sum over all nodes">
          <LineChart responsive style={{ width: '100%', height: 220 }} data={ops}>
            <CartesianGrid {...gridProps} />
            <XAxis {...timeAxis} {...axisProps} />
            <YAxis {...axisProps} width={48} />
            <Tooltip {...tooltipProps} labelFormatter={(at) => formatClock(Number(at))} />
            <Legend wrapperStyle={{ fontSize: 12 }} />
            {trafficOps.map((name) => (
              <Line
                key={name}
                dataKey={name}
                type="monotone"
                stroke={opColorVar(name)}
                strokeWidth={2}
                dot={false}
                isAnimationActive={false}
              />
            ))}
          </LineChart>
        </ChartFigure>
        <ChartFigure
          title={`${op} latency ${percentile === 'p99Ms' ? 'p99' : 'p50'} per node (ms)${
            nodes.length < allNodes.length ? `, the ${nodes.length} slowest of ${allNodes.length}` : ''
          }`}
          note={
            <LatencyControls
              op={chosenOp}
              onOp={setChosenOp}
              percentile={percentile}
              onPercentile={setPercentile}
            />
          }
        >
          <LineChart responsive style={{ width: '100%', height: 220 }} data={latency}>
            <CartesianGrid {...gridProps} />
            <XAxis {...timeAxis} {...axisProps} />
            <YAxis {...axisProps} width={48} />
            <Tooltip {...tooltipProps} labelFormatter={(at) => formatClock(Number(at))} />
            <Legend wrapperStyle={{ fontSize: 12 }} />
            {nodes.map((node) => (
              <Line
                key={node}
                dataKey={node}
                type="monotone"
                stroke={nodeColorVar(slots.get(node) ?? 0)}
                strokeWidth={2}
                dot={false}
                connectNulls={false}
                isAnimationActive={false}
              />
            ))}
          </LineChart>
        </ChartFigure>
      </div>
    </section>
  );
}

interface LatencyControlsProps {
  op: TrafficOp | 'busiest';
  onOp: (op: TrafficOp | 'busiest') => void;
  percentile: Percentile;
  onPercentile: (percentile: Percentile) => void;
}

function LatencyControls({ op, onOp, percentile, onPercentile }: LatencyControlsProps) {
  return (
    <span className="chart-controls">
      <select
        aria-label="operation"
        value={op}
        onChange={(event) => onOp(event.target.value as TrafficOp | 'busiest')}
      >
        <option value="busiest">busiest op</option>
        {trafficOps.map((name) => (
          <option key={name} value={name}>
            {name}
          </option>
        ))}
      </select>
      <select
        aria-label="percentile"
        value={percentile}
        onChange={(event) => onPercentile(event.target.value as Percentile)}
      >
        <option value="p50Ms">p50</option>
        <option value="p99Ms">p99</option>
      </select>
    </span>
  );
}
