/**
 * One try of one command on one node: on the node's shared connection, preceded by `ASKING`
 * after an `ASK` redirect, or on a leased connection of its own for a blocking command.
 * @module
 */
import { Connection } from "../transport/connection.ts";
import type { SendOptions } from "../transport/connection_options.ts";
import type { _NodePool } from "../transport/node_pool.ts";
import type { NodeInfo } from "../topology/node_info.ts";
import { RedisError } from "../errors.ts";
import type { RedisArgument, RedisReply } from "../types.ts";

/** Sends on `conn`; with `asking`, `ASKING` and the command go in the same write. */
export function _sendOn(
  conn: Connection,
  args: readonly RedisArgument[],
  options: SendOptions,
  asking: boolean,
): Promise<RedisReply> {
  if (!asking) return conn.send(args, options);
  // ASKING applies to the next command on this connection only.
  return Promise.all([conn.send(["ASKING"]), conn.send(args, options)]).then(([ok, reply]) =>
    ok instanceof RedisError ? ok : reply
  );
}

/** Bounds a wait by the call's limits. */
export type _Bound = <T>(p: Promise<T>) => Promise<T>;

/**
 * Sends on the node's shared connection, opening it when needed; the wait for it is bounded
 * by `bound`, and a command whose call ended meanwhile is never sent.
 */
export function _sendShared(
  pool: _NodePool,
  node: NodeInfo,
  args: readonly RedisArgument[],
  options: SendOptions,
  asking: boolean,
  bound: _Bound,
): Promise<RedisReply> {
  const c = pool.get(node);
  if (c instanceof Connection) return _sendOn(c, args, options, asking);
  return bound(c).then((conn) => _sendOn(conn, args, options, asking));
}

/**
 * Sends a blocking command on a leased connection, so a BLPOP never holds up the node's shared
 * connection; only an explicit `timeoutMs` cuts it short.
 */
export async function _sendBlocking(
  pool: _NodePool,
  node: NodeInfo,
  args: readonly RedisArgument[],
  options: SendOptions,
  asking: boolean,
  bound: _Bound,
): Promise<RedisReply> {
  const leasing = pool.lease(node);
  const conn = await bound(leasing).catch((e) => {
    // A lease that arrives after the call ended goes back to the pool unused.
    void leasing.then((c) => pool.release(node.address, c), () => {});
    throw e;
  });
  try {
    return await _sendOn(conn, args, options, asking);
  } finally {
    // A timed-out BLPOP may still be waiting on the server: that connection is not reused.
    await pool.release(node.address, conn);
  }
}
