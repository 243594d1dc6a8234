/**
 * Wiring: builds one client's parts from its validated settings, bottom layer first, and
 * closes them top first.
 * @module
 */
import { Connection } from "../transport/connection.ts";
import { _NodePool } from "../transport/node_pool.ts";
import type { _StallState } from "../transport/_stall_watch.ts";
import { TimeoutError } from "../errors.ts";
import { _Discovery } from "../topology/discovery.ts";
import { _Topology } from "../topology/topology.ts";
import { _mapOfSnapshot } from "../topology/topology_snapshot.ts";
import { _LatencySampler } from "../topology/latency.ts";
import { _ReplicaHealth } from "../topology/replica_health.ts";
import { _ReadYourWrites } from "../topology/read_your_writes.ts";
import type { NodeInfo } from "../topology/node_info.ts";
import { _NodeChoice } from "../execution/node_choice.ts";
import { _Executor } from "../execution/executor.ts";
import { _Dispatcher } from "../execution/dispatcher.ts";
import { _PubSubHub } from "../execution/pubsub_hub.ts";
import { _Telemetry } from "../execution/telemetry.ts";
import { SlotMap } from "../topology/slot_map.ts";
import type { _Emit } from "./events.ts";
import { _topologyNews } from "./_topology_news.ts";
import { _stats, type ClusterStats } from "./stats.ts";
import { _within } from "./_within.ts";
import type { RedisArgument } from "../types.ts";
import type { RedisClusterOptions } from "./options.ts";
import { type _Settings, _validate } from "./settings.ts";

/** A health probe slower than this marks the replica unusable until the next probe. */
const HEALTH_TIMEOUT_MS = 1000;

/** Topology queries while a shard waits for a master give up after this (other nodes remain). */
const URGENT_TIMEOUT_MS = 500;

/** One client's parts; `dispatcher` is what the API objects use. */
export interface _Client {
  readonly settings: _Settings;
  readonly dispatcher: _Dispatcher;
  /** The client's subscriptions. */
  readonly hub: _PubSubHub;
  /** `rc.stats()`. */
  stats(): ClusterStats;
  /**
   * Closes everything, top layer first. Without `drain`, every call still pending settles at
   * once with a `ConnectionError`; with it, calls already made settle first.
   */
  close(drain: boolean): Promise<void>;
}

/** Validates `options` and builds the client's parts; does no I/O. */
export function _wire<D extends boolean>(options: RedisClusterOptions<D>, emit: _Emit): _Client {
  const s = _validate(options);
  const telemetry = options.tracer !== undefined || options.meter !== undefined
    ? new _Telemetry({
      tracer: options.tracer,
      meter: options.meter,
      queryText: options.traceQueryText ?? false,
    })
    : undefined;
  /** The map of the last refresh, to tell what the next one changed. */
  let refreshed = SlotMap.empty();
  const closing = new AbortController();
  /** Suspect nodes that were masters when they stopped answering. */
  const stalledMasters = new Set<string>();
  const pool = new _NodePool({
    connection: {
      connectTimeoutMs: s.connectTimeoutMs,
      transport: s.transport,
      ...(options.username !== undefined ? { username: options.username } : {}),
      ...(options.password !== undefined ? { password: options.password } : {}),
      ...(options.tls !== undefined ? { tls: options.tls } : {}),
      ...(options.clientName !== undefined ? { clientName: options.clientName } : {}),
      protocol: options.protocol ?? 2,
      autoPipelining: options.autoPipelining ?? true,
      // READONLY only where the map says replica (see the pool's readonlyFor): a master's
      // connection without it gets MOVED for reads once the node is demoted, which is how the
      // client learns of a failover it did not see, instead of reading a stale replica.
      readonly: false,
      maxUnwrittenBytes: s.maxUnwrittenBytes,
      decoder: { maxBulkBytes: s.maxReplyBytes },
    },
    factory: options.connectionFactory ?? Connection.connect,
    credentials: options.credentials,
    onConnected: (address, reconnect) => emit("nodeconnect", () => ({ address, reconnect })),
    onLost: (address, error) => {
      s.logger.warn(`rcluster: lost ${address}: ${error.message}`);
      emit("nodelost", () => ({ address, error }));
      // Called only once connections exist, so after `topology` below is set.
      topology.scheduleRefresh(`lost ${address}`);
    },
    onIdleClose: (address) => {
      s.logger.debug(`rcluster: ${address} closed an idle connection`);
      topology.scheduleRefresh(`idle close ${address}`);
    },
    stallMs: s.stallMs,
    onStall: (address, state) => {
      const log = state === "recovered" ? s.logger.debug : s.logger.warn;
      log(`rcluster: ${address} ${STALL_NEWS[state]}`);
      const master = topology.map.servingShards().some((sh) => sh.master.address === address);
      if (state === "stalled" && master) stalledMasters.add(address);
      if (state !== "stalled") stalledMasters.delete(address);
      topology.suspect(address, state === "stalled");
    },
    maxBlockingConnections: s.maxBlockingConnections,
    maxConnections: s.maxConnections,
    readonlyFor: (address: string): boolean =>
      topology.map.nodes().some((n) => n.address === address && n.role === "replica"),
    onPush: options.onPush,
    backoffBaseMs: s.retryBaseMs * 5,
    backoffCapMs: s.retryCapMs,
  });
  // Health probes and topology queries run on connections of their own: under load they
  // measure the node, not the queue of user commands in front of them, and a stalled shared
  // connection never holds up the refresh that decides its fate.
  const probe = async (node: NodeInfo, args: RedisArgument[], timeoutMs: number) => {
    const c = pool.probe(node);
    // A connect has its own timeout (connectTimeoutMs); a shorter wait gives up on it sooner.
    const conn = c instanceof Connection ? c : timeoutMs < s.connectTimeoutMs
      ? await _within(
        c,
        timeoutMs,
        () =>
          new TimeoutError(`no connection to ${node.address} within ${timeoutMs} ms`, {
            address: node.address,
          }),
      )
      : await c;
    return await conn.send(args, { decode: true, timeoutMs });
  };
  const discovery = new _Discovery({
    startupNodes: s.startupNodes,
    natMap: options.natMap,
    tls: options.tls !== undefined && options.tls !== false,
    send: (node, args, urgent) =>
      probe(
        node,
        args,
        urgent ? Math.min(URGENT_TIMEOUT_MS, s.connectTimeoutMs) : s.connectTimeoutMs,
      ),
    logger: s.logger,
  });
  const topology = new _Topology(discovery, {
    refreshIntervalMs: s.refreshIntervalMs,
    refreshCooldownMs: s.refreshCooldownMs,
    logger: s.logger,
    initial: s.topology === undefined ? undefined : _mapOfSnapshot(s.topology),
    onRefreshed: (map) => {
      pool.retain(new Set(map.nodes().map((n) => n.address)));
      pool.ensureReadonly(map.shards.flatMap((sh) => sh.replicas.map((r) => r.address)));
      if (hub.active) hub.reconcile();
      const news = _topologyNews(refreshed, map);
      refreshed = map;
      if (news.changes.length > 0) {
        emit("topologychange", () => ({ generation: map.generation, changes: news.changes }));
      }
      for (const f of news.failovers) emit("failover", () => f);
      // A suspect the cluster gave up on is closed, so the commands in its socket fail as
      // "outcome unknown" instead of being acknowledged by a demoted master that then drops them.
      for (const address of pool.suspects()) {
        const node = map.nodes().find((n) => n.address === address);
        const why = node === undefined
          ? "it left the cluster"
          : node.health === "failed"
          ? "the cluster marks it failed"
          : stalledMasters.has(address) && node.role !== "master"
          ? "it lost its slots to a failover"
          : undefined;
        if (why !== undefined) pool.abandon(address, `it stopped answering and ${why}`);
      }
    },
  });
  const shards = () => topology.map.servingShards();
  const latency = new _LatencySampler({
    intervalMs: s.latencyIntervalMs,
    nodes: () => topology.map.nodes(),
    roundTrip: async (node) => {
      const c = pool.probe(node);
      const conn = c instanceof Connection ? c : await c;
      const t0 = performance.now();
      await conn.send(["PING"], { timeoutMs: s.connectTimeoutMs });
      return performance.now() - t0;
    },
  });
  const health = new _ReplicaHealth({
    maxReplicaLagMs: s.maxReplicaLagMs,
    pollFromStart: s.readFrom !== "master",
    query: (node, args) => probe(node, args, HEALTH_TIMEOUT_MS),
    shards,
    logger: s.logger,
  });
  const readYourWrites = new _ReadYourWrites(s.readYourWrites, health, shards);
  const nodeChoice = new _NodeChoice({
    topology,
    pool,
    health,
    readYourWrites,
    latency,
    readFrom: s.readFrom,
  });
  const executor = new _Executor({
    topology,
    pool,
    nodeChoice,
    readYourWrites,
    closing: closing.signal,
  }, {
    maxRedirections: s.maxRedirections,
    maxQueueLength: s.maxQueueLength,
    decode: s.decode,
    retryBaseMs: s.retryBaseMs,
    retryCapMs: s.retryCapMs,
    commandTimeoutMs: s.commandTimeoutMs,
    logger: s.logger,
    events: {
      redirected: (kind, command, slot, from, to, callOptions) => {
        emit("redirect", () => ({ kind, command, slot, from, to }));
        telemetry?.redirected(callOptions, { kind, slot, from, to });
      },
      retried: (command, attempt, reason, address, callOptions) => {
        emit("retry", () => ({ command, attempt, reason, address }));
        telemetry?.retried(callOptions, { attempt, reason, address });
      },
    },
  });
  const dispatcher = new _Dispatcher({
    topology,
    pool,
    executor,
    health,
    metadataTimeoutMs: s.connectTimeoutMs,
    telemetry,
    onConnected: () => {
      // A "nearest" client samples round trips from the start, not on its first read.
      if (s.readFrom === "nearest") latency.start();
      // Topology queries ran on probe connections: open the masters' shared ones now, so the
      // first commands do not each wait for a handshake. Not under a connection budget
      // (Workers): there only the nodes a request touches get connections.
      if (s.maxConnections !== Infinity) return;
      for (const shard of topology.map.servingShards()) {
        const c = pool.get(shard.master);
        if (!(c instanceof Connection)) c.catch(() => {});
      }
    },
  });
  const hub = new _PubSubHub({
    open: (node, hooks) => pool.dedicated(node, hooks),
    map: () => topology.map,
    refresh: () => topology.refresh({ force: true }),
    applyMoved: (slot, address, host) => void topology.applyMoved(slot, address, host),
    logger: s.logger,
    onGap: (kind, channel, fromMs, toMs) =>
      emit("subscriptiongap", () => ({ kind, channel, fromMs, toMs })),
  });
  return {
    settings: s,
    dispatcher,
    hub,
    stats: () => _stats(pool, topology.map),
    close: async (drain) => {
      dispatcher.refuse("the client is closed");
      if (drain) await dispatcher.drain();
      closing.abort();
      latency.close();
      await readYourWrites.close();
      await health.close();
      await hub.close();
      await topology.close();
      await pool.close();
    },
  };
}

const STALL_NEWS: Record<_StallState, string> = {
  stalled: "stopped answering: polling the cluster's view of it",
  recovered: "answers again",
  replaced: "answers, but its connection did not: replaced the connection",
  abandoned: "was given up: its connection is closed",
  lost: "lost its connection while it was not answering",
};
