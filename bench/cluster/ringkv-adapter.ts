/** RingClient (pipelined, batched, ring-aware) as a benchmark adapter. */
import { RingClient } from '@ringkv/client';
import type { KvAdapter } from '../lib/app-load.js';

export async function createRingClientAdapter(urls: string[]): Promise<KvAdapter> {
  const client = await RingClient.connect(urls);
  return {
    read: (key) => client.read(key),
    write: (key, value) => client.update(key, value),
    close: async () => {
      client.close();
    },
  };
}
