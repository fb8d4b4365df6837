/** Plain-text tables for `--pretty`: left-aligned text, right-aligned numbers, two spaces between columns. */
export function table(header: string[], rows: (string | number)[][]): string {
  const cells = [header, ...rows.map((row) => row.map(String))];
  const numeric = header.map(
    (_, column) => rows.length > 0 && rows.every((row) => typeof row[column] === 'number'),
  );
  const widths = header.map((_, column) => Math.max(...cells.map((row) => (row[column] ?? '').length)));
  return cells
    .map((row) =>
      row
        .map((cell, column) =>
          numeric[column]
            ? cell.padStart(widths[column]!)
            : cell.padEnd(column === row.length - 1 ? 0 : widths[column]!),
        )
        .join('  '),
    )
    .join('\n');
}

/** `name  value` lines with the names aligned. */
export function fields(entries: [string, string | number][]): string {
  const width = Math.max(...entries.map(([name]) => name.length));
  return entries.map(([name, value]) => `${name.padEnd(width)}  ${value}`).join('\n');
}
