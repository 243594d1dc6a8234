/**
 * Discovery: asks the known nodes, then the startup nodes, for the cluster's topology. A reply
 * is checked before it is believed: a `CLUSTER SHARDS` answer that leaves slots uncovered or
 * lists two masters in one shard is cross-checked with `CLUSTER SLOTS` from the same node (the
 * view that covers the slots wins, and that node is asked later next time), and a map that makes
 * the cluster look smaller than the current one needs a second node's opinion.
 * @module
 */
import type { SlotMap } from "./slot_map.ts";
import { _parseClusterShards, _parseClusterSlots, _withShardsDetail } from "./topology_reply.ts";
import { _nodeAt, type NatMap } from "./nat_map.ts";
import type { NodeInfo } from "./node_info.ts";
import { AuthError, ConnectionError, RedisError } from "../errors.ts";
import type { Logger } from "../logger.ts";
import type { RedisArgument, RedisReply } from "../types.ts";
import { _formatAddress } from "../_address.ts";

/** What discovery needs from the layers around it. */
export interface _DiscoveryOptions {
  readonly startupNodes: readonly { host: string; port: number }[];
  readonly natMap: NatMap | undefined;
  /** Connections use TLS (CLUSTER SHARDS lists both ports; the TLS one is dialled). */
  readonly tls: boolean;
  /** Sends a topology query to a node (decoded replies); `urgent` asks for a short timeout. */
  readonly send: (node: NodeInfo, args: RedisArgument[], urgent: boolean) => Promise<RedisReply>;
  readonly logger: Logger;
}

/** Loads slot maps from the cluster's nodes. */
export class _Discovery {
  #options: _DiscoveryOptions;
  /** Address -> doubtful topology replies in a row: such nodes are asked after the others. */
  #doubted = new Map<string, number>();

  constructor(options: _DiscoveryOptions) {
    this.#options = options;
  }

  /** The node at an address, through `natMap`; `fallbackHost` stands in for an empty host. */
  nodeAt(address: string, fallbackHost: string): NodeInfo {
    return _nodeAt(address, this.#options.natMap, fallbackHost);
  }

  /**
   * A map from the candidates of `current`, in order (the `avoid` nodes and those marked failed
   * last): the first that covers as many slots as `current`, else the best of two opinions.
   * Every failure is named when none answers. `urgent` queries use short timeouts.
   */
  async discover(
    current: SlotMap,
    options: { avoid: ReadonlySet<string>; urgent: boolean } = { avoid: new Set(), urgent: false },
  ): Promise<SlotMap> {
    const failures: string[] = [];
    let best: SlotMap | undefined;
    let opinions = 0;
    const candidates = this.#candidates(current);
    const later = (n: NodeInfo): number =>
      options.avoid.has(n.address) ? 2 : n.health === "failed" ? 1 : 0;
    // A stable sort keeps the order of candidates otherwise.
    candidates.sort((a, b) => later(a) - later(b));
    for (const node of candidates) {
      let map: SlotMap;
      try {
        map = await this.#load(node, options.urgent);
        if (map.coveredSlots === 0) throw new Error("the node reports no slots");
      } catch (e) {
        // The same credentials go to every node: asking the rest would only repeat the refusal.
        if (e instanceof AuthError) throw e;
        failures.push(`${node.address}: ${e instanceof Error ? e.message : String(e)}`);
        continue;
      }
      if (best === undefined || map.coveredSlots > best.coveredSlots) best = map;
      // One reply that makes the cluster look smaller is not believed without a second opinion.
      if (best.coveredSlots >= current.coveredSlots || ++opinions >= 2) return best;
      this.#options.logger.debug(
        `rcluster: ${node.address} reports ${map.coveredSlots} of ${current.coveredSlots} ` +
          "covered slots; asking another node",
      );
    }
    if (best !== undefined) return best;
    throw new ConnectionError(
      `could not discover the cluster from any node (${failures.join("; ")})`,
    );
  }

  async #load(node: NodeInfo, urgent: boolean): Promise<SlotMap> {
    const { natMap, logger, tls } = this.#options;
    const send = (args: RedisArgument[]) => this.#options.send(node, args, urgent);
    const opts = { fallbackHost: node.host, natMap, tls };
    const shards = await send(["CLUSTER", "SHARDS"]);
    if (shards instanceof RedisError) {
      // Servers before 7.0 have no CLUSTER SHARDS.
      const slots = await send(["CLUSTER", "SLOTS"]);
      if (slots instanceof RedisError) throw slots;
      return _parseClusterSlots(slots, opts);
    }
    const view = _parseClusterShards(shards, opts);
    if (view.doubts.length === 0) {
      this.#doubted.delete(node.address);
      return view.map;
    }
    const times = (this.#doubted.get(node.address) ?? 0) + 1;
    this.#doubted.set(node.address, times);
    const slots = await send(["CLUSTER", "SLOTS"]);
    const other = slots instanceof RedisError
      ? undefined
      : _withShardsDetail(_parseClusterSlots(slots, opts), view.map);
    const chosen = other !== undefined && other.coveredSlots >= view.map.coveredSlots
      ? other
      : view.map;
    const message = `rcluster: CLUSTER SHARDS from ${node.address} looks wrong ` +
      `(${view.doubts.join("; ")}); using ${chosen === other ? "CLUSTER SLOTS" : "it anyway"}, ` +
      `which covers ${chosen.coveredSlots} slots`;
    // Said once per run of doubtful replies from a node, not at every refresh.
    if (times === 1) logger.warn(message);
    else logger.debug(message);
    return chosen;
  }

  /**
   * Known masters first (shuffled to spread load, those with doubtful replies last), then
   * replicas, then the startup nodes.
   */
  #candidates(current: SlotMap): NodeInfo[] {
    const known = current.nodes();
    const doubts = (n: NodeInfo): number => this.#doubted.get(n.address) ?? 0;
    const masters = known.filter((n) => n.role === "master").sort(() => Math.random() - 0.5)
      .sort((a, b) => doubts(a) - doubts(b));
    const startup = this.#options.startupNodes.map((s) =>
      this.nodeAt(_formatAddress(s.host, s.port), s.host)
    );
    const byAddress = new Map<string, NodeInfo>();
    for (const n of [...masters, ...known, ...startup]) {
      if (!byAddress.has(n.address)) byAddress.set(n.address, n);
    }
    return [...byAddress.values()];
  }
}
