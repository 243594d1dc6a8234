/**
 * `for await` iteration over SCAN cursors: keys of every master, or the members of one key.
 * @module
 */
import { _ClusterScan, _page as page } from "./cluster_scan.ts";
import type { _Dispatcher } from "../execution/dispatcher.ts";
import type { CallOptions } from "../execution/call_options.ts";
import type { RedisArgument, RedisKey } from "../types.ts";

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
 * SCAN over the whole cluster, yielding each key: see `_ClusterScan`. Every key present for the
 * whole scan is returned at least once (some may come twice).
 */
export async function* _scanCluster(
  dispatcher: _Dispatcher,
  options: ScanIteratorOptions | undefined,
): AsyncGenerator<unknown, void, undefined> {
  const ready = dispatcher.ready();
  if (ready) await ready;
  const scan = new _ClusterScan(dispatcher, scanArgs(options, true), options);
  while (!scan.finished) yield* await scan.page();
}

/**
 * One page of a whole-cluster scan, resumable from a string cursor ("0" to start; "0" back
 * when the scan is done), e.g. across requests.
 */
export async function _scanPage(
  dispatcher: _Dispatcher,
  cursor: string,
  options: ScanIteratorOptions | undefined,
): Promise<{ keys: unknown[]; cursor: string }> {
  if (typeof cursor !== "string") throw new TypeError("scanPage(): cursor must be a string");
  const ready = dispatcher.ready();
  if (ready) await ready;
  const scan = new _ClusterScan(dispatcher, scanArgs(options, true), options);
  if (cursor !== "0") scan.resume(cursor);
  const keys = scan.finished ? [] : await scan.page();
  return { keys, cursor: scan.finished ? "0" : scan.save() };
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
    // On the master for the whole run: a cursor means nothing on another node.
    const reply = await dispatcher.send(
      [command, key, cursor, ...scanArgs(options, false)],
      { ...options, readFrom: "master" },
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
