/**
 * The one path every command takes from the API: cluster-wide commands fan out to every
 * master, multi-key commands across slots are split per slot, everything else is routed by its
 * keys and run by the executor. Also the client's lifecycle: the first command discovers the
 * cluster, and closing (at once or after draining) ends every call.
 * @module
 */
import { Connection } from "../transport/connection.ts";
import type { _NodePool } from "../transport/node_pool.ts";
import type { NodeInfo } from "../topology/node_info.ts";
import type { _Topology } from "../topology/topology.ts";
import type { _ReplicaHealth } from "../topology/replica_health.ts";
import { _CommandCache, type _Route } from "../routing/command_cache.ts";
import { _commandName } from "../routing/command_name.ts";
import { _merge, _split } from "../routing/multi_key.ts";
import type { _Part } from "../routing/multi_key.ts";
import { _combine, _fanOutRule } from "../routing/fan_out.ts";
import type { _FanOut } from "../routing/fan_out.ts";
import { ConnectionError } from "../errors.ts";
import type { RedisArgument, RedisReply } from "../types.ts";
import type { CallOptions } from "./call_options.ts";
import { _bounded, type _CallLimits, _stopError } from "./call_limits.ts";
import { _nameOf } from "./command_name.ts";
import type { _Executor } from "./executor.ts";
import type { _Telemetry } from "./telemetry.ts";
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
  /** Spans and metrics of calls, when a tracer or meter is set. */
  readonly telemetry: _Telemetry | undefined;
}

/** Routes and runs commands for the facade, the pipeline and the other API objects. */
export class _Dispatcher {
  readonly topology: _Topology;
  readonly commands: _CommandCache;
  readonly executor: _Executor;
  /** Spans and metrics of calls, when a tracer or meter is set. */
  readonly telemetry: _Telemetry | undefined;
  #pool: _NodePool;
  #health: _ReplicaHealth;
  #metadataTimeoutMs: number;
  #onConnected: () => void;
  #connecting: Promise<void> | undefined;
  #ready = false;
  /** Set once `close()` began: new calls are refused with this reason. */
  #closing: string | undefined;

  constructor(parts: _DispatcherParts) {
    this.topology = parts.topology;
    this.commands = new _CommandCache((args, decode) => this.metadata(args, decode));
    this.executor = parts.executor;
    this.telemetry = parts.telemetry;
    this.#pool = parts.pool;
    this.#health = parts.health;
    this.#metadataTimeoutMs = parts.metadataTimeoutMs;
    this.#onConnected = parts.onConnected;
  }

  /** Discovers the cluster, once; later calls share the first. */
  connect(): Promise<void> {
    if (this.#closing !== undefined) return Promise.reject(this.#refusal("connect"));
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

  /**
   * `undefined` when commands can run now, else the discovery to wait for, bounded by `limits`
   * (for the caller's `timeoutMs`, signal and the client's closing).
   */
  ready(command = "command", limits?: _CallLimits): Promise<void> | undefined {
    if (this.#closing !== undefined) return Promise.reject(this.#refusal(command));
    if (this.#ready) return undefined;
    const connecting = this.connect();
    if (limits === undefined) return connecting;
    return _bounded(
      connecting,
      limits,
      (reason) =>
        _stopError(reason, `${command} (waiting for the cluster's topology)`, limits, 0, undefined),
    );
  }

  /** Refuses new calls from now on, with `reason` in their error. */
  refuse(reason: string): void {
    this.#closing ??= reason;
  }

  /** Waits until every call already made has settled (draining before a close). */
  async drain(): Promise<void> {
    await this.#connecting?.catch(() => undefined);
    // A retry may send a command, and a reply may start a retry: wait until both are quiet.
    while (this.executor.busy || this.#pool.busy) {
      await this.executor.whenSettled();
      await this.#pool.whenIdle();
    }
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
    const t = this.telemetry;
    if (t !== undefined) {
      return t.call(args, options, (o) => this.#dispatch(args, o, false, toResult));
    }
    return this.#dispatch(args, options, false, toResult);
  }

  /** Sends to one node, no redirections followed; error replies resolve as values. */
  sendTo(
    node: NodeInfo,
    args: readonly RedisArgument[],
    options: CallOptions | undefined,
  ): Promise<RedisReply> {
    if (this.#closing !== undefined) return Promise.reject(this.#refusal(_nameOf(args)));
    return this.executor.runOn(node, args, options, this.executor.limits(options, false));
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

  #refusal(command: string): ConnectionError {
    return new ConnectionError(`${command}: ${this.#closing}`);
  }

  // Not async: a typed GET on a connected node costs one promise in all, settled straight from
  // the connection's read loop (see _FirstTry); only retries take the async path.
  #dispatch(
    args: readonly RedisArgument[],
    options: CallOptions | undefined,
    inPipeline: boolean,
    toResult: _ToResult | undefined,
  ): Promise<unknown> {
    if (this.#closing !== undefined) return Promise.reject(this.#refusal(_nameOf(args)));
    try {
      const name = _commandName(args);
      // From the start of the call, so waiting for discovery counts against its timeout.
      const limits = this.executor.limits(options, false);
      if (!this.#ready) {
        const full = this.executor.queueFull(_nameOf(args));
        if (full !== undefined) return Promise.reject(full);
        return this.executor.whileQueued(this.ready(_nameOf(args), limits)!).then(() =>
          this.#routed(name, args, options, inPipeline, toResult, limits)
        );
      }
      return this.#routed(name, args, options, inPipeline, toResult, limits);
    } catch (e) {
      // Arguments the builders let through can still fail to hash: reject, never throw.
      return Promise.reject(e);
    }
  }

  #routed(
    name: string,
    args: readonly RedisArgument[],
    options: CallOptions | undefined,
    inPipeline: boolean,
    toResult: _ToResult | undefined,
    limits: _CallLimits,
  ): Promise<unknown> {
    const fan = _fanOutRule(name, args);
    if (fan) return _asResult(this.#fanOut(fan, args, options, limits), toResult);
    const parts = _split(name, args);
    if (parts) return _asResult(this.#splitRun(name, parts, options, limits), toResult);
    const route = this.commands.route(args);
    if (route instanceof Promise) {
      return route.then((r) =>
        this.executor.run({
          args,
          route: r,
          options,
          limits: this.#own(r, options, limits),
          inPipeline,
        }, toResult)
      );
    }
    return this.executor.run(
      { args, route, options, limits: this.#own(route, options, limits), inPipeline },
      toResult,
    );
  }

  /** A blocking command waits as long as it was told: `commandTimeoutMs` does not cut it. */
  #own(route: _Route, options: CallOptions | undefined, limits: _CallLimits): _CallLimits {
    return route.blocking && options?.timeoutMs === undefined
      ? this.executor.limits(options, true)
      : limits;
  }

  async #fanOut(
    fan: _FanOut,
    args: readonly RedisArgument[],
    options: CallOptions | undefined,
    limits: _CallLimits,
  ): Promise<RedisReply> {
    const nodes = this.nodesOf(fan.to === "masters" ? "master" : "all");
    return _combine(
      fan,
      await Promise.all(nodes.map((n) => this.executor.runOn(n, args, options, limits))),
    );
  }

  async #splitRun(
    name: string,
    parts: readonly _Part[],
    options: CallOptions | undefined,
    limits: _CallLimits,
  ): Promise<RedisReply> {
    const replies = await Promise.all(parts.map(async (p) => {
      const route = await this.commands.route(p.args);
      return this.executor.run({
        args: p.args,
        route,
        options,
        limits: this.#own(route, options, limits),
      });
    }));
    return _merge(name, parts, replies);
  }
}
