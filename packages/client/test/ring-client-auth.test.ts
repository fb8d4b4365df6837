/** The client against a real node started with --token: the right token works, a wrong or missing one is UNAUTHORIZED. */
import { HttpClient, RingClient } from '@ringkv/client';
import { type NodeProcess, startNodeProcess, stopAllNodeProcesses } from '@ringkv/node/test-support';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

let node: NodeProcess;

beforeAll(async () => {
  node = await startNodeProcess({
    portRange: [22500, 22549],
    token: 's3cret',
    args: ['--memory', '--vnodes', '8'],
  });
});

afterAll(async () => {
  await stopAllNodeProcesses();
});

describe('token', { timeout: 120_000 }, () => {
  it('RingClient sends it on the WebSocket URL; without it the node refuses with UNAUTHORIZED', async () => {
    await expect(RingClient.connect([node.url])).rejects.toMatchObject({ code: 'UNAUTHORIZED' });
    await expect(RingClient.connect([node.url], { token: 'wrong' })).rejects.toMatchObject({
      code: 'UNAUTHORIZED',
    });
    const client = await RingClient.connect([node.url], { token: 's3cret' });
    try {
      await expect(client.create('auth:1', true)).resolves.toMatchObject({ key: 'auth:1', value: true });
      expect(client.state).toMatchObject({ status: 'open', home: node.address });
    } finally {
      client.close();
    }
  });

  it('HttpClient sends it as a bearer token', async () => {
    await expect(new HttpClient(node.url).nodes()).rejects.toMatchObject({ code: 'UNAUTHORIZED' });
    await expect(new HttpClient(node.url, { token: 's3cret' }).read('auth:1')).resolves.toMatchObject({
      value: true,
    });
  });
});
