/**
 * The gc-layers server answers like the echo in each of its layer combinations: a create, a read of it, a
 * read of a missing key and a batch, over a real WebSocket to a real process. Run under the CPU lock
 * (it spawns servers).
 */
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { allocatePort } from '../../lib/ports.js';
import { startProcess, stopAll, waitUntil } from '../../lib/processes.js';
import { repositoryRoot } from '../../lib/ringkv.js';

const logDirectory = path.join(os.tmpdir(), `ringkv-gc-layers-test-${process.pid}`);

async function startServer(layers: string[]): Promise<string> {
  const port = await allocatePort();
  const args = ['--import', 'tsx', 'bench/micro/gc-layers/server.ts', String(port), ...layers];
  const logFile = path.join(logDirectory, `server-${port}.log`);
  startProcess('gc-layers', process.execPath, args, { cwd: repositoryRoot, logFile });
  const url = `ws://127.0.0.1:${port}/ws`;
  await waitUntil('gc-layers server', () => exchange(url, []).then(() => true), 20_000);
  return url;
}

/** Sends each frame in turn, waiting for its reply; resolves with the replies. */
function exchange(url: string, frames: string[]): Promise<string[]> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url);
    const replies: string[] = [];
    const timer = setTimeout(() => {
      socket.terminate();
      reject(new Error('no reply within 5 s'));
    }, 5_000);
    const next = () => {
      if (replies.length === frames.length) {
        clearTimeout(timer);
        socket.close();
        resolve(replies);
      } else {
        socket.send(frames[replies.length]!);
      }
    };
    socket.on('open', next);
    socket.on('message', (data) => {
      replies.push(data.toString());
      next();
    });
    socket.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
  });
}

afterAll(async () => {
  await stopAll();
});

describe('gc-layers server', () => {
  const combinations = [
    ['--upgrade=port'],
    ['--upgrade=http', '--decode'],
    ['--upgrade=fastify', '--decode', '--cork'],
    ['--upgrade=fastify', '--connection', '--metrics'],
  ];
  for (const layers of combinations) {
    it(`answers creates, reads and batches with ${layers.join(' ')}`, async () => {
      const url = await startServer(layers);
      const replies = await exchange(url, [
        '{"id":1,"op":"create","key":"k1","value":{"n":1}}',
        '{"id":2,"op":"read","key":"k1"}',
        '{"id":3,"op":"read","key":"missing"}',
        '[{"id":4,"op":"update","key":"k1","value":"two"},{"id":5,"op":"read","key":"k1"}]',
      ]);
      const [created, read, missing, batch] = replies.map((text) => JSON.parse(text));
      expect(created).toMatchObject({ id: 1, ok: true, result: { key: 'k1', value: { n: 1 } } });
      expect(read).toMatchObject({ id: 2, ok: true, result: { key: 'k1', value: { n: 1 } } });
      expect(missing).toMatchObject({ id: 3, ok: false, error: { code: 'KEY_NOT_FOUND' } });
      expect(batch).toMatchObject([
        { id: 4, ok: true, result: { value: 'two' } },
        { id: 5, ok: true, result: { value: 'two' } },
      ]);
    });
  }
});
