/**
 * `rc.stats()`: the per-node counters (always on; see `transport/node_counters.ts`) with each
 * node's place in the current map, and the client's totals.
 * @module
 */
import type { _NodePool } from "../transport/node_pool.ts";
import type { SlotMap } from "../topology/slot_map.ts";

/**
 * What the client did with one node since it was made.
 *
 * @example
 * ```ts ignore
 * for (const n of rc.stats().nodes) console.log(n.address, n.role, n.commands, n.replicaReads);
 * ```
 */
export interface NodeStats {
  /** `host:port`. */
  readonly address: string;
  /** Its role in the current map (`"unknown"`: no longer in it). */
  readonly role: "master" | "replica" | "unknown";
  /** The address of its shard's master (itself for a master). */
  readonly shard: string | undefined;
  /** Commands written to it (handshakes and topology queries included). */
  readonly commands: number;
  /** Error replies by kind (`MOVED`, `WRONGTYPE`...). */
  readonly errors: Readonly<Record<string, number>>;
  /** `MOVED`/`ASK` answers it gave that sent a command elsewhere. */
  readonly redirects: number;
  /** Tries made again after trouble on it. */
  readonly retries: number;
  /** Reads it served as a replica. */
  readonly replicaReads: number;
  /** Commands awaiting its replies now. */
  readonly inFlight: number;
  /** Connections to it opened after the first. */
  readonly reconnects: number;
  /** The last time from a write to it to the next bytes read back, in ms. */
  readonly lastRoundTripMs: number | undefined;
}

/**
 * `rc.stats()`: every node the client talked to, and the sums.
 *
 * @example
 * ```ts ignore
 * const { totals } = rc.stats();
 * console.log(`${totals.commands} commands, ${totals.redirects} redirects`);
 * ```
 */
export interface ClusterStats {
  /** Per node, masters first. */
  readonly nodes: readonly NodeStats[];
  /** The sums over every node. */
  readonly totals: {
    readonly commands: number;
    readonly errors: number;
    readonly redirects: number;
    readonly retries: number;
    readonly replicaReads: number;
    readonly inFlight: number;
    readonly reconnects: number;
  };
}

/** The stats of every node the pool has counters for. */
export function _stats(pool: _NodePool, map: SlotMap): ClusterStats {
  const place = new Map<string, { role: NodeStats["role"]; shard: string }>();
  for (const s of map.shards) {
    place.set(s.master.address, { role: "master", shard: s.master.address });
    for (const r of s.replicas) place.set(r.address, { role: "replica", shard: s.master.address });
  }
  const nodes: NodeStats[] = pool.countedNodes().map(([address, c]) => ({
    address,
    role: place.get(address)?.role ?? "unknown",
    shard: place.get(address)?.shard,
    commands: c.commands,
    errors: { ...c.errors },
    redirects: c.redirects,
    retries: c.retries,
    replicaReads: c.replicaReads,
    inFlight: pool.inFlight(address),
    reconnects: c.reconnects,
    lastRoundTripMs: c.lastRoundTripMs,
  }));
  const rank = (n: NodeStats): number => (n.role === "master" ? 0 : n.role === "replica" ? 1 : 2);
  nodes.sort((a, b) => rank(a) - rank(b) || a.address.localeCompare(b.address));
  const sum = (f: (n: NodeStats) => number): number => nodes.reduce((t, n) => t + f(n), 0);
  return {
    nodes,
    totals: {
      commands: sum((n) => n.commands),
      errors: sum((n) => Object.values(n.errors).reduce((a, b) => a + b, 0)),
      redirects: sum((n) => n.redirects),
      retries: sum((n) => n.retries),
      replicaReads: sum((n) => n.replicaReads),
      inFlight: sum((n) => n.inFlight),
      reconnects: sum((n) => n.reconnects),
    },
  };
}
