/**
 * `rc.subscribe()`, `rc.psubscribe()`, `rc.ssubscribe()`: subscriptions as `for await`
 * iterables that follow the cluster (see `execution/pubsub_hub.ts`), with a bounded buffer.
 * @module
 */
import { CapacityError, TimeoutError } from "../errors.ts";
import { decoder } from "../_utf8.ts";
import type { _Listener, _PubSubHub, _PubSubKind } from "../execution/pubsub_hub.ts";
import type { Bulk } from "../commands/command_table.ts";
import { _ItemQueue } from "./_item_queue.ts";
import { _within } from "./_within.ts";

/**
 * A published message.
 *
 * @example
 * ```ts ignore
 * for await (const { channel, message, pattern } of sub) console.log(channel, message, pattern);
 * ```
 */
export interface PubSubMessage<D extends boolean = false> {
  /** What this item is. */
  readonly kind: "message";
  /** The channel it was published to. */
  readonly channel: Bulk<D>;
  /** Its payload: a string with `decodeResponses`, else bytes. */
  readonly message: Bulk<D>;
  /** The pattern that matched (`psubscribe` only). */
  readonly pattern?: Bulk<D>;
  /** Absent on messages. */
  readonly gap?: undefined;
}

/**
 * Said in-band when a subscription was not live for a while (its node was lost, failed over, or
 * its slot moved) and is live again: messages published meanwhile are gone (Redis pub/sub is
 * at-most-once), so resync from the source of truth.
 *
 * @example
 * ```ts ignore
 * for await (const item of sub) {
 *   if (item.kind === "gap") await resync(item.gap.channel);
 *   else handle(item.message);
 * }
 * ```
 */
export interface PubSubGap {
  /** What this item is. */
  readonly kind: "gap";
  /** The channel (or pattern) and the wall-clock window (ms since the epoch) it was not live. */
  readonly gap: { readonly channel: string; readonly fromMs: number; readonly toMs: number };
  /** Absent on gaps. */
  readonly channel?: undefined;
  /** Absent on gaps. */
  readonly message?: undefined;
  /** Absent on gaps. */
  readonly pattern?: undefined;
}

/**
 * Options of a subscription: the last argument of `subscribe()` and its siblings.
 *
 * @example
 * ```ts ignore
 * await using sub = await rc.subscribe("news", { bufferSize: 100, overflow: "drop-oldest" });
 * ```
 */
export interface SubscribeOptions {
  /** Items kept for a slow reader.
   * @default 10000 */
  bufferSize?: number;
  /** Past `bufferSize`: `"error"` makes the iterator throw a `CapacityError` (option
   * `"bufferSize"`) saying how many were dropped, and unsubscribes; `"drop-oldest"` drops the
   * oldest items, counted in `dropped`.
   * @default "error" */
  overflow?: "error" | "drop-oldest";
  /** Unsubscribes when aborted.
   * @default undefined */
  signal?: AbortSignal;
  /** How long `subscribe()` (and `add()`) waits for the nodes' confirmations.
   * @default the client's connectTimeoutMs */
  timeoutMs?: number;
}

/**
 * A live set of channels (or patterns): iterate it with `for await`. `close()`, `break`, the
 * signal or `await using` unsubscribes and frees the connection when nothing else uses it.
 *
 * @example
 * ```ts ignore
 * await using sub = await rc.subscribe("news", "alerts");
 * for await (const { channel, message } of sub) console.log(channel, message);
 * ```
 */
export class Subscription<D extends boolean = false>
  implements AsyncIterableIterator<PubSubMessage<D> | PubSubGap>, AsyncDisposable {
  #queue: _ItemQueue<PubSubMessage<D> | PubSubGap>;
  #hub: _PubSubHub;
  #kind: _PubSubKind;
  #names = new Set<string>();
  #listener: _Listener;
  #timeoutMs: number;

  /** @internal Made by `rc.subscribe()` and its siblings. */
  constructor(
    hub: _PubSubHub,
    kind: _PubSubKind,
    decode: boolean,
    options: Required<Pick<SubscribeOptions, "bufferSize" | "overflow" | "timeoutMs">>,
  ) {
    this.#hub = hub;
    this.#kind = kind;
    this.#timeoutMs = options.timeoutMs;
    const { bufferSize } = options;
    this.#queue = new _ItemQueue({
      capacity: bufferSize,
      policy: options.overflow,
      onReturn: () => {
        this.#names.clear();
        this.#hub.remove(this.#listener, this.#kind);
        return Promise.resolve();
      },
      overflow: (n) => {
        // The reader is gone or hopelessly behind: let the server stop sending.
        queueMicrotask(() => this.#hub.remove(this.#listener, this.#kind));
        return new CapacityError(
          `subscription dropped ${n} message${n === 1 ? "" : "s"}: the reader fell more than ` +
            `bufferSize (${bufferSize}) behind`,
          { option: "bufferSize", limit: bufferSize },
        );
      },
    });
    const text = (b: Uint8Array): Bulk<D> => (decode ? decoder.decode(b) : b) as Bulk<D>;
    this.#listener = {
      message: (channel, payload, pattern) =>
        this.#queue.push({
          kind: "message",
          channel: text(channel),
          message: text(payload),
          ...(pattern !== undefined ? { pattern: text(pattern) } : {}),
        }),
      gap: (_kind, channel, fromMs, toMs) =>
        this.#queue.push({ kind: "gap", gap: { channel, fromMs, toMs } }),
    };
  }

  /** The channels (or patterns) subscribed now. */
  get channels(): string[] {
    return [...this.#names];
  }

  /** Items dropped so far under `overflow: "drop-oldest"`. */
  get dropped(): number {
    return this.#queue.dropped;
  }

  /** Subscribes to more channels; resolves once their nodes confirmed them. */
  async add(...names: string[]): Promise<void> {
    _checkNames(names, "add");
    for (const n of names) this.#names.add(n);
    const ms = this.#timeoutMs;
    await _within(
      this.#hub.add(this.#listener, this.#kind, names),
      ms,
      () => new TimeoutError(`subscribe to ${names.join(", ")} not confirmed within ${ms} ms`),
    );
  }

  /** Unsubscribes from some channels. */
  remove(...names: string[]): Promise<void> {
    _checkNames(names, "remove");
    for (const n of names) this.#names.delete(n);
    this.#hub.remove(this.#listener, this.#kind, names);
    return Promise.resolve();
  }

  /** The next message or gap. */
  next(): Promise<IteratorResult<PubSubMessage<D> | PubSubGap>> {
    return this.#queue.next();
  }

  /** Unsubscribes (what `break` calls). */
  return(): Promise<IteratorResult<PubSubMessage<D> | PubSubGap>> {
    return this.#queue.return();
  }

  /** Unsubscribes from everything and ends the iteration. */
  async close(): Promise<void> {
    await this.#queue.return();
  }

  /** The subscription is its own iterator. */
  [Symbol.asyncIterator](): AsyncIterableIterator<PubSubMessage<D> | PubSubGap> {
    return this;
  }

  /** `await using` unsubscribes at the end of the block. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }
}

/** Splits `subscribe()`'s arguments into names and options, checking both. */
export function _subscribeArgs(
  method: string,
  args: readonly (string | SubscribeOptions)[],
): { names: string[]; options: SubscribeOptions } {
  const last = args.at(-1);
  const options = typeof last === "object" && last !== null ? last : {};
  const names = (options === last ? args.slice(0, -1) : args) as string[];
  if (names.length === 0) throw new TypeError(`${method}(): name at least one channel`);
  _checkNames(names, method);
  const { bufferSize, overflow, signal, timeoutMs } = options;
  if (bufferSize !== undefined && !(Number.isInteger(bufferSize) && bufferSize > 0)) {
    throw new TypeError(`${method}(): options.bufferSize must be a positive integer`);
  }
  if (overflow !== undefined && overflow !== "error" && overflow !== "drop-oldest") {
    throw new TypeError(`${method}(): options.overflow must be "error" or "drop-oldest"`);
  }
  if (signal !== undefined && !(signal instanceof AbortSignal)) {
    throw new TypeError(`${method}(): options.signal must be an AbortSignal`);
  }
  if (timeoutMs !== undefined && !(typeof timeoutMs === "number" && timeoutMs > 0)) {
    throw new TypeError(`${method}(): options.timeoutMs must be a positive number`);
  }
  return { names, options };
}

/** Starts a subscription; resolves once every node confirmed it. */
export async function _subscribe<D extends boolean>(
  hub: _PubSubHub,
  kind: _PubSubKind,
  decode: boolean,
  names: readonly string[],
  options: SubscribeOptions,
  defaultTimeoutMs: number,
): Promise<Subscription<D>> {
  const sub = new Subscription<D>(hub, kind, decode, {
    bufferSize: options.bufferSize ?? 10_000,
    overflow: options.overflow ?? "error",
    timeoutMs: options.timeoutMs ?? defaultTimeoutMs,
  });
  try {
    await sub.add(...names);
  } catch (e) {
    await sub.close();
    throw e;
  }
  const { signal } = options;
  if (signal !== undefined) {
    if (signal.aborted) await sub.close();
    else signal.addEventListener("abort", () => void sub.close(), { once: true });
  }
  return sub;
}

function _checkNames(names: readonly unknown[], method: string): void {
  const bad = names.findIndex((n) => typeof n !== "string");
  if (bad !== -1) throw new TypeError(`${method}(): channel ${bad} must be a string`);
}
