/**
 * MULTI/EXEC on one slot's master, and optimistic locking with WATCH on a connection of its own.
 * @module
 */
import { RedisError } from "../errors.ts";
import type { Connection } from "../transport/connection.ts";
import type { _Core } from "./cluster.ts";
import { _queued } from "./pipeline.ts";
import type { _Queued } from "./pipeline.ts";
import type { CallOptions } from "../execution/call_options.ts";
import type { NodeInfo } from "../topology/read_policy.ts";
import type { RedisArgument, RedisKey, RedisReply } from "../types.ts";
import { _installCalls, _installCommands } from "../commands/install.ts";
import { _finish } from "../execution/first_try.ts";
import type { RedisCommands } from "../commands/command_table.ts";
import { keySlot } from "../topology/slot.ts";
import { encodeCommand } from "../protocol/resp_encoder.ts";

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

/**
 * A MULTI/EXEC block on one slot (use `{hash tags}` for several keys): queue commands, then
 * `exec()` runs them atomically on the slot's master.
 *
 * @example
 * ```ts ignore
 * const [n, list] = await rc.multi().incr("{u1}:visits").lrange("{u1}:log", 0, -1).exec();
 * ```
 */
export class Transaction<D extends boolean = false> {
  static {
    _installCommands(this.prototype, (self, b) => self._queue(b.args, b.options, b.transform));
  }
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
    this.#queue.push(_queued("multi()", args, call, transform));
    return this;
  }

  /**
   * Runs the queue atomically on the slot's master. All keys must share one slot (use hash
   * tags); otherwise a `TypeError` is thrown before anything is sent. Resolves with every
   * command's reply, errors in place; rejects with `WatchError` when a watched key changed.
   */
  async exec(): Promise<unknown[]> {
    const core = this.#core;
    // A command that cannot be encoded would fail after MULTI, and EXEC would run the rest.
    for (const q of this.#queue) encodeCommand(q.args);
    await core.ready();
    const slot = await this.#slot();
    const max = core.settings.maxRedirections;
    for (let attempt = 0;; attempt++) {
      const master = this.#master(slot);
      const conn = this.#conn ?? await core.executor.connection(master);
      const replies = await this.#send(conn);
      const exec = replies.at(-1);
      if (exec === null) throw new WatchError(1);
      if (Array.isArray(exec)) {
        // readYourWrites covers transactions too: later reads of the slot wait for replicas.
        if (slot !== undefined) core.executor.freshness.wrote(slot, master.address);
        return this.#transform(exec);
      }
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
/** Typed command methods of a transaction; each returns the transaction. */
export interface Transaction<D extends boolean = false> extends RedisCommands<D, "queue"> {}

/**
 * The callback's handle inside `rc.watch()`: commands run at once on the watching connection
 * (reads of the watched keys), and `multi()` starts the transaction to return.
 *
 * @example
 * ```ts ignore
 * await rc.watch(["{acct}:a"], async (tx) => {
 *   const balance = Number(await tx.get("{acct}:a"));
 *   return tx.multi().set("{acct}:a", String(balance - 10));
 * });
 * ```
 */
export class WatchContext<D extends boolean = false> {
  static {
    _installCalls(
      this.prototype,
      (self, b) => self.#send(b.args, b.options).then((reply) => _finish(reply, b)),
    );
  }
  #core: _Core;
  #conn: Connection;

  /** @internal Made by `rc.watch()`. */
  constructor(core: _Core, conn: Connection) {
    this.#core = core;
    this.#conn = conn;
  }

  /** Runs any command on the watching connection. */
  async sendCommand(args: readonly RedisArgument[], options?: CallOptions): Promise<RedisReply> {
    const reply = await this.#send(args, options);
    if (reply instanceof RedisError) throw reply;
    return reply;
  }

  /** Starts the MULTI block to return from the callback. */
  multi(): Transaction<D> {
    return new Transaction<D>(this.#core, this.#conn);
  }

  #send(args: readonly RedisArgument[], options: CallOptions | undefined): Promise<RedisReply> {
    return this.#conn.send(args, this.#core.executor.sendOptions(options));
  }
}
/** Typed command methods, run on the watching connection. */
export interface WatchContext<D extends boolean = false> extends RedisCommands<D, "call"> {}

/**
 * Options of `rc.watch()`.
 *
 * @example
 * ```ts ignore
 * await rc.watch(["{k}a"], async (tx) => tx.multi().incr("{k}a"), { maxAttempts: 5 });
 * ```
 */
export interface WatchOptions {
  /** Runs the callback again when a watched key changed, up to this many times in all.
   * @default 1 */
  maxAttempts?: number;
}

/** `rc.watch()`: WATCH on a connection of its own, run the callback, EXEC what it returns. */
export async function _watch<D extends boolean>(
  core: _Core,
  keys: readonly RedisKey[],
  fn: (tx: WatchContext<D>) => Promise<Transaction<D> | undefined> | Transaction<D> | undefined,
  options: WatchOptions | undefined,
): Promise<unknown[] | undefined> {
  const maxAttempts = options?.maxAttempts ?? 1;
  if (!Number.isInteger(maxAttempts) || maxAttempts < 1) {
    throw new TypeError("watch(): options.maxAttempts must be a positive integer");
  }
  const slots = new Set(keys.map((k) => keySlot(k)));
  const [slot] = slots;
  if (slot === undefined || slots.size !== 1) {
    throw new TypeError("watch(): keys must be non-empty and hash to one slot (use {hash tags})");
  }
  await core.ready();
  for (let attempt = 1;; attempt++) {
    const master = core.topology.map.shardOf(slot)?.master;
    if (!master) throw new RedisError(`CLUSTERDOWN no node serves slot ${slot}`);
    const conn = await core.executor.dedicated(master);
    try {
      const watched = await conn.send(["WATCH", ...keys]);
      if (watched instanceof RedisError) throw watched;
      const tx = await fn(new WatchContext<D>(core, conn));
      if (tx === undefined) return undefined;
      return await tx.exec();
    } catch (e) {
      if (!(e instanceof WatchError)) throw e;
      if (attempt >= maxAttempts) throw new WatchError(attempt);
    } finally {
      await conn.close();
    }
  }
}
