/**
 * An immutable snapshot of which shard serves each slot. Refreshes replace it whole; a `MOVED`
 * derives a new snapshot with one slot changed.
 * @module
 */
import { SLOT_COUNT } from "./slot.ts";
import type { NodeInfo } from "./read_policy.ts";
import type { RedisReply } from "../types.ts";
import { decoder } from "../_utf8.ts";
import { _formatAddress } from "../_address.ts";

/**
 * Where a node really is, for clusters behind NAT or in containers: a record from the announced
 * `host:port` to the reachable one, or a function.
 *
 * @example
 * ```ts
 * import type { NatMap } from "@x/rcluster";
 * const nat: NatMap = { "10.0.0.5:6379": { host: "127.0.0.1", port: 7000 } };
 * ```
 */
export type NatMap =
  | Readonly<Record<string, { host: string; port: number }>>
  | ((address: { host: string; port: number }) => { host: string; port: number } | undefined);

/**
 * A master and its replicas.
 *
 * @example
 * ```ts
 * import type { Shard } from "@x/rcluster";
 * const describe = (s: Shard) => `${s.master.address} + ${s.replicas.length} replicas`;
 * ```
 */
export interface Shard {
  /** The shard's master. */
  readonly master: NodeInfo;
  /** Its replicas, in the order the server listed them. */
  readonly replicas: readonly NodeInfo[];
}

/** How to read addresses in a topology reply. */
export interface _ParseOptions {
  /** Host of the node that answered, for entries announcing no usable endpoint. */
  readonly fallbackHost: string;
  readonly natMap?: NatMap | undefined;
}

const NO_SHARD = -1;

/**
 * Immutable slot-to-shard table.
 *
 * @example
 * ```ts
 * import { SlotMap } from "@x/rcluster";
 * const map = SlotMap.empty();
 * console.log(map.shardOf(0)); // undefined
 * ```
 */
export class SlotMap {
  /** Every shard with at least one slot, plus shards learnt from `MOVED`. */
  readonly shards: readonly Shard[];
  #slots: Int16Array;

  private constructor(shards: readonly Shard[], slots: Int16Array) {
    this.shards = shards;
    this.#slots = slots;
  }

  /** A map with no slots assigned. */
  static empty(): SlotMap {
    return new SlotMap([], new Int16Array(SLOT_COUNT).fill(NO_SHARD));
  }

  /** Builds a map from shards and their slot ranges (inclusive pairs). */
  static fromRanges(entries: readonly { shard: Shard; ranges: readonly number[] }[]): SlotMap {
    const slots = new Int16Array(SLOT_COUNT).fill(NO_SHARD);
    const shards: Shard[] = [];
    for (const { shard, ranges } of entries) {
      let index = shards.findIndex((s) => s.master.address === shard.master.address);
      if (index === -1) index = shards.push(shard) - 1;
      for (let i = 0; i + 1 < ranges.length; i += 2) {
        const lo = Math.max(0, ranges[i]!);
        const hi = Math.min(SLOT_COUNT - 1, ranges[i + 1]!);
        slots.fill(index, lo, hi + 1);
      }
    }
    return new SlotMap(shards, slots);
  }

  /** The shard serving `slot`, if known. */
  shardOf(slot: number): Shard | undefined {
    const i = this.#slots[slot];
    return i === undefined || i === NO_SHARD ? undefined : this.shards[i];
  }

  /** How many slots have an owner. */
  get coveredSlots(): number {
    let n = 0;
    for (const i of this.#slots) if (i !== NO_SHARD) n++;
    return n;
  }

  /** Every distinct node, masters first. */
  nodes(): NodeInfo[] {
    return [...this.shards.map((s) => s.master), ...this.shards.flatMap((s) => s.replicas)];
  }

  /** The shards that own at least one slot. */
  servingShards(): Shard[] {
    const used = new Set<number>(this.#slots);
    return this.shards.filter((_, i) => used.has(i));
  }

  /** A new map where `slot` belongs to the master at `address` (a `MOVED` reply). */
  withSlotMoved(slot: number, master: NodeInfo): SlotMap {
    let index = this.shards.findIndex((s) => s.master.address === master.address);
    let shards = this.shards;
    if (index === -1) {
      // A replica promoted by failover, or a node we never saw: its own shard until a refresh.
      shards = [...shards, { master, replicas: [] }];
      index = shards.length - 1;
    }
    const slots = this.#slots.slice();
    slots[slot] = index;
    return new SlotMap(shards, slots);
  }

  /** Parses a `CLUSTER SHARDS` reply (RESP2 arrays or RESP3 maps, strings decoded). */
  static fromClusterShards(reply: RedisReply, options: _ParseOptions): SlotMap {
    if (!Array.isArray(reply)) throw new TypeError("CLUSTER SHARDS reply is not an array");
    return SlotMap.fromRanges(reply.flatMap((entry) => {
      const shard = record(entry);
      const ranges = list(shard.get("slots")).map(Number);
      const nodes = list(shard.get("nodes")).map((n) => shardNode(record(n), options));
      // After a failover the failed old master may still be listed as a master beside the new one.
      const masters = nodes.filter((n) => n.role === "master");
      const master = masters.find((n) => n.health !== "failed") ?? masters[0];
      // A shard whose master failed and has no promoted replica yet serves nothing.
      if (!master) return [];
      // The others serve (or will serve) as replicas, whatever role a failed one still claims.
      const replicas = nodes.filter((n) => n !== master).map((n) =>
        n.role === "replica" ? n : { ...n, role: "replica" as const }
      );
      return [{ shard: { master, replicas }, ranges }];
    }));
  }

  /** Parses a `CLUSTER SLOTS` reply (servers without `CLUSTER SHARDS`). */
  static fromClusterSlots(reply: RedisReply, options: _ParseOptions): SlotMap {
    if (!Array.isArray(reply)) throw new TypeError("CLUSTER SLOTS reply is not an array");
    return SlotMap.fromRanges(reply.map((entry) => {
      const e = list(entry);
      const [masterNode, ...replicaNodes] = e.slice(2).map((n, i) =>
        slotsNode(list(n), i === 0 ? "master" : "replica", options)
      );
      if (!masterNode) throw new TypeError("CLUSTER SLOTS entry has no master");
      return {
        shard: { master: masterNode, replicas: replicaNodes },
        ranges: [Number(e[0]), Number(e[1])],
      };
    }));
  }
}

function shardNode(n: Map<string, RedisReply>, o: _ParseOptions): NodeInfo {
  const endpoint = str(n.get("endpoint"));
  const ip = str(n.get("ip"));
  const host = usable(endpoint) ? endpoint : usable(ip) ? ip : o.fallbackHost;
  const port = Number(n.get("port") ?? n.get("tls-port"));
  const health = str(n.get("health"));
  return node({
    id: str(n.get("id")),
    host,
    port,
    role: str(n.get("role")) === "master" ? "master" : "replica",
    // Redis 7.0 sends "fail" where its documentation says "failed": both mean down.
    health: health === "fail" || health === "failed"
      ? "failed"
      : health === "loading"
      ? "loading"
      : "online",
    replicationOffset: Number(n.get("replication-offset") ?? 0),
  }, o.natMap);
}

function slotsNode(n: RedisReply[], role: NodeInfo["role"], o: _ParseOptions): NodeInfo {
  const ip = str(n[0]);
  return node({
    id: str(n[2]),
    host: usable(ip) ? ip : o.fallbackHost,
    port: Number(n[1]),
    role,
    health: "online",
    replicationOffset: 0,
  }, o.natMap);
}

function node(n: Omit<NodeInfo, "address">, natMap: NatMap | undefined): NodeInfo {
  const { host, port } = _applyNatMap(natMap, n.host, n.port);
  return { ...n, host, port, address: _formatAddress(host, port) };
}

/** Where an announced `host:port` is reachable. */
export function _applyNatMap(
  nat: NatMap | undefined,
  host: string,
  port: number,
): { host: string; port: number } {
  if (nat === undefined) return { host, port };
  const mapped = typeof nat === "function" ? nat({ host, port }) : nat[_formatAddress(host, port)];
  return mapped ?? { host, port };
}

function usable(host: string): boolean {
  return host !== "" && host !== "?";
}

function str(v: RedisReply | undefined): string {
  if (typeof v === "string") return v;
  if (v instanceof Uint8Array) return decoder.decode(v);
  return v === undefined || v === null ? "" : String(v);
}

function list(v: RedisReply | undefined): RedisReply[] {
  if (Array.isArray(v)) return v;
  throw new TypeError(`expected an array in a topology reply, got ${typeof v}`);
}

/** A RESP3 map or a RESP2 flat key/value array as a Map with string keys. */
function record(v: RedisReply | undefined): Map<string, RedisReply> {
  const out = new Map<string, RedisReply>();
  if (v instanceof Map) {
    for (const [k, val] of v) out.set(str(k), val);
    return out;
  }
  const a = list(v);
  for (let i = 0; i + 1 < a.length; i += 2) out.set(str(a[i]), a[i + 1]!);
  return out;
}
