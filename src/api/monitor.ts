/**
 * `rc.monitor()`: `MONITOR` on connections of their own (one per node), streamed as one
 * `for await` iteration. `MONITOR` turns a connection into a one-way stream, so it never runs on
 * a connection other commands share.
 * @module
 */
import { ConnectionError } from "../errors.ts";
import type { Connection } from "../transport/connection.ts";
import type { _Dispatcher } from "../execution/dispatcher.ts";
import { _ItemQueue } from "./_item_queue.ts";
import { decodeReply } from "../protocol/decode_reply.ts";

/**
 * One line of `MONITOR` output and the node it came from.
 *
 * @example
 * ```ts ignore
 * for await (const { address, line } of await rc.monitor()) console.log(address, line);
 * ```
 */
export interface MonitorLine {
  /** The node's `host:port`. */
  readonly address: string;
  /** The line as the server sent it, e.g. `1700000000.123456 [0 127.0.0.1:5555] "GET" "k"`. */
  readonly line: string;
}

/**
 * Options of `rc.monitor()`.
 *
 * @example
 * ```ts ignore
 * await using m = await rc.monitor({ nodes: "master", bufferSize: 1000 });
 * ```
 */
export interface MonitorOptions {
  /** Which nodes to monitor.
   * @default "all" */
  nodes?: "master" | "replica" | "all";
  /** Lines kept for a slow reader; past it the oldest are dropped (counted in `dropped`).
   * @default 10000 */
  bufferSize?: number;
  /** Stops monitoring when aborted.
   * @default undefined */
  signal?: AbortSignal;
}

/**
 * A running `MONITOR` of some nodes: iterate it with `for await`; `close()`, `break`, the
 * signal or `await using` stops it and closes its connections.
 *
 * @example
 * ```ts ignore
 * await using monitor = await rc.monitor();
 * for await (const { address, line } of monitor) {
 *   if (line.includes('"FLUSHALL"')) console.warn(address, line);
 * }
 * ```
 */
export class Monitor implements AsyncIterableIterator<MonitorLine>, AsyncDisposable {
  #queue: _ItemQueue<MonitorLine>;

  /** @internal Made by `rc.monitor()`. */
  constructor(queue: _ItemQueue<MonitorLine>) {
    this.#queue = queue;
  }

  /** Lines dropped because the reader fell more than `bufferSize` behind. */
  get dropped(): number {
    return this.#queue.dropped;
  }

  /** The next line. */
  next(): Promise<IteratorResult<MonitorLine>> {
    return this.#queue.next();
  }

  /** Stops monitoring (what `break` calls). */
  return(): Promise<IteratorResult<MonitorLine>> {
    return this.#queue.return();
  }

  /** Stops monitoring and closes its connections. */
  async close(): Promise<void> {
    await this.#queue.return();
  }

  /** The monitor is its own iterator. */
  [Symbol.asyncIterator](): AsyncIterableIterator<MonitorLine> {
    return this;
  }

  /** `await using` stops monitoring at the end of the block. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }
}

/** Starts `MONITOR` on the chosen nodes; resolves once every node confirmed it. */
export async function _monitor(
  dispatcher: _Dispatcher,
  options: MonitorOptions | undefined,
): Promise<Monitor> {
  const role = options?.nodes ?? "all";
  if (!["master", "replica", "all"].includes(role)) {
    throw new TypeError('monitor(): options.nodes must be "master", "replica" or "all"');
  }
  const bufferSize = options?.bufferSize ?? 10_000;
  if (!Number.isInteger(bufferSize) || bufferSize < 1) {
    throw new TypeError("monitor(): options.bufferSize must be a positive integer");
  }
  await dispatcher.ready("MONITOR");
  const connections: Connection[] = [];
  let stopped: Promise<void> | undefined;
  const stop = (): Promise<void> =>
    stopped ??= Promise.all(connections.map((c) => c.close())).then(() => {});
  const queue = new _ItemQueue<MonitorLine>({
    capacity: bufferSize,
    policy: "drop-oldest",
    onReturn: stop,
    overflow: (n) => new Error(`monitor dropped ${n} lines`),
  });
  const monitor = new Monitor(queue);
  // Every node is waited for, so none is left connected when another one failed.
  const started = await Promise.allSettled(
    dispatcher.nodesOf(role).map(async (node) => {
      const conn = await dispatcher.executor.stream(node, {
        onExtraReply: (reply) =>
          queue.push({ address: node.address, line: String(decodeReply(reply)) }),
        onClose: (error) => {
          if (error === undefined) return;
          queue.fail(error);
          void stop();
        },
      });
      connections.push(conn);
      const ok = await conn.send(["MONITOR"], { decode: true });
      if (ok !== "OK") {
        throw new ConnectionError(`MONITOR on ${node.address} answered ${String(ok)}`, {
          address: node.address,
        });
      }
    }),
  );
  const failed = started.find((r) => r.status === "rejected");
  if (failed !== undefined) {
    await monitor.close();
    throw failed.reason;
  }
  const signal = options?.signal;
  if (signal !== undefined) {
    if (signal.aborted) await monitor.close();
    else signal.addEventListener("abort", () => void monitor.close(), { once: true });
  }
  return monitor;
}
