/**
 * A sender's outbox as ringkv's peer links and RingClient's connections keep one: every message queued in
 * one turn of the event loop leaves as ONE frame, a JSON array of the messages' texts, at setImmediate.
 * The micro-benchmarks that copy ringkv's message pattern (rf3-shape.ts, replica-path.ts) share it.
 */
export class TurnOutbox {
  private queued: string[] = [];
  private scheduled = false;
  /** Frames sent so far. */
  frames = 0;

  constructor(private readonly sendFrame: (frame: string) => void) {}

  /** Queues one message's JSON text. */
  push(text: string): void {
    this.queued.push(text);
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      const frame = `[${this.queued.join(',')}]`;
      this.queued = [];
      this.frames++;
      this.sendFrame(frame);
    });
  }
}
