/**
 * Which node serves a read: the slot's master or one of its replicas.
 * @module
 */
import type { NodeInfo } from "./node_info.ts";

/**
 * Chooses the node for one read among the slot's master and replicas; `undefined` means master.
 *
 * @example
 * ```ts
 * import type { ReadFromFunction } from "@x/rcluster";
 * const lastReplica: ReadFromFunction = ({ replicas }) => replicas.at(-1);
 * ```
 */
export type ReadFromFunction = (
  candidates: { readonly master: NodeInfo; readonly replicas: readonly NodeInfo[] },
) => NodeInfo | undefined;

/**
 * Where reads go: `"master"` (default), `"replica"`, `"replica-preferred"` (replicas, the master
 * only when none is usable), `"any"` (master or replica at random, like `readonlyMode: true`),
 * `"nearest"` (lowest measured round trip, spread over a tolerance band), or a function.
 *
 * @example
 * ```ts
 * import type { ReadFrom } from "@x/rcluster";
 * const rf: ReadFrom = "replica-preferred";
 * ```
 */
export type ReadFrom =
  | "master"
  | "replica"
  | "replica-preferred"
  | "any"
  | "nearest"
  | ReadFromFunction;

/** What the policy may ask about nodes; supplied by the layers that measure them. */
export interface _ReadContext {
  /** False for a node that is down, loading, lagging or backing off. */
  usable(node: NodeInfo): boolean;
  /** Smoothed round trip in ms, when measured. */
  latency(address: string): number | undefined;
  /** A number in [0, 1). */
  random(): number;
}

/** Round trips within this factor of the best one count as equally near. */
const NEAREST_BAND = 1.5;
/** ...and always within this many ms, since a round trip measured from one event loop jitters by a few tenths of a ms. */
const NEAREST_SLACK_MS = 0.5;

/**
 * The node that serves a read of a slot owned by `shard`. Only `"replica"` can find none
 * (`undefined`): it never falls back to the master. Every other policy does, so a read is never
 * refused for want of a replica.
 */
export function _chooseReader(
  shard: { readonly master: NodeInfo; readonly replicas: readonly NodeInfo[] },
  readFrom: ReadFrom,
  ctx: _ReadContext,
): NodeInfo | undefined {
  const { master } = shard;
  if (readFrom === "master") return master;
  if (typeof readFrom === "function") return readFrom(shard) ?? master;
  const withMaster = readFrom === "any" || readFrom === "nearest";
  if (shard.replicas.length === 1 && readFrom !== "nearest") {
    // One replica per shard is the usual layout: decided without building a list.
    const only = shard.replicas[0]!;
    const replicaOk = ctx.usable(only);
    if (!withMaster) return replicaOk ? only : readFrom === "replica" ? undefined : master;
    if (!ctx.usable(master)) return replicaOk ? only : master; // the master as the last resort
    return replicaOk && ctx.random() >= 0.5 ? only : master;
  }
  // A fresh small array: cheaper in V8 than emptying a shared one with `length = 0`.
  const candidates: NodeInfo[] = [];
  // The master is a candidate like any other, so it is skipped too while it is unusable.
  if (withMaster && ctx.usable(master)) candidates.push(master);
  for (const r of shard.replicas) if (ctx.usable(r)) candidates.push(r);
  const chosen = readFrom === "nearest" ? nearest(candidates, ctx) : pick(candidates, ctx);
  return chosen ?? (readFrom === "replica" ? undefined : master);
}

function pick(nodes: readonly NodeInfo[], ctx: _ReadContext): NodeInfo | undefined {
  return nodes[Math.floor(ctx.random() * nodes.length)];
}

// Pure lowest-latency routing piles every read onto one node; a band spreads them.
function nearest(nodes: readonly NodeInfo[], ctx: _ReadContext): NodeInfo | undefined {
  let best = Infinity;
  for (const n of nodes) best = Math.min(best, ctx.latency(n.address) ?? Infinity);
  if (best === Infinity) return pick(nodes, ctx);
  const limit = Math.max(best * NEAREST_BAND, best + NEAREST_SLACK_MS);
  return pick(nodes.filter((n) => (ctx.latency(n.address) ?? Infinity) <= limit), ctx);
}
