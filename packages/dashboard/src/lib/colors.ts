/**
 * Stable colour slots for nodes: a node keeps its colour while the cluster changes around it (a joining
 * node takes the lowest free slot; it does not repaint the others, as sorting by id would).
 */

export function assignColorSlots(
  previous: ReadonlyMap<string, number>,
  nodes: readonly string[],
  slotCount: number,
): Map<string, number> {
  const present = new Set(nodes);
  const slots = new Map<string, number>();
  for (const [node, slot] of previous) if (present.has(node)) slots.set(node, slot);
  const used = new Set(slots.values());
  for (const node of [...nodes].sort()) {
    if (slots.has(node)) continue;
    let slot = 0;
    // Past slotCount nodes, colours repeat: the legend and labels still tell the nodes apart.
    while (used.has(slot) && slot < slotCount) slot += 1;
    const chosen = slot < slotCount ? slot : slots.size % slotCount;
    slots.set(node, chosen);
    used.add(chosen);
  }
  return slots;
}

/** True when the same nodes hold the same slots (lets a hook keep its previous Map and skip a render). */
export function sameSlots(left: ReadonlyMap<string, number>, right: ReadonlyMap<string, number>): boolean {
  if (left.size !== right.size) return false;
  for (const [node, slot] of left) if (right.get(node) !== slot) return false;
  return true;
}
