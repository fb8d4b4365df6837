/**
 * SVG path data for the ring. Each node's arcs and ticks become ONE path element (many subpaths), so a
 * ring of 50 nodes x 256 vnodes is 100 DOM elements rather than 25,600, and redrawing an animation frame
 * stays cheap. Turns run 0..1 clockwise from twelve o'clock.
 */

export interface Point {
  x: number;
  y: number;
}

const fullTurnRadians = Math.PI * 2;

export function pointAt(centre: Point, radius: number, turn: number): Point {
  const radians = turn * fullTurnRadians - Math.PI / 2;
  return { x: centre.x + radius * Math.cos(radians), y: centre.y + radius * Math.sin(radians) };
}

// Hundredths of a user unit are invisible; rounding keeps path strings short (and faster than toFixed).
const format = (value: number) => String(Math.round(value * 100) / 100);

/**
 * An arc along the circle of `radius` from `startTurn` clockwise for `lengthTurns` (0..1). A full turn is
 * drawn as two halves because one SVG arc cannot start and end at the same point.
 */
export function arcPath(centre: Point, radius: number, startTurn: number, lengthTurns: number): string {
  if (lengthTurns <= 0) return '';
  if (lengthTurns >= 1) {
    return (
      arcPath(centre, radius, startTurn, 0.5) +
      arcPath(centre, radius, startTurn + 0.5, 0.5).replace(/^M[^A]*/, '')
    );
  }
  const start = pointAt(centre, radius, startTurn);
  const end = pointAt(centre, radius, startTurn + lengthTurns);
  const largeArc = lengthTurns > 0.5 ? 1 : 0;
  return `M${format(start.x)} ${format(start.y)}A${format(radius)} ${format(radius)} 0 ${largeArc} 1 ${format(end.x)} ${format(end.y)}`;
}

/** A radial tick at `turn` from `innerRadius` to `outerRadius`. */
export function tickPath(centre: Point, innerRadius: number, outerRadius: number, turn: number): string {
  const inner = pointAt(centre, innerRadius, turn);
  const outer = pointAt(centre, outerRadius, turn);
  return `M${format(inner.x)} ${format(inner.y)}L${format(outer.x)} ${format(outer.y)}`;
}

/** The turn (0..1, clockwise from twelve o'clock) of a point relative to the centre. */
export function turnOfPoint(centre: Point, point: Point): number {
  const radians = Math.atan2(point.y - centre.y, point.x - centre.x) + Math.PI / 2;
  const turn = radians / fullTurnRadians;
  return turn < 0 ? turn + 1 : turn;
}

/**
 * Display positions for markers along the ring, in walk order (each at or after the one before), so
 * markers of nearby tokens do not cover each other: each is moved clockwise until it is at least
 * `gapTurns` past the previous one (the first: past the start). Their true places get leader lines.
 */
export function spreadMarkers(distanceTurns: readonly number[], gapTurns: number): number[] {
  const spread: number[] = [];
  let previous = 0;
  for (const distance of distanceTurns) {
    const placed = Math.max(distance, previous + gapTurns);
    spread.push(placed);
    previous = placed;
  }
  return spread;
}
