/**
 * The open-loop generator's requests in flight: per connection, a fixed number of slots indexed by
 * `id % slots`, holding each request's intended and actual send time in typed arrays (no Map entry and
 * no object per request). A slot still taken when its next id comes round means the connection has that
 * many requests outstanding: the new request is skipped and counted, as `ws-load.ts` does beyond its
 * in-flight maximum.
 */
export class InflightTable {
  private readonly ids: Float64Array;
  private readonly intended: Float64Array;
  private readonly sent: Float64Array;
  private readonly counts: Uint32Array;
  constructor(
    connections: number,
    private readonly perConnection: number,
  ) {
    this.ids = new Float64Array(connections * perConnection);
    this.intended = new Float64Array(connections * perConnection);
    this.sent = new Float64Array(connections * perConnection);
    this.counts = new Uint32Array(connections);
  }

  /** Takes a slot for `id`; false when the connection's slot for it is still taken (counted as skipped). */
  add(connection: number, id: number, intendedMicros: number, sentMicros: number): boolean {
    const slot = connection * this.perConnection + (id % this.perConnection);
    if (this.ids[slot] !== 0) return false;
    this.ids[slot] = id;
    this.intended[slot] = intendedMicros;
    this.sent[slot] = sentMicros;
    this.counts[connection]!++;
    return true;
  }

  /** Frees `id`'s slot; its slot index, or -1 when the id is not in flight on this connection. */
  take(connection: number, id: number): number {
    const slot = connection * this.perConnection + (id % this.perConnection);
    if (this.ids[slot] !== id) return -1;
    this.ids[slot] = 0;
    this.counts[connection]!--;
    return slot;
  }

  intendedAt(slot: number): number {
    return this.intended[slot]!;
  }

  sentAt(slot: number): number {
    return this.sent[slot]!;
  }

  inflight(): number {
    let total = 0;
    for (const count of this.counts) total += count;
    return total;
  }
}
