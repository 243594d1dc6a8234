/**
 * The one path every command takes from the API: cluster-wide commands fan out to every
 * master, multi-key commands across slots are split per slot, everything else is routed by its
 * keys and run by the executor. Also the client's readiness: the first command discovers the
 * cluster.
 * @module
 */
import { Connection } from "../transport/connection.ts";
import type { _NodePool } from "../transport/node_pool.ts";
import type { NodeInfo } from "../topology/node_info.ts";
import type { _Topology } from "../topology/topology.ts";
import type { _ReplicaHealth } from "../topology/replica_health.ts";
import { _CommandCache, _commandName } from "../routing/command_cache.ts";
import { _merge, _split } from "../routing/multi_key.ts";
import type { _Part } from "../routing/multi_key.ts";
import { _combine, _fanOutRule } from "../routing/fan_out.ts";
import type { _FanOut } from "../routing/fan_out.ts";
import { ConnectionError } from "../errors.ts";
import type { RedisArgument, RedisReply } from "../types.ts";
import type { CallOptions } from "./call_options.ts";
import type { _Executor } from "./executor.ts";
import { _asResult, type _ToResult } from "./routed_command.ts";

/** The parts the dispatcher drives. */
export interface _DispatcherParts {
  readonly topology: _Topology;
  readonly pool: _NodePool;
  readonly executor: _Executor;
  readonly health: _ReplicaHealth;
  /** Timeout of metadata queries (`COMMAND INFO`, `COMMAND GETKEYS`). */
  readonly metadataTimeoutMs: number;
  /** Called once the cluster is discovered. */
  readonly onConnected: () => void;
}

/** Routes and runs commands for the facade, the pipeline and the other API objects. */
export class _Dispatcher {
  readonly topology: _Topology;
  readonly commands: _CommandCache;
  readonly executor: _Executor;
  #pool: _NodePool;
  #health: _ReplicaHealth;
  #metadataTimeoutMs: number;
  #onConnected: () => void;
  #connecting: Promise<void> | undefined;
  #ready = false;
  #closed = false;

  constructor(parts: _DispatcherParts) {
    this.topology = parts.topology;
    this.commands = new _CommandCache((args, decode) => this.metadata(args, decode));
    this.executor = parts.executor;
    this.#pool = parts.pool;
    this.#health = parts.health;
    this.#metadataTimeoutMs = parts.metadataTimeoutMs;
    this.#onConnected = parts.onConnected;
  }

  /** Discovers the cluster, once; later calls share the first. */
  connect(): Promise<void> {
    if (this.#closed) return Promise.reject(new ConnectionError("the client is closed"));
    this.#connecting ??= this.topology.ready().then(async () => {
      this.topology.start();
      this.#onConnected();
      // One ROLE round, so the first reads already know which replicas are usable.
      await this.#health.start();
      this.#ready = true;
    }, (e) => {
      this.#connecting = undefined;
      throw e;
    });
    return this.#connecting;
  }

  /** `undefined` when commands can run now, else the discovery to wait for. */
  ready(): Promise<void> | undefined {
    return this.#ready ? undefined : this.connect();
  }

  /** Refuses new commands from now on; waits for a discovery under way. */
  async shutdown(): Promise<void> {
    this.#closed = true;
    await this.#connecting?.catch(() => undefined);
  }

  /** Runs any command; error replies resolve as `RedisError` values. */
  send(
    args: readonly RedisArgument[],
    options: CallOptions | undefined,
    inPipeline = false,
  ): Promise<RedisReply> {
    return this.#dispatch(args, options, inPipeline, undefined) as Promise<RedisReply>;
  }

  /** Runs any command and settles with the caller's result (error replies thrown). */
  result(
    args: readonly RedisArgument[],
    options: CallOptions | undefined,
    toResult: _ToResult,
  ): Promise<unknown> {
    return this.#dispatch(args, options, false, toResult);
  }

  /** The serving masters, the usable replicas, or both. */
  nodesOf(role: "master" | "replica" | "all"): NodeInfo[] {
    const shards = this.topology.map.servingShards();
    const masters = shards.map((s) => s.master);
    // A replica the cluster reports as failed would only fail the whole fan-out.
    const replicas = shards.flatMap((s) => s.replicas).filter((n) => n.health !== "failed");
    return role === "master" ? masters : role === "replica" ? replicas : [...masters, ...replicas];
  }

  /** Sends a metadata query to a master chosen at random; `decode` asks for strings. */
  async metadata(args: RedisArgument[], decode: boolean): Promise<RedisReply> {
    const masters = this.nodesOf("master");
    const node = masters[Math.floor(Math.random() * masters.length)];
    if (!node) throw new ConnectionError("no master known to ask for command metadata");
    const c = this.#pool.get(node);
    const conn = c instanceof Connection ? c : await c;
    return await conn.send(args, { decode, timeoutMs: this.#metadataTimeoutMs });
  }

  // Not async: a typed GET on a connected node costs one promise in all, settled straight from
  // the connection's read loop (see _FirstTry); only retries take the async path.
  #dispatch(
    args: readonly RedisArgument[],
    options: CallOptions | undefined,
    inPipeline: boolean,
    toResult: _ToResult | undefined,
  ): Promise<unknown> {
    if (this.#closed) return Promise.reject(new ConnectionError("the client is closed"));
    if (!this.#ready) {
      return this.connect().then(() => this.#dispatch(args, options, inPipeline, toResult));
    }
    try {
      const name = _commandName(args);
      const fan = _fanOutRule(name, args);
      if (fan) return _asResult(this.#fanOut(fan, args, options), toResult);
      const parts = _split(name, args);
      if (parts) return _asResult(this.#splitRun(name, parts, options), toResult);
      const route = this.commands.route(args);
      if (route instanceof Promise) {
        return route.then((r) =>
          this.executor.run({ args, route: r, options, inPipeline }, toResult)
        );
      }
      return this.executor.run({ args, route, options, inPipeline }, toResult);
    } catch (e) {
      // Arguments the builders let through can still fail to hash: reject, never throw.
      return Promise.reject(e);
    }
  }

  async #fanOut(
    fan: _FanOut,
    args: readonly RedisArgument[],
    options: CallOptions | undefined,
  ): Promise<RedisReply> {
    const nodes = this.nodesOf(fan.to === "masters" ? "master" : "all");
    return _combine(
      fan,
      await Promise.all(nodes.map((n) => this.executor.runOn(n, args, options))),
    );
  }

  async #splitRun(
    name: string,
    parts: readonly _Part[],
    options: CallOptions | undefined,
  ): Promise<RedisReply> {
    const replies = await Promise.all(parts.map(async (p) => {
      const route = await this.commands.route(p.args);
      return this.executor.run({ args: p.args, route, options });
    }));
    return _merge(name, parts, replies);
  }
}
