// The npm package `hashring` ships no types; this is the part of its API the ring benchmark uses.
declare module 'hashring' {
  export default class HashRing {
    constructor(
      servers: string[] | Record<string, unknown>,
      algorithm?: string,
      options?: { 'vnode count'?: number; replicas?: number; 'max cache size'?: number },
    );
    get(key: string): string;
    add(server: string): HashRing;
    /** Internals that `get` uses: the key's position, and the sorted points. */
    hashValue(key: string): number;
    find(hashValue: number): number;
    ring: Array<{ value: number; server: string }>;
  }
}
