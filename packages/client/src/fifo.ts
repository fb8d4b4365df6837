/** A queue with O(1) push and shift (an array with a moving head, compacted when half is dead space). */
export class Fifo<T> {
  private items: (T | undefined)[] = [];
  private head = 0;

  get size(): number {
    return this.items.length - this.head;
  }

  push(item: T): void {
    this.items.push(item);
  }

  /** Visits every item, oldest first. */
  forEach(visit: (item: T) => void): void {
    const items = this.items;
    for (let index = this.head; index < items.length; index++) visit(items[index] as T);
  }

  /** Keeps only the items `keep` accepts, in order. */
  retain(keep: (item: T) => boolean): void {
    const kept: T[] = [];
    this.forEach((item) => {
      if (keep(item)) kept.push(item);
    });
    this.items = kept;
    this.head = 0;
  }

  shift(): T | undefined {
    if (this.head >= this.items.length) return undefined;
    const item = this.items[this.head];
    this.items[this.head++] = undefined;
    if (this.head > 1024 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
    return item;
  }
}
