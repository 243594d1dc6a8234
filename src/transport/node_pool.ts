/**
 * One multiplexed connection per node, opened lazily, reopened after failures with backoff.
 * @module
 */
import type { Connection } from "./connection.ts";
import type { ConnectionOptions } from "./connection_options.ts";
import { ConnectionError } from "../errors.ts";
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
  /** Called when a connection to a node is lost (not when we close it). */
  readonly onLost: (address: string, error: Error) => void;
  readonly backoffBaseMs: number;
  readonly backoffCapMs: number;
}

/** Connections by node address. */
export class _NodePool {
  #entries = new Map<string, Entry>();
  #idle = new Map<string, Connection[]>();
  #options: _PoolOptions;
  #closed = false;

  constructor(options: _PoolOptions) {
    this.#options = options;
  }

  /** The open connection to a node, or a promise of one. Rejects while the node backs off. */
  get(node: { host: string; port: number; address: string }): Connection | Promise<Connection> {
    const e = this.#entry(node.address);
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
    e.connecting = this.#open(node, e);
    return e.connecting;
  }

  /**
   * A connection for one blocking command, reused from a few idle ones per node, so a BLPOP
   * never holds up the node's shared connection. Give it back with `release()`.
   */
  async lease(node: { host: string; port: number; address: string }): Promise<Connection> {
    const idle = this.#idle.get(node.address);
    for (let c = idle?.pop(); c !== undefined; c = idle?.pop()) if (!c.closed) return c;
    return await this.dedicated(node);
  }

  /** Returns a leased connection; extra or broken ones are closed. */
  async release(address: string, conn: Connection): Promise<void> {
    const idle = this.#idle.get(address) ?? [];
    if (this.#closed || conn.closed || conn.inFlight > 0 || idle.length >= MAX_IDLE_LEASES) {
      return await conn.close();
    }
    idle.push(conn);
    this.#idle.set(address, idle);
  }

  /** A new connection of its own (e.g. for `WATCH`), not shared and not pooled. */
  dedicated(node: { host: string; port: number }): Promise<Connection> {
    if (this.#closed) return Promise.reject(new ConnectionError("the client is closed"));
    return this.#options.factory({ ...this.#options.connection, host: node.host, port: node.port });
  }

  /** False while a node is down (its reconnect is backing off); reads then avoid it. */
  isAvailable(address: string): boolean {
    const e = this.#entries.get(address);
    return e === undefined || e.failures === 0 || performance.now() >= e.retryAt;
  }

  /** Marks a node as failing so reads avoid it for a while. */
  markFailed(address: string, error: Error): void {
    const e = this.#entry(address);
    this.#fail(e, error);
  }

  /** Closes connections to every node not in `keep` (nodes that left the cluster). */
  async retain(keep: ReadonlySet<string>): Promise<void> {
    const known = new Set([...this.#entries.keys(), ...this.#idle.keys()]);
    const gone = [...known].filter((a) => !keep.has(a));
    await Promise.all(gone.map((a) => this.#drop(a)));
  }

  /** Addresses with an open connection. */
  connected(): string[] {
    return [...this.#entries].filter(([, e]) => e.conn && !e.conn.closed).map(([a]) => a);
  }

  /** Closes every connection. Idempotent. */
  async close(): Promise<void> {
    this.#closed = true;
    const addresses = new Set([...this.#entries.keys(), ...this.#idle.keys()]);
    await Promise.all([...addresses].map((a) => this.#drop(a)));
  }

  async #drop(address: string): Promise<void> {
    const e = this.#entries.get(address);
    this.#entries.delete(address);
    const idle = this.#idle.get(address) ?? [];
    this.#idle.delete(address);
    await Promise.all(idle.map((c) => c.close()));
    const conn = e?.conn ?? await e?.connecting?.catch(() => undefined);
    await conn?.close();
  }

  #entry(address: string): Entry {
    let e = this.#entries.get(address);
    if (!e) {
      e = { conn: undefined, connecting: undefined, failures: 0, retryAt: 0, lastError: undefined };
      this.#entries.set(address, e);
    }
    return e;
  }

  async #open(
    node: { host: string; port: number; address: string },
    e: Entry,
  ): Promise<Connection> {
    try {
      const conn = await this.#options.factory({
        ...this.#options.connection,
        host: node.host,
        port: node.port,
        onClose: (error) => {
          if (error && !this.#closed) {
            this.#fail(e, error);
            this.#options.onLost(node.address, error);
          }
        },
      });
      e.connecting = undefined;
      if (this.#closed || this.#entries.get(node.address) !== e) {
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
      this.#fail(e, err);
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
