/**
 * The cluster's nodes as the topology layer describes them to the layers above.
 * @module
 */

/**
 * A node of the cluster, as the latest topology reply described it.
 *
 * @example
 * ```ts
 * import type { NodeInfo } from "@x/rcluster";
 * const n: NodeInfo = { id: "a1", address: "127.0.0.1:7000", host: "127.0.0.1", port: 7000, role: "master", health: "online", replicationOffset: 0 };
 * ```
 */
export interface NodeInfo {
  /** The node's cluster id. */
  readonly id: string;
  /** `host:port` used to connect (after `natMap`). */
  readonly address: string;
  /** Host to connect to. */
  readonly host: string;
  /** Port to connect to. */
  readonly port: number;
  /** Role in its shard. */
  readonly role: "master" | "replica";
  /** Health as `CLUSTER SHARDS` reports it (`online` when unknown). */
  readonly health: "online" | "loading" | "failed";
  /** Replication offset as last reported. */
  readonly replicationOffset: number;
}

/**
 * A master and its replicas.
 *
 * @example
 * ```ts
 * import type { Shard } from "@x/rcluster";
 * const describe = (s: Shard) => `${s.master.address} + ${s.replicas.length} replicas`;
 * ```
 */
export interface Shard {
  /** The shard's master. */
  readonly master: NodeInfo;
  /** Its replicas, in the order the server listed them. */
  readonly replicas: readonly NodeInfo[];
}
