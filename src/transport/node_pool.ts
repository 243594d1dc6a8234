/**
 * Connections by node: one multiplexed connection per node, opened lazily and reopened after
 * failures with backoff; leased connections for blocking commands; dedicated ones (WATCH); a
 * probe connection per node for health checks, so they never queue behind user traffic.
 * Everything the pool opened is closed by `close()`.
 * @module
 */
import type { Connection } from "./connection.ts";
import type { ConnectionOptions } from "./connection_options.ts";
import { ConnectionError, TimeoutError } from "../errors.ts";
import { _backoffMs } from "./backoff.ts";

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

/** Where a node is: what the pool needs to open a connection to it. */
export interface _NodeAddress {
  readonly host: string;
  readonly port: number;
  /** `host:port`, the pool's key. */
  readonly address: string;
}

interface Entry {
  conn: Connection | undefined;
  connecting: Promise<Connection> | undefined;
  failures: number;
  /** No new connection attempt before this time (ms, performance.now()). */
  retryAt: number;
  lastError: Error | undefined;
}

/** Idle connections kept per node for blocking commands. */
const MAX_IDLE_LEASES = 4;

/** Node pool settings. */
export interface _PoolOptions {
  /** Base options for every connection; host and port are set per node. */
  readonly connection: Omit<ConnectionOptions, "host" | "port" | "onClose">;
  readonly factory: ConnectionFactory;
  /** Called when a connection with commands in flight is lost (not when we close it). */
  readonly onLost: (address: string, error: Error) => void;
  /** Called when the server closed a connection that had nothing in flight. */
  readonly onIdleClose: (address: string) => void;
  readonly backoffBaseMs: number;
  readonly backoffCapMs: number;
}

/** Connections by node address. */
export class _NodePool {
  #entries = new Map<string, Entry>();
  #probes = new Map<string, Entry>();
  #idle = new Map<string, Connection[]>();
  /** Leased and dedicated connections in use: closed with the pool. */
  #lent = new Set<Connection>();
  #options: _PoolOptions;
  #closed = false;
  /** Cancels connects under way when the pool closes. */
  #closer = new AbortController();

  constructor(options: _PoolOptions) {
    this.#options = options;
  }

  /** The open connection to a node, or a promise of one. Rejects while the node backs off. */
  get(node: _NodeAddress): Connection | Promise<Connection> {
    return this.#shared(this.#entries, node, true);
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
  async lease(node: _NodeAddress): Promise<Connection> {
    const idle = this.#idle.get(node.address);
    for (let c = idle?.pop(); c !== undefined; c = idle?.pop()) {
      if (!c.closed) {
        this.#lent.add(c);
        return c;
      }
    }
    return await this.dedicated(node);
  }

  /** Returns a leased or dedicated connection; extra or broken ones are closed. */
  async release(address: string, conn: Connection): Promise<void> {
    this.#lent.delete(conn);
    const idle = this.#idle.get(address) ?? [];
    if (this.#closed || conn.closed || conn.inFlight > 0 || idle.length >= MAX_IDLE_LEASES) {
      return await conn.close();
    }
    idle.push(conn);
    this.#idle.set(address, idle);
  }

  /**
   * A new connection of its own (e.g. for `WATCH`, or a `MONITOR` stream with `extra` set);
   * `release()` or close it when done. The pool closes it when the pool closes.
   */
  async dedicated(
    node: _NodeAddress,
    extra?: Pick<ConnectionOptions, "onExtraReply" | "onClose">,
  ): Promise<Connection> {
    if (this.#closed) throw new ConnectionError("the client is closed");
    const conn = await this.#connect(node, extra?.onClose, extra?.onExtraReply);
    if (this.#closed) {
      await conn.close();
      throw new ConnectionError("the client is closed", { address: node.address });
    }
    this.#lent.add(conn);
    return conn;
  }

  /** False while a node is down (its reconnect is backing off); reads then avoid it. */
  isAvailable(address: string): boolean {
    const e = this.#entries.get(address);
    return e === undefined || e.failures === 0 || performance.now() >= e.retryAt;
  }

  /** Marks a node as failing so reads avoid it for a while. */
  markFailed(address: string, error: Error): void {
    this.#fail(this.#entry(this.#entries, address), error);
  }

  /**
   * Lets go of every node not in `keep` (nodes that left the cluster): new commands no longer
   * get their connections, which close once their commands in flight are answered.
   */
  retain(keep: ReadonlySet<string>): void {
    const known = new Set([...this.#entries.keys(), ...this.#probes.keys(), ...this.#idle.keys()]);
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
    return [...shared, ...this.#lent].filter((c) => !c.closed && c.inFlight > 0);
  }

  /** Closes every connection it opened, leased and dedicated ones included. Idempotent. */
  async close(): Promise<void> {
    this.#closed = true;
    this.#closer.abort();
    const addresses = new Set([
      ...this.#entries.keys(),
      ...this.#probes.keys(),
      ...this.#idle.keys(),
    ]);
    const lent = [...this.#lent];
    this.#lent.clear();
    await Promise.all([
      ...[...addresses].map((a) => this.#drop(a, false)),
      ...lent.map((c) => c.close()),
    ]);
  }

  #shared(
    entries: Map<string, Entry>,
    node: _NodeAddress,
    tracked: boolean,
  ): Connection | Promise<Connection> {
    const e = this.#entry(entries, node.address);
    if (e.conn && !e.conn.closed) return e.conn;
    if (e.connecting) return e.connecting;
    if (this.#closed) return Promise.reject(new ConnectionError("the client is closed"));
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
    const idle = this.#idle.get(address) ?? [];
    this.#idle.delete(address);
    await Promise.all(idle.map((c) => c.close()));
    await Promise.all(shared.map(async (e) => {
      const conn = e?.conn ?? await e?.connecting?.catch(() => undefined);
      if (conn === undefined) return;
      if (graceful) await conn.whenIdle();
      await conn.close();
    }));
  }

  #entry(entries: Map<string, Entry>, address: string): Entry {
    let e = entries.get(address);
    if (!e) {
      e = { conn: undefined, connecting: undefined, failures: 0, retryAt: 0, lastError: undefined };
      entries.set(address, e);
    }
    return e;
  }

  /** Opens a connection; a connect timeout is a node failure like a refused connect. */
  async #connect(
    node: _NodeAddress,
    onClose: ConnectionOptions["onClose"],
    onExtraReply?: ConnectionOptions["onExtraReply"],
  ): Promise<Connection> {
    try {
      return await this.#options.factory({
        ...this.#options.connection,
        host: node.host,
        port: node.port,
        signal: this.#closer.signal,
        ...(onClose ? { onClose } : {}),
        ...(onExtraReply ? { onExtraReply } : {}),
      });
    } catch (error) {
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
      e.failures = 0;
      e.lastError = undefined;
      return conn;
    } catch (error) {
      e.connecting = undefined;
      const err = error instanceof Error ? error : new Error(String(error));
      if (tracked) this.#fail(e, err);
      throw err;
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
