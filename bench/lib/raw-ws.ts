/**
 * A minimal WebSocket client over a plain TCP socket, for the open-loop generator only: the HTTP upgrade,
 * client text frames with an all-zero mask (valid per RFC 6455, as `ws-load.ts` sends them), and a frame
 * reader that hands each server frame's payload over as offsets into the received chunk, so a reply's
 * `id` and `ok` are read from its bytes without building a string or an object per reply.
 *
 * Why not `ws`: its receiver is a Writable stream that copies and re-emits every message, and at 8,000
 * replies a second that work runs on the same event loop that must send the next requests on time. What
 * this module does not do (fragmented messages, extensions, masked server frames) the servers we measure
 * never send; such a frame is reported as an error, not skipped silently.
 */
import { randomBytes } from 'node:crypto';
import net from 'node:net';

export const opcodeText = 0x1;
export const opcodeClose = 0x8;
export const opcodePing = 0x9;
export const opcodePong = 0xa;

/** Frame header length of a client frame with a payload of `payloadBytes`: base, extended length, mask. */
export function clientHeaderBytes(payloadBytes: number): number {
  if (payloadBytes < 126) return 2 + 4;
  if (payloadBytes < 65_536) return 4 + 4;
  return 10 + 4;
}

/**
 * Writes a final client frame with `text` (ASCII) as its payload and a zero mask into `target` at
 * `offset`; returns the offset after it. With a zero mask the payload bytes are the text itself.
 */
export function writeClientFrame(target: Buffer, offset: number, text: string, opcode = opcodeText): number {
  const length = text.length;
  let at = offset;
  target[at++] = 0x80 | opcode;
  if (length < 126) {
    target[at++] = 0x80 | length;
  } else if (length < 65_536) {
    target[at++] = 0x80 | 126;
    target.writeUInt16BE(length, at);
    at += 2;
  } else {
    target[at++] = 0x80 | 127;
    target.writeUInt32BE(Math.floor(length / 2 ** 32), at);
    target.writeUInt32BE(length >>> 0, at + 4);
    at += 8;
  }
  target.writeUInt32BE(0, at);
  at += 4;
  return at + target.write(text, at, length, 'latin1');
}

export function clientFrame(text: string, opcode = opcodeText): Buffer {
  const frame = Buffer.allocUnsafe(clientHeaderBytes(text.length) + text.length);
  writeClientFrame(frame, 0, text, opcode);
  return frame;
}

export type FrameHandler = (opcode: number, bytes: Buffer, start: number, end: number) => void;

/**
 * Splits a server's byte stream into frames. A frame wholly inside one chunk is handed over in place;
 * only a frame cut by a chunk boundary is copied (into the remainder joined with the next chunk).
 */
export class FrameReader {
  private remainder: Buffer | undefined;
  constructor(
    private readonly onFrame: FrameHandler,
    private readonly onError: (reason: string) => void,
  ) {}

  push(chunk: Buffer): void {
    const bytes = this.remainder === undefined ? chunk : Buffer.concat([this.remainder, chunk]);
    this.remainder = undefined;
    let at = 0;
    while (at < bytes.length) {
      const next = this.frameAt(bytes, at);
      if (next === -1) {
        this.remainder = Buffer.from(bytes.subarray(at));
        return;
      }
      if (next === -2) return;
      at = next;
    }
  }

  /** The offset after the frame at `at`, -1 when it is not complete yet, -2 after a protocol error. */
  private frameAt(bytes: Buffer, at: number): number {
    if (bytes.length - at < 2) return -1;
    const first = bytes[at]!;
    const second = bytes[at + 1]!;
    if ((first & 0x80) === 0 || (second & 0x80) !== 0) {
      this.onError('a fragmented or masked server frame (not supported by this generator)');
      return -2;
    }
    let length = second & 0x7f;
    let start = at + 2;
    if (length === 126) {
      if (bytes.length - at < 4) return -1;
      length = bytes.readUInt16BE(at + 2);
      start = at + 4;
    } else if (length === 127) {
      if (bytes.length - at < 10) return -1;
      length = bytes.readUInt32BE(at + 2) * 2 ** 32 + bytes.readUInt32BE(at + 6);
      start = at + 10;
    }
    const end = start + length;
    if (end > bytes.length) return -1;
    this.onFrame(first & 0x0f, bytes, start, end);
    return end;
  }
}

const idPrefix = Buffer.from('{"id":', 'latin1');
const okTrue = Buffer.from('"ok":true', 'latin1');
const okFalse = Buffer.from('"ok":false', 'latin1');
const digitZero = 0x30;
const comma = 0x2c;

/** The id of a reply scanned from its bytes, packed with its outcome: `id * 2 + (ok ? 1 : 0)`; -1 if not. */
export function scanReplyBytes(bytes: Buffer, start: number, end: number): number {
  if (end - start < idPrefix.length + 2 || bytes.compare(idPrefix, 0, 6, start, start + 6) !== 0) return -1;
  let id = 0;
  let at = start + 6;
  for (; at < end; at++) {
    const digit = bytes[at]! - digitZero;
    if (digit < 0 || digit > 9) break;
    id = id * 10 + digit;
  }
  if (at === start + 6 || at >= end || bytes[at] !== comma) return -1;
  at++;
  if (end - at >= okTrue.length && bytes.compare(okTrue, 0, okTrue.length, at, at + okTrue.length) === 0) {
    return id * 2 + 1;
  }
  if (
    end - at >= okFalse.length &&
    bytes.compare(okFalse, 0, okFalse.length, at, at + okFalse.length) === 0
  ) {
    return id * 2;
  }
  return -1;
}

/** The same, through JSON.parse, for replies whose fields come in another order; -1 without a numeric id. */
export function parseReplyBytes(bytes: Buffer, start: number, end: number): number {
  const parsed = JSON.parse(bytes.toString('utf8', start, end)) as { id?: unknown; ok?: unknown };
  if (typeof parsed.id !== 'number' || !Number.isSafeInteger(parsed.id) || parsed.id < 0) return -1;
  return parsed.id * 2 + (parsed.ok === true ? 1 : 0);
}

const upgradeTimeoutMs = 10_000;
const headerEnd = Buffer.from('\r\n\r\n', 'latin1');
const headerBytesMax = 16_384;

/** Bytes read from the socket per read call; shared by every connection (each read is consumed at once). */
export const readBufferBytes = 65_536;
let sharedReadBuffer: Buffer | undefined;

export interface RawWebSocket {
  socket: net.Socket;
  /** Where the bytes after the upgrade go; chunks are views of a shared buffer, valid only in the call. */
  onChunk(handler: (chunk: Buffer) => void): void;
}

/**
 * Opens a TCP connection to a `ws://host:port/path` URL and completes the upgrade; Nagle off, as `ws`
 * does. Reads go into one buffer shared by all connections (`onread`), so a read allocates no new memory
 * for its bytes (Node's default gives each read a fresh buffer): less garbage, fewer collections.
 */
export function connectRawWebSocket(url: string): Promise<RawWebSocket> {
  const parsed = new URL(url);
  if (parsed.protocol !== 'ws:') throw new Error(`raw-ws: only ws:// URLs, got ${url}`);
  sharedReadBuffer ??= Buffer.allocUnsafe(readBufferBytes);
  return new Promise((resolve, reject) => {
    let handler: (chunk: Buffer) => void = (chunk) => onUpgradeData(chunk);
    const early: Buffer[] = [];
    const socket = net.connect({
      host: parsed.hostname,
      port: Number(parsed.port),
      onread: {
        buffer: sharedReadBuffer!,
        callback: (bytes, buffer) => {
          handler(Buffer.from(buffer.buffer, buffer.byteOffset, bytes));
          return true;
        },
      },
    });
    socket.setNoDelay(true);
    const timer = setTimeout(() => fail(new Error(`raw-ws: upgrade of ${url} timed out`)), upgradeTimeoutMs);
    let received = Buffer.alloc(0);
    const fail = (error: Error) => {
      clearTimeout(timer);
      socket.destroy();
      reject(error);
    };
    const onUpgradeData = (chunk: Buffer) => {
      received = Buffer.concat([received, chunk]);
      const end = received.indexOf(headerEnd);
      if (end === -1) {
        if (received.length > headerBytesMax) fail(new Error(`raw-ws: no upgrade answer from ${url}`));
        return;
      }
      const head = received.toString('latin1', 0, end);
      if (!/^HTTP\/1\.1 101 /.test(head)) return fail(new Error(`raw-ws: ${url}: ${head.split('\r\n')[0]}`));
      clearTimeout(timer);
      socket.off('error', fail);
      // Until the caller takes the stream, bytes are kept (copied: the read buffer is reused).
      const rest = received.subarray(end + headerEnd.length);
      if (rest.length > 0) early.push(rest);
      handler = (next) => early.push(Buffer.from(next));
      resolve({
        socket,
        onChunk: (consumer) => {
          for (const chunk of early.splice(0)) consumer(chunk);
          handler = consumer;
        },
      });
    };
    socket.once('error', fail);
    socket.once('connect', () => {
      const key = randomBytes(16).toString('base64');
      socket.write(
        `GET ${parsed.pathname}${parsed.search} HTTP/1.1\r\nHost: ${parsed.host}\r\nUpgrade: websocket\r\n` +
          `Connection: Upgrade\r\nSec-WebSocket-Key: ${key}\r\nSec-WebSocket-Version: 13\r\n\r\n`,
      );
    });
  });
}
