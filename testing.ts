/**
 * `@x/rcluster/testing`: a real Redis Cluster for your integration tests, made of local
 * `redis-server` processes on free loopback ports (nothing downloaded: `redis-server` and
 * `redis-cli` must be on the PATH, e.g. `apt-get install redis-server`). Deno only: it spawns
 * processes. The client's own suite runs on it.
 *
 * ```ts ignore
 * import { startLocalCluster } from "jsr:@x/rcluster/testing";
 * import { RedisCluster } from "jsr:@x/rcluster";
 *
 * Deno.test("my app survives a failover", async () => {
 *   await using cluster = await startLocalCluster({ masters: 3, replicasPerMaster: 1 });
 *   await using rc = new RedisCluster({ startupNodes: cluster.startupNodes });
 *   await rc.set("k", "v");
 *   await cluster.failover(await cluster.masterOf("k"));
 *   // ...
 * });
 * ```
 * @module
 */
import { LocalCluster, type NodeHandle } from "./testing/local_cluster.ts";
import { keySlot } from "./src/topology/slot.ts";

export type { NodeHandle };

/**
 * The shape of the cluster to start.
 *
 * @example
 * ```ts ignore
 * await using cluster = await startLocalCluster({ masters: 3, acl: { username: "app", password: "pw" } });
 * ```
 */
export interface LocalClusterOptions {
  /** Masters, each with a third (or so) of the slots.
   * @default 3 */
  masters?: number;
  /** Replicas of each master.
   * @default 1 */
  replicasPerMaster?: number;
  /** `cluster-node-timeout` in ms: how soon a dead master is failed over.
   * @default 2000 */
  nodeTimeoutMs?: number;
  /** TLS: `"tls-only"` (no plaintext port) or `"both"` ports per node; `clientCertificates`
   * makes the servers require one. A CA and certificates are made for the run
   * (`cluster.certificates`).
   * @default undefined (plaintext) */
  tls?: { ports: "tls-only" | "both"; clientCertificates?: boolean };
  /** A password on every node, and with `username` an ACL user with every right.
   * @default undefined */
  acl?: { username?: string; password: string };
}

/** A node: its handle, its port, or its `host:port`. */
export type NodeRef = NodeHandle | number | string;

/**
 * A running local cluster; `await using` (or `stop()`) kills every process and removes its files.
 *
 * @example
 * ```ts ignore
 * await using cluster = await startLocalCluster();
 * const master = await cluster.masterOf("user:1");
 * await cluster.kill(master);                 // a replica takes over within nodeTimeoutMs
 * ```
 */
export interface TestCluster extends AsyncDisposable {
  /** Where a client starts: every node's `{ host, port }` (the TLS ports on a "both" cluster
   * are in `tlsStartupNodes`). */
  readonly startupNodes: { host: string; port: number }[];
  /** The TLS ports on a cluster started with `tls: { ports: "both" }`. */
  readonly tlsStartupNodes: { host: string; port: number }[];
  /** Every node, in port order. */
  readonly nodes: readonly NodeHandle[];
  /** The run's CA and client certificate (PEM), on a TLS cluster. */
  readonly certificates: { ca: string; clientCert: string; clientKey: string } | undefined;
  /** The master serving `key` (or a slot number) now, as the nodes say. */
  masterOf(keyOrSlot: string | number): Promise<NodeHandle>;
  /** SIGKILLs a node (it stays down until `restart`). */
  kill(node: NodeRef): Promise<void>;
  /** Starts a killed node again and waits for a healthy cluster. */
  restart(node: NodeRef): Promise<void>;
  /** SIGSTOPs a node: it keeps its sockets but answers nothing until `thaw`. */
  freeze(node: NodeRef): void;
  /** SIGCONTs a frozen node. */
  thaw(node: NodeRef): void;
  /** A manual `CLUSTER FAILOVER` of a master's shard: one of its replicas takes over; waits. */
  failover(master: NodeRef): Promise<void>;
  /** Moves slots (with their keys) to the master `to`; waits for a healthy cluster. */
  migrateSlots(slots: readonly number[], to: NodeRef): Promise<void>;
  /** Runs `redis-cli` on a node (authenticated and over TLS as needed); its raw output. */
  cli(node: NodeRef, ...args: string[]): Promise<string>;
  /** Waits until every node agrees and every slot is served. */
  waitHealthy(): Promise<void>;
  /** Kills every node and removes the files. Idempotent. */
  stop(): Promise<void>;
}

/**
 * Starts a local cluster of real `redis-server` processes and waits until it is healthy.
 *
 * @example
 * ```ts ignore
 * import { startLocalCluster } from "@x/rcluster/testing";
 * await using cluster = await startLocalCluster({ masters: 3, replicasPerMaster: 1 });
 * console.log(cluster.startupNodes);
 * ```
 */
export async function startLocalCluster(options: LocalClusterOptions = {}): Promise<TestCluster> {
  const c = await LocalCluster.start(options);
  const port = (n: NodeRef): number => {
    if (typeof n === "number") return n;
    if (typeof n === "string") return Number(n.slice(n.lastIndexOf(":") + 1));
    return n.port;
  };
  return {
    startupNodes: c.startupNodes,
    get tlsStartupNodes() {
      return c.tlsStartupNodes;
    },
    nodes: c.nodes,
    certificates: options.tls === undefined ? undefined : c.certificates,
    masterOf: (k) => c.masterOfSlot(typeof k === "number" ? k : keySlot(k)),
    kill: (n) => c.kill(port(n)),
    restart: (n) => c.restart(port(n)),
    freeze: (n) => c.freeze(port(n)),
    thaw: (n) => c.thaw(port(n)),
    async failover(master) {
      const [replica] = await c.replicasOf(port(master));
      if (replica === undefined) throw new Error(`no replica of ${port(master)} to fail over to`);
      await c.failover(replica.port);
    },
    async migrateSlots(slots, to) {
      for (const slot of slots) {
        if ((await c.masterOfSlot(slot)).port !== port(to)) await c.migrateSlot(slot, port(to));
      }
    },
    cli: (n, ...args) => c.cli(port(n), ...args),
    waitHealthy: () => c.waitHealthy(),
    stop: () => c.stop(),
    [Symbol.asyncDispose]: () => c.stop(),
  };
}
