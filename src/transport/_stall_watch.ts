/**
 * The stall watch of a pool's shared connections: every 50 ms while any is open, a connection
 * awaiting replies that has read nothing for `stallMs` makes its node suspect. New commands
 * then wait for a verdict instead of queueing behind it, reads that another node can serve are
 * failed to be retried there, and the node is asked for a `PING` on its probe connection: when
 * it answers there while this connection stays silent, with no write awaiting its outcome, the
 * connection is replaced. The cluster's own verdict (failed, demoted) comes from the topology,
 * which abandons the suspect through the pool.
 * @module
 */
import type { Connection } from "./connection.ts";
import { ConnectionError } from "../errors.ts";
import { _unrefTimer } from "./timers.ts";

/** What happened to a node's shared connection, as `onStall` reports it. */
export type _StallState = "stalled" | "recovered" | "replaced" | "abandoned" | "lost";

/** How often shared connections are checked for a stall. */
const STALL_CHECK_MS = 50;

/** How long a probe of a stalled connection's node may take to tell a dead link from a node. */
const VERIFY_TIMEOUT_MS = 1000;

/** What the watch needs from its pool. */
export interface _StallHooks {
  readonly stallMs: number;
  readonly onStall: (address: string, state: _StallState) => void;
  /** The open shared connections, by node address. */
  shared(): Iterable<[address: string, conn: Connection]>;
  /** The node's probe connection. */
  probe(address: string): Connection | Promise<Connection>;
  /** Closes the stalled shared connection and opens another. */
  replace(address: string, stalled: Connection): Connection | Promise<Connection>;
}

interface Suspect {
  readonly conn: Connection;
  readonly waiting: PromiseWithResolvers<Connection>;
  /** When the node answered a probe while the connection stayed stalled. */
  answeredAt: number | undefined;
}

/** Watches shared connections for stalls. */
export class _StallWatch {
  #hooks: _StallHooks;
  #suspects = new Map<string, Suspect>();
  #timer: ReturnType<typeof setTimeout> | undefined;
  #closed = false;

  constructor(hooks: _StallHooks) {
    this.#hooks = hooks;
  }

  /** What a new command to a suspect node waits on, or `undefined` when it is not suspect. */
  waiting(address: string): Promise<Connection> | undefined {
    return this.#suspects.get(address)?.waiting.promise;
  }

  /** Nodes whose shared connection is stalled now. */
  suspects(): string[] {
    return [...this.#suspects.keys()];
  }

  /** Starts checking, if not already (a shared connection opened). */
  start(): void {
    if (this.#timer !== undefined || this.#hooks.stallMs <= 0 || this.#closed) return;
    this.#timer = _unrefTimer(setTimeout(() => {
      this.#timer = undefined;
      const open = this.#check();
      if (open) this.start();
    }, STALL_CHECK_MS));
  }

  /**
   * Ends a suspicion from outside (the pool abandoned the node): commands waiting on it are
   * rejected with `error`. Returns whether the node was suspect.
   */
  abandon(address: string, error: Error): boolean {
    const s = this.#suspects.get(address);
    if (s === undefined) return false;
    this.#suspects.delete(address);
    s.waiting.reject(error);
    this.#hooks.onStall(address, "abandoned");
    return true;
  }

  /** Stops checking; commands waiting on a suspect are rejected. */
  close(): void {
    this.#closed = true;
    clearTimeout(this.#timer);
    for (const s of this.#suspects.values()) {
      s.waiting.reject(new ConnectionError("the client is closed"));
    }
    this.#suspects.clear();
  }

  /** One round over the shared connections; returns whether any is open. */
  #check(): boolean {
    const now = performance.now();
    const { stallMs, onStall } = this.#hooks;
    let open = false;
    const seen = new Set<string>();
    for (const [address, conn] of this.#hooks.shared()) {
      open = true;
      seen.add(address);
      const stalled = conn.stalledMs(now) >= stallMs;
      const s = this.#suspects.get(address);
      if (s !== undefined && s.conn !== conn) this.#suspects.delete(address);
      if (stalled && (s === undefined || s.conn !== conn)) {
        const waiting = Promise.withResolvers<Connection>();
        waiting.promise.catch(() => {});
        const suspect: Suspect = { conn, waiting, answeredAt: undefined };
        this.#suspects.set(address, suspect);
        // Reads waiting on it can be served by another node of the shard.
        conn.failStallRetries(
          new ConnectionError(`${address} stopped answering (nothing read for ${stallMs} ms)`, {
            address,
            sent: true,
          }),
        );
        onStall(address, "stalled");
        void this.#verify(address, suspect);
      } else if (!stalled && s !== undefined) {
        this.#suspects.delete(address);
        s.waiting.resolve(conn);
        onStall(address, "recovered");
      } else if (
        s !== undefined && s.answeredAt !== undefined && now - s.answeredAt >= STALL_CHECK_MS &&
        !conn.awaitsWrite()
      ) {
        // The node answers on another connection, this one not at all: the link is broken, not
        // the node. Only reads (retried elsewhere) and commands already given up are lost with it.
        this.#suspects.delete(address);
        onStall(address, "replaced");
        s.waiting.resolve(this.#hooks.replace(address, conn));
      }
    }
    // A suspect whose connection closed meanwhile (the server went away): the commands waiting
    // for it try a new connection, which fails fast if the node is gone.
    for (const [address, s] of this.#suspects) {
      if (seen.has(address) && !s.conn.closed) continue;
      this.#suspects.delete(address);
      onStall(address, "lost");
      s.waiting.resolve(this.#hooks.replace(address, s.conn));
    }
    return open || this.#suspects.size > 0;
  }

  /** Asks a stalled connection's node for a `PING` on its probe connection. */
  async #verify(address: string, suspect: Suspect): Promise<void> {
    try {
      const probe = await this.#hooks.probe(address);
      await probe.send(["PING"], { timeoutMs: VERIFY_TIMEOUT_MS });
    } catch {
      return; // the node does not answer either: the cluster's view decides
    }
    if (this.#suspects.get(address) === suspect) suspect.answeredAt = performance.now();
  }
}
