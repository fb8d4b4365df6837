/**
 * The persistent engine's byte formats. Keys of the records database are the 4-byte big-endian token
 * followed by the key's UTF-8 bytes, so LMDB's byte order is ring order and a token range is a range read.
 * A record is a small header and the value's JSON text, stored as text so reads never re-serialise it:
 *
 *   byte 0      format (1)
 *   byte 1      flags: bit 0 set for a tombstone
 *   bytes 2-9   version, float64 big-endian
 *   bytes 10-11 writer length n, uint16 big-endian
 *   n bytes     writer, UTF-8
 *   the rest    value JSON, UTF-8 (empty for a tombstone)
 */
import { assert, type StoredRecord } from '../core/types.js';
import type { KeyedRecord } from './store.js';

const formatVersion = 1;
const tombstoneFlag = 1;
const headerBytes = 12;

/** What last-writer-wins and byte accounting need from a stored record, read without decoding its value. */
export interface RecordSummary {
  version: number;
  writer: string;
  isTombstone: boolean;
  valueBytes: number;
}

export function encodeRecord(record: StoredRecord): Buffer {
  const writerBytes = Buffer.byteLength(record.writer, 'utf8');
  assert(writerBytes <= 0xffff, 'record writer must fit in 65535 bytes');
  const valueBytes = record.valueJson === null ? 0 : Buffer.byteLength(record.valueJson, 'utf8');
  const buffer = Buffer.allocUnsafe(headerBytes + writerBytes + valueBytes);
  buffer[0] = formatVersion;
  buffer[1] = record.valueJson === null ? tombstoneFlag : 0;
  buffer.writeDoubleBE(record.version, 2);
  buffer.writeUInt16BE(writerBytes, 10);
  buffer.write(record.writer, headerBytes, 'utf8');
  if (record.valueJson !== null) buffer.write(record.valueJson, headerBytes + writerBytes, 'utf8');
  return buffer;
}

function writerEnd(buffer: Buffer): number {
  assert(buffer[0] === formatVersion, `unknown record format ${buffer[0]}`);
  return headerBytes + ((buffer[10]! << 8) | buffer[11]!);
}

function versionOf(buffer: Buffer): number {
  return buffer.readDoubleBE(2);
}

export function decodeRecord(buffer: Buffer): StoredRecord {
  const end = writerEnd(buffer);
  return {
    valueJson: (buffer[1]! & tombstoneFlag) !== 0 ? null : buffer.toString('utf8', end),
    version: versionOf(buffer),
    writer: buffer.toString('utf8', headerBytes, end),
  };
}

export function summarizeRecord(buffer: Buffer): RecordSummary {
  const end = writerEnd(buffer);
  return {
    version: versionOf(buffer),
    writer: buffer.toString('utf8', headerBytes, end),
    isTombstone: (buffer[1]! & tombstoneFlag) !== 0,
    valueBytes: buffer.length - end,
  };
}

/** The UTF-8 bytes of the value JSON an encoded record holds (0 for a tombstone). */
export function valueBytesOf(buffer: Buffer): number {
  return buffer.length - writerEnd(buffer);
}

export function isTombstoneBuffer(buffer: Uint8Array): boolean {
  return (buffer[1]! & tombstoneFlag) !== 0;
}

/** The records database key of `key`: token (big-endian) then UTF-8 key bytes. */
export function recordKey(token: number, key: string): Buffer {
  const buffer = Buffer.allocUnsafe(4 + Buffer.byteLength(key, 'utf8'));
  buffer.writeUInt32BE(token, 0);
  buffer.write(key, 4, 'utf8');
  return buffer;
}

/** The smallest database key after every key of (token, key): the key's bytes plus one zero byte. */
export function recordKeyAfter(token: number, key: string): Buffer {
  const exact = recordKey(token, key);
  return Buffer.concat([exact, Buffer.alloc(1)]);
}

/** The first database key of `token`: its 4 bytes alone. */
export function tokenKey(token: number): Buffer {
  const buffer = Buffer.allocUnsafe(4);
  buffer.writeUInt32BE(token, 0);
  return buffer;
}

/** A records database entry as a scan returns it. */
export function decodeKeyedRecord(key: Buffer, value: Buffer): KeyedRecord {
  const end = writerEnd(value);
  return {
    key: key.toString('utf8', 4),
    token: key.readUInt32BE(0),
    valueJson: (value[1]! & tombstoneFlag) !== 0 ? null : value.toString('utf8', end),
    version: versionOf(value),
    writer: value.toString('utf8', headerBytes, end),
  };
}
