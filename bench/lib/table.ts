/**
 * Plain tables for the terminal and for markdown. Both print the same cells, so what a reader sees in
 * BENCHMARKS.md is exactly what the run printed.
 */

export type Cell = string | number | undefined;

export interface Column<Row> {
  header: string;
  cell: (row: Row) => Cell;
  /** Right-align numbers (default: true for numeric cells). */
  alignRight?: boolean;
}

function text(cell: Cell): string {
  if (cell === undefined) return '-';
  return typeof cell === 'number' ? formatNumber(cell) : cell;
}

/** Integers and numbers from 100 up with thousands separators; else 2 decimals below 10, 1 below 100. */
export function formatNumber(value: number): string {
  if (!Number.isFinite(value)) return '-';
  const magnitude = Math.abs(value);
  if (Number.isInteger(value) || magnitude >= 100) return Math.round(value).toLocaleString('en-US');
  if (magnitude >= 10) return value.toFixed(1);
  return value.toFixed(2);
}

export function markdownTable<Row>(rows: readonly Row[], columns: readonly Column<Row>[]): string {
  const header = `| ${columns.map((column) => column.header).join(' | ')} |`;
  const rule = `| ${columns.map((column) => (column.alignRight === false ? '---' : '---:')).join(' | ')} |`;
  const body = rows.map((row) => `| ${columns.map((column) => text(column.cell(row))).join(' | ')} |`);
  return [header, rule, ...body].join('\n');
}

export function terminalTable<Row>(rows: readonly Row[], columns: readonly Column<Row>[]): string {
  const cells = rows.map((row) => columns.map((column) => text(column.cell(row))));
  const widths = columns.map((column, index) =>
    Math.max(column.header.length, ...cells.map((line) => line[index]?.length ?? 0)),
  );
  const pad = (value: string, index: number): string => {
    const width = widths[index] ?? value.length;
    return columns[index]?.alignRight === false ? value.padEnd(width) : value.padStart(width);
  };
  const header = columns.map((column, index) => pad(column.header, index)).join('  ');
  const rule = widths.map((width) => '-'.repeat(width)).join('  ');
  return [header, rule, ...cells.map((line) => line.map(pad).join('  '))].join('\n');
}

/** `a / b` as "0.83x", or undefined when either side is missing. */
export function ratio(numerator: number | undefined, denominator: number | undefined): string | undefined {
  if (numerator === undefined || denominator === undefined || denominator <= 0) return undefined;
  return `${(numerator / denominator).toFixed(2)}x`;
}
