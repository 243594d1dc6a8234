/**
 * Discovers the cluster and keeps the slot map current: single-flight refreshes with a cooldown,
 * triggered by redirections and lost connections, plus a periodic refresh with jitter.
 * @module
 */
import { SLOT_COUNT } from "./slot.ts";
import { _applyNatMap, SlotMap } from "./slot_map.ts";
import type { NatMap } from "./slot_map.ts";
import type { _NodePool } from "../transport/node_pool.ts";
import { ConnectionError, RedisError } from "../errors.ts";
import type { NodeInfo } from "./read_policy.ts";
import type { RedisArgument, RedisReply } from "../types.ts";
import { _formatAddress, _parseAddress } from "../_address.ts";

/**
 * Console-shaped logger; rcluster is silent unless one is given.
 *
 * @example
 * ```ts
 * import type { Logger } from "@x/rcluster";
 * const logger: Logger = console;
 * ```
 */
export interface Logger {
  /** Fine-grained events (each retry). */
  debug(...data: unknown[]): void;
  /** Topology changes. */
  info(...data: unknown[]): void;
  /** Recoverable trouble (a node lost, a refresh failed). */
  warn(...data: unknown[]): void;
  /** Failures that reach the caller. */
  error(...data: unknown[]): void;
}

/** Topology settings, already validated by the facade. */
export interface _TopologyOptions {
  readonly startupNodes: readonly { host: string; port: number }[];
  readonly natMap: NatMap | undefined;
  readonly refreshIntervalMs: number;
  readonly refreshCooldownMs: number;
  readonly latencyIntervalMs: number;
  /** Sample round trips from the start (a "nearest" client) rather than on first demand. */
  readonly sampleLatency: boolean;
  readonly timeoutMs: number;
  readonly logger: Logger;
}

/** The live view of the cluster. */
export class _Topology {
  #map: SlotMap = SlotMap.empty();
  #pool: _NodePool;
  #options: _TopologyOptions;
  #inflight: Promise<SlotMap> | undefined;
  #lastRefresh = -Infinity;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #latencyTimer: ReturnType<typeof setTimeout> | undefined;
  #latency = new Map<string, number>();
  #sampling = false;
  #closed = false;
  #version = 0;

  constructor(pool: _NodePool, options: _TopologyOptions) {
    this.#pool = pool;
    this.#options = options;
  }

  /** The current snapshot. */
  get map(): SlotMap {
    return this.#map;
  }

  /** Increases with every new snapshot. */
  get version(): number {
    return this.#version;
  }

  /** Smoothed round trip to a node in ms, when sampled. */
  latency(address: string): number | undefined {
    return this.#latency.get(address);
  }

  /** Discovers the cluster when no map is known yet. */
  async ready(): Promise<SlotMap> {
    if (this.#map.shards.length > 0) return this.#map;
    return await this.refresh({ force: true });
  }

  /**
   * Refreshes the map: concurrent callers share one refresh, and a refresh within the cooldown
   * returns the current map unless `force` is set.
   */
  refresh(options?: { force?: boolean }): Promise<SlotMap> {
    if (this.#inflight) return this.#inflight;
    const since = performance.now() - this.#lastRefresh;
    if (!options?.force && since < this.#options.refreshCooldownMs) {
      return Promise.resolve(this.#map);
    }
    this.#inflight = this.#discover().finally(() => {
      this.#inflight = undefined;
      this.#lastRefresh = performance.now();
    });
    return this.#inflight;
  }

  /** Fire-and-forget refresh (after a redirect or a lost connection). */
  scheduleRefresh(reason: string): void {
    if (this.#closed) return;
    this.#options.logger.debug(`rcluster: refresh requested (${reason})`);
    this.refresh().catch((e) => this.#options.logger.warn("rcluster: refresh failed", e));
  }

  /** Applies a `MOVED` at once, without waiting for the refresh it also schedules. */
  applyMoved(slot: number, address: string): NodeInfo {
    const master = { ...this.nodeFor(address), role: "master" as const };
    this.#setMap(this.#map.withSlotMoved(slot, master));
    this.scheduleRefresh(`MOVED ${slot} ${address}`);
    return master;
  }

  /** A node for an address from a redirect (applying `natMap`, and the `:port` form). */
  nodeFor(address: string): NodeInfo {
    const node = this.#nodeFromAddress(address);
    return this.#map.nodes().find((n) => n.address === node.address) ?? node;
  }

  /** Starts the periodic refresh and latency sampling. */
  start(): void {
    if (this.#closed || this.#timer !== undefined) return;
    this.#scheduleTick();
    if (this.#options.sampleLatency) this.wantLatency();
  }

  /** Starts sampling round trips, once; a per-call "nearest" read asks for it on first use. */
  wantLatency(): void {
    if (this.#sampling || this.#closed) return;
    this.#sampling = true;
    void this.#sampleLatency();
  }

  /** Stops timers and waits for a running refresh. */
  async close(): Promise<void> {
    this.#closed = true;
    clearTimeout(this.#timer);
    clearTimeout(this.#latencyTimer);
    await this.#inflight?.catch(() => undefined);
  }

  #scheduleTick(): void {
    const base = this.#options.refreshIntervalMs;
    if (base <= 0 || this.#closed) return;
    const delay = base * (0.8 + Math.random() * 0.4); // jitter: clients do not refresh in step
    const timer = setTimeout(() => {
      this.refresh().catch((e) => this.#options.logger.warn("rcluster: periodic refresh failed", e))
        .finally(() => this.#scheduleTick());
    }, delay);
    Deno.unrefTimer(timer);
    this.#timer = timer;
  }

  async #sampleLatency(): Promise<void> {
    if (this.#closed) return;
    await Promise.all(
      this.#map.nodes().map(async (n) => {
        const t0 = performance.now();
        try {
          await this.#send(n, ["PING"]);
        } catch {
          return;
        }
        const rtt = performance.now() - t0;
        const old = this.#latency.get(n.address);
        this.#latency.set(n.address, old === undefined ? rtt : old * 0.7 + rtt * 0.3);
      }),
    );
    if (this.#closed) return;
    const timer = setTimeout(() => this.#sampleLatency(), this.#options.latencyIntervalMs);
    Deno.unrefTimer(timer);
    this.#latencyTimer = timer;
  }

  async #discover(): Promise<SlotMap> {
    const failures: string[] = [];
    for (const node of this.#candidates()) {
      try {
        const map = await this.#load(node);
        if (map.coveredSlots === 0) throw new Error("the node reports no slots");
        this.#setMap(map);
        await this.#pool.retain(new Set(map.nodes().map((n) => n.address)));
        return map;
      } catch (e) {
        failures.push(`${node.address}: ${e instanceof Error ? e.message : String(e)}`);
      }
    }
    throw new ConnectionError(
      `could not discover the cluster from any node (${failures.join("; ")})`,
    );
  }

  async #load(node: NodeInfo): Promise<SlotMap> {
    const opts = { fallbackHost: node.host, natMap: this.#options.natMap };
    const shards = await this.#send(node, ["CLUSTER", "SHARDS"]);
    if (!(shards instanceof RedisError)) return SlotMap.fromClusterShards(shards, opts);
    // Servers before 7.0 have no CLUSTER SHARDS.
    const slots = await this.#send(node, ["CLUSTER", "SLOTS"]);
    if (slots instanceof RedisError) throw slots;
    return SlotMap.fromClusterSlots(slots, opts);
  }

  async #send(node: NodeInfo, args: RedisArgument[]): Promise<RedisReply> {
    const conn = await this.#pool.get(node);
    return await conn.send(args, { decode: true, timeoutMs: this.#options.timeoutMs });
  }

  /** Known masters first (shuffled to spread load), then replicas, then the startup nodes. */
  #candidates(): NodeInfo[] {
    const known = this.#map.nodes();
    const masters = known.filter((n) => n.role === "master").sort(() => Math.random() - 0.5);
    const startup = this.#options.startupNodes.map((s) =>
      this.#nodeFromAddress(_formatAddress(s.host, s.port))
    );
    const byAddress = new Map<string, NodeInfo>();
    for (const n of [...masters, ...known, ...startup]) {
      if (!byAddress.has(n.address)) byAddress.set(n.address, n);
    }
    return [...byAddress.values()];
  }

  /** A node for an announced address, through `natMap`; `:port` means the first startup host. */
  #nodeFromAddress(address: string): NodeInfo {
    const parsed = _parseAddress(address);
    const host = parsed.host === ""
      ? this.#options.startupNodes[0]?.host ?? "127.0.0.1"
      : parsed.host;
    const mapped = _applyNatMap(this.#options.natMap, host, parsed.port);
    return {
      id: "",
      address: _formatAddress(mapped.host, mapped.port),
      host: mapped.host,
      port: mapped.port,
      role: "master",
      health: "online",
      replicationOffset: 0,
    };
  }

  #setMap(map: SlotMap): void {
    const before = this.#map;
    this.#map = map;
    this.#version++;
    const moved = changedSlots(before, map);
    if (moved > 0) {
      const masters = map.servingShards().map((s) => s.master.address).join(", ");
      this.#options.logger.info(
        `rcluster: topology changed: ${moved} slots have a new master; ${map.coveredSlots} ` +
          `slots served by ${masters}`,
      );
    }
  }
}

/** Slots whose master differs between two maps (unserved counts as a master of its own). */
function changedSlots(a: SlotMap, b: SlotMap): number {
  let n = 0;
  for (let slot = 0; slot < SLOT_COUNT; slot++) {
    if (a.shardOf(slot)?.master.address !== b.shardOf(slot)?.master.address) n++;
  }
  return n;
}
