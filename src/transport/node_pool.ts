/**
 * Connections by node: one multiplexed connection per node, opened lazily and reopened after
 * failures with backoff; leased connections for blocking commands; dedicated ones (WATCH); a
 * probe connection per node for health checks, so they never queue behind user traffic.
 * Everything the pool opened is closed by `close()`.
 * @module
 */
import type { Connection } from "./connection.ts";
import type { ConnectionOptions } from "./connection_options.ts";
import { AuthError, CapacityError, ConnectionError, TimeoutError } from "../errors.ts";
import { _backoffMs } from "./backoff.ts";
import { _unrefTimer } from "./timers.ts";

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

/**
 * The secret for one new connection, asked for each time one is opened, so rotated passwords
 * and short-lived tokens work without a restart.
 *
 * @example
 * ```ts
 * import type { CredentialsProvider } from "@x/rcluster";
 * const credentials: CredentialsProvider = async () => ({ username: "app", password: await Promise.resolve("s3cret") });
 * ```
 */
export type CredentialsProvider = () =>
  | Promise<{ username?: string; password: string }>
  | { username?: string; password: string };

/** Where a node is: what the pool needs to open a connection to it. */
export interface _NodeAddress {
  readonly host: string;
  readonly port: number;
  /** `host:port`, the pool's key. */
  readonly address: string;
}

interface Entry {
  readonly node: _NodeAddress;
  conn: Connection | undefined;
  connecting: Promise<Connection> | undefined;
  failures: number;
  /** No new connection attempt before this time (ms, performance.now()). */
  retryAt: number;
  lastError: Error | undefined;
  /**
   * Set while the connection is stalled (commands wait, nothing is read): new commands wait
   * here instead of joining the queue of a node that may be gone.
   */
  suspect: PromiseWithResolvers<Connection> | undefined;
  /** When the node answered a probe while its shared connection stayed stalled. */
  answeredAt: number | undefined;
}

/** What happened to a node's shared connection, as `onStall` reports it. */
export type _StallState = "stalled" | "recovered" | "replaced" | "abandoned";

/** How often shared connections are checked for a stall. */
const STALL_CHECK_MS = 50;

/** How long a probe of a stalled connection's node may take to tell a dead link from a node. */
const VERIFY_TIMEOUT_MS = 1000;

/** Idle connections kept per node for blocking commands. */
const MAX_IDLE_LEASES = 4;

/** Node pool settings. */
export interface _PoolOptions {
  /** Base options for every connection; host and port are set per node. */
  readonly connection: Omit<ConnectionOptions, "host" | "port" | "onClose">;
  readonly factory: ConnectionFactory;
  /** Asked for a username and password before each new connection, when given. */
  readonly credentials: CredentialsProvider | undefined;
  /** Called when a connection with commands in flight is lost (not when we close it). */
  readonly onLost: (address: string, error: Error) => void;
  /** Called when the server closed a connection that had nothing in flight. */
  readonly onIdleClose: (address: string) => void;
  /**
   * A shared connection awaiting replies has read nothing for this long: its node is suspect
   * (`onStall`), new commands wait for it, reads awaiting replies are failed to be retried
   * elsewhere, and the node is probed on a connection of its own. When the node answers there
   * and the connection stays stalled with no write awaiting its outcome, the connection is
   * replaced. 0 turns the check off.
   */
  readonly stallMs: number;
  /** Called when a node becomes suspect, and when that ends (it answered, or its connection
   * was replaced or abandoned). */
  readonly onStall: (address: string, state: _StallState) => void;
  readonly backoffBaseMs: number;
  readonly backoffCapMs: number;
  /** Blocking commands that may hold a connection of their own to one node at once. */
  readonly maxBlockingConnections: number;
}

/** Connections by node address. */
export class _NodePool {
  #entries = new Map<string, Entry>();
  #probes = new Map<string, Entry>();
  #idle = new Map<string, Connection[]>();
  /** Leased and dedicated connections in use: closed with the pool. */
  #lent = new Set<Connection>();
  /** Leases in use (and being opened) per node address. */
  #leases = new Map<string, { held: Set<Connection>; opening: number }>();
  #options: _PoolOptions;
  #closed = false;
  #watchdog: ReturnType<typeof setTimeout> | undefined;
  /** Cancels connects under way when the pool closes. */
  #closer = new AbortController();

  constructor(options: _PoolOptions) {
    this.#options = options;
  }

  /** The open connection to a node, or a promise of one. Rejects while the node backs off. */
  get(node: _NodeAddress): Connection | Promise<Connection> {
    const suspect = this.#entries.get(node.address)?.suspect;
    if (suspect !== undefined) return suspect.promise;
    return this.#shared(this.#entries, node, true);
  }

  /** Nodes whose shared connection is stalled now. */
  suspects(): string[] {
    return [...this.#entries].filter(([, e]) => e.suspect !== undefined).map(([a]) => a);
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
    const waiting = e.suspect;
    e.suspect = undefined;
    e.answeredAt = undefined;
    waiting?.reject(error);
    const conn = e.conn;
    e.conn = undefined;
    void conn?.close();
    if (waiting !== undefined) this.#options.onStall(address, "abandoned");
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
    const leases = this.#leases.get(node.address) ?? { held: new Set(), opening: 0 };
    this.#leases.set(node.address, leases);
    const max = this.#options.maxBlockingConnections;
    const inUse = leases.held.size + leases.opening;
    if (inUse >= max) {
      throw new CapacityError(
        `blocking command not sent: ${inUse} blocking commands already hold connections ` +
          `to ${node.address} (maxBlockingConnections ${max})`,
        { option: "maxBlockingConnections", limit: max },
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
        conn = await this.dedicated(node);
      } finally {
        leases.opening--;
      }
    }
    this.#lent.add(conn);
    leases.held.add(conn);
    return conn;
  }

  /** Returns a leased or dedicated connection; extra or broken ones are closed. */
  async release(address: string, conn: Connection): Promise<void> {
    this.#lent.delete(conn);
    this.#leases.get(address)?.held.delete(conn);
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

  /** False while a node is down (backing off) or suspect (stalled); reads then avoid it. */
  isAvailable(address: string): boolean {
    const e = this.#entries.get(address);
    if (e === undefined) return true;
    return e.suspect === undefined && (e.failures === 0 || performance.now() >= e.retryAt);
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
    clearTimeout(this.#watchdog);
    for (const e of this.#entries.values()) {
      const waiting = e.suspect;
      e.suspect = undefined;
      waiting?.reject(new ConnectionError("the client is closed"));
      waiting?.promise.catch(() => {});
    }
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
    const e = this.#entry(entries, node);
    if (e.conn && !e.conn.closed) return e.conn;
    if (e.connecting) return e.connecting;
    if (this.#closed) return Promise.reject(new ConnectionError("the client is closed"));
    // Refused credentials stay refused until the backoff ends: the caller hears why.
    if (performance.now() < e.retryAt && e.lastError instanceof AuthError) {
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
        suspect: undefined,
        answeredAt: undefined,
      };
      entries.set(node.address, e);
    }
    return e;
  }

  /** Opens a connection; a connect timeout is a node failure like a refused connect. */
  async #connect(
    node: _NodeAddress,
    onClose: ConnectionOptions["onClose"],
    onExtraReply?: ConnectionOptions["onExtraReply"],
  ): Promise<Connection> {
    const secret = await this.#credentials(node);
    try {
      return await this.#options.factory({
        ...this.#options.connection,
        ...secret,
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

  async #credentials(node: _NodeAddress): Promise<{ username?: string; password?: string }> {
    const provider = this.#options.credentials;
    if (provider === undefined) return {};
    let got: unknown;
    try {
      got = await provider();
    } catch (cause) {
      const why = cause instanceof Error ? cause.message : String(cause);
      throw new AuthError(`the credentials provider failed for ${node.address}: ${why}`, {
        code: "CREDENTIALS",
        address: node.address,
        cause,
      });
    }
    const c = got as { username?: unknown; password?: unknown } | null;
    if (
      typeof c !== "object" || c === null || typeof c.password !== "string" ||
      (c.username !== undefined && typeof c.username !== "string")
    ) {
      throw new AuthError(
        `the credentials provider must return { username?: string, password: string } ` +
          `(for ${node.address})`,
        { code: "CREDENTIALS", address: node.address },
      );
    }
    return c.username === undefined
      ? { password: c.password }
      : { username: c.username, password: c.password };
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
      if (tracked) this.#watch();
      return conn;
    } catch (error) {
      e.connecting = undefined;
      const err = error instanceof Error ? error : new Error(String(error));
      if (tracked) this.#fail(e, err);
      throw err;
    }
  }

  /** Checks the shared connections for stalls while any is open. */
  #watch(): void {
    if (this.#watchdog !== undefined || this.#options.stallMs <= 0 || this.#closed) return;
    this.#watchdog = _unrefTimer(setTimeout(() => {
      this.#watchdog = undefined;
      this.#checkStalls();
      if (this.connected().length > 0) this.#watch();
    }, STALL_CHECK_MS));
  }

  #checkStalls(): void {
    const now = performance.now();
    const { stallMs, onStall } = this.#options;
    for (const [address, e] of this.#entries) {
      const conn = e.conn;
      if (conn === undefined || conn.closed) continue;
      const stalled = conn.stalledMs(now) >= stallMs;
      if (stalled && e.suspect === undefined) {
        e.suspect = Promise.withResolvers();
        e.suspect.promise.catch(() => {});
        // Reads waiting on it can be served by another node of the shard.
        conn.failStallRetries(
          new ConnectionError(`${address} stopped answering (nothing read for ${stallMs} ms)`, {
            address,
            sent: true,
          }),
        );
        onStall(address, "stalled");
        void this.#verify(e, conn);
      } else if (!stalled && e.suspect !== undefined) {
        const waiting = e.suspect;
        e.suspect = undefined;
        e.answeredAt = undefined;
        waiting.resolve(conn);
        onStall(address, "recovered");
      } else if (
        stalled && e.answeredAt !== undefined && now - e.answeredAt >= STALL_CHECK_MS &&
        !conn.awaitsWrite()
      ) {
        // The node answers on another connection, this one not at all: the link is broken, not
        // the node. Only reads (retried elsewhere) and commands already given up are lost with it.
        this.#replace(e, conn);
      }
    }
  }

  /** Asks a stalled connection's node for a `PING` on its probe connection. */
  async #verify(e: Entry, stalled: Connection): Promise<void> {
    try {
      const probe = await this.probe(e.node);
      await probe.send(["PING"], { timeoutMs: VERIFY_TIMEOUT_MS });
    } catch {
      return; // the node does not answer either: the cluster's view decides (see `abandon`)
    }
    if (e.conn === stalled && e.suspect !== undefined) e.answeredAt = performance.now();
  }

  #replace(e: Entry, conn: Connection): void {
    const waiting = e.suspect;
    e.suspect = undefined;
    e.answeredAt = undefined;
    e.conn = undefined;
    void conn.close();
    this.#options.onStall(e.node.address, "replaced");
    if (waiting === undefined) return;
    const next = this.#shared(this.#entries, e.node, true);
    waiting.resolve(next);
  }

  #fail(e: Entry, error: Error): void {
    e.failures++;
    e.lastError = error;
    const { backoffBaseMs, backoffCapMs } = this.#options;
    e.retryAt = performance.now() +
      _backoffMs(e.failures - 1, backoffBaseMs, backoffCapMs, Math.random);
  }
}
