/**
 * ioredis against the Redis Cluster, with auto-pipelining (commands issued in the same tick go out as
 * one pipeline per node): the application-level reference for RingClient.
 */
import { Cluster } from 'ioredis';
import type { KvAdapter } from '../lib/app-load.js';
import { keyAt, redisValue } from '../lib/keys.js';

export function createIoredisClusterAdapter(ports: number[]): { adapter: KvAdapter; cluster: Cluster } {
  const cluster = new Cluster(
    ports.map((port) => ({ host: '127.0.0.1', port })),
    { enableAutoPipelining: true },
  );
  const adapter: KvAdapter = {
    read: (key) => cluster.get(key),
    write: (key, value) => cluster.set(key, value),
    close: async () => {
      await cluster.quit();
    },
  };
  return { adapter, cluster };
}

/** SETs keys 0..count-1 in chunks; auto-pipelining groups each chunk into one pipeline per master. */
export async function preloadRedisCluster(cluster: Cluster, count: number, chunk = 5_000): Promise<void> {
  for (let first = 0; first < count; first += chunk) {
    const end = Math.min(count, first + chunk);
    const writes: Array<Promise<unknown>> = [];
    for (let index = first; index < end; index++) writes.push(cluster.set(keyAt(index), redisValue));
    await Promise.all(writes);
  }
}
