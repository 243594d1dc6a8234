/**
 * Wiring: builds one client's parts from its validated settings, bottom layer first, and
 * closes them top first.
 * @module
 */
import { Connection } from "../transport/connection.ts";
import { _NodePool } from "../transport/node_pool.ts";
import { _Discovery } from "../topology/discovery.ts";
import { _Topology } from "../topology/topology.ts";
import { _LatencySampler } from "../topology/latency.ts";
import { _ReplicaHealth } from "../topology/replica_health.ts";
import { _ReadYourWrites } from "../topology/read_your_writes.ts";
import type { NodeInfo } from "../topology/node_info.ts";
import { _NodeChoice } from "../execution/node_choice.ts";
import { _Executor } from "../execution/executor.ts";
import { _Dispatcher } from "../execution/dispatcher.ts";
import type { RedisArgument } from "../types.ts";
import type { RedisClusterOptions } from "./options.ts";
import { type _Settings, _validate } from "./settings.ts";

/** A health probe slower than this marks the replica unusable until the next probe. */
const HEALTH_TIMEOUT_MS = 1000;

/** One client's parts; `dispatcher` is what the API objects use. */
export interface _Client {
  readonly settings: _Settings;
  readonly dispatcher: _Dispatcher;
  /**
   * Closes everything, top layer first. Without `drain`, every call still pending settles at
   * once with a `ConnectionError`; with it, calls already made settle first.
   */
  close(drain: boolean): Promise<void>;
}

/** Validates `options` and builds the client's parts; does no I/O. */
export function _wire<D extends boolean>(options: RedisClusterOptions<D>): _Client {
  const s = _validate(options);
  const closing = new AbortController();
  const pool = new _NodePool({
    connection: {
      connectTimeoutMs: s.connectTimeoutMs,
      ...(options.username !== undefined ? { username: options.username } : {}),
      ...(options.password !== undefined ? { password: options.password } : {}),
      ...(options.tls !== undefined ? { tls: options.tls } : {}),
      ...(options.clientName !== undefined ? { clientName: options.clientName } : {}),
      protocol: options.protocol ?? 2,
      autoPipelining: options.autoPipelining ?? true,
      // Every connection may serve replica reads (per-call readFrom); masters accept it too.
      readonly: true,
    },
    factory: options.connectionFactory ?? Connection.connect,
    onLost: (address, error) => {
      s.logger.warn(`rcluster: lost ${address}: ${error.message}`);
      // Called only once connections exist, so after `topology` below is set.
      topology.scheduleRefresh(`lost ${address}`);
    },
    onIdleClose: (address) => {
      s.logger.debug(`rcluster: ${address} closed an idle connection`);
      topology.scheduleRefresh(`idle close ${address}`);
    },
    backoffBaseMs: s.retryBaseMs * 5,
    backoffCapMs: s.retryCapMs,
  });
  const send = async (node: NodeInfo, args: RedisArgument[], timeoutMs: number) => {
    const c = pool.get(node);
    const conn = c instanceof Connection ? c : await c;
    return await conn.send(args, { decode: true, timeoutMs });
  };
  // Health probes run on connections of their own: under load they measure the node, not the
  // queue of user commands in front of them.
  const probe = async (node: NodeInfo, args: RedisArgument[], timeoutMs: number) => {
    const c = pool.probe(node);
    const conn = c instanceof Connection ? c : await c;
    return await conn.send(args, { decode: true, timeoutMs });
  };
  const discovery = new _Discovery({
    startupNodes: s.startupNodes,
    natMap: options.natMap,
    tls: options.tls !== undefined && options.tls !== false,
    send: (node, args) => send(node, args, s.connectTimeoutMs),
    logger: s.logger,
  });
  const topology = new _Topology(discovery, {
    refreshIntervalMs: s.refreshIntervalMs,
    refreshCooldownMs: s.refreshCooldownMs,
    logger: s.logger,
    onRefreshed: (map) => pool.retain(new Set(map.nodes().map((n) => n.address))),
  });
  const shards = () => topology.map.servingShards();
  const latency = new _LatencySampler({
    intervalMs: s.latencyIntervalMs,
    nodes: () => topology.map.nodes(),
    send: (node, args) => probe(node, args, s.connectTimeoutMs),
  });
  const health = new _ReplicaHealth({
    maxReplicaLagMs: s.maxReplicaLagMs,
    pollFromStart: s.readFrom !== "master",
    query: (node, args) => probe(node, args, HEALTH_TIMEOUT_MS),
    shards,
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
    decode: s.decode,
    retryBaseMs: s.retryBaseMs,
    retryCapMs: s.retryCapMs,
    commandTimeoutMs: s.commandTimeoutMs,
    logger: s.logger,
  });
  const dispatcher = new _Dispatcher({
    topology,
    pool,
    executor,
    health,
    metadataTimeoutMs: s.connectTimeoutMs,
    // A "nearest" client samples round trips from the start, not on its first read.
    onConnected: () => {
      if (s.readFrom === "nearest") latency.start();
    },
  });
  return {
    settings: s,
    dispatcher,
    close: async (drain) => {
      dispatcher.refuse("the client is closed");
      if (drain) await dispatcher.drain();
      closing.abort();
      latency.close();
      await readYourWrites.close();
      await health.close();
      await topology.close();
      await pool.close();
    },
  };
}
