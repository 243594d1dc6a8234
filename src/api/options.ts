/**
 * `RedisCluster` options, as the user writes them.
 * @module
 */
import type { ConnectionFactory } from "../transport/node_pool.ts";
import type { CredentialsProvider } from "../transport/credentials.ts";
import type { TlsOptions, Transport } from "../transport/transport.ts";
import type { TopologySnapshot } from "../topology/topology_snapshot.ts";
import type { ReadFrom } from "../topology/read_policy.ts";
import type { NatMap } from "../topology/nat_map.ts";
import type { Logger } from "../logger.ts";
import type { RespPush } from "../types.ts";
import type { TelemetryMeter, TelemetryTracer } from "../execution/telemetry.ts";

/**
 * A node to discover the cluster from.
 *
 * @example
 * ```ts
 * import type { StartupNode } from "@x/rcluster";
 * const nodes: StartupNode[] = [{ host: "127.0.0.1", port: 7000 }, "127.0.0.1:7001"];
 * ```
 */
export type StartupNode = { host: string; port: number | string } | string;

/**
 * Options of `RedisCluster`. Only `startupNodes` is required.
 *
 * @example
 * ```ts
 * import type { RedisClusterOptions } from "@x/rcluster";
 * const o: RedisClusterOptions<true> = {
 *   startupNodes: ["127.0.0.1:7000"],
 *   decodeResponses: true,
 *   readFrom: "replica-preferred",
 * };
 * ```
 */
export interface RedisClusterOptions<D extends boolean = false> {
  /** Nodes tried in turn to discover the cluster: `{ host, port }` or `"host:port"`. */
  startupNodes: readonly StartupNode[];
  /** Bulk replies as UTF-8 strings instead of `Uint8Array`.
   * @default false */
  decodeResponses?: D;
  /** Reads may be served by the slot's master or a replica, at random (the reference design's
   * `readonly_mode`). Same as `readFrom: "any"`; writes always go to the master.
   * @default false */
  readonlyMode?: boolean;
  /** Where reads go; overrides `readonlyMode`.
   * @default "master" ("any" with readonlyMode) */
  readFrom?: ReadFrom;
  /** After this client writes to a slot, its reads of that slot go to the master until the
   * replicas' replication offsets show they have the write.
   * @default false */
  readYourWrites?: boolean;
  /** Replicas lagging more than this behind their master get no reads.
   * @default undefined (no limit) */
  maxReplicaLagMs?: number;
  /** Tries per command (after redirections, lost connections, transient errors) before it
   * fails: `ClusterRedirectionError` when redirections were the trouble, else the last
   * `ConnectionError` or `ProtocolError`.
   * @default 16 */
  maxRedirections?: number;
  /** ACL user name; needs `password`.
   * @default undefined ("default") */
  username?: string;
  /** Password (`AUTH`); a node refusing it fails calls with `AuthError`.
   * @default undefined */
  password?: string;
  /** Asked for `{ username?, password }` before every new connection, instead of `password`:
   * rotated secrets and short-lived tokens then work without a restart.
   * @default undefined */
  credentials?: CredentialsProvider;
  /** TLS for every node connection.
   * @default undefined */
  tls?: TlsOptions | boolean;
  /** RESP protocol version.
   * @default 2 */
  protocol?: 2 | 3;
  /** Connect (and handshake) timeout per node.
   * @default 10000 */
  connectTimeoutMs?: number;
  /** Per-command timeout; none by default (and then no timer runs).
   * @default undefined */
  commandTimeoutMs?: number;
  /** A connection awaiting replies that reads nothing for this long makes its node suspect:
   * new commands wait instead of queueing behind it, reads in it are retried on another node
   * of the shard, the cluster's view is polled every 50-100 ms, and the connection is closed
   * once the cluster marks the node failed or promotes another (or replaced when the node
   * answers on another connection). Keep it above your slowest command; 0 disables.
   * @default 250 */
  stallMs?: number;
  /** Calls that may wait at once for a connection, a retry or the cluster's topology; a call
   * past it is refused at once with a `CapacityError` (nothing sent). Calls already sent are
   * never refused their retry.
   * @default 100000 */
  maxQueueLength?: number;
  /** Bytes waiting to be written to one node past which new commands to it are refused at
   * once with a `CapacityError` (nothing sent): a socket that does not drain cannot grow memory
   * without bound. One command larger than this still goes when nothing else waits.
   * @default 134217728 (128 MiB) */
  maxUnwrittenBytes?: number;
  /** Blocking commands (BLPOP, XREAD BLOCK...) that may hold a connection of their own to one
   * node at once; more fail at once with a `CapacityError` (nothing sent).
   * @default 100 */
  maxBlockingConnections?: number;
  /** The largest bulk reply accepted; a longer one is refused from its length header, before
   * anything is allocated, as a `ProtocolError`.
   * @default 536870912 (512 MiB, the server's own proto-max-bulk-len) */
  maxReplyBytes?: number;
  /** Periodic topology refresh, so a failover is noticed even without traffic; 0 disables.
   * @default 30000 */
  refreshIntervalMs?: number;
  /** Minimum time between two refreshes triggered by redirections or lost connections.
   * @default 200 */
  refreshCooldownMs?: number;
  /** How often round trips are sampled for `readFrom: "nearest"`.
   * @default 2000 */
  latencyIntervalMs?: number;
  /** First retry delay; it doubles per attempt, with jitter.
   * @default 20 */
  retryBaseMs?: number;
  /** Longest retry delay.
   * @default 1000 */
  retryCapMs?: number;
  /** Maps announced node addresses to reachable ones (NAT, containers).
   * @default undefined */
  natMap?: NatMap;
  /** Coalesces commands issued in the same tick into one write per node.
   * @default true */
  autoPipelining?: boolean;
  /** `CLIENT SETNAME` on every connection.
   * @default undefined */
  clientName?: string;
  /** How sockets are opened: pass one for an unusual host, or to test.
   * @default the runtime's own, by feature detection: `denoTransport()` on Deno,
   * `workersTransport()` on Cloudflare Workers, `nodeTransport()` on Node and Bun */
  transport?: Transport;
  /** Connections of every kind the client may hold at once. At the budget an idle connection
   * is closed to make room; when every connection is in use, a call needing another fails
   * with a `CapacityError` (nothing sent). Under a budget, masters are not connected ahead of
   * use.
   * @default 6 on Cloudflare Workers (its per-request limit), unlimited elsewhere */
  maxConnections?: number;
  /** A slot map saved with `rc.topology()`: the client starts routing from it, with no
   * discovery round trip; a stale one is corrected by `MOVED` and the next refresh.
   * @default undefined (discover from startupNodes) */
  topology?: TopologySnapshot;
  /** Opens connections; inject one to instrument or to test faults.
   * @default Connection.connect */
  connectionFactory?: ConnectionFactory;
  /** Receives RESP3 push frames other than pub/sub messages (e.g. `CLIENT TRACKING`
   * invalidations) from the client's connections, with the node's address. Needs `protocol: 3`.
   * @default undefined */
  onPush?: (push: RespPush, address: string) => void;
  /** Makes a span per command and per pipeline (database semantic conventions), with retries
   * and redirects as span events: `trace.getTracer("rcluster")` from `@opentelemetry/api`.
   * @default undefined (no spans, no cost) */
  tracer?: TelemetryTracer;
  /** Records `db.client.operation.duration` and counts redirects, retries and timeouts:
   * `metrics.getMeter("rcluster")`.
   * @default undefined */
  meter?: TelemetryMeter;
  /** Adds `db.query.text` to spans: the command name, every argument as `?` (no key or value).
   * @default false */
  traceQueryText?: boolean;
  /** Receives topology changes and retries; silent by default.
   * @default undefined */
  logger?: Logger;
}
