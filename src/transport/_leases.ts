/**
 * Connections a call holds for itself: leases for blocking commands (reused from a few idle
 * ones per node, at most `maxBlockingConnections` per node at once) and dedicated connections
 * (`WATCH`, `MONITOR`). The node pool owns one and closes everything with it.
 * @module
 */
import type { Connection } from "./connection.ts";
import type { ConnectionOptions } from "./connection_options.ts";
import { CapacityError, ConnectionError } from "../errors.ts";
import type { _NodeAddress } from "./connection_options.ts";

/** Idle connections kept per node for blocking commands. */
const MAX_IDLE_LEASES = 4;

/** Opens a connection of its own to a node (hooks for a stream such as `MONITOR`). */
export type _OpenOwn = (
  node: _NodeAddress,
  extra: Pick<ConnectionOptions, "onExtraReply" | "onPush" | "onClose"> | undefined,
) => Promise<Connection>;

/** Leased and dedicated connections. */
export class _Leases {
  #open: _OpenOwn;
  #max: number;
  #idle = new Map<string, Connection[]>();
  /** Every leased or dedicated connection in use: closed with the pool. */
  #lent = new Set<Connection>();
  /** Leases in use (and being opened) per node address. */
  #held = new Map<string, { held: Set<Connection>; opening: number }>();
  #closed = false;

  constructor(open: _OpenOwn, maxBlockingConnections: number) {
    this.#open = open;
    this.#max = maxBlockingConnections;
  }

  /** A connection for one blocking command; give it back with `release()`. */
  async lease(node: _NodeAddress): Promise<Connection> {
    const leases = this.#held.get(node.address) ?? { held: new Set(), opening: 0 };
    this.#held.set(node.address, leases);
    const inUse = leases.held.size + leases.opening;
    if (inUse >= this.#max) {
      throw new CapacityError(
        `blocking command not sent: ${inUse} blocking commands already hold connections ` +
          `to ${node.address} (maxBlockingConnections ${this.#max})`,
        { option: "maxBlockingConnections", limit: this.#max },
      );
    }
    const idle = this.#idle.get(node.address);
    let conn: Connection | undefined;
    for (let c = idle?.pop(); c !== undefined && conn === undefined; c = idle?.pop()) {
      if (!c.closed) conn = c;
    }
    if (conn === undefined) {
      // Counted while it opens, so a burst of BLPOPs cannot open more than the cap.
      leases.opening++;
      try {
        conn = await this.dedicated(node, undefined);
      } finally {
        leases.opening--;
      }
    }
    this.#lent.add(conn);
    leases.held.add(conn);
    return conn;
  }

  /** Takes back a leased or dedicated connection; extra or broken ones are closed. */
  async release(address: string, conn: Connection): Promise<void> {
    this.#lent.delete(conn);
    this.#held.get(address)?.held.delete(conn);
    const idle = this.#idle.get(address) ?? [];
    if (this.#closed || conn.closed || conn.inFlight > 0 || idle.length >= MAX_IDLE_LEASES) {
      return await conn.close();
    }
    idle.push(conn);
    this.#idle.set(address, idle);
  }

  /** A new connection of its own; `release()` or close it when done. */
  async dedicated(
    node: _NodeAddress,
    extra: Pick<ConnectionOptions, "onExtraReply" | "onPush" | "onClose"> | undefined,
  ): Promise<Connection> {
    if (this.#closed) throw new ConnectionError("the client is closed");
    // A connection that ends (closed by its user, or lost) is forgotten, however it ended; it
    // may end before `open` returns it, hence the holder.
    const held: { conn?: Connection } = {};
    const onClose: NonNullable<ConnectionOptions["onClose"]> = (error, pending) => {
      if (held.conn !== undefined) this.#lent.delete(held.conn);
      extra?.onClose?.(error, pending);
    };
    const conn = held.conn = await this.#open(node, { ...extra, onClose });
    if (this.#closed) {
      await conn.close();
      throw new ConnectionError("the client is closed", { address: node.address });
    }
    this.#lent.add(conn);
    return conn;
  }

  /** Commands awaiting replies on leased and dedicated connections to `address`. */
  inFlight(address: string): number {
    let n = 0;
    for (const c of this.#held.get(address)?.held ?? []) if (!c.closed) n += c.inFlight;
    return n;
  }

  /** Connections in use that await a reply. */
  busy(): Connection[] {
    return [...this.#lent].filter((c) => !c.closed && c.inFlight > 0);
  }

  /** Addresses with idle connections kept. */
  addresses(): string[] {
    return [...this.#idle.keys()];
  }

  /** Closes one idle connection kept for blocking commands; false when none is kept. */
  closeOneIdle(): boolean {
    for (const idle of this.#idle.values()) {
      const c = idle.pop();
      if (c !== undefined) {
        void c.close();
        return true;
      }
    }
    return false;
  }

  /** Closes the idle connections to a node that left the cluster. */
  async dropIdle(address: string): Promise<void> {
    const idle = this.#idle.get(address) ?? [];
    this.#idle.delete(address);
    this.#held.delete(address);
    await Promise.all(idle.map((c) => c.close()));
  }

  /** Closes every connection, idle or in use. */
  async close(): Promise<void> {
    this.#closed = true;
    const all = [...this.#lent, ...[...this.#idle.values()].flat()];
    this.#lent.clear();
    this.#idle.clear();
    await Promise.all(all.map((c) => c.close()));
  }
}
