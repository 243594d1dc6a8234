/**
 * rcluster: a Redis Cluster client for Deno and edge runtimes with TCP sockets.
 *
 * - Its own RESP2/RESP3 codec, CRC16 key slots with hash tags, and slot map discovered from the
 *   startup nodes; `MOVED`, `ASK`, `TRYAGAIN` and `CLUSTERDOWN` handled; failover survived.
 * - Readonly mode done safely: reads may go to replicas (`readonlyMode`, `readFrom`, per call),
 *   writes always go to the master, decided by the server's own command flags, in plain calls,
 *   pipelines and multi-key splits; `readYourWrites` and `maxReplicaLagMs` bound staleness.
 * - Cross-slot pipelines whose redirected commands are retried on their own, MULTI/EXEC and
 *   WATCH, cluster-wide `scanIterator()`, auto-pipelining, `AbortSignal`, `await using`.
 *
 * This entry is what an application uses. The RESP codec, the raw `Connection` and the command
 * metadata, for people writing tools, are in `@x/rcluster/resp`.
 *
 * @example
 * ```ts ignore
 * import { RedisCluster } from "@x/rcluster";
 * const startupNodes = [{ host: "127.0.0.1", port: 7000 }];
 * await using rc = new RedisCluster({ startupNodes, decodeResponses: true });
 * await rc.set("foo16706", "bar");
 * await using ro = new RedisCluster({ startupNodes, decodeResponses: true, readonlyMode: true });
 * console.log(await ro.get("foo16706")); // served by a replica or the master
 * const [a, b] = await ro.pipeline().get("foo81").get("foo16706").execute();
 * for await (const key of rc.scanIterator({ match: "user:*" })) console.log(key);
 * ```
 *
 * @module
 */
export { RedisCluster } from "./src/api/cluster.ts";
export type { NodeClient } from "./src/api/node_client.ts";
export { Pipeline } from "./src/api/pipeline.ts";
export type { ExecuteOptions, StreamedReply } from "./src/api/pipeline.ts";
export { Transaction } from "./src/api/transaction.ts";
export { WatchContext, type WatchOptions } from "./src/api/watch.ts";
export type { ReplicaView } from "./src/api/replica_view.ts";
export type { ScanIteratorOptions } from "./src/api/scan_iterators.ts";
export { Monitor, type MonitorLine, type MonitorOptions } from "./src/api/monitor.ts";
export { Subscription } from "./src/api/subscription.ts";
export type {
  RedisClusterEventDetails,
  RedisClusterEventName,
  SlotChange,
} from "./src/api/events.ts";
export type { ClusterStats, NodeStats } from "./src/api/stats.ts";
export type {
  TelemetryAttributes,
  TelemetryMeter,
  TelemetrySpan,
  TelemetryTracer,
} from "./src/execution/telemetry.ts";
export type { PubSubGap, PubSubMessage, SubscribeOptions } from "./src/api/subscription.ts";
export type { RedisClusterOptions, StartupNode } from "./src/api/options.ts";
export type { CallOptions } from "./src/execution/call_options.ts";
export type { NodeInfo, Shard } from "./src/topology/node_info.ts";
export type { ReadFrom, ReadFromFunction } from "./src/topology/read_policy.ts";
export type { NatMap } from "./src/topology/nat_map.ts";
export { SlotMap } from "./src/topology/slot_map.ts";
export { crc16, keySlot, SLOT_COUNT } from "./src/topology/slot.ts";
export type { Connection } from "./src/transport/connection.ts";
export type { ConnectionOptions } from "./src/transport/connection_options.ts";
export type { Socket, SocketOptions, TlsOptions, Transport } from "./src/transport/transport.ts";
export { denoTransport } from "./src/transport/deno_transport.ts";
export { nodeTransport } from "./src/transport/node_transport.ts";
export { workersTransport } from "./src/transport/workers_transport.ts";
export type { TopologySnapshot, TopologySnapshotNode } from "./src/topology/topology_snapshot.ts";
export type { ConnectionFactory } from "./src/transport/node_pool.ts";
export type { CredentialsProvider } from "./src/transport/credentials.ts";
export type { Logger } from "./src/logger.ts";
export {
  AuthError,
  CapacityError,
  ClusterRedirectionError,
  ConnectionError,
  PipelineError,
  ProtocolError,
  RedisError,
  type RedisErrorKind,
  TimeoutError,
  WatchError,
} from "./src/errors.ts";
export {
  type RedisArgument,
  type RedisKey,
  type RedisReply,
  RespPush,
  VerbatimString,
} from "./src/types.ts";
export * from "./src/commands/command_table.ts";
