/**
 * Hints in their own LMDB database. Keys are the target's UTF-8 bytes behind a 2-byte length, then an
 * 8-byte big-endian sequence number, so one target's hints form a contiguous range, oldest first. A hint's
 * id is its database key in hex. The count and the next sequence number are recomputed at open by walking
 * the keys (hints are bounded by `hintsMax`, so this is bounded too).
 */
import type { Database } from 'lmdb';
import { assert, type NodeId } from '../core/types.js';
import { decodeRecord, encodeRecord } from './record-codec.js';
import type { Hint } from './store.js';

type BinaryDatabase = Database<Buffer, Buffer>;

function targetPrefix(target: NodeId): Buffer {
  const length = Buffer.byteLength(target, 'utf8');
  assert(length <= 0xffff, 'hint target must fit in 65535 bytes');
  const prefix = Buffer.allocUnsafe(2 + length);
  prefix.writeUInt16BE(length, 0);
  prefix.write(target, 2, 'utf8');
  return prefix;
}

function hintKey(target: NodeId, sequence: number): Buffer {
  const suffix = Buffer.allocUnsafe(8);
  suffix.writeUInt32BE(Math.floor(sequence / 2 ** 32), 0);
  suffix.writeUInt32BE(sequence % 2 ** 32, 4);
  return Buffer.concat([targetPrefix(target), suffix]);
}

function sequenceOf(key: Buffer): number {
  return key.readUInt32BE(key.length - 8) * 2 ** 32 + key.readUInt32BE(key.length - 4);
}

function encodeHintValue(hint: Hint): Buffer {
  const keyBytes = Buffer.byteLength(hint.key, 'utf8');
  const head = Buffer.allocUnsafe(4 + keyBytes);
  head.writeUInt32BE(keyBytes, 0);
  head.write(hint.key, 4, 'utf8');
  return Buffer.concat([head, encodeRecord(hint.record)]);
}

function decodeHintValue(target: NodeId, value: Buffer): Hint {
  const keyEnd = 4 + value.readUInt32BE(0);
  return { target, key: value.toString('utf8', 4, keyEnd), record: decodeRecord(value.subarray(keyEnd)) };
}

export class LmdbHints {
  private held = 0;
  private sequence = 0;
  private dropped = 0;
  /** Ids whose removal is not committed yet: listings must not hand them out again. */
  private readonly removing = new Set<string>();

  constructor(
    private readonly db: BinaryDatabase,
    private readonly hintsMax: number,
    private readonly track: <T>(write: Promise<T>) => Promise<T>,
  ) {
    for (const key of db.getKeys()) {
      this.held++;
      this.sequence = Math.max(this.sequence, sequenceOf(key));
    }
  }

  async add(hint: Hint): Promise<boolean> {
    if (this.held >= this.hintsMax) {
      this.dropped++;
      return false;
    }
    this.held++;
    await this.track(this.db.put(hintKey(hint.target, ++this.sequence), encodeHintValue(hint)));
    return true;
  }

  list(target: NodeId, limit: number): Array<Hint & { id: string }> {
    const prefix = targetPrefix(target);
    const end = Buffer.concat([prefix, Buffer.alloc(8, 0xff)]);
    const result: Array<Hint & { id: string }> = [];
    for (const { key, value } of this.db.getRange({ start: prefix, end })) {
      if (result.length >= limit) break;
      const id = key.toString('hex');
      if (this.removing.has(id)) continue;
      result.push({ id, ...decodeHintValue(target, value) });
    }
    return result;
  }

  async remove(id: string): Promise<void> {
    if (!/^([0-9a-f]{2})+$/.test(id) || this.removing.has(id)) return;
    const key = Buffer.from(id, 'hex');
    if (!this.db.doesExist(key)) return;
    this.removing.add(id);
    this.held--;
    try {
      await this.track(this.db.remove(key));
    } finally {
      this.removing.delete(id);
    }
  }

  count(): number {
    return this.held;
  }

  droppedCount(): number {
    return this.dropped;
  }
}
