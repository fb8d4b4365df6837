import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { WebSocketServer } from 'ws';
import {
  clientFrame,
  clientHeaderBytes,
  connectRawWebSocket,
  FrameReader,
  opcodeText,
  parseReplyBytes,
  scanReplyBytes,
} from './raw-ws.js';

/** A server frame (unmasked, final) as `ws` would send it. */
function serverFrame(text: string): Buffer {
  const payload = Buffer.from(text, 'utf8');
  const header =
    payload.length < 126
      ? Buffer.from([0x81, payload.length])
      : Buffer.from([0x81, 126, payload.length >> 8, payload.length & 0xff]);
  return Buffer.concat([header, payload]);
}

function collect(chunks: Buffer[]): { frames: string[]; errors: string[] } {
  const frames: string[] = [];
  const errors: string[] = [];
  const reader = new FrameReader(
    (opcode, bytes, start, end) => frames.push(`${opcode}:${bytes.toString('utf8', start, end)}`),
    (reason) => errors.push(reason),
  );
  for (const chunk of chunks) reader.push(chunk);
  return { frames, errors };
}

describe('client frames', () => {
  it('carry the text unchanged behind a zero mask, with the short and the 16-bit length forms', () => {
    const short = clientFrame('{"id":1}');
    expect([...short.subarray(0, 6)]).toEqual([0x81, 0x80 | 8, 0, 0, 0, 0]);
    expect(short.toString('latin1', 6)).toBe('{"id":1}');
    const text = 'x'.repeat(300);
    const long = clientFrame(text);
    expect(long.length).toBe(clientHeaderBytes(300) + 300);
    expect([...long.subarray(0, 8)]).toEqual([0x81, 0x80 | 126, 1, 44, 0, 0, 0, 0]);
    expect(long.toString('latin1', 8)).toBe(text);
  });
});

describe('FrameReader', () => {
  const first = '{"id":1,"ok":true,"result":{}}';
  const second = `{"id":2,"ok":true,"result":{"value":"${'v'.repeat(200)}"}}`;

  it('hands over several frames of one chunk, and frames cut anywhere across chunks', () => {
    const stream = Buffer.concat([serverFrame(first), serverFrame(second)]);
    const expected = [`${opcodeText}:${first}`, `${opcodeText}:${second}`];
    expect(collect([stream]).frames).toEqual(expected);
    for (let cut = 1; cut < stream.length; cut += 7) {
      expect(collect([stream.subarray(0, cut), stream.subarray(cut)]).frames).toEqual(expected);
    }
    expect(collect([...stream].map((byte) => Buffer.from([byte]))).frames).toEqual(expected);
  });

  it('reports a fragmented or masked frame as an error instead of skipping it', () => {
    expect(collect([Buffer.from([0x01, 0x01, 0x41])]).errors).toHaveLength(1);
    expect(collect([Buffer.from([0x81, 0x81, 0, 0, 0, 0, 0x41])]).errors).toHaveLength(1);
  });
});

describe('scanReplyBytes', () => {
  const scan = (text: string) => scanReplyBytes(Buffer.from(text), 0, Buffer.byteLength(text));

  it('reads the id and the outcome from the front of a reply: id * 2 + ok', () => {
    expect(scan('{"id":42,"ok":true,"result":{"key":"k","value":"v","version":1}}')).toBe(85);
    expect(scan('{"id":7,"ok":false,"error":{"code":"KEY_NOT_FOUND","message":"m"}}')).toBe(14);
  });

  it('gives -1 for another field order, a non-numeric id or a cut reply, which JSON.parse then reads', () => {
    for (const text of [
      '{"ok":true,"id":3,"result":{}}',
      '{"id":"s","ok":true}',
      '{"id":5',
      '{"id":,"ok":true}',
    ]) {
      expect(scan(text)).toBe(-1);
    }
    const reordered = Buffer.from('{"ok":true,"id":3,"result":{}}');
    expect(parseReplyBytes(reordered, 0, reordered.length)).toBe(7);
    const stringId = Buffer.from('{"id":"s","ok":true}');
    expect(parseReplyBytes(stringId, 0, stringId.length)).toBe(-1);
  });
});

describe('connectRawWebSocket', () => {
  it('upgrades against a ws server, and the server reads the zero-masked frames as sent', async () => {
    const server = new WebSocketServer({ host: '127.0.0.1', port: 0 });
    await new Promise((resolve) => server.once('listening', resolve));
    const received: string[] = [];
    server.on('connection', (socket) =>
      socket.on('message', (data) => {
        received.push(data.toString());
        socket.send(`{"id":${received.length},"ok":true}`);
      }),
    );
    try {
      const { port } = server.address() as AddressInfo;
      const { socket, onChunk } = await connectRawWebSocket(`ws://127.0.0.1:${port}/ws`);
      const replies: string[] = [];
      const reader = new FrameReader(
        (_opcode, bytes, start, end) => replies.push(bytes.toString('utf8', start, end)),
        (reason) => replies.push(`error ${reason}`),
      );
      onChunk((chunk) => reader.push(chunk));
      const long = `{"id":2,"value":"${'v'.repeat(150)}"}`;
      socket.write(Buffer.concat([clientFrame('{"id":1}'), clientFrame(long)]));
      const deadline = Date.now() + 5_000;
      while (replies.length < 2 && Date.now() < deadline)
        await new Promise((resolve) => setTimeout(resolve, 10));
      socket.destroy();
      expect(received).toEqual(['{"id":1}', long]);
      expect(replies).toEqual(['{"id":1,"ok":true}', '{"id":2,"ok":true}']);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
