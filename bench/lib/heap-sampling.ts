/**
 * V8's sampling heap profile (`HeapProfiler.getSamplingProfile`): a call tree whose nodes carry the bytes
 * of sampled allocations made there and still alive. Summed here per allocation site (function and
 * source position), largest first.
 */

export interface SamplingHeapNode {
  callFrame: { functionName: string; url: string; lineNumber: number; columnNumber: number };
  selfSize: number;
  children: SamplingHeapNode[];
}

export interface SamplingHeapProfile {
  head: SamplingHeapNode;
}

export interface AllocationSite {
  functionName: string;
  /** `file:line` (the file's last three path segments; lines are 1-based), or `native`. */
  where: string;
  bytes: number;
}

function whereOf(frame: SamplingHeapNode['callFrame']): string {
  if (!frame.url) return 'native';
  const file = frame.url.split('/').slice(-3).join('/');
  return `${file}:${frame.lineNumber + 1}`;
}

/** Self bytes per (function, place), largest first; a site with no bytes is left out. */
export function retainedBySite(profile: SamplingHeapProfile): AllocationSite[] {
  const sites = new Map<string, AllocationSite>();
  const stack: SamplingHeapNode[] = [profile.head];
  while (stack.length > 0) {
    const node = stack.pop()!;
    stack.push(...node.children);
    if (node.selfSize === 0) continue;
    const where = whereOf(node.callFrame);
    const id = `${node.callFrame.functionName}@${where}`;
    const site = sites.get(id) ?? { functionName: node.callFrame.functionName, where, bytes: 0 };
    site.bytes += node.selfSize;
    sites.set(id, site);
  }
  return [...sites.values()].sort((a, b) => b.bytes - a.bytes);
}

/** The heaviest allocation stacks (root first, `function file:line` per frame), largest first. */
export function heaviestStacks(
  profile: SamplingHeapProfile,
  count: number,
): Array<{ stack: string[]; bytes: number }> {
  const stacks: Array<{ stack: string[]; bytes: number }> = [];
  const walk = (node: SamplingHeapNode, path: string[]) => {
    const here = [...path, `${node.callFrame.functionName || '(anonymous)'} ${whereOf(node.callFrame)}`];
    if (node.selfSize > 0) stacks.push({ stack: here, bytes: node.selfSize });
    for (const child of node.children) walk(child, here);
  };
  walk(profile.head, []);
  return stacks.sort((a, b) => b.bytes - a.bytes).slice(0, count);
}
