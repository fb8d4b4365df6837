import { useRef } from 'react';
import { nodeColors } from '../config/theme.js';
import { assignColorSlots, sameSlots } from '../lib/colors.js';

/** Colour slot per node, stable while the membership changes around it. */
export function useColorSlots(nodes: readonly string[]): ReadonlyMap<string, number> {
  const slotsRef = useRef<Map<string, number>>(new Map());
  const next = assignColorSlots(slotsRef.current, nodes, nodeColors.length);
  if (!sameSlots(next, slotsRef.current)) slotsRef.current = next;
  return slotsRef.current;
}
