/** Shared chart pieces: axis and tooltip styles that read the theme's CSS variables. */
import type { ReactNode } from 'react';

export const axisProps = {
  stroke: 'var(--text-muted)',
  tick: { fill: 'var(--text-muted)', fontSize: 11 },
  tickLine: false,
} as const;

export const gridProps = { stroke: 'var(--grid)', strokeDasharray: '3 3', vertical: false } as const;

export const tooltipProps = {
  contentStyle: {
    background: 'var(--surface-raised)',
    border: '1px solid var(--border)',
    borderRadius: 6,
    color: 'var(--text)',
    fontSize: 12,
  },
  labelStyle: { color: 'var(--text-muted)' },
  isAnimationActive: false,
} as const;

export function ChartFigure(props: {
  title: string;
  note?: ReactNode;
  children: ReactNode;
  testId?: string;
}) {
  return (
    <figure className="chart" data-testid={props.testId}>
      <figcaption>
        <span className="chart-title">{props.title}</span>
        {props.note && <span className="chart-note">{props.note}</span>}
      </figcaption>
      {props.children}
    </figure>
  );
}
