/**
 * MULTI/EXEC on one slot's master, and optimistic locking with WATCH on a connection of its own.
 * @module
 */
import { RedisError } from "./errors.ts";
import type { Connection } from "./connection.ts";
import type { _Core } from "./cluster.ts";
import type { _Queued } from "./pipeline.ts";
import type { CallOptions } from "./call_options.ts";
import type { NodeInfo } from "./read_policy.ts";
import type { RedisArgument, RedisReply } from "./types.ts";

/**
 * `EXEC` returned nil: a watched key changed, so nothing was applied.
 *
 * @example
 * ```ts
 * import { WatchError } from "@x/rcluster";
 * const e = new WatchError(3);
 * console.log(e.attempts); // 3
 * ```
 */
export class WatchError extends Error {
  /** How many times the transaction was tried. */
  readonly attempts: number;
  /** Says how many attempts were aborted. */
  constructor(attempts: number) {
    super(`transaction aborted: a watched key changed (${attempts} attempt(s))`);
    this.name = "WatchError";
    this.attempts = attempts;
  }
}

/** The queue of a MULTI block, shared by `rc.multi()` and the `watch()` callback's `multi()`. */
export class _TransactionBase {
  #core: _Core;
  #queue: _Queued[] = [];
  #conn: Connection | undefined;

  /** @internal Use `rc.multi()`. */
  constructor(core: _Core, conn?: Connection) {
    this.#core = core;
    this.#conn = conn;
  }

  /** Number of queued commands. */
  get length(): number {
    return this.#queue.length;
  }

  /** Queues any command. */
  sendCommand(args: readonly RedisArgument[], options?: CallOptions): this {
    return this._queue(args, options, undefined);
  }

  /** @internal Queues a built command. */
  _queue(
    args: readonly RedisArgument[],
    call: CallOptions | undefined,
    transform: ((reply: RedisReply) => unknown) | undefined,
  ): this {
    this.#queue.push({ args, call, transform });
    return this;
  }

  /**
   * Runs the queue atomically on the slot's master. All keys must share one slot (use hash
   * tags); otherwise a `TypeError` is thrown before anything is sent. Resolves with every
   * command's reply, errors in place; rejects with `WatchError` when a watched key changed.
   */
  async exec(): Promise<unknown[]> {
    const core = this.#core;
    await core.ready();
    const slot = await this.#slot();
    const max = core.settings.maxRedirections;
    for (let attempt = 0;; attempt++) {
      const master = this.#master(slot);
      const conn = this.#conn ?? await core.executor.connection(master);
      const replies = await this.#send(conn);
      const exec = replies.at(-1);
      if (exec === null) throw new WatchError(1);
      if (Array.isArray(exec)) return this.#transform(exec);
      // EXECABORT: nothing ran. A MOVED while queueing means a stale map: retry when safe.
      const moved = replies.find((r) => r instanceof RedisError && r.kind === "MOVED");
      if (
        moved instanceof RedisError && this.#conn === undefined && attempt < max &&
        slot !== undefined
      ) {
        core.topology.applyMoved(slot, moved.address ?? "");
        continue;
      }
      throw replies.find((r) => r instanceof RedisError && r.kind !== "OTHER") ??
        (exec instanceof Error ? exec : new RedisError("EXECABORT transaction failed"));
    }
  }

  async #slot(): Promise<number | undefined> {
    const slots = new Set<number>();
    for (const q of this.#queue) {
      const route = await this.#core.commands.route(q.args);
      if (route.slot !== undefined) slots.add(route.slot);
    }
    if (slots.size > 1) {
      throw new TypeError(
        `multi(): every key must hash to one slot (use {hash tags}); got slots ${
          [...slots].join(", ")
        }`,
      );
    }
    return slots.values().next().value;
  }

  #master(slot: number | undefined): NodeInfo {
    const map = this.#core.topology.map;
    const shard = slot === undefined ? map.servingShards()[0] : map.shardOf(slot);
    if (!shard) throw new RedisError(`CLUSTERDOWN no node serves slot ${slot}`);
    return shard.master;
  }

  /** MULTI, the queue and EXEC in one synchronous burst, so nothing interleaves. */
  #send(conn: Connection): Promise<RedisReply[]> {
    const opts = this.#core.executor.sendOptions(undefined);
    const all = [["MULTI"], ...this.#queue.map((q) => q.args), ["EXEC"]];
    return Promise.all(all.map((args) => conn.send(args, opts)));
  }

  #transform(replies: RedisReply[]): unknown[] {
    return replies.map((r, i) => {
      const t = this.#queue[i]?.transform;
      return r instanceof RedisError || t === undefined ? r : t(r);
    });
  }
}
