/**
 * Discovery: asks the known nodes, then the startup nodes, for the cluster's topology until one
 * answers with a map that covers slots.
 * @module
 */
import type { SlotMap } from "./slot_map.ts";
import { _parseClusterShards, _parseClusterSlots } from "./topology_reply.ts";
import { _nodeAt, type NatMap } from "./nat_map.ts";
import type { NodeInfo } from "./node_info.ts";
import { ConnectionError, RedisError } from "../errors.ts";
import type { RedisArgument, RedisReply } from "../types.ts";
import { _formatAddress } from "../_address.ts";

/** What discovery needs from the layers around it. */
export interface _DiscoveryOptions {
  readonly startupNodes: readonly { host: string; port: number }[];
  readonly natMap: NatMap | undefined;
  /** Sends a topology query to a node (decoded replies). */
  readonly send: (node: NodeInfo, args: RedisArgument[]) => Promise<RedisReply>;
}

/** Loads slot maps from the cluster's nodes. */
export class _Discovery {
  #options: _DiscoveryOptions;

  constructor(options: _DiscoveryOptions) {
    this.#options = options;
  }

  /** The node at an address named by a redirection (`:port` means the first startup host). */
  nodeAt(address: string): NodeInfo {
    const fallback = this.#options.startupNodes[0]?.host ?? "127.0.0.1";
    return _nodeAt(address, this.#options.natMap, fallback);
  }

  /** The first usable map from the candidates of `current`, in order; every failure is named. */
  async discover(current: SlotMap): Promise<SlotMap> {
    const failures: string[] = [];
    for (const node of this.#candidates(current)) {
      try {
        const map = await this.#load(node);
        if (map.coveredSlots === 0) throw new Error("the node reports no slots");
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
    const shards = await this.#options.send(node, ["CLUSTER", "SHARDS"]);
    if (!(shards instanceof RedisError)) return _parseClusterShards(shards, opts);
    // Servers before 7.0 have no CLUSTER SHARDS.
    const slots = await this.#options.send(node, ["CLUSTER", "SLOTS"]);
    if (slots instanceof RedisError) throw slots;
    return _parseClusterSlots(slots, opts);
  }

  /** Known masters first (shuffled to spread load), then replicas, then the startup nodes. */
  #candidates(current: SlotMap): NodeInfo[] {
    const known = current.nodes();
    const masters = known.filter((n) => n.role === "master").sort(() => Math.random() - 0.5);
    const startup = this.#options.startupNodes.map((s) =>
      this.nodeAt(_formatAddress(s.host, s.port))
    );
    const byAddress = new Map<string, NodeInfo>();
    for (const n of [...masters, ...known, ...startup]) {
      if (!byAddress.has(n.address)) byAddress.set(n.address, n);
    }
    return [...byAddress.values()];
  }
}
