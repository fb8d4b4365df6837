/**
 * One peer's side of the mesh: the socket currently in use (at most one after de-duplication), a bounded
 * outbox of serialized envelopes that survives reconnects, and the reconnect state. Messages queued during
 * one event-loop turn leave as ONE frame (a JSON array), so a burst of replica writes costs one frame and one
 * syscall per peer, not one per write. Writing stops while the socket's `bufferedAmount` is above the high
 * water mark and resumes when the last frame sent has been handed to the kernel.
 */
import { limits } from '@ringkv/protocol';
import WebSocket from 'ws';

export type LinkState = 'idle' | 'connecting' | 'open' | 'backoff';

/** A frame holds at most this many UTF-16 units, so that even all-3-byte UTF-8 fits peerFrameBytesMax. */
const frameCharsMax = Math.floor(limits.peerFrameBytesMax / 4);

export class PeerLink {
  socket: WebSocket | undefined;
  /** Who dialled the socket in use: de-duplication keeps the one dialled by the lower node id. */
  socketDialer: string | undefined;
  state: LinkState = 'idle';
  /** Failed dials in a row; drives the backoff. */
  attempt = 0;
  reconnectTimer: NodeJS.Timeout | undefined;
  /** Someone wants to talk to this peer: reconnect after losing it. */
  wanted = false;
  /** Messages dropped because the outbox was full or the peer unreachable. */
  dropped = 0;
  framesSent = 0;
  messagesSent = 0;
  private parts: string[] = [];
  private head = 0;
  private bytes = 0;
  private flushScheduled = false;
  private awaitingDrain = false;

  constructor(readonly peer: string) {}

  get queued(): number {
    return this.parts.length - this.head;
  }

  /** Queues one serialized envelope; false (and counted) when the outbox is full. */
  enqueue(text: string): boolean {
    if (this.queued >= limits.peerOutboxMessagesMax || this.bytes + text.length > limits.peerOutboxBytesMax) {
      this.dropped++;
      return false;
    }
    this.parts.push(text);
    this.bytes += text.length;
    this.scheduleFlush();
    return true;
  }

  /** Drops everything queued (the peer is unreachable); returns how many were dropped. */
  clear(): number {
    const count = this.queued;
    this.parts = [];
    this.head = 0;
    this.bytes = 0;
    this.dropped += count;
    return count;
  }

  scheduleFlush(): void {
    if (this.flushScheduled || this.queued === 0 || this.state !== 'open') return;
    this.flushScheduled = true;
    // setImmediate runs after the current turn's I/O callbacks, so everything queued in this turn coalesces.
    setImmediate(() => {
      this.flushScheduled = false;
      this.flush();
    });
  }

  private flush(): void {
    const socket = this.socket;
    if (!socket || socket.readyState !== WebSocket.OPEN) return;
    // Bounded: each pass sends at least one message, and there are at most peerOutboxMessagesMax.
    while (this.queued > 0) {
      if (socket.bufferedAmount >= limits.peerBufferedBytesHighWater) {
        this.awaitingDrain = true;
        return;
      }
      const frame = this.takeFrame();
      socket.send(frame.text, (error) => this.afterSend(socket, error));
      this.framesSent++;
      this.messagesSent += frame.count;
    }
  }

  private afterSend(socket: WebSocket, error: Error | undefined): void {
    // A failed send means the socket is closing; its close handler reconnects and re-flushes.
    if (error || !this.awaitingDrain || socket !== this.socket) return;
    if (socket.bufferedAmount < limits.peerBufferedBytesHighWater) {
      this.awaitingDrain = false;
      this.scheduleFlush();
    }
  }

  private takeFrame(): { text: string; count: number } {
    const end = Math.min(this.parts.length, this.head + limits.peerFrameMessagesMax);
    let chars = 2;
    let index = this.head;
    // Always take at least one message: a single message is bounded by the value limit, far below a frame.
    do {
      chars += this.parts[index]!.length + 1;
      index++;
    } while (index < end && chars + this.parts[index]!.length < frameCharsMax);
    const taken = this.parts.slice(this.head, index);
    this.head = index;
    for (const part of taken) this.bytes -= part.length;
    if (this.head > 1024 && this.head * 2 > this.parts.length) {
      this.parts = this.parts.slice(this.head);
      this.head = 0;
    }
    return { text: `[${taken.join(',')}]`, count: taken.length };
  }
}
