/**
 * The `RedisCluster` facade: the public methods of a client. The parts behind it are built by
 * `_wiring.ts`; every command goes through the execution layer's dispatcher.
 * @module
 */
import { RedisError } from "../errors.ts";
import type { _Dispatcher } from "../execution/dispatcher.ts";
import type { CallOptions } from "../execution/call_options.ts";
import type { RedisArgument, RedisKey, RedisReply } from "../types.ts";
import type { SlotMap } from "../topology/slot_map.ts";
import { _snapshotOf, type TopologySnapshot } from "../topology/topology_snapshot.ts";
import type { ReadFrom } from "../topology/read_policy.ts";
import { _installCalls } from "../commands/install.ts";
import { _rawCommand } from "../commands/builder.ts";
import type { Bulk, RedisCommands } from "../commands/command_table.ts";
import type { RedisClusterOptions } from "./options.ts";
import { type _Client, _wire } from "./_wiring.ts";
import {
  _SafeListeners,
  type RedisClusterEventDetails,
  type RedisClusterEventName,
} from "./events.ts";
import type { ClusterStats } from "./stats.ts";
import { _nodeClients, type NodeClient } from "./node_client.ts";
import { Pipeline } from "./pipeline.ts";
import { Transaction } from "./transaction.ts";
import { _watch, type WatchContext, type WatchOptions } from "./watch.ts";
import { _replicaView, type ReplicaView } from "./replica_view.ts";
import { _scanCluster, _scanKey, _scanPage, type ScanIteratorOptions } from "./scan_iterators.ts";
import { _evalWithFallback } from "./scripts.ts";
import { _monitor, type Monitor, type MonitorOptions } from "./monitor.ts";
import {
  _subscribe,
  _subscribeArgs,
  type SubscribeOptions,
  type Subscription,
} from "./subscription.ts";

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
export class RedisCluster<D extends boolean = false> extends EventTarget
  implements AsyncDisposable {
  static {
    _installCalls(this.prototype, (self, b) => self.#dispatcher.result(b.args, b.options, b));
  }
  #client: _Client;
  #dispatcher: _Dispatcher;
  #closing: Promise<void> | undefined;
  #listeners: _SafeListeners;

  /** Validates `options` (a `TypeError` names the first bad field); does no I/O. */
  constructor(options: RedisClusterOptions<D>) {
    super();
    this.#listeners = new _SafeListeners(() => this.#client.settings.logger);
    this.#client = _wire(options, (type, detail) => {
      if (this.#listeners.has(type)) {
        this.dispatchEvent(new CustomEvent(type, { detail: detail() }));
      }
    });
    this.#dispatcher = this.#client.dispatcher;
  }

  /**
   * Listens to an event (see `RedisClusterEventDetails`); a listener that throws is logged
   * (`logger.error`) and never breaks the client.
   *
   * @example
   * ```ts ignore
   * rc.addEventListener("topologychange", (e) => console.log(e.detail.changes));
   * ```
   */
  override addEventListener<K extends RedisClusterEventName>(
    type: K,
    listener: (event: CustomEvent<RedisClusterEventDetails[K]>) => void,
    options?: boolean | AddEventListenerOptions,
  ): void;
  /** Listens to any event type, as `EventTarget` does. */
  override addEventListener(
    type: string,
    listener: EventListenerOrEventListenerObject | null,
    options?: boolean | AddEventListenerOptions,
  ): void;
  override addEventListener(
    type: string,
    listener: EventListenerOrEventListenerObject | ((event: CustomEvent) => void) | null,
    options?: boolean | AddEventListenerOptions,
  ): void {
    if (listener === null) return;
    super.addEventListener(type, this.#listeners.wrap(type, listener as EventListener), options);
  }

  /**
   * Stops listening.
   *
   * @example
   * ```ts ignore
   * const onRedirect = (e: CustomEvent) => console.log(e.detail);
   * rc.addEventListener("redirect", onRedirect);
   * rc.removeEventListener("redirect", onRedirect);
   * ```
   */
  override removeEventListener<K extends RedisClusterEventName>(
    type: K,
    listener: (event: CustomEvent<RedisClusterEventDetails[K]>) => void,
    options?: boolean | EventListenerOptions,
  ): void;
  /** Stops listening to any event type, as `EventTarget` does. */
  override removeEventListener(
    type: string,
    listener: EventListenerOrEventListenerObject | null,
    options?: boolean | EventListenerOptions,
  ): void;
  override removeEventListener(
    type: string,
    listener: EventListenerOrEventListenerObject | ((event: CustomEvent) => void) | null,
    options?: boolean | EventListenerOptions,
  ): void {
    if (listener === null) return;
    const wrapped = this.#listeners.unwrap(type, listener as EventListener);
    if (wrapped !== undefined) super.removeEventListener(type, wrapped, options);
  }

  /**
   * What the client did with each node since it was made: commands, errors by kind, redirects,
   * retries, replica reads, commands in flight, reconnects, the last round trip; and totals.
   * Always counted (an increment where the work already happens).
   *
   * @example
   * ```ts ignore
   * const { nodes, totals } = rc.stats();
   * console.log(totals.replicaReads, nodes.map((n) => `${n.address} ${n.commands}`));
   * ```
   */
  stats(): ClusterStats {
    return this.#client.stats();
  }

  /** Discovers the cluster (done by the first command otherwise). */
  connect(): Promise<void> {
    return this.#dispatcher.connect();
  }

  /**
   * The slot map as plain, serialisable data, to start another client from it with the
   * `topology` option (e.g. one client per Workers request, with no discovery round trip).
   *
   * @example
   * ```ts ignore
   * import { RedisCluster } from "@x/rcluster";
   * await using rc = new RedisCluster({ startupNodes: ["127.0.0.1:7000"] });
   * await rc.connect();
   * const saved = JSON.stringify(rc.topology());
   * await using next = new RedisCluster({ startupNodes: ["127.0.0.1:7000"], topology: JSON.parse(saved) });
   * ```
   */
  topology(): TopologySnapshot {
    return _snapshotOf(this.#dispatcher.topology.map);
  }

  /** The current slot map snapshot (empty before discovery). */
  get slotMap(): SlotMap {
    return this.#dispatcher.topology.map;
  }

  /**
   * Sends any command, routed by its keys. Multi-key `MGET`/`MSET`/`DEL`/`UNLINK`/`EXISTS`/
   * `TOUCH` across slots are split per slot (not atomic across slots); cluster-wide commands
   * (`DBSIZE`, `FLUSHALL`, `KEYS`, `SCRIPT LOAD`...) go to every master and are combined.
   * Error replies reject with `RedisError`.
   */
  sendCommand(args: readonly RedisArgument[], options?: CallOptions): Promise<RedisReply> {
    try {
      _rawCommand("sendCommand", args, options);
    } catch (e) {
      return Promise.reject(e);
    }
    return this.#dispatcher.result(args, options, NO_TRANSFORM) as Promise<RedisReply>;
  }

  /** Clients for every master, replica or node, for per-node commands. */
  async nodes(role: "master" | "replica" | "all" = "master"): Promise<NodeClient[]> {
    await this.connect();
    return _nodeClients(this.#dispatcher, role);
  }

  /** A pipeline across the whole cluster. `await using` discards it if never executed. */
  pipeline(): Pipeline<D> {
    return new Pipeline<D>(this.#dispatcher);
  }

  /** A MULTI/EXEC block for keys of one slot. */
  multi(): Transaction<D> {
    return new Transaction<D>(this.#dispatcher);
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
    return _watch(this.#dispatcher, keys, fn, options);
  }

  /** Read-only commands served by replicas; a write through the view does not compile. */
  replicaView(options?: { readFrom?: ReadFrom }): ReplicaView<D> {
    return _replicaView<D>(this.#dispatcher, options?.readFrom ?? "replica-preferred");
  }

  /**
   * Every key of every shard (SCAN), as `for await` iteration. Slot migrations and failovers
   * during the scan lose nothing: every key present for the whole scan is returned at least
   * once (some may come twice). Each cursor runs on its master alone, whatever `readFrom` says.
   */
  scanIterator(options?: ScanIteratorOptions): AsyncGenerator<Bulk<D>, void, undefined> {
    return _scanCluster(this.#dispatcher, options) as AsyncGenerator<Bulk<D>, void, undefined>;
  }

  /**
   * One page of a whole-cluster scan that can be resumed elsewhere (another request, another
   * process): start with `"0"`, pass the returned cursor back, stop when it is `"0"` again. The
   * same guarantee as `scanIterator()`: every key present for the whole scan comes at least once.
   * A page may be empty before the end.
   *
   * @example
   * ```ts ignore
   * let cursor = "0";
   * do {
   *   const page = await rc.scanPage(cursor, { match: "user:*" });
   *   for (const key of page.keys) console.log(key);
   *   cursor = page.cursor;
   * } while (cursor !== "0");
   * ```
   */
  scanPage(
    cursor: string,
    options?: ScanIteratorOptions,
  ): Promise<{ keys: Bulk<D>[]; cursor: string }> {
    return _scanPage(this.#dispatcher, cursor, options) as Promise<
      { keys: Bulk<D>[]; cursor: string }
    >;
  }

  /** Fields and values of a hash, flattened (HSCAN). */
  hscanIterator(
    key: RedisKey,
    options?: ScanIteratorOptions,
  ): AsyncGenerator<Bulk<D>, void, undefined> {
    return _scanKey(this.#dispatcher, "HSCAN", key, options) as AsyncGenerator<
      Bulk<D>,
      void,
      undefined
    >;
  }

  /** Members of a set (SSCAN). */
  sscanIterator(
    key: RedisKey,
    options?: ScanIteratorOptions,
  ): AsyncGenerator<Bulk<D>, void, undefined> {
    return _scanKey(this.#dispatcher, "SSCAN", key, options) as AsyncGenerator<
      Bulk<D>,
      void,
      undefined
    >;
  }

  /** Members and scores of a sorted set, flattened (ZSCAN). */
  zscanIterator(
    key: RedisKey,
    options?: ScanIteratorOptions,
  ): AsyncGenerator<Bulk<D>, void, undefined> {
    return _scanKey(this.#dispatcher, "ZSCAN", key, options) as AsyncGenerator<
      Bulk<D>,
      void,
      undefined
    >;
  }

  /**
   * `MONITOR` on every node (or only masters or replicas), each on a connection of its own,
   * as one `for await` stream of `{ address, line }`. Resolves once every node started.
   */
  monitor(options?: MonitorOptions): Promise<Monitor> {
    return _monitor(this.#dispatcher, options);
  }

  /**
   * Subscribes to channels: a `for await` stream of `{ channel, message }` (and `{ kind: "gap" }`
   * items when the subscription was not live for a while). Resolves once the node confirmed.
   * The last argument may be `SubscribeOptions`.
   *
   * @example
   * ```ts ignore
   * await using sub = await rc.subscribe("news", "alerts");
   * for await (const { channel, message } of sub) console.log(channel, message);
   * ```
   */
  subscribe(...args: (string | SubscribeOptions)[]): Promise<Subscription<D>> {
    return this.#subscribe("subscribe", "channel", args);
  }

  /**
   * Subscribes to glob patterns (`PSUBSCRIBE`); items carry the matching `pattern`.
   *
   * @example
   * ```ts ignore
   * await using sub = await rc.psubscribe("news.*");
   * for await (const { pattern, channel, message } of sub) console.log(pattern, channel, message);
   * ```
   */
  psubscribe(...args: (string | SubscribeOptions)[]): Promise<Subscription<D>> {
    return this.#subscribe("psubscribe", "pattern", args);
  }

  /**
   * Subscribes to sharded channels (`SSUBSCRIBE`), each on the master of its slot; the
   * subscription moves with the slot (failover, migration). Publish with `rc.spublish()`.
   *
   * @example
   * ```ts ignore
   * await using sub = await rc.ssubscribe("orders:{eu}");
   * await rc.spublish("orders:{eu}", "hello");
   * for await (const { message } of sub) console.log(message);
   * ```
   */
  ssubscribe(...args: (string | SubscribeOptions)[]): Promise<Subscription<D>> {
    return this.#subscribe("ssubscribe", "shard", args);
  }

  async #subscribe(
    method: string,
    kind: "channel" | "pattern" | "shard",
    args: readonly (string | SubscribeOptions)[],
  ): Promise<Subscription<D>> {
    const { names, options } = _subscribeArgs(method, args);
    const ready = this.#dispatcher.ready(method.toUpperCase());
    if (ready) await ready;
    const s = this.#client.settings;
    return await _subscribe<D>(
      this.#client.hub,
      kind,
      s.decode,
      names,
      options,
      s.connectTimeoutMs,
    );
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
    const reply = await _evalWithFallback(this.#dispatcher, script, keys, args, options);
    if (reply instanceof RedisError) throw reply;
    return reply;
  }

  /**
   * Closes the client: every connection (leased and WATCH ones included, so the server forgets
   * blocked commands), every background timer and retry. Calls still pending reject at once
   * with a `ConnectionError`; with `{ drain: true }`, calls already made settle first, and only
   * new ones are refused. Idempotent.
   */
  close(options?: { drain?: boolean }): Promise<void> {
    if (options !== undefined && (typeof options !== "object" || options === null)) {
      return Promise.reject(new TypeError("close(): options must be { drain?: boolean }"));
    }
    if (options?.drain !== undefined && typeof options.drain !== "boolean") {
      return Promise.reject(new TypeError("close(): options.drain must be a boolean"));
    }
    this.#closing ??= this.#client.close(options?.drain ?? false);
    return this.#closing;
  }

  /** `await using rc = new RedisCluster(...)` closes the client at the end of the block. */
  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }
}

const NO_TRANSFORM = { transform: undefined };

/** The typed command methods of a client. */
export interface RedisCluster<D extends boolean = false> extends RedisCommands<D, "call"> {}
