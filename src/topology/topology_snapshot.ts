/**
 * A plain, serialisable picture of the slot map (`rc.topology()`), and the map rebuilt from one
 * (the `topology` option): a short-lived client, such as one per Workers request, starts routing
 * at once instead of asking the cluster. A stale snapshot is corrected by `MOVED` as usual.
 * @module
 */
import { _formatAddress } from "../_address.ts";
import type { NodeInfo } from "./node_info.ts";
import { _slotRuns } from "./slot_runs.ts";
import { SlotMap } from "./slot_map.ts";
import { SLOT_COUNT } from "./slot.ts";

/** One node of a snapshot. */
export interface TopologySnapshotNode {
  /** The node's cluster id. */
  readonly id: string;
  /** Host the client connects to (after `natMap`). */
  readonly host: string;
  /** Port the client connects to. */
  readonly port: number;
}

/**
 * The slot map as plain data: JSON round-trips it.
 *
 * @example
 * ```ts ignore
 * import { RedisCluster, type TopologySnapshot } from "@x/rcluster";
 * const startupNodes = ["127.0.0.1:7000"];
 * await using first = new RedisCluster({ startupNodes });
 * await first.connect();
 * const saved: TopologySnapshot = JSON.parse(JSON.stringify(first.topology()));
 * await using next = new RedisCluster({ startupNodes, topology: saved }); // no discovery
 * ```
 */
export interface TopologySnapshot {
  /** The format's version. */
  readonly version: 1;
  /** Shards with their slot ranges (inclusive pairs: `[0, 5460, 7000, 7001]`). */
  readonly shards: readonly {
    readonly slots: readonly number[];
    readonly master: TopologySnapshotNode;
    readonly replicas: readonly TopologySnapshotNode[];
  }[];
}

/** The snapshot of a slot map. */
export function _snapshotOf(map: SlotMap): TopologySnapshot {
  const ranges = _slotRuns((slot) => map.shardOf(slot));
  const node = (n: NodeInfo): TopologySnapshotNode => ({ id: n.id, host: n.host, port: n.port });
  return {
    version: 1,
    shards: [...ranges].map(([shard, slots]) => ({
      slots,
      master: node(shard.master),
      replicas: shard.replicas.map(node),
    })),
  };
}

/** The slot map of a checked snapshot. */
export function _mapOfSnapshot(snapshot: TopologySnapshot): SlotMap {
  const node = (n: TopologySnapshotNode, role: NodeInfo["role"]): NodeInfo => ({
    id: n.id,
    address: _formatAddress(n.host, n.port),
    host: n.host,
    port: n.port,
    role,
    health: "online",
    replicationOffset: 0,
  });
  return SlotMap.fromRanges(snapshot.shards.map((s) => ({
    shard: {
      master: node(s.master, "master"),
      replicas: s.replicas.map((r) => node(r, "replica")),
    },
    ranges: s.slots,
  })));
}

/** Checks a snapshot given as an option; a `TypeError` names what is wrong. */
export function _checkSnapshot(value: unknown): TopologySnapshot {
  const where = "RedisCluster: options.topology";
  const fail = (what: string): never => {
    throw new TypeError(`${where}${what} (pass what rc.topology() returned)`);
  };
  if (typeof value !== "object" || value === null) return fail(" must be an object");
  const v = value as { version?: unknown; shards?: unknown };
  if (v.version !== 1) fail(".version must be 1");
  if (!Array.isArray(v.shards) || v.shards.length === 0) fail(".shards must be a non-empty array");
  const isNode = (n: unknown): boolean => {
    const x = n as { id?: unknown; host?: unknown; port?: unknown } | null;
    return typeof x === "object" && x !== null && typeof x.id === "string" &&
      typeof x.host === "string" && Number.isInteger(x.port);
  };
  (v.shards as unknown[]).forEach((s, i) => {
    const x = s as { slots?: unknown; master?: unknown; replicas?: unknown } | null;
    if (typeof x !== "object" || x === null) return fail(`.shards[${i}] must be an object`);
    const slots = x.slots;
    if (
      !Array.isArray(slots) || slots.length % 2 !== 0 ||
      !slots.every((n) => Number.isInteger(n) && n >= 0 && n < SLOT_COUNT)
    ) fail(`.shards[${i}].slots must be pairs of slot numbers`);
    if (!isNode(x.master)) fail(`.shards[${i}].master must be { id, host, port }`);
    if (!Array.isArray(x.replicas) || !x.replicas.every(isNode)) {
      fail(`.shards[${i}].replicas must be an array of { id, host, port }`);
    }
  });
  return value as TopologySnapshot;
}
