import { describe, expect, it } from 'vitest';
import { heaviestStacks, retainedBySite, type SamplingHeapNode } from './heap-sampling.js';

function node(
  functionName: string,
  url: string,
  lineNumber: number,
  selfSize: number,
  children: SamplingHeapNode[] = [],
): SamplingHeapNode {
  return { callFrame: { functionName, url, lineNumber, columnNumber: 0 }, selfSize, children };
}

const profile = {
  head: node('(root)', '', 0, 0, [
    node('onRead', 'file:///x/node_modules/ws/lib/receiver.js', 126, 100, [
      node('decode', 'file:///work/main/packages/protocol/src/decode.ts', 9, 300),
    ]),
    node('other', 'file:///x/a/b/c.js', 0, 0, [
      node('decode', 'file:///work/main/packages/protocol/src/decode.ts', 9, 50),
    ]),
    node('(V8 API)', '', 0, 20),
  ]),
};

describe('retainedBySite', () => {
  it('sums self bytes per function and place, largest first, leaving out sites with none', () => {
    expect(retainedBySite(profile)).toEqual([
      { functionName: 'decode', where: 'protocol/src/decode.ts:10', bytes: 350 },
      { functionName: 'onRead', where: 'ws/lib/receiver.js:127', bytes: 100 },
      { functionName: '(V8 API)', where: 'native', bytes: 20 },
    ]);
  });
});

describe('heaviestStacks', () => {
  it('lists whole stacks, root first, by their own bytes', () => {
    const [first, second] = heaviestStacks(profile, 2);
    expect(first).toEqual({
      stack: ['(root) native', 'onRead ws/lib/receiver.js:127', 'decode protocol/src/decode.ts:10'],
      bytes: 300,
    });
    expect(second?.bytes).toBe(100);
  });
});
