/**
 * A bounded queue between a connection's read loop (which pushes) and one `for await` loop
 * (which pulls): a slow consumer never grows memory past `capacity`.
 * @module
 */

/** What happens when items arrive faster than they are taken and the queue is full. */
export type OverflowPolicy = "error" | "drop-oldest";

/** A queue of items read one by one with `for await`; `end()` or `fail()` finishes it. */
export class _ItemQueue<T> implements AsyncIterableIterator<T> {
  #items: T[] = [];
  #head = 0;
  #capacity: number;
  #policy: OverflowPolicy;
  #dropped = 0;
  #waiter: PromiseWithResolvers<IteratorResult<T>> | undefined;
  #failure: Error | undefined;
  #ended = false;
  #onReturn: () => Promise<void>;
  #overflow: (dropped: number) => Error;

  constructor(options: {
    capacity: number;
    policy: OverflowPolicy;
    /** Called once when the consumer stops (break, return, close). */
    onReturn: () => Promise<void>;
    /** The error for an overflow under the "error" policy. */
    overflow: (dropped: number) => Error;
  }) {
    this.#capacity = options.capacity;
    this.#policy = options.policy;
    this.#onReturn = options.onReturn;
    this.#overflow = options.overflow;
  }

  /** Items dropped so far (the "drop-oldest" policy). */
  get dropped(): number {
    return this.#dropped;
  }

  /** Adds an item; past capacity, drops the oldest or fails the iterator, as the policy says. */
  push(item: T): void {
    if (this.#ended || this.#failure !== undefined) return;
    if (this.#waiter !== undefined) {
      const w = this.#waiter;
      this.#waiter = undefined;
      w.resolve({ value: item, done: false });
      return;
    }
    if (this.#items.length - this.#head >= this.#capacity) {
      this.#dropped++;
      if (this.#policy === "error") return this.fail(this.#overflow(this.#dropped));
      this.#head++;
    }
    this.#items.push(item);
    if (this.#head > 1024 && this.#head * 2 > this.#items.length) {
      this.#items = this.#items.slice(this.#head);
      this.#head = 0;
    }
  }

  /** Ends the iteration after the items already queued. */
  end(): void {
    this.#ended = true;
    this.#wake({ value: undefined, done: true });
  }

  /** Makes the next `next()` (after queued items are taken) reject with `error`. */
  fail(error: Error): void {
    if (this.#failure !== undefined || this.#ended) return;
    this.#failure = error;
    this.#items = [];
    this.#head = 0;
    if (this.#waiter !== undefined) {
      const w = this.#waiter;
      this.#waiter = undefined;
      w.reject(error);
    }
  }

  next(): Promise<IteratorResult<T>> {
    if (this.#head < this.#items.length) {
      const value = this.#items[this.#head]!;
      this.#items[this.#head++] = undefined as T;
      return Promise.resolve({ value, done: false });
    }
    if (this.#failure !== undefined) return Promise.reject(this.#failure);
    if (this.#ended) return Promise.resolve({ value: undefined, done: true });
    this.#waiter = Promise.withResolvers();
    return this.#waiter.promise;
  }

  async return(): Promise<IteratorResult<T>> {
    const wasOpen = !this.#ended;
    this.end();
    this.#items = [];
    if (wasOpen) await this.#onReturn();
    return { value: undefined, done: true };
  }

  [Symbol.asyncIterator](): AsyncIterableIterator<T> {
    return this;
  }

  #wake(result: IteratorResult<T>): void {
    if (this.#waiter === undefined || this.#head < this.#items.length) return;
    const w = this.#waiter;
    this.#waiter = undefined;
    w.resolve(result);
  }
}
