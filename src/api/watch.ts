/**
 * Optimistic locking: `rc.watch()` WATCHes keys on a connection of its own, runs the caller's
 * callback there, and executes the transaction it returns.
 * @module
 */
import { RedisError, WatchError } from "../errors.ts";
import type { Connection } from "../transport/connection.ts";
import { keySlot } from "../topology/slot.ts";
import type { _Dispatcher } from "../execution/dispatcher.ts";
import type { CallOptions } from "../execution/call_options.ts";
import { _resultOf } from "../execution/routed_command.ts";
import { _installCalls } from "../commands/install.ts";
import type { RedisCommands } from "../commands/command_table.ts";
import type { RedisArgument, RedisKey, RedisReply } from "../types.ts";
import { Transaction } from "./transaction.ts";
import type { NodeInfo } from "../topology/node_info.ts";

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
      (self, b) => self.#send(b.args, b.options).then((reply) => _resultOf(reply, b)),
    );
  }
  #dispatcher: _Dispatcher;
  #conn: Connection;

  /** @internal Made by `rc.watch()`. */
  constructor(dispatcher: _Dispatcher, conn: Connection) {
    this.#dispatcher = dispatcher;
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
    return new Transaction<D>(this.#dispatcher, this.#conn);
  }

  #send(args: readonly RedisArgument[], options: CallOptions | undefined): Promise<RedisReply> {
    return this.#conn.send(args, this.#dispatcher.executor.sendOptions(options));
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
  dispatcher: _Dispatcher,
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
  const ready = dispatcher.ready("WATCH");
  if (ready !== undefined) await ready;
  // One connection for every attempt (and, given back clean, for later ones): WATCH state lives
  // on it, so no other caller may share it meanwhile.
  let held: { master: NodeInfo; conn: Connection } | undefined;
  try {
    for (let attempt = 1;; attempt++) {
      const master = dispatcher.topology.map.shardOf(slot)?.master;
      if (!master) throw new RedisError(`CLUSTERDOWN no node serves slot ${slot}`);
      if (held !== undefined && (held.master.address !== master.address || held.conn.closed)) {
        await dispatcher.executor.release(held.master, held.conn);
        held = undefined;
      }
      held ??= { master, conn: await dispatcher.executor.lease(master) };
      const { conn } = held;
      const watched = await conn.send(["WATCH", ...keys]);
      if (watched instanceof RedisError) throw watched;
      let tx: Transaction<D> | undefined;
      try {
        tx = await fn(new WatchContext<D>(dispatcher, conn));
      } catch (e) {
        await conn.send(["UNWATCH"]).catch(() => {});
        throw e;
      }
      if (tx === undefined) {
        await conn.send(["UNWATCH"]);
        return undefined;
      }
      try {
        return await tx.exec();
      } catch (e) {
        // A nil EXEC clears the watches; any other failure may have come before EXEC was sent.
        if (!(e instanceof WatchError)) {
          await conn.send(["UNWATCH"]).catch(() => {});
          throw e;
        }
        if (attempt >= maxAttempts) throw new WatchError(attempt);
      }
    }
  } finally {
    if (held !== undefined) await dispatcher.executor.release(held.master, held.conn);
  }
}
