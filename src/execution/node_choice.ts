/**
 * Which node a routed command goes to: the slot's master for writes, the read policy's pick
 * for reads (with read-your-writes, replica health and reconnect backoff taken into account),
 * and one kept master for keyless commands.
 * @module
 */
import { _chooseReader } from "../topology/read_policy.ts";
import type { _ReadContext, ReadFrom } from "../topology/read_policy.ts";
import type { NodeInfo } from "../topology/node_info.ts";
import type { _Topology } from "../topology/topology.ts";
import type { SlotMap } from "../topology/slot_map.ts";
import type { _ReplicaHealth } from "../topology/replica_health.ts";
import type { _ReadYourWrites } from "../topology/read_your_writes.ts";
import type { _LatencySampler } from "../topology/latency.ts";
import type { _NodePool } from "../transport/node_pool.ts";
import type { _RoutedCommand } from "./routed_command.ts";
import type { _Route } from "../routing/command_cache.ts";

/** What node choice consults. */
export interface _NodeChoiceParts {
  readonly topology: _Topology;
  readonly pool: _NodePool;
  readonly health: _ReplicaHealth;
  readonly readYourWrites: _ReadYourWrites;
  readonly latency: _LatencySampler;
  /** The client's `readFrom`. */
  readonly readFrom: ReadFrom;
}

/** Picks the node for each try of a command. */
export class _NodeChoice {
  #parts: _NodeChoiceParts;
  #keyless: NodeInfo | undefined;
  /** The snapshot `#keyless` was chosen in: a new one may have moved it. */
  #keylessMap: SlotMap | undefined;
  // One context per chooser: _chooseReader is synchronous, so `#avoid` holds for its call.
  #avoid: string | undefined;
  #context: _ReadContext;

  constructor(parts: _NodeChoiceParts) {
    this.#parts = parts;
    const { pool, health, latency, readYourWrites } = parts;
    this.#context = {
      // Redis 7.0 gossip shows fresh replicas as "loading" until their offset moves, so a
      // replica's own ROLE answer, when polled, outranks the topology's health field.
      usable: (n) =>
        n.address !== this.#avoid && n.health !== "failed" && pool.isAvailable(n.address) &&
        (health.replicaUsable(n) ?? n.health === "online") && readYourWrites.replicaCaughtUp(n),
      latency: (a) => latency.latency(a),
      random: Math.random,
    };
  }

  /**
   * The node for the next try; `avoid` is a node that just failed a read. `undefined` when no
   * node serves the slot (yet), `null` when `readFrom: "replica"` finds no usable replica.
   */
  target(cmd: _RoutedCommand, avoid: string | undefined): NodeInfo | null | undefined {
    return this.choose(cmd.route, cmd.options?.readFrom, avoid);
  }

  /** As `target`, from a route and the call's own `readFrom` (the pipeline's write pass). */
  choose(
    route: _Route,
    own: ReadFrom | undefined,
    avoid: string | undefined,
  ): NodeInfo | null | undefined {
    const { topology, health, readYourWrites, latency } = this.#parts;
    const { slot, readOnly } = route;
    if (slot === undefined) return this.#keylessNode();
    const shard = topology.map.shardOf(slot);
    if (shard === undefined) return undefined;
    if (!readOnly) return shard.master;
    if (own === "nearest") latency.start();
    const readFrom = readYourWrites.mustReadMaster(slot) ? "master" : own ?? this.#parts.readFrom;
    if (readFrom === "master") return shard.master;
    health.wantReplicas();
    this.#avoid = avoid;
    // Only "replica" ever finds no node: it never falls back to the master.
    return _chooseReader(shard, readFrom, this.#context) ?? null;
  }

  /** Whether reads may go anywhere but the master unless told otherwise per call. */
  get readsMaster(): boolean {
    return this.#parts.readFrom === "master";
  }

  /** Replica probes under way whose verdict a read that found no usable replica should await. */
  healthPending(): Promise<void> | undefined {
    return this.#parts.health.firstRound();
  }

  // Keyless commands keep to one master while it stays one, so SCAN's cursor pages on the node
  // that issued it; each client picks its own at random, which spreads clients over the masters.
  #keylessNode(): NodeInfo | undefined {
    const map = this.#parts.topology.map;
    if (map === this.#keylessMap) return this.#keyless;
    const masters = map.servingShards().map((s) => s.master);
    const kept = masters.find((m) => m.address === this.#keyless?.address);
    this.#keyless = kept ?? masters[Math.floor(Math.random() * masters.length)];
    this.#keylessMap = map;
    return this.#keyless;
  }
}
