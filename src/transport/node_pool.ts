/**
 * Connections by node: one multiplexed connection per node, opened lazily and reopened after
 * failures with backoff; leased connections for blocking commands; dedicated ones (WATCH); a
 * probe connection per node for health checks, so they never queue behind user traffic.
 * Everything the pool opened is closed by `close()`.
 * @module
 */
import type { Connection } from "./connection.ts";
import type { _NodeAddress, ConnectionOptions } from "./connection_options.ts";
import { AuthError, ConnectionError, TimeoutError } from "../errors.ts";
import { _Leases } from "./_leases.ts";
import { type _StallState, _StallWatch } from "./_stall_watch.ts";
import { _askCredentials, type CredentialsProvider } from "./credentials.ts";
import { _backoffMs } from "./backoff.ts";
import type { RespPush } from "../types.ts";
import { _newCounters, type NodeCounters } from "./node_counters.ts";
import { _ConnectionBudget } from "./_connection_budget.ts";

/**
 * Opens a connection; replace it to add instrumentation or to inject faults in tests.
 *
 * @example
 * ```ts
 * import { Connection } from "@x/rcluster/resp";
 * import type { ConnectionFactory } from "@x/rcluster";
 * const factory: ConnectionFactory = (o) => Connection.connect({ ...o, clientName: "app" });
 * ```
 */
export type ConnectionFactory = (options: ConnectionOptions) => Promise<Connection>;

interface Entry {
  readonly node: _NodeAddress;
  conn: Connection | undefined;
  connecting: Promise<Connection> | undefined;
  failures: number;
  /** No new connection attempt before this time (ms, performance.now()). */
  retryAt: number;
  lastError: Error | undefined;
}

/** Node pool settings. */
export interface _PoolOptions {
  /** Base options for every connection; host and port are set per node. */
  readonly connection: Omit<ConnectionOptions, "host" | "port" | "onClose">;
  readonly factory: ConnectionFactory;
  /** Asked for a username and password before each new connection, when given. */
  readonly credentials: CredentialsProvider | undefined;
  /** Called when a connection with commands in flight is lost (not when we close it). */
  readonly onLost: (address: string, error: Error) => void;
  /** Called when a node's shared connection opened (`again`: not its first). */
  readonly onConnected?: ((address: string, again: boolean) => void) | undefined;
  /** Called when the server closed a connection that had nothing in flight. */
  readonly onIdleClose: (address: string) => void;
  /** A shared connection awaiting replies that reads nothing this long is stalled (see
   * `_StallWatch`); 0 turns the watch off. */
  readonly stallMs: number;
  /** Called when a node becomes suspect, and when that ends (it answered, or its connection
   * was replaced or abandoned). */
  readonly onStall: (address: string, state: _StallState) => void;
  readonly backoffBaseMs: number;
  readonly backoffCapMs: number;
  /** Blocking commands that may hold a connection of their own to one node at once. */
  readonly maxBlockingConnections: number;
  /** Whether a node is a replica now: its connections then send `READONLY` when opened. */
  readonly readonlyFor?: ((address: string) => boolean) | undefined;
  /** Receives RESP3 push frames (other than pub/sub's) from every connection, with its node. */
  readonly onPush?: ((push: RespPush, address: string) => void) | undefined;
  /** Connections of every kind the pool may hold at once (see `_ConnectionBudget`). */
  readonly maxConnections: number;
}

/** Connections by node address. */
export class _NodePool {
  #entries = new Map<string, Entry>();
  #probes = new Map<string, Entry>();
  #leases: _Leases;
  #options: _PoolOptions;
  #closed = false;
  #stalls: _StallWatch;
  /** Cancels connects under way when the pool closes. */
  #closer = new AbortController();
  #budget: _ConnectionBudget;
  #counters = new Map<string, NodeCounters>();

  constructor(options: _PoolOptions) {
    this.#options = options;
    this.#budget = new _ConnectionBudget(options.maxConnections, () => this.#evict());
    this.#leases = new _Leases(
      (node, extra) => this.#connect(node, extra?.onClose, extra),
      options.maxBlockingConnections,
    );
    this.#stalls = new _StallWatch({
      stallMs: options.stallMs,
      onStall: options.onStall,
      shared: () => this.#openShared(),
      probe: (address) => {
        const e = this.#entries.get(address);
        return e === undefined ? Promise.reject(gone(address)) : this.probe(e.node);
      },
      replace: (address, stalled) => {
        void stalled.close();
        const e = this.#entries.get(address);
        if (e === undefined) return Promise.reject(gone(address));
        if (e.conn === stalled) e.conn = undefined;
        return this.#shared(this.#entries, e.node, true);
      },
    });
  }

  /** The open connection to a node, or a promise of one. Rejects while the node backs off. */
  get(node: _NodeAddress): Connection | Promise<Connection> {
    return this.#stalls.waiting(node.address) ?? this.#shared(this.#entries, node, true);
  }

  /** `error`, or the clearer one the transport has for it (see `Transport.explain`). */
  explain(error: unknown): unknown {
    return this.#options.connection.transport?.explain?.(error) ?? error;
  }

  /**
   * Sends `READONLY` on the open shared connections of `replicas` that have not sent it (nodes
   * demoted since their connection opened), so replica reads are served there.
   */
  ensureReadonly(replicas: readonly string[]): void {
    for (const address of replicas) {
      const c = this.#entries.get(address)?.conn;
      if (c !== undefined && !c.closed && !c.readonly) c.enableReadonly();
    }
  }

  /** The node's counters (made on first use, kept while the client lives). */
  counters(address: string): NodeCounters {
    let c = this.#counters.get(address);
    if (c === undefined) {
      c = _newCounters();
      this.#counters.set(address, c);
    }
    return c;
  }

  /** Every node with counters, and its counters. */
  countedNodes(): [string, NodeCounters][] {
    return [...this.#counters];
  }

  /** Commands awaiting replies on every open connection to `address`. */
  inFlight(address: string): number {
    let n = 0;
    for (const entries of [this.#entries, this.#probes]) {
      const c = entries.get(address)?.conn;
      if (c !== undefined && !c.closed) n += c.inFlight;
    }
    return n + this.#leases.inFlight(address);
  }

  /** Nodes whose shared connection is stalled now. */
  suspects(): string[] {
    return this.#stalls.suspects();
  }

  /**
   * Gives up on a suspect (or any) node's connection: it closes, so commands left in it fail
   * as "outcome unknown" (a demoted master must not acknowledge them later), and commands
   * waiting for it are told to go elsewhere. `why` ends up in their errors.
   */
  abandon(address: string, why: string): void {
    const e = this.#entries.get(address);
    if (e === undefined) return;
    const error = new ConnectionError(`${address} abandoned: ${why}`, { address });
    this.#fail(e, error);
    this.#stalls.abandon(address, error);
    const conn = e.conn;
    e.conn = undefined;
    void conn?.close();
  }

  /**
   * The node's probe connection, for health checks (`ROLE`, `PING`): apart from user traffic,
   * so a probe's timeout measures the node, not the queue in front of it.
   */
  probe(node: _NodeAddress): Connection | Promise<Connection> {
    return this.#shared(this.#probes, node, false);
  }

  /**
   * A connection for one blocking command, reused from a few idle ones per node, so a BLPOP
   * never holds up the node's shared connection. Give it back with `release()`.
   */
  lease(node: _NodeAddress): Promise<Connection> {
    return this.#leases.lease(node);
  }

  /** Returns a leased or dedicated connection; extra or broken ones are closed. */
  release(address: string, conn: Connection): Promise<void> {
    return this.#leases.release(address, conn);
  }

  /**
   * A new connection of its own (e.g. for `WATCH`, or a `MONITOR` stream with `extra` set);
   * `release()` or close it when done. The pool closes it when the pool closes.
   */
  dedicated(
    node: _NodeAddress,
    extra?: Pick<ConnectionOptions, "onExtraReply" | "onPush" | "onClose">,
  ): Promise<Connection> {
    return this.#leases.dedicated(node, extra);
  }

  /** False while a node is down (backing off) or suspect (stalled); reads then avoid it. */
  isAvailable(address: string): boolean {
    const e = this.#entries.get(address);
    if (e === undefined) return true;
    if (this.#stalls.waiting(address) !== undefined) return false;
    return e.failures === 0 || performance.now() >= e.retryAt;
  }

  /** Marks a node as failing so reads avoid it for a while. */
  markFailed(node: _NodeAddress, error: Error): void {
    this.#fail(this.#entry(this.#entries, node), error);
  }

  /**
   * Lets go of every node not in `keep` (nodes that left the cluster): new commands no longer
   * get their connections, which close once their commands in flight are answered.
   */
  retain(keep: ReadonlySet<string>): void {
    const known = new Set([
      ...this.#entries.keys(),
      ...this.#probes.keys(),
      ...this.#leases.addresses(),
    ]);
    for (const address of known) if (!keep.has(address)) void this.#drop(address, true);
  }

  /** Addresses with an open shared connection. */
  connected(): string[] {
    return [...this.#entries].filter(([, e]) => e.conn && !e.conn.closed).map(([a]) => a);
  }

  /** Whether a shared or lent connection has a command awaiting its reply. */
  get busy(): boolean {
    return this.#busy().length > 0;
  }

  /** Resolves once no shared or lent connection has a command awaiting its reply. */
  async whenIdle(): Promise<void> {
    for (let busy = this.#busy(); busy.length > 0; busy = this.#busy()) {
      await Promise.all(busy.map((c) => c.whenIdle()));
    }
  }

  #busy(): Connection[] {
    const shared = [...this.#entries.values()].flatMap((e) => e.conn ? [e.conn] : []);
    return [...shared.filter((c) => !c.closed && c.inFlight > 0), ...this.#leases.busy()];
  }

  /** Closes every connection it opened, leased and dedicated ones included. Idempotent. */
  async close(): Promise<void> {
    this.#closed = true;
    this.#closer.abort();
    this.#stalls.close();
    const addresses = new Set([...this.#entries.keys(), ...this.#probes.keys()]);
    await Promise.all([
      ...[...addresses].map((a) => this.#drop(a, false)),
      this.#leases.close(),
    ]);
  }

  #shared(
    entries: Map<string, Entry>,
    node: _NodeAddress,
    tracked: boolean,
  ): Connection | Promise<Connection> {
    const e = this.#entry(entries, node);
    if (e.conn && !e.conn.closed) return e.conn;
    if (e.connecting) return e.connecting;
    if (this.#closed) return Promise.reject(new ConnectionError("the client is closed"));
    // Refused credentials stay refused until the backoff ends: the caller hears why.
    if (performance.now() < e.retryAt && e.lastError instanceof AuthError) {
      return Promise.reject(e.lastError);
    }
    if (e.lastError instanceof ConnectionError && !e.lastError.retryable) {
      return Promise.reject(e.lastError);
    }
    if (performance.now() < e.retryAt) {
      return Promise.reject(
        new ConnectionError(
          `${node.address} is backing off after ${e.failures} failed connects: ${e.lastError?.message}`,
          { address: node.address, ...(e.lastError ? { cause: e.lastError } : {}) },
        ),
      );
    }
    e.connecting = this.#open(entries, node, e, tracked);
    return e.connecting;
  }

  async #drop(address: string, graceful: boolean): Promise<void> {
    const shared = [this.#entries.get(address), this.#probes.get(address)];
    this.#entries.delete(address);
    this.#probes.delete(address);
    await this.#leases.dropIdle(address);
    await Promise.all(shared.map(async (e) => {
      const conn = e?.conn ?? await e?.connecting?.catch(() => undefined);
      if (conn === undefined) return;
      if (graceful) await conn.whenIdle();
      await conn.close();
    }));
  }

  #entry(entries: Map<string, Entry>, node: _NodeAddress): Entry {
    let e = entries.get(node.address);
    if (!e) {
      e = {
        node,
        conn: undefined,
        connecting: undefined,
        failures: 0,
        retryAt: 0,
        lastError: undefined,
      };
      entries.set(node.address, e);
    }
    return e;
  }

  /** Opens a connection; a connect timeout is a node failure like a refused connect. */
  async #connect(
    node: _NodeAddress,
    onClose: ConnectionOptions["onClose"],
    stream?: Pick<ConnectionOptions, "onExtraReply" | "onPush">,
  ): Promise<Connection> {
    const give = this.#budget.take(node.address);
    try {
      const secret = await _askCredentials(this.#options.credentials, node.address);
      return await this.#options.factory({
        ...this.#options.connection,
        ...secret,
        host: node.host,
        port: node.port,
        counters: this.counters(node.address),
        readonly: this.#options.readonlyFor?.(node.address) ??
          this.#options.connection.readonly === true,
        signal: this.#closer.signal,
        onClose: (error, pending) => {
          give();
          onClose?.(error, pending);
        },
        ...(this.#options.onPush
          ? { onPush: (push: RespPush) => this.#options.onPush?.(push, node.address) }
          : {}),
        ...(stream?.onExtraReply ? { onExtraReply: stream.onExtraReply } : {}),
        ...(stream?.onPush ? { onPush: stream.onPush } : {}),
      });
    } catch (error) {
      give();
      if (error instanceof TimeoutError) {
        throw new ConnectionError(error.message, { address: node.address, cause: error });
      }
      throw error;
    }
  }

  async #open(
    entries: Map<string, Entry>,
    node: _NodeAddress,
    e: Entry,
    tracked: boolean,
  ): Promise<Connection> {
    try {
      const conn = await this.#connect(node, (error, pending) => {
        if (error === undefined || this.#closed || entries.get(node.address) !== e) return;
        if (!tracked) return;
        // A server that lets an idle connection go (its `timeout`) did nothing wrong.
        if (pending === 0) this.#options.onIdleClose(node.address);
        else {
          this.#fail(e, error);
          this.#options.onLost(node.address, error);
        }
      });
      e.connecting = undefined;
      if (this.#closed || entries.get(node.address) !== e) {
        await conn.close();
        throw new ConnectionError("the client is closed", { address: node.address });
      }
      e.conn = conn;
      const counters = this.counters(node.address);
      if (tracked) {
        if (counters.connects++ > 0) counters.reconnects++;
        this.#options.onConnected?.(node.address, counters.connects > 1);
      }
      e.failures = 0;
      e.lastError = undefined;
      if (tracked) this.#stalls.start();
      return conn;
    } catch (error) {
      e.connecting = undefined;
      const err = error instanceof Error ? error : new Error(String(error));
      if (tracked) this.#fail(e, err);
      throw err;
    }
  }

  /** Closes one idle connection (probes first), to make room under the budget. */
  #evict(): boolean {
    for (const entries of [this.#probes, this.#entries]) {
      for (const e of entries.values()) {
        const c = e.conn;
        if (c === undefined || c.closed || c.inFlight > 0) continue;
        e.conn = undefined;
        void c.close();
        return true;
      }
    }
    return this.#leases.closeOneIdle();
  }

  *#openShared(): Iterable<[string, Connection]> {
    for (const [address, e] of this.#entries) {
      if (e.conn !== undefined && !e.conn.closed) yield [address, e.conn];
    }
  }

  #fail(e: Entry, error: Error): void {
    e.failures++;
    e.lastError = error;
    const { backoffBaseMs, backoffCapMs } = this.#options;
    e.retryAt = performance.now() +
      _backoffMs(e.failures - 1, backoffBaseMs, backoffCapMs, Math.random);
  }
}

/** The error for a node the pool let go of (it left the cluster). */
function gone(address: string): ConnectionError {
  return new ConnectionError(`${address} left the cluster`, { address });
}
