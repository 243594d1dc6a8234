/**
 * The `RedisCluster` facade: options, lifecycle, and the one path every command takes.
 * @module
 */
import { Connection } from "../transport/connection.ts";
import { ConnectionError, RedisError } from "../errors.ts";
import { _NodePool } from "../transport/node_pool.ts";
import { _Topology } from "../topology/topology.ts";
import { _CommandCache, _commandName } from "../routing/command_cache.ts";
import { _Executor } from "../execution/executor.ts";
import { _atEdge } from "../execution/first_try.ts";
import type { _Edge } from "../execution/first_try.ts";
import { _Freshness } from "../topology/freshness.ts";
import { _merge, _split } from "../routing/multi_key.ts";
import type { _Part } from "../routing/multi_key.ts";
import { _combine, _fanOutRule } from "../routing/fan_out.ts";
import type { _FanOut } from "../routing/fan_out.ts";
import { _validate } from "./options.ts";
import type { _Settings, RedisClusterOptions } from "./options.ts";
import type { CallOptions } from "../execution/call_options.ts";
import type { NodeInfo } from "../topology/read_policy.ts";
import type { RedisArgument, RedisReply } from "../types.ts";
import type { SlotMap } from "../topology/slot_map.ts";
import type { ReadFrom } from "../topology/read_policy.ts";
import type { RedisKey } from "../types.ts";
import { Pipeline } from "./pipeline.ts";
import { _watch, Transaction } from "./transaction.ts";
import type { WatchContext, WatchOptions } from "./transaction.ts";
import { _replicaView } from "./replica_view.ts";
import type { ReplicaView } from "./replica_view.ts";
import { _scanCluster, _scanKey } from "./scan_iterators.ts";
import type { ScanIteratorOptions } from "./scan_iterators.ts";
import { _installCalls } from "../commands/install.ts";
import type { Bulk, RedisCommands } from "../commands/command_table.ts";
import { _evalWithFallback } from "./scripts.ts";

/**
 * A client bound to one node, for commands that concern that node only.
 *
 * @example
 * ```ts ignore
 * for (const node of await rc.nodes("master")) {
 *   console.log(node.address, await node.sendCommand(["INFO", "memory"]));
 * }
 * ```
 */
export interface NodeClient {
  /** The node's `host:port`. */
  readonly address: string;
  /** Its role when the list was made. */
  readonly role: "master" | "replica";
  /** Sends any command to this node (no redirections are followed). */
  sendCommand(args: readonly RedisArgument[], options?: CallOptions): Promise<RedisReply>;
}

/** Shared internals, reached by the pipeline and views without widening the public surface. */
export interface _Core {
  readonly settings: _Settings;
  readonly executor: _Executor;
  readonly commands: _CommandCache;
  readonly topology: _Topology;
  ready(): Promise<void> | undefined;
  exec(
    args: readonly RedisArgument[],
    call: CallOptions | undefined,
    batch?: boolean,
  ): Promise<RedisReply>;
  /** As `exec`, settled as the API edge does: error replies thrown, `edge.transform` applied. */
  call(
    args: readonly RedisArgument[],
    call: CallOptions | undefined,
    edge: _Edge,
  ): Promise<unknown>;
}

/**
 * A Redis Cluster client with typed command methods. The constructor does no I/O: the first
 * command (or `connect()`) discovers the cluster from `startupNodes`. Writes always go to the
 * slot's master (decided by the server's own command flags); reads follow `readFrom` /
 * `readonlyMode`, per client or per call.
 *
 * @example
 * ```ts ignore
 * import { RedisCluster } from "@x/rcluster";
 * await using rc = new RedisCluster({ startupNodes: [{ host: "127.0.0.1", port: 7000 }], decodeResponses: true });
 * await rc.set("foo", "bar");
 * console.log(await rc.get("foo"));                       // "bar"
 * console.log(await rc.get("foo", { readFrom: "replica" }));
 * ```
 */
export class RedisCluster<D extends boolean = false> implements AsyncDisposable {
  static {
    _installCalls(this.prototype, (self, b) => self._core.call(b.args, b.options, b));
  }
  #settings: _Settings;
  #pool: _NodePool;
  #topology: _Topology;
  #commands: _CommandCache;
  #executor: _Executor;
  #freshness: _Freshness;
  #connecting: Promise<void> | undefined;
  #ready = false;
  #closed = false;
  /** @internal */
  readonly _core: _Core;

  /** Validates `options` (a `TypeError` names the first bad field); does no I/O. */
  constructor(options: RedisClusterOptions<D>) {
    const s = _validate(options);
    this.#settings = s;
    this.#pool = new _NodePool({
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
        this.#topology.scheduleRefresh(`lost ${address}`);
      },
      backoffBaseMs: s.retryBaseMs * 5,
      backoffCapMs: s.retryCapMs,
    });
    this.#topology = new _Topology(this.#pool, {
      startupNodes: s.startupNodes,
      natMap: options.natMap,
      refreshIntervalMs: s.refreshIntervalMs,
      refreshCooldownMs: s.refreshCooldownMs,
      latencyIntervalMs: s.latencyIntervalMs,
      sampleLatency: s.readFrom === "nearest",
      timeoutMs: s.connectTimeoutMs,
      logger: s.logger,
    });
    this.#commands = new _CommandCache((args, decode) => this.#metaSend(args, decode));
    this.#freshness = new _Freshness({
      readYourWrites: s.readYourWrites,
      maxReplicaLagMs: s.maxReplicaLagMs,
      pollReplicas: s.readFrom !== "master",
      query: async (node, args) => {
        const conn = await this.#executor.connection(node);
        return await conn.send(args, { decode: true, timeoutMs: HEALTH_TIMEOUT_MS });
      },
      shards: () => this.#topology.map.servingShards(),
    });
    this.#executor = new _Executor(this.#topology, this.#pool, this.#freshness, {
      maxRedirections: s.maxRedirections,
      readFrom: s.readFrom,
      decode: s.decode,
      retryBaseMs: s.retryBaseMs,
      retryCapMs: s.retryCapMs,
      commandTimeoutMs: s.commandTimeoutMs,
      logger: s.logger,
    });
    this._core = {
      settings: s,
      executor: this.#executor,
      commands: this.#commands,
      topology: this.#topology,
      ready: () => this.#ready ? undefined : this.connect(),
      exec: (args, call, batch) => this.#exec(args, call, batch),
      call: (args, call, edge) => this.#exec(args, call, false, edge),
    };
  }

  /** Discovers the cluster (done by the first command otherwise). */
  connect(): Promise<void> {
    if (this.#closed) return Promise.reject(new ConnectionError("the client is closed"));
    this.#connecting ??= this.#topology.ready().then(async () => {
      this.#topology.start();
      // One ROLE round, so the first reads already know which replicas are usable.
      await this.#freshness.start();
      this.#ready = true;
    }, (e) => {
      this.#connecting = undefined;
      throw e;
    });
    return this.#connecting;
  }

  /** The current slot map snapshot (empty before discovery). */
  get slotMap(): SlotMap {
    return this.#topology.map;
  }

  /**
   * Sends any command, routed by its keys. Multi-key `MGET`/`MSET`/`DEL`/`UNLINK`/`EXISTS`/
   * `TOUCH` across slots are split per slot (not atomic across slots); cluster-wide commands
   * (`DBSIZE`, `FLUSHALL`, `KEYS`, `SCRIPT LOAD`...) go to every master and are combined.
   * Error replies reject with `RedisError`.
   */
  async sendCommand(args: readonly RedisArgument[], options?: CallOptions): Promise<RedisReply> {
    if (!Array.isArray(args) || args.length === 0) {
      throw new TypeError("sendCommand(): args must be a non-empty array");
    }
    const reply = await this.#exec(args, options);
    if (reply instanceof RedisError) throw reply;
    return reply;
  }

  /** Clients for every master, replica or node, for per-node commands. */
  async nodes(role: "master" | "replica" | "all" = "master"): Promise<NodeClient[]> {
    await this.connect();
    const nodes = this.#nodesOf(role);
    return nodes.map((n) => ({
      address: n.address,
      role: n.role,
      sendCommand: async (args, options) => {
        const reply = await this.#executor.runOn(n, args, options);
        if (reply instanceof RedisError) throw reply;
        return reply;
      },
    }));
  }

  /** A pipeline across the whole cluster. `await using` discards it if never executed. */
  pipeline(): Pipeline<D> {
    return new Pipeline<D>(this._core);
  }

  /** A MULTI/EXEC block for keys of one slot. */
  multi(): Transaction<D> {
    return new Transaction<D>(this._core);
  }

  /**
   * Optimistic locking: WATCHes `keys` (one slot) on a connection of its own, runs `fn`, and
   * executes the transaction it returns. Resolves with the EXEC replies, or `undefined` when
   * `fn` returns none; rejects with `WatchError` when a watched key changed on every attempt.
   */
  watch(
    keys: readonly RedisKey[],
    fn: (tx: WatchContext<D>) => Promise<Transaction<D> | undefined> | Transaction<D> | undefined,
    options?: WatchOptions,
  ): Promise<unknown[] | undefined> {
    return _watch(this._core, keys, fn, options);
  }

  /** Read-only commands served by replicas; a write through the view does not compile. */
  replicaView(options?: { readFrom?: ReadFrom }): ReplicaView<D> {
    return _replicaView<D>(this._core, options?.readFrom ?? "replica-preferred");
  }

  /** Every key of every shard (SCAN), as `for await` iteration. */
  scanIterator(options?: ScanIteratorOptions): AsyncGenerator<Bulk<D>, void, undefined> {
    return _scanCluster(this._core, options) as AsyncGenerator<Bulk<D>, void, undefined>;
  }

  /** Fields and values of a hash, flattened (HSCAN). */
  hscanIterator(
    key: RedisKey,
    options?: ScanIteratorOptions,
  ): AsyncGenerator<Bulk<D>, void, undefined> {
    return _scanKey(this._core, "HSCAN", key, options) as AsyncGenerator<Bulk<D>, void, undefined>;
  }

  /** Members of a set (SSCAN). */
  sscanIterator(
    key: RedisKey,
    options?: ScanIteratorOptions,
  ): AsyncGenerator<Bulk<D>, void, undefined> {
    return _scanKey(this._core, "SSCAN", key, options) as AsyncGenerator<Bulk<D>, void, undefined>;
  }

  /** Members and scores of a sorted set, flattened (ZSCAN). */
  zscanIterator(
    key: RedisKey,
    options?: ScanIteratorOptions,
  ): AsyncGenerator<Bulk<D>, void, undefined> {
    return _scanKey(this._core, "ZSCAN", key, options) as AsyncGenerator<Bulk<D>, void, undefined>;
  }

  /**
   * Runs a Lua script by its SHA1 (`EVALSHA`), sending the source (`EVAL`) only when the node
   * answers `NOSCRIPT`. `{ readOnly: true }` uses `EVALSHA_RO`, which replicas may serve.
   */
  async runScript(
    script: string,
    keys: readonly RedisKey[],
    args: readonly RedisArgument[],
    options?: CallOptions & { readOnly?: boolean },
  ): Promise<RedisReply> {
    const reply = await _evalWithFallback(this._core, script, keys, args, options);
    if (reply instanceof RedisError) throw reply;
    return reply;
  }

  /** Closes every connection and stops background refreshes. Idempotent. */
  async close(): Promise<void> {
    this.#closed = true;
    await this.#connecting?.catch(() => undefined);
    await this.#freshness.close();
    await this.#topology.close();
    await this.#pool.close();
  }

  /** `await using rc = new RedisCluster(...)` closes the client at the end of the block. */
  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  #nodesOf(role: "master" | "replica" | "all"): NodeInfo[] {
    const shards = this.#topology.map.servingShards();
    const masters = shards.map((s) => s.master);
    // A replica the cluster reports as failed would only fail the whole fan-out.
    const replicas = shards.flatMap((s) => s.replicas).filter((n) => n.health !== "failed");
    return role === "master" ? masters : role === "replica" ? replicas : [...masters, ...replicas];
  }

  // Not async: a typed GET on a connected node costs one promise in all, settled straight from
  // the connection's read loop (see _Call in executor.ts); only retries take the async path.
  #exec(
    args: readonly RedisArgument[],
    call: CallOptions | undefined,
    batch?: boolean,
  ): Promise<RedisReply>;
  #exec(
    args: readonly RedisArgument[],
    call: CallOptions | undefined,
    batch: boolean,
    edge: _Edge | undefined,
  ): Promise<unknown>;
  #exec(
    args: readonly RedisArgument[],
    call: CallOptions | undefined,
    batch = false,
    edge?: _Edge,
  ): Promise<unknown> {
    if (this.#closed) return Promise.reject(new ConnectionError("the client is closed"));
    if (!this.#ready) return this.connect().then(() => this.#exec(args, call, batch, edge));
    try {
      const name = _commandName(args);
      const fan = _fanOutRule(name, args);
      if (fan) return _atEdge(this.#fanOut(fan, args, call), edge);
      const parts = _split(name, args);
      if (parts) return _atEdge(this.#splitRun(name, parts, call), edge);
      const route = this.#commands.route(args);
      if (route instanceof Promise) {
        return route.then((r) => this.#executor.run({ args, route: r, call, batch }, edge));
      }
      return this.#executor.run({ args, route, call, batch }, edge);
    } catch (e) {
      // Arguments the builders let through can still fail to hash: reject, never throw.
      return Promise.reject(e);
    }
  }

  async #fanOut(
    fan: _FanOut,
    args: readonly RedisArgument[],
    call: CallOptions | undefined,
  ): Promise<RedisReply> {
    const nodes = this.#nodesOf(fan.to === "masters" ? "master" : "all");
    return _combine(fan, await Promise.all(nodes.map((n) => this.#executor.runOn(n, args, call))));
  }

  async #splitRun(
    name: string,
    parts: readonly _Part[],
    call: CallOptions | undefined,
  ): Promise<RedisReply> {
    const replies = await Promise.all(parts.map(async (p) => {
      const route = await this.#commands.route(p.args);
      return this.#executor.run({ args: p.args, route, call });
    }));
    return _merge(name, parts, replies);
  }

  async #metaSend(args: RedisArgument[], decode: boolean): Promise<RedisReply> {
    const masters = this.#nodesOf("master");
    const node = masters[Math.floor(Math.random() * masters.length)];
    if (!node) throw new ConnectionError("no master known to ask for command metadata");
    const c = this.#pool.get(node);
    const conn = c instanceof Connection ? c : await c;
    return await conn.send(args, { decode, timeoutMs: this.#settings.connectTimeoutMs });
  }
}

/** The typed command methods of a client. */
export interface RedisCluster<D extends boolean = false> extends RedisCommands<D, "call"> {}

/** A health probe slower than this marks the replica unusable until the next probe. */
const HEALTH_TIMEOUT_MS = 1000;
