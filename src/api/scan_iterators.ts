/**
 * `for await` iteration over SCAN cursors: keys of every master, or the members of one key.
 * @module
 */
import { RedisError } from "../errors.ts";
import { decoder } from "../_utf8.ts";
import type { _Dispatcher } from "../execution/dispatcher.ts";
import type { CallOptions } from "../execution/call_options.ts";
import type { RedisArgument, RedisKey, RedisReply } from "../types.ts";

/**
 * Options of `scanIterator()` and the per-key iterators.
 *
 * @example
 * ```ts ignore
 * for await (const key of rc.scanIterator({ match: "user:*", count: 500 })) console.log(key);
 * ```
 */
export interface ScanIteratorOptions extends CallOptions {
  /** Glob-style pattern (`MATCH`).
   * @default undefined (all) */
  match?: string;
  /** Work per call (`COUNT`), a hint to the server.
   * @default undefined (server default, 10) */
  count?: number;
  /** Only keys of this type (`TYPE`); `scanIterator()` only.
   * @default undefined */
  type?: string;
}

/**
 * SCAN over every shard, one after another, yielding each key. Each shard's cursor goes
 * through the normal routing (by a slot the shard owns, following `readFrom`), so a failover
 * during the scan moves it to the promoted replica. Like SCAN itself, keys changed during the scan may be missed or
 * repeated.
 */
export async function* _scanCluster(
  dispatcher: _Dispatcher,
  options: ScanIteratorOptions | undefined,
): AsyncGenerator<unknown, void, undefined> {
  const ready = dispatcher.ready();
  if (ready) await ready;
  const extra = scanArgs(options, true);
  for (const slot of representativeSlots(dispatcher)) {
    let cursor: RedisArgument = "0";
    do {
      const reply = await dispatcher.executor.run({
        args: ["SCAN", cursor, ...extra],
        route: { slot, readOnly: true },
        options,
        limits: dispatcher.executor.limits(options, false),
      });
      const [next, keys] = page(reply, "SCAN");
      cursor = next;
      yield* keys;
    } while (cursor !== "0");
  }
}

/** HSCAN/SSCAN/ZSCAN of one key: fields and values (or members and scores) flattened. */
export async function* _scanKey(
  dispatcher: _Dispatcher,
  command: "HSCAN" | "SSCAN" | "ZSCAN",
  key: RedisKey,
  options: ScanIteratorOptions | undefined,
): AsyncGenerator<unknown, void, undefined> {
  let cursor: RedisArgument = "0";
  do {
    const reply = await dispatcher.send(
      [command, key, cursor, ...scanArgs(options, false)],
      options,
    );
    const [next, items] = page(reply, command);
    cursor = next;
    yield* items;
  } while (cursor !== "0");
}

function scanArgs(o: ScanIteratorOptions | undefined, withType: boolean): RedisArgument[] {
  const args: RedisArgument[] = [];
  if (o?.match !== undefined) args.push("MATCH", o.match);
  if (o?.count !== undefined) {
    if (!Number.isInteger(o.count) || o.count <= 0) {
      throw new TypeError("scanIterator(): options.count must be a positive integer");
    }
    args.push("COUNT", o.count);
  }
  if (withType && o?.type !== undefined) args.push("TYPE", o.type);
  return args;
}

/** One slot per serving master, so each master is scanned once. */
function representativeSlots(dispatcher: _Dispatcher): number[] {
  const map = dispatcher.topology.map;
  const slots = new Map<string, number>();
  for (let slot = 0; slot < 16384; slot++) {
    const addr = map.shardOf(slot)?.master.address;
    if (addr !== undefined && !slots.has(addr)) slots.set(addr, slot);
  }
  return [...slots.values()];
}

function page(reply: RedisReply, command: string): [string, RedisReply[]] {
  if (reply instanceof RedisError) throw reply;
  if (!Array.isArray(reply) || reply.length !== 2 || !Array.isArray(reply[1])) {
    throw new TypeError(`${command}: unexpected reply shape`);
  }
  const c = reply[0];
  const cursor = typeof c === "string"
    ? c
    : c instanceof Uint8Array
    ? decoder.decode(c)
    : String(c);
  return [cursor, reply[1]];
}
