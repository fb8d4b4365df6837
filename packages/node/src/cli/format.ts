/** `--pretty` renderings of each command's result; the default output is the result as one line of JSON. */
import type {
  AddNodeResult,
  DeleteResult,
  GetNodeResult,
  NodesResult,
  RecordResult,
  RemoveNodeResult,
  RingResult,
} from '@ringkv/protocol';
import { fields, table } from './table.js';

export function formatRecord(record: RecordResult): string {
  return fields([
    ['key', record.key],
    ['value', JSON.stringify(record.value)],
    ['version', record.version],
  ]);
}

export function formatDelete(result: DeleteResult): string {
  return `deleted ${result.key}`;
}

export function formatGetNode(result: GetNodeResult): string {
  return fields([
    ['key', result.key],
    ['node', result.node],
    ['replicas', result.replicas.join(', ')],
  ]);
}

export function formatAddNode(result: AddNodeResult): string {
  return `added ${result.node}; the ring now has ${result.nodes.length} nodes: ${result.nodes.join(', ')}`;
}

export function formatRemoveNode(result: RemoveNodeResult): string {
  return `${result.node} is ${result.status}: its data streams to the new owners, then it leaves`;
}

export function formatNodes(result: NodesResult): string {
  return table(
    ['NODE', 'STATUS', 'KEYS', 'BYTES'],
    result.nodes.map((node) => [node.id, node.status, node.keys, node.bytes ?? '-']),
  );
}

/** Per node: its tokens and the share of the ring (token space) it is primary for. */
export function formatRing(ring: RingResult): string {
  const sorted = [...ring.tokens].sort((a, b) => a.token - b.token);
  const owned = new Map<string, { tokens: number; span: number }>();
  for (let i = 0; i < sorted.length; i++) {
    const entry = sorted[i]!;
    const previous = i === 0 ? sorted[sorted.length - 1]!.token - 2 ** 32 : sorted[i - 1]!.token;
    const share = owned.get(entry.node) ?? { tokens: 0, span: 0 };
    share.tokens++;
    share.span += entry.token - previous;
    owned.set(entry.node, share);
  }
  const header = fields([
    ['epoch', ring.epoch],
    ['vnodes', ring.vnodes],
    ['replication', ring.replicationFactor],
    ...(ring.checksum === undefined ? [] : ([['checksum', ring.checksum]] as [string, string][])),
  ]);
  const rows = [...owned]
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([node, share]) => [node, share.tokens, `${((share.span / 2 ** 32) * 100).toFixed(1)}%`]);
  return `${header}\n\n${table(['NODE', 'TOKENS', 'PRIMARY SHARE'], rows)}`;
}
