/**
 * Requests this node sent to peers and awaits replies for: one table, request ids unique per process, a
 * timeout on every entry (a caller never waits forever), and a bound per peer.
 */
import {
  limits,
  type PeerReply,
  type PeerReplyByRequest,
  type PeerRequest,
  RingKvError,
} from '@ringkv/protocol';

interface Pending {
  peer: string;
  expect: PeerRequest['type'];
  /** Results a batch reply must carry (one per key or record of the request); -1 for other requests. */
  count: number;
  resolve: (reply: PeerReply) => void;
  reject: (error: RingKvError) => void;
  timer: NodeJS.Timeout;
}

export class PeerRequests {
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private readonly perPeer = new Map<string, number>();
  timeouts = 0;

  inflight(peer: string): number {
    return this.perPeer.get(peer) ?? 0;
  }

  get size(): number {
    return this.pending.size;
  }

  /** Registers a request; returns its id and the promise of its reply. */
  open<T extends PeerRequest>(
    peer: string,
    request: T,
    timeoutMs: number,
  ): { id: number; reply: Promise<PeerReplyByRequest[T['type']]> } {
    if (this.inflight(peer) >= limits.peerRequestsInflightMax) {
      throw new RingKvError('UNAVAILABLE', `too many requests in flight to ${peer}`);
    }
    const id = this.nextId++;
    const reply = new Promise<PeerReplyByRequest[T['type']]>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.timeouts++;
        this.settle(id)?.reject(
          new RingKvError('TIMEOUT', `${peer} did not answer ${request.type} within ${timeoutMs} ms`),
        );
      }, timeoutMs);
      this.pending.set(id, {
        peer,
        expect: request.type,
        count: batchCount(request),
        resolve: resolve as (reply: PeerReply) => void,
        reject,
        timer,
      });
    });
    this.perPeer.set(peer, this.inflight(peer) + 1);
    return { id, reply };
  }

  private settle(id: number): Pending | undefined {
    const entry = this.pending.get(id);
    if (!entry) return undefined;
    this.pending.delete(id);
    clearTimeout(entry.timer);
    const count = this.inflight(entry.peer) - 1;
    if (count > 0) this.perPeer.set(entry.peer, count);
    else this.perPeer.delete(entry.peer);
    return entry;
  }

  /**
   * A reply arrived from `peer`. Returns a reason when the reply is not acceptable (unknown id, wrong peer,
   * wrong type); a late reply to a request that timed out is not an error and returns undefined.
   */
  resolve(peer: string, id: number, reply: PeerReply): string | undefined {
    const entry = this.pending.get(id);
    if (!entry) return undefined;
    if (entry.peer !== peer) return `reply ${id} came from ${peer}, not ${entry.peer}`;
    this.settle(id);
    if (!replyMatches(entry.expect, reply)) {
      entry.reject(new RingKvError('INTERNAL', `${peer} answered ${entry.expect} with ${reply.type}`));
      return `reply to ${entry.expect} has type ${reply.type}`;
    }
    if (entry.count >= 0 && 'results' in reply && reply.results.length !== entry.count) {
      const problem = `reply to ${entry.expect} of ${entry.count} has ${reply.results.length} results`;
      entry.reject(new RingKvError('INTERNAL', `${peer}: ${problem}`));
      return problem;
    }
    entry.resolve(reply);
    return undefined;
  }

  reject(peer: string, id: number, error: RingKvError): void {
    const entry = this.pending.get(id);
    if (!entry || entry.peer !== peer) return;
    this.settle(id)?.reject(error);
  }

  /** Fails every request to `peer` (its connection is gone: replies cannot arrive). */
  failPeer(peer: string, error: RingKvError): void {
    for (const [id, entry] of this.pending) {
      if (entry.peer === peer) this.settle(id)?.reject(error);
    }
  }

  failAll(error: RingKvError): void {
    for (const id of [...this.pending.keys()]) this.settle(id)?.reject(error);
  }
}

const expectedReply: Record<PeerRequest['type'], PeerReply['type']> = {
  'replica-write': 'write-ack',
  'replica-read': 'read-reply',
  'replica-writes': 'write-acks',
  'replica-reads': 'read-replies',
  forward: 'forward-reply',
  stats: 'stats-reply',
  'repair-digest': 'repair-digest-reply',
  'repair-fetch': 'repair-records',
  'repair-push': 'repair-push-ack',
};

function batchCount(request: PeerRequest): number {
  if (request.type === 'replica-reads') return request.keys.length;
  if (request.type === 'replica-writes') return request.writes.length;
  return -1;
}

function replyMatches(request: PeerRequest['type'], reply: PeerReply): boolean {
  return expectedReply[request] === reply.type;
}
