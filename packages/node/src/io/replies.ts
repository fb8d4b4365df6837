/**
 * Reply and event texts, built by splicing already-encoded JSON (values travel as JSON text end to end,
 * so a reply never parses and re-serialises the value it carries).
 */
import type { ErrorBody, RequestId } from '@ringkv/protocol';
import type { RecordReply, ReplicaRead } from '../node-api.js';
import { jsonStringText, plainJsonString, safeIntegerText } from './json-text.js';

/** `{"key","value","version"}`, the body of create, read and update. */
export function recordResultText(record: RecordReply): string {
  return `{"key":${jsonStringText(record.key)},"value":${record.valueJson},"version":${safeIntegerText(record.version)}}`;
}

/**
 * The texts every `read_replica` answer of a node repeats (its id, its ring's checksum), kept from the last
 * answer instead of quoted again for each: the commonest request of a replicated cluster, and a node
 * answers thousands a second.
 */
class QuotedTexts {
  private nodeId = '';
  private nodeText = '';
  private checksum = '';
  private replicaText = '';
  private notReplicaText = '';

  node(id: string): string {
    if (id !== this.nodeId) {
      this.nodeText = jsonStringText(id);
      this.nodeId = id;
    }
    return this.nodeText;
  }

  /** `"ring":<checksum>,"replica":true`. */
  ringReplica(checksum: string): string {
    if (checksum !== this.checksum) this.quoteRing(checksum);
    return this.replicaText;
  }

  /** `"ring":<checksum>,"replica":false`. */
  ringNotReplica(checksum: string): string {
    if (checksum !== this.checksum) this.quoteRing(checksum);
    return this.notReplicaText;
  }

  private quoteRing(checksum: string): void {
    const ring = `"ring":${jsonStringText(checksum)}`;
    this.replicaText = `${ring},"replica":true`;
    this.notReplicaText = `${ring},"replica":false`;
    this.checksum = checksum;
  }
}

const quoted = new QuotedTexts();

/**
 * The result of `read_replica` (ReplicaReadResult): the node, its ring's checksum, whether it is a replica
 * of the key, and then the write it holds: `version` and `writer`, with `value` or `deleted` (a tombstone).
 * A `digest` leaves out the key, the node and the value.
 */
export function replicaReadResultText(key: string, node: string, read: ReplicaRead, digest = false): string {
  const ring = read.replica
    ? quoted.ringReplica(read.ringChecksum)
    : quoted.ringNotReplica(read.ringChecksum);
  // A digest names the write without carrying it: no key, node or value (the client asked another replica).
  const head = digest ? `{${ring}` : `{"key":${jsonStringText(key)},"node":${quoted.node(node)},${ring}`;
  const record = read.record;
  if (!read.replica || record === undefined) return `${head}}`;
  const held = `${head},"version":${safeIntegerText(record.version)},"writer":${jsonStringText(record.writer)}`;
  if (record.valueJson === null) return `${held},"deleted":true}`;
  return digest ? `${held}}` : `${held},"value":${record.valueJson}}`;
}

/**
 * `okReplyText(id, recordResultText({key, valueJson, version}))` in one template: the reply to a read
 * answered at once, the commonest reply of a batch. No result text or quoted key is built on the way (each
 * would be a string of its own, garbage as soon as the reply is spliced).
 */
export function recordReplyText(id: RequestId, key: string, valueJson: string, version: number): string {
  if (typeof id !== 'number' || !plainJsonString(key)) {
    return okReplyText(id, recordResultText({ key, valueJson, version }));
  }
  return `{"id":${id},"ok":true,"result":{"key":"${key}","value":${valueJson},"version":${safeIntegerText(version)}}}`;
}

/** Pieces one reply adds at most to a BatchReplyText: a read's eleven (its comma in the first). */
const piecesPerReplyMax = 11;

/** 10^8: a safe integer splits at it into two small integers (the high half is below 9.1e7). */
const lowDivisor = 100_000_000;

/** The zeros that pad a number below 10^8 with `digits` digits to 8. */
const zeroPads = ['', '0000000', '000000', '00000', '0000', '000', '00', '0', ''];

/**
 * A batch frame's reply text, `[reply,reply,...]`, kept as pieces and joined once when every reply is in:
 * one string for the frame instead of a tree of concatenations per reply, each a small string of its own
 * that the join then walks. A read answered at once adds its eleven pieces (the stored value among them,
 * not copied until the join); other replies add their text, or keep their place until it is known.
 */
export class BatchReplyText {
  private readonly pieces: Array<string | number>;
  private size = 1;
  private replies = 0;

  constructor(requests: number) {
    // Sized once for the most pieces it can take: an array grown by push is copied as it grows.
    this.pieces = new Array(requests * piecesPerReplyMax + 2);
    this.pieces[0] = '[';
  }

  /** Appends one reply's text. */
  add(text: string): void {
    this.separate();
    this.pieces[this.size++] = text;
  }

  /** Keeps the next reply's place for a text known later; `fill` it before `text`. */
  reserve(): number {
    this.separate();
    return this.size++;
  }

  fill(place: number, text: string): void {
    this.pieces[place] = text;
  }

  /** Appends `recordReplyText(id, key, valueJson, version)`, in pieces. */
  addRecordReply(id: RequestId, key: string, valueJson: string, version: number): void {
    if (typeof id !== 'number' || !plainJsonString(key)) {
      this.add(recordReplyText(id, key, valueJson, version));
      return;
    }
    const pieces = this.pieces;
    let at = this.size;
    // The separating comma rides on the reply's first piece: one piece fewer to store and join.
    pieces[at++] = this.replies++ > 0 ? ',{"id":' : '{"id":';
    // Array.prototype.join prints a number as String does, as the template of recordReplyText does.
    pieces[at++] = id;
    pieces[at++] = ',"ok":true,"result":{"key":"';
    pieces[at++] = key;
    pieces[at++] = '","value":';
    pieces[at++] = valueJson;
    pieces[at++] = ',"version":';
    at = addVersionPieces(pieces, at, version);
    pieces[at++] = '}}';
    this.size = at;
  }

  /** The frame's text; once, after every reserved place was filled. */
  text(): string {
    this.pieces[this.size++] = ']';
    this.pieces.length = this.size;
    return this.pieces.join('');
  }

  private separate(): void {
    if (this.replies++ > 0) this.pieces[this.size++] = ',';
  }
}

/**
 * `safeIntegerText(version)` as pieces: the high half, the low half's zero padding and the low half, two
 * small integers that the join prints (a version is a heap number of about 2^52; its text built here took
 * three strings: the low half's, its slice and the concatenation).
 */
function addVersionPieces(pieces: Array<string | number>, at: number, version: number): number {
  if (version < lowDivisor || !Number.isSafeInteger(version)) {
    pieces[at++] = safeIntegerText(version);
    return at;
  }
  let high = Math.floor(version / lowDivisor);
  let low = version - high * lowDivisor;
  // The division rounds: just below a multiple of 10^8 the quotient can round up to it.
  if (low < 0) {
    high -= 1;
    low += lowDivisor;
  }
  pieces[at++] = high;
  pieces[at++] = zeroPads[decimalDigits(low)]!;
  pieces[at++] = low;
  return at;
}

/** Decimal digits of an integer 0 <= value < 10^8. */
function decimalDigits(value: number): number {
  let digits = 1;
  for (let bound = 10; value >= bound && digits < 8; bound *= 10) digits++;
  return digits;
}

export function okReplyText(id: RequestId, resultText: string): string {
  return `{"id":${idText(id)},"ok":true,"result":${resultText}}`;
}

export function errorReplyText(id: RequestId | null, error: ErrorBody): string {
  return `{"id":${idText(id)},"ok":false,"error":${errorBodyText(error)}}`;
}

/** `JSON.stringify(id)`: a request id is a finite number (printed as `String` prints it) or a string. */
function idText(id: RequestId | null): string {
  if (typeof id === 'string') return jsonStringText(id);
  return id === null ? 'null' : String(id);
}

/** `{"error":{"code","message"}}`, the body of every HTTP error. */
export function errorEnvelopeText(error: ErrorBody): string {
  return `{"error":${errorBodyText(error)}}`;
}

function errorBodyText(error: ErrorBody): string {
  return JSON.stringify({ code: error.code, message: error.message });
}

export function eventText(topic: string, dataText: string): string {
  return `{"event":${JSON.stringify(topic)},"data":${dataText}}`;
}
