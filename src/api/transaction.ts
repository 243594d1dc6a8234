/**
 * MULTI/EXEC on one slot's master.
 * @module
 */
import { RedisError, WatchError } from "../errors.ts";
import type { Connection } from "../transport/connection.ts";
import { encodeCommand } from "../protocol/resp_encoder.ts";
import type { NodeInfo } from "../topology/node_info.ts";
import type { _Dispatcher } from "../execution/dispatcher.ts";
import type { CallOptions } from "../execution/call_options.ts";
import { _installCommands } from "../commands/install.ts";
import { _rawCommand } from "../commands/builder.ts";
import type { BuiltCommand } from "../commands/types.ts";
import type { RedisCommands } from "../commands/command_table.ts";
import type { RedisArgument, RedisReply } from "../types.ts";

/** Error kinds met while queueing (nothing ran) after which the whole block is sent again. */
const RETRIED: ReadonlySet<string> = new Set(["MOVED", "ASK", "TRYAGAIN", "CLUSTERDOWN"]);

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
    _installCommands(this.prototype, (self, b) => self.#push(b));
  }
  #dispatcher: _Dispatcher;
  #queue: BuiltCommand[] = [];
  #conn: Connection | undefined;

  /** @internal Use `rc.multi()`. */
  constructor(dispatcher: _Dispatcher, conn?: Connection) {
    this.#dispatcher = dispatcher;
    this.#conn = conn;
  }

  /** Number of queued commands. */
  get length(): number {
    return this.#queue.length;
  }

  /** Queues any command. */
  sendCommand(args: readonly RedisArgument[], options?: CallOptions): this {
    return this.#push(_rawCommand("multi().sendCommand", args, options));
  }

  #push(cmd: BuiltCommand): this {
    this.#queue.push(cmd);
    return this;
  }

  /**
   * Runs the queue atomically on the slot's master. Every key of every command must share one
   * slot (use hash tags); otherwise a `TypeError` is thrown before anything is sent. Resolves
   * with every command's reply, errors in place; rejects with `WatchError` when a watched key
   * changed. A `MOVED`, `ASK`, `TRYAGAIN` or `CLUSTERDOWN` met while queueing (nothing ran:
   * `EXECABORT`) retries the whole block, on the new owner, or after `ASKING` on the importing one.
   */
  async exec(): Promise<unknown[]> {
    const d = this.#dispatcher;
    // A command that cannot be encoded would fail after MULTI, and EXEC would run the rest.
    for (const q of this.#queue) encodeCommand(q.args);
    const ready = d.ready("EXEC");
    if (ready !== undefined) await ready;
    const slot = await this.#slot();
    const max = d.executor.options.maxRedirections;
    let asking: NodeInfo | undefined;
    for (let attempt = 0;; attempt++) {
      const target = asking ?? this.#master(slot);
      const conn = this.#conn ?? await d.executor.connection(target);
      const replies = await this.#send(conn, asking !== undefined);
      const exec = replies.at(-1);
      if (exec === null) throw new WatchError(1);
      if (Array.isArray(exec)) {
        // readYourWrites covers transactions too: later reads of the slot wait for replicas.
        d.executor.recordWrite({ slot, readOnly: false }, target.address);
        return this.#transform(exec);
      }
      // EXECABORT: nothing ran. A redirect or a transient state while queueing can be retried,
      // except on a WATCH connection, whose watches hold only there.
      const cause = replies.find((r): r is RedisError =>
        r instanceof RedisError && RETRIED.has(r.kind)
      );
      if (cause !== undefined && this.#conn === undefined && attempt < max && slot !== undefined) {
        asking = undefined;
        if (cause.kind === "MOVED") d.topology.applyMoved(slot, cause.address ?? "", target.host);
        else if (cause.kind === "ASK") {
          asking = d.topology.nodeFor(cause.address ?? "", target.host);
        } else await d.executor.backoff(attempt, cause.kind === "CLUSTERDOWN");
        continue;
      }
      throw replies.find((r) => r instanceof RedisError && r.kind !== "OTHER") ??
        (exec instanceof Error ? exec : new RedisError("EXECABORT transaction failed"));
    }
  }

  /** The one slot of every key of every queued command. */
  async #slot(): Promise<number | undefined> {
    const slots = new Set<number>();
    for (const q of this.#queue) {
      for (const slot of await this.#dispatcher.commands.keySlots(q.args)) slots.add(slot);
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
    const map = this.#dispatcher.topology.map;
    const shard = slot === undefined ? map.servingShards()[0] : map.shardOf(slot);
    if (!shard) throw new RedisError(`CLUSTERDOWN no node serves slot ${slot}`);
    return shard.master;
  }

  /**
   * MULTI, the queue and EXEC in one synchronous burst, so nothing interleaves. After an ASK,
   * `ASKING` goes first: the server keeps its flag for the whole MULTI block.
   */
  async #send(conn: Connection, asking: boolean): Promise<RedisReply[]> {
    const opts = this.#dispatcher.executor.sendOptions(undefined);
    // ASKING's own +OK tells nothing: the block's replies answer for it.
    if (asking) conn.send(["ASKING"], opts).catch(() => {});
    const all = [["MULTI"], ...this.#queue.map((q) => q.args), ["EXEC"]];
    return await Promise.all(all.map((args) => conn.send(args, opts)));
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
