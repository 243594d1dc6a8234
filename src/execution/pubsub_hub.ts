/**
 * The client's subscriptions, kept in line with the cluster. The hub holds what the user wants
 * (each channel or pattern and its listeners) and where each is confirmed; `reconcile()` moves
 * what is misplaced: sharded channels to their slot's master, classic channels and patterns to
 * one "home" master. It runs after every change, refresh, lost link and server-dropped channel.
 * Redis pub/sub is at-most-once: when a subscription was not live for a while, its listeners get
 * a gap (`fromMs`-`toMs`, wall clock) once it is confirmed again, so they can resync.
 * @module
 */
import type { Connection } from "../transport/connection.ts";
import type { SlotMap } from "../topology/slot_map.ts";
import type { NodeInfo } from "../topology/node_info.ts";
import { keySlot } from "../topology/slot.ts";
import { _unrefTimer } from "../transport/timers.ts";
import { _backoffMs } from "../transport/backoff.ts";
import { ConnectionError } from "../errors.ts";
import { decoder } from "../_utf8.ts";
import type { Logger } from "../logger.ts";
import type { RedisReply, RespPush } from "../types.ts";
import { type _PubSubKind, _SubscriberLink } from "./_subscriber_link.ts";

export type { _PubSubKind };

/** Someone listening to channels or patterns (a `Subscription`). */
export interface _Listener {
  message(channel: Uint8Array, payload: Uint8Array, pattern: Uint8Array | undefined): void;
  gap(kind: _PubSubKind, name: string, fromMs: number, toMs: number): void;
}

/** What the hub needs from the client. */
export interface _HubParts {
  /** A connection of its own to `node`, with the link's hooks. */
  readonly open: (
    node: NodeInfo,
    hooks: {
      onExtraReply: (reply: RedisReply) => void;
      onPush: (push: RespPush) => void;
      onClose: (error: Error | undefined) => void;
    },
  ) => Promise<Connection>;
  readonly map: () => SlotMap;
  /** Refreshes the map (forced), resolving when done. */
  readonly refresh: () => Promise<unknown>;
  /** Applies a `MOVED` a node answered a subscription with. */
  readonly applyMoved: (slot: number, address: string, fromHost: string) => void;
  readonly logger: Logger;
  /** Told of every gap, after the listeners. */
  readonly onGap?: (kind: _PubSubKind, name: string, fromMs: number, toMs: number) => void;
}

interface Entry {
  readonly kind: _PubSubKind;
  readonly name: string;
  /** A sharded channel's slot; `undefined` for classic channels and patterns. */
  readonly slot: number | undefined;
  readonly listeners: Set<_Listener>;
  /** The node asked to hold it, confirmed or not. */
  node: string | undefined;
  live: boolean;
  /** When it stopped being live (wall clock), for the gap its listeners will get. */
  downSince: number | undefined;
  readonly waiters: (() => void)[];
}

const RETRY_BASE_MS = 50;
const RETRY_CAP_MS = 2000;

/** Every subscription of one client. */
export class _PubSubHub {
  #parts: _HubParts;
  #entries = new Map<string, Entry>();
  #links = new Map<string, _SubscriberLink>();
  #home: string | undefined;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #attempt = 0;
  #scheduled = false;
  #closed = false;

  constructor(parts: _HubParts) {
    this.#parts = parts;
  }

  /** Whether anything is subscribed. */
  get active(): boolean {
    return this.#entries.size > 0;
  }

  /** Adds `listener` to `names`; resolves once every one of them is confirmed by its node. */
  add(listener: _Listener, kind: _PubSubKind, names: readonly string[]): Promise<void> {
    if (this.#closed) return Promise.reject(new ConnectionError("the client is closed"));
    const waits: Promise<void>[] = [];
    for (const name of names) {
      const key = `${kind}:${name}`;
      let e = this.#entries.get(key);
      if (e === undefined) {
        e = {
          kind,
          name,
          slot: kind === "shard" ? keySlot(name) : undefined,
          listeners: new Set(),
          node: undefined,
          live: false,
          downSince: undefined,
          waiters: [],
        };
        this.#entries.set(key, e);
      }
      e.listeners.add(listener);
      if (!e.live) {
        const entry = e;
        waits.push(new Promise((resolve) => entry.waiters.push(resolve)));
      }
    }
    this.reconcile();
    return Promise.all(waits).then(() => {});
  }

  /** Removes `listener` from `names` (all of its names when `names` is undefined). */
  remove(listener: _Listener, kind: _PubSubKind | undefined, names?: readonly string[]): void {
    for (const [key, e] of this.#entries) {
      if (kind !== undefined && e.kind !== kind) continue;
      if (names !== undefined && !names.includes(e.name)) continue;
      e.listeners.delete(listener);
      if (e.listeners.size > 0) continue;
      this.#entries.delete(key);
      if (e.node !== undefined) this.#links.get(e.node)?.request(e.kind, e.name, false);
      for (const w of e.waiters.splice(0)) w();
    }
    this.reconcile();
  }

  /** Puts every subscription where the current map says it belongs (batched per tick). */
  reconcile(): void {
    if (this.#scheduled || this.#closed) return;
    this.#scheduled = true;
    queueMicrotask(() => {
      this.#scheduled = false;
      this.#reconcileNow();
    });
  }

  /** Unsubscribes everything and closes every link. */
  async close(): Promise<void> {
    this.#closed = true;
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
    for (const e of this.#entries.values()) for (const w of e.waiters.splice(0)) w();
    this.#entries.clear();
    const links = [...this.#links.values()];
    this.#links.clear();
    await Promise.all(links.map((l) => l.close()));
  }

  #reconcileNow(): void {
    if (this.#closed) return;
    const map = this.#parts.map();
    const home = this.#pickHome(map);
    const used = new Set<string>();
    for (const e of this.#entries.values()) {
      const target = e.slot === undefined ? home : map.shardOf(e.slot)?.master;
      if (target === undefined) continue;
      if (e.node !== target.address) {
        if (e.node !== undefined) this.#links.get(e.node)?.request(e.kind, e.name, false);
        if (e.live) {
          e.live = false;
          e.downSince ??= Date.now();
        }
        e.node = target.address;
        this.#link(target).request(e.kind, e.name, true);
      }
      used.add(target.address);
    }
    for (const [address, link] of this.#links) {
      if (!used.has(address)) {
        this.#links.delete(address);
        void link.close();
      }
    }
  }

  /** The master for classic channels and patterns: the current one while it still serves. */
  #pickHome(map: SlotMap): NodeInfo | undefined {
    const masters = map.servingShards().map((s) => s.master);
    const home = masters.find((m) => m.address === this.#home) ?? masters[0];
    this.#home = home?.address;
    return home;
  }

  #link(node: NodeInfo): _SubscriberLink {
    let link = this.#links.get(node.address);
    if (link !== undefined && !link.closed) return link;
    const address = node.address;
    link = new _SubscriberLink(address, (hooks) => this.#parts.open(node, hooks), {
      message: (kind, channel, payload, pattern) => {
        const name = decoder.decode(kind === "pattern" ? pattern : channel);
        const e = this.#entries.get(`${kind}:${name}`);
        if (e === undefined || e.node !== address) return;
        for (const l of e.listeners) l.message(channel, payload, pattern);
      },
      confirmed: (kind, name) => {
        const e = this.#entries.get(`${kind}:${name}`);
        if (e === undefined || e.node !== address) return;
        e.live = true;
        this.#attempt = 0;
        if (e.downSince !== undefined) {
          const [from, to] = [e.downSince, Date.now()];
          e.downSince = undefined;
          for (const l of e.listeners) l.gap(kind, name, from, to);
          this.#parts.onGap?.(kind, name, from, to);
        }
        for (const w of e.waiters.splice(0)) w();
      },
      droppedByServer: (kind, name) => {
        const e = this.#entries.get(`${kind}:${name}`);
        if (e === undefined || e.node !== address) return;
        this.#parts.logger.info(`rcluster: ${address} dropped ${kind} ${name}; moving it`);
        this.#down(e);
        this.#retry(true);
      },
      refused: (kind, name, error) => {
        const e = this.#entries.get(`${kind}:${name}`);
        if (e === undefined || e.node !== address) return;
        this.#down(e);
        if (error.kind === "MOVED" && error.slot !== undefined) {
          this.#parts.applyMoved(error.slot, error.address ?? "", node.host);
        } else {
          this.#parts.logger.warn(`rcluster: ${address} refused ${kind} ${name}: ${error.message}`);
        }
        this.#retry(error.kind !== "MOVED");
      },
      lost: (error) => {
        if (this.#links.get(address) === link) this.#links.delete(address);
        if (this.#closed) return;
        this.#parts.logger.warn(
          `rcluster: pub/sub connection to ${address} lost: ${error.message}`,
        );
        for (const e of this.#entries.values()) if (e.node === address) this.#down(e);
        if (this.#home === address) this.#home = undefined;
        this.#retry(true);
      },
    });
    this.#links.set(address, link);
    return link;
  }

  #down(e: Entry): void {
    e.node = undefined;
    if (e.live) {
      e.live = false;
      e.downSince = Date.now();
    } else e.downSince ??= Date.now();
  }

  /** Reconciles again after a pause (growing while nothing gets confirmed), refreshing first. */
  #retry(refresh: boolean): void {
    if (this.#closed || this.#timer !== undefined) return;
    const ms = _backoffMs(this.#attempt++, RETRY_BASE_MS, RETRY_CAP_MS, Math.random);
    this.#timer = _unrefTimer(setTimeout(async () => {
      if (refresh) await this.#parts.refresh().catch(() => undefined);
      this.#timer = undefined;
      this.#reconcileNow();
    }, ms));
  }
}
