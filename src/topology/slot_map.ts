/**
 * An immutable snapshot of which shard serves each slot. Refreshes replace it whole; a `MOVED`
 * derives a new snapshot with one slot changed. Each snapshot the topology installs carries a
 * generation, higher for newer ones, so an older refresh can be told from a newer redirect.
 * @module
 */
import { SLOT_COUNT } from "./slot.ts";
import type { NodeInfo, Shard } from "./node_info.ts";

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
  /** Increases with every snapshot the client installs; 0 for one it has not installed. */
  readonly generation: number;
  #slots: Int16Array;
  #serving: Shard[] | undefined;
  #covered: number | undefined;

  private constructor(shards: readonly Shard[], slots: Int16Array, generation = 0) {
    this.shards = shards;
    this.#slots = slots;
    this.generation = generation;
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
    if (this.#covered === undefined) {
      let n = 0;
      for (const i of this.#slots) if (i !== NO_SHARD) n++;
      this.#covered = n;
    }
    return this.#covered;
  }

  /** Every distinct node, masters first. */
  nodes(): NodeInfo[] {
    return [...this.shards.map((s) => s.master), ...this.shards.flatMap((s) => s.replicas)];
  }

  /** The shards that own at least one slot (worked out once per snapshot). */
  servingShards(): readonly Shard[] {
    if (this.#serving === undefined) {
      const used = new Uint8Array(this.shards.length);
      for (const i of this.#slots) if (i !== NO_SHARD) used[i] = 1;
      this.#serving = this.shards.filter((_, i) => used[i] === 1);
    }
    return this.#serving;
  }

  /** This snapshot as generation `generation`. */
  withGeneration(generation: number): SlotMap {
    return new SlotMap(this.shards, this.#slots, generation);
  }

  /** A new map with the same slot owners, each shard replaced by `f`'s version of it. */
  withShards(f: (shard: Shard) => Shard): SlotMap {
    return new SlotMap(this.shards.map(f), this.#slots, this.generation);
  }

  /** A new map where `slot` belongs to the master at `address` (a `MOVED` reply). */
  withSlotMoved(slot: number, master: NodeInfo): SlotMap {
    // A redirect to the owner the map already names changes nothing: no copy of the table.
    if (this.shardOf(slot)?.master.address === master.address) return this;
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
}
