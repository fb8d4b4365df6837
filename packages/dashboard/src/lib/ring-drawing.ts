/**
 * Turns animated arc frames into a handful of SVG paths: per node, one path of arcs and one of ticks for
 * the settled vnodes, and one of ticks for vnodes fading in or out. The DOM stays small at any ring size.
 */

import { tokenSpace } from './ring.js';
import type { ArcFrame } from './ring-animation.js';
import { arcPath, type Point, tickPath } from './svg-path.js';

export interface RingGeometry {
  centre: Point;
  arcRadius: number;
  tickInnerRadius: number;
  tickOuterRadius: number;
}

export interface NodePaths {
  node: string;
  arcs: string;
  ticks: string;
  /** Ticks of vnodes that are appearing or disappearing, drawn at `fadingOpacity`. */
  fadingTicks: string;
  fadingOpacity: number;
}

export function nodePaths(frames: readonly ArcFrame[], geometry: RingGeometry): NodePaths[] {
  const byNode = new Map<
    string,
    { arcs: string[]; ticks: string[]; fading: string[]; fadingOpacity: number }
  >();
  for (const frame of frames) {
    let paths = byNode.get(frame.node);
    if (!paths) {
      paths = { arcs: [], ticks: [], fading: [], fadingOpacity: 1 };
      byNode.set(frame.node, paths);
    }
    const startTurn = frame.startToken / tokenSpace;
    const arc = arcPath(geometry.centre, geometry.arcRadius, startTurn, frame.length / tokenSpace);
    if (arc) paths.arcs.push(arc);
    const tick = tickPath(
      geometry.centre,
      geometry.tickInnerRadius,
      geometry.tickOuterRadius,
      frame.endToken / tokenSpace,
    );
    if (frame.opacity >= 1) {
      paths.ticks.push(tick);
    } else {
      paths.fading.push(tick);
      paths.fadingOpacity = Math.min(paths.fadingOpacity, frame.opacity);
    }
  }
  return [...byNode.entries()]
    .sort(([left], [right]) => (left < right ? -1 : left > right ? 1 : 0))
    .map(([node, paths]) => ({
      node,
      arcs: paths.arcs.join(''),
      ticks: paths.ticks.join(''),
      fadingTicks: paths.fading.join(''),
      fadingOpacity: paths.fadingOpacity,
    }));
}
