/**
 * Reading the topology replies, `CLUSTER SHARDS` and `CLUSTER SLOTS`, into slot maps.
 * @module
 */
import { SlotMap } from "./slot_map.ts";
import { SLOT_COUNT } from "./slot.ts";
import type { NodeInfo, Shard } from "./node_info.ts";
import { _applyNatMap, type NatMap } from "./nat_map.ts";
import type { RedisReply } from "../types.ts";
import { decoder } from "../_utf8.ts";
import { _formatAddress } from "../_address.ts";

/** How to read addresses in a topology reply. */
export interface _ParseOptions {
  /** Host of the node that answered, for entries announcing no usable endpoint. */
  readonly fallbackHost: string;
  readonly natMap?: NatMap | undefined;
  /** Connections use TLS: a node's `tls-port` is the one to dial. */
  readonly tls?: boolean;
}

/** A topology reply as a map, with what looked wrong in it. */
export interface _TopologyView {
  readonly map: SlotMap;
  /** What makes the reply doubtful (empty when it looks consistent), for the log. */
  readonly doubts: readonly string[];
}

/**
 * Parses a `CLUSTER SHARDS` reply (RESP2 arrays or RESP3 maps, strings decoded). Doubtful: a
 * shard with two healthy masters, and slots that no shard lists (Redis 7.2-7.4 and Valkey 7.2
 * send an empty `slots` array for a shard right after a failover: redis/redis#13414).
 */
export function _parseClusterShards(reply: RedisReply, options: _ParseOptions): _TopologyView {
  if (!Array.isArray(reply)) throw new TypeError("CLUSTER SHARDS reply is not an array");
  const doubts: string[] = [];
  const map = SlotMap.fromRanges(reply.flatMap((entry) => {
    const shard = record(entry);
    const ranges = list(shard.get("slots")).map(Number);
    const nodes = list(shard.get("nodes")).map((n) => shardNode(record(n), options));
    // After a failover the failed old master may still be listed as a master beside the new
    // one, and first: a failed master is the shard's master only when it is the only one.
    const masters = nodes.filter((n) => n.role === "master");
    const healthy = masters.filter((n) => n.health !== "failed");
    if (healthy.length > 1) {
      doubts.push(`a shard lists ${healthy.length} masters (${addresses(healthy)})`);
    }
    const master = healthy[0] ?? masters[0];
    // A shard whose master failed and has no promoted replica yet serves nothing.
    if (!master) return [];
    // The others serve (or will serve) as replicas, whatever role a failed one still claims.
    const replicas = nodes.filter((n) => n !== master).map((n) =>
      n.role === "replica" ? n : { ...n, role: "replica" as const }
    );
    return [{ shard: { master, replicas }, ranges }];
  }));
  const uncovered = SLOT_COUNT - map.coveredSlots;
  if (uncovered > 0) doubts.push(`${uncovered} slots are in no shard`);
  return { map, doubts };
}

/** Parses a `CLUSTER SLOTS` reply (servers without `CLUSTER SHARDS`, or to check one). */
export function _parseClusterSlots(reply: RedisReply, options: _ParseOptions): SlotMap {
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

/**
 * `CLUSTER SLOTS`'s slot owners with what only `CLUSTER SHARDS` tells: each node's health, and
 * the shard's nodes `CLUSTER SLOTS` leaves out (failed ones), as replicas no read goes to.
 */
export function _withShardsDetail(owners: SlotMap, shards: SlotMap): SlotMap {
  const byId = new Map<string, { node: NodeInfo; shard: Shard }>();
  for (const shard of shards.shards) {
    for (const node of [shard.master, ...shard.replicas]) byId.set(node.id, { node, shard });
  }
  const detailed = (n: NodeInfo): NodeInfo => {
    const seen = byId.get(n.id)?.node;
    return seen === undefined
      ? n
      : { ...n, health: seen.health, replicationOffset: seen.replicationOffset };
  };
  return owners.withShards((shard) => {
    const listed = new Set([shard.master, ...shard.replicas].map((n) => n.id));
    const same = byId.get(shard.master.id)?.shard;
    const left = same === undefined
      ? []
      : [same.master, ...same.replicas].filter((n) => !listed.has(n.id) && n.health === "failed");
    return {
      master: detailed(shard.master),
      replicas: [
        ...shard.replicas.map(detailed),
        ...left.map((n) => ({ ...n, role: "replica" as const })),
      ],
    };
  });
}

function addresses(nodes: readonly NodeInfo[]): string {
  return nodes.map((n) => n.address).join(", ");
}

function shardNode(n: Map<string, RedisReply>, o: _ParseOptions): NodeInfo {
  const endpoint = str(n.get("endpoint"));
  const ip = str(n.get("ip"));
  const host = usable(endpoint) ? endpoint : usable(ip) ? ip : o.fallbackHost;
  // Under TLS the TLS port; a TLS-only node announces nothing else.
  const tlsPort = n.get("tls-port");
  const port = Number(o.tls && tlsPort !== undefined ? tlsPort : n.get("port") ?? tlsPort);
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
