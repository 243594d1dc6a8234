/**
 * The live view of the cluster: the current slot map snapshot, replaced whole by single-flight
 * refreshes (with a cooldown) triggered by redirections and lost connections, plus a periodic
 * refresh with jitter so a failover is noticed without traffic. Every snapshot gets the next
 * generation; a refresh that was under way when a `MOVED` was applied keeps that redirect, so an
 * older view never undoes a newer one.
 *
 * While a node is suspect (its connection stopped answering) or a command waits for a shard
 * that has no reachable master, the map is polled every 50-100 ms (jittered, short timeouts,
 * suspects asked last), so a promotion is seen within one poll rather than at the next
 * redirect: this is how a frozen or killed master costs milliseconds after its failover.
 * @module
 */
import { SLOT_COUNT } from "./slot.ts";
import { SlotMap } from "./slot_map.ts";
import type { NodeInfo } from "./node_info.ts";
import type { _Discovery } from "./discovery.ts";
import type { Logger } from "../logger.ts";
import { _unrefTimer } from "../transport/timers.ts";

/** Topology settings, already validated by the facade. */
export interface _TopologyOptions {
  readonly refreshIntervalMs: number;
  readonly refreshCooldownMs: number;
  readonly logger: Logger;
  /** Called with every new map that came from a refresh (not from a `MOVED`). */
  readonly onRefreshed: (map: SlotMap) => void;
  /** A map to start from (a saved snapshot): the first command then needs no discovery. */
  readonly initial?: SlotMap | undefined;
}

/** Shortest pause between polls while a shard waits for a master; up to twice it with jitter. */
const URGENT_POLL_MS = 50;

/** A command waiting for its slot's master to be another (reachable) node. */
interface Waiter {
  readonly slot: number;
  readonly from: string | undefined;
  readonly done: () => void;
}

/** The live view of the cluster. */
export class _Topology {
  #map: SlotMap = SlotMap.empty();
  #discovery: _Discovery;
  #options: _TopologyOptions;
  #inflight: Promise<SlotMap> | undefined;
  #lastRefresh = -Infinity;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #closed = false;
  /** Redirects applied since the oldest refresh under way started, to replay onto its map. */
  #moves: { generation: number; slot: number; master: NodeInfo }[] = [];
  /** Nodes whose connection stopped answering: polled around, asked last. */
  #suspects = new Set<string>();
  #waiters = new Set<Waiter>();
  #urgent: ReturnType<typeof setTimeout> | undefined;
  /** A refresh asked for within the cooldown, due when it ends. */
  #trailing: ReturnType<typeof setTimeout> | undefined;

  constructor(discovery: _Discovery, options: _TopologyOptions) {
    this.#discovery = discovery;
    this.#options = options;
    if (options.initial !== undefined) this.#map = options.initial.withGeneration(1);
  }

  /** The current snapshot. */
  get map(): SlotMap {
    return this.#map;
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
  refresh(options?: { force?: boolean; urgent?: boolean }): Promise<SlotMap> {
    if (this.#inflight) return this.#inflight;
    const since = performance.now() - this.#lastRefresh;
    if (!options?.force && since < this.#options.refreshCooldownMs) {
      return Promise.resolve(this.#map);
    }
    this.#inflight = this.#discover(options?.urgent === true).finally(() => {
      this.#inflight = undefined;
      this.#lastRefresh = performance.now();
    });
    return this.#inflight;
  }

  /** Fire-and-forget refresh (after a redirect or a lost connection). */
  scheduleRefresh(reason: string): void {
    if (this.#closed) return;
    this.#options.logger.debug(`rcluster: refresh requested (${reason})`);
    const wait = this.#options.refreshCooldownMs - (performance.now() - this.#lastRefresh);
    if (this.#inflight === undefined && wait > 0) {
      // Within the cooldown: one refresh when it ends, so what was reported is still confirmed.
      this.#trailing ??= _unrefTimer(setTimeout(() => {
        this.#trailing = undefined;
        if (!this.#closed) this.scheduleRefresh("after the cooldown");
      }, wait));
      return;
    }
    this.refresh().catch((e) => this.#options.logger.warn("rcluster: refresh failed", e));
  }

  /**
   * Applies a `MOVED` at once, without waiting for the refresh it also schedules. `fromHost`
   * is the host of the node that redirected, which Redis's `:port` form means.
   */
  applyMoved(slot: number, address: string, fromHost: string): NodeInfo {
    const master = { ...this.nodeFor(address, fromHost), role: "master" as const };
    const moved = this.#map.withSlotMoved(slot, master);
    if (moved !== this.#map) {
      this.#setMap(moved);
      if (this.#inflight !== undefined) {
        this.#moves.push({ generation: this.#map.generation, slot, master });
      }
    }
    this.scheduleRefresh(`MOVED ${slot} ${address}`);
    return master;
  }

  /**
   * The node at an address from a redirect (through `natMap`); `fromHost` stands in for the
   * empty host of Redis's `:port` form.
   */
  nodeFor(address: string, fromHost: string): NodeInfo {
    const node = this.#discovery.nodeAt(address, fromHost);
    return this.#map.nodes().find((n) => n.address === node.address) ?? node;
  }

  /**
   * Marks a node suspect (`true`: its connection stopped answering) or clears it. While any node
   * is suspect the map is polled quickly, asking the suspects last.
   */
  suspect(address: string, stalled: boolean): void {
    if (stalled) this.#suspects.add(address);
    else this.#suspects.delete(address);
    this.#pollUrgently();
  }

  /**
   * Resolves once the map shows `slot` served by a master that is not `from` and not marked
   * failed (`from` undefined: any such master), or after `maxMs`; the map is polled quickly
   * meanwhile. Never rejects; the client's closing resolves it.
   */
  awaitMaster(slot: number, from: string | undefined, maxMs: number): Promise<void> {
    if (this.#closed || this.#served(slot, from)) return Promise.resolve();
    const { promise, resolve } = Promise.withResolvers<void>();
    const timer = _unrefTimer(setTimeout(() => waiter.done(), maxMs));
    const waiter: Waiter = {
      slot,
      from,
      done: () => {
        clearTimeout(timer);
        this.#waiters.delete(waiter);
        resolve();
      },
    };
    this.#waiters.add(waiter);
    this.#pollUrgently();
    return promise;
  }

  /** Starts the periodic refresh. */
  start(): void {
    if (this.#closed || this.#timer !== undefined) return;
    this.#scheduleTick();
  }

  /** Stops timers and waits for a running refresh. */
  async close(): Promise<void> {
    this.#closed = true;
    clearTimeout(this.#timer);
    clearTimeout(this.#urgent);
    clearTimeout(this.#trailing);
    for (const w of [...this.#waiters]) w.done();
    await this.#inflight?.catch(() => undefined);
  }

  #scheduleTick(): void {
    const base = this.#options.refreshIntervalMs;
    if (base <= 0 || this.#closed) return;
    const delay = base * (0.8 + Math.random() * 0.4); // jitter: clients do not refresh in step
    this.#timer = _unrefTimer(setTimeout(() => {
      this.refresh().catch((e) => this.#options.logger.warn("rcluster: periodic refresh failed", e))
        .finally(() => this.#scheduleTick());
    }, delay));
  }

  #served(slot: number, from: string | undefined): boolean {
    const master = this.#map.shardOf(slot)?.master;
    return master !== undefined && master.health !== "failed" && master.address !== from;
  }

  #pollUrgently(): void {
    if (this.#closed || this.#urgent !== undefined) return;
    if (this.#suspects.size === 0 && this.#waiters.size === 0) return;
    const delay = URGENT_POLL_MS * (1 + Math.random());
    this.#urgent = _unrefTimer(setTimeout(() => {
      this.refresh({ force: true, urgent: true })
        .catch((e) => this.#options.logger.debug("rcluster: urgent refresh failed", e))
        .finally(() => {
          this.#urgent = undefined;
          this.#pollUrgently();
        });
    }, delay));
  }

  async #discover(urgent: boolean): Promise<SlotMap> {
    const started = this.#map.generation;
    let map = await this.#discovery.discover(this.#map, { avoid: this.#suspects, urgent });
    // Redirects seen while this refresh was under way are newer than what it asked for.
    for (const m of this.#moves) {
      if (m.generation > started) map = map.withSlotMoved(m.slot, m.master);
    }
    this.#moves = [];
    this.#setMap(map);
    this.#options.onRefreshed(this.#map);
    return this.#map;
  }

  #setMap(next: SlotMap): void {
    const before = this.#map;
    const map = next.withGeneration(before.generation + 1);
    this.#map = map;
    for (const w of [...this.#waiters]) if (this.#served(w.slot, w.from)) w.done();
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
