/**
 * Who listens to which pushed topics. The client subscribes its home connection to the union of every
 * listener's topics (plus `ring` and `nodes` for routing), and re-subscribes when it moves to another node.
 */
import type { DashboardEvent, Topic } from '@ringkv/protocol';

export type EventListener = (event: DashboardEvent) => void;

export class Subscriptions {
  private readonly listeners = new Map<EventListener, ReadonlySet<Topic>>();
  private readonly internal: ReadonlySet<Topic>;

  constructor(internal: Iterable<Topic>) {
    this.internal = new Set(internal);
  }

  add(topics: readonly Topic[], listener: EventListener): void {
    this.listeners.set(listener, new Set(topics));
  }

  remove(listener: EventListener): void {
    this.listeners.delete(listener);
  }

  /** Every topic some listener (or the client itself) needs. */
  topics(): Set<Topic> {
    const topics = new Set(this.internal);
    for (const wanted of this.listeners.values()) for (const topic of wanted) topics.add(topic);
    return topics;
  }

  /** Delivers to the listeners of the event's topic; a throwing listener does not stop the others. */
  dispatch(event: DashboardEvent): Error[] {
    const errors: Error[] = [];
    for (const [listener, topics] of this.listeners) {
      if (!topics.has(event.event)) continue;
      try {
        listener(event);
      } catch (error) {
        errors.push(error instanceof Error ? error : new Error(String(error)));
      }
    }
    return errors;
  }
}
