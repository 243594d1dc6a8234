/**
 * `readYourWrites`: after this client writes to a slot, reads of that slot stay on the master
 * until every usable replica of its shard reports (`ROLE`) an offset at or past the master's
 * offset taken after the write. A replica that is down or unreachable does not hold the slot on
 * the master: it is released, and that replica serves no read until its own offset gets there.
 * @module
 */
import type { NodeInfo, Shard } from "./node_info.ts";
import type { _ReplicaHealth } from "./replica_health.ts";

interface PendingWrite {
  readonly master: string;
  readonly seq: number;
  target: number | undefined;
}

/** The first poll comes this soon after a write; each round without release waits twice as long. */
const FIRST_POLL_MS = 2;
const MAX_POLL_MS = 64;

/** Slots written by this client whose replicas may not have the write yet. */
export class _ReadYourWrites {
  #enabled: boolean;
  #health: _ReplicaHealth;
  #shards: () => readonly Shard[];
  #pending = new Map<number, PendingWrite>();
  /** Replica address -> the offset it must reach before it serves reads again. */
  #behind = new Map<string, number>();
  #seq = 0;
  #delay = FIRST_POLL_MS;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #settling: Promise<void> | undefined;
  #closed = false;

  constructor(enabled: boolean, health: _ReplicaHealth, shards: () => readonly Shard[]) {
    this.#enabled = enabled;
    this.#health = health;
    this.#shards = shards;
  }

  /** Records a write this client made (or may have made) to `slot` on the master at `address`. */
  recordWrite(slot: number, address: string): void {
    if (!this.#enabled || this.#closed) return;
    this.#pending.set(slot, { master: address, seq: ++this.#seq, target: undefined });
    this.#delay = FIRST_POLL_MS;
    this.#timer ??= setTimeout(() => this.#poll(), this.#delay);
  }

  /** Whether reads of `slot` must stay on the master (a write of ours not yet replicated). */
  mustReadMaster(slot: number): boolean {
    return this.#pending.has(slot);
  }

  /** Whether `replica` has caught up with every write released while it was unusable. */
  replicaCaughtUp(replica: NodeInfo): boolean {
    if (this.#behind.size === 0) return true;
    const needed = this.#behind.get(replica.address);
    if (needed === undefined) return true;
    if ((this.#health.offset(replica.address) ?? -1) < needed) return false;
    this.#behind.delete(replica.address);
    return true;
  }

  /** Slots held on the master now (for tests and stats). */
  get pendingSlots(): number {
    return this.#pending.size;
  }

  /** Stops polling. */
  async close(): Promise<void> {
    this.#closed = true;
    clearTimeout(this.#timer);
    await this.#settling?.catch(() => undefined);
  }

  async #poll(): Promise<void> {
    this.#timer = undefined;
    if (this.#closed) return;
    const run = this.#settle();
    this.#settling = run;
    await run.catch(() => undefined);
    if (this.#pending.size > 0 && !this.#closed) {
      this.#timer = setTimeout(() => this.#poll(), this.#delay);
      this.#delay = Math.min(this.#delay * 2, MAX_POLL_MS);
    }
  }

  async #settle(): Promise<void> {
    const shards = this.#shards();
    const masters = new Set([...this.#pending.values()].map((p) => p.master));
    await Promise.all([...masters].map(async (address) => {
      const shard = shards.find((s) => s.master.address === address);
      if (!shard) return this.#forget(address); // no longer a master: the map moved on
      const seq = this.#seq;
      const masterOffset = await this.#health.masterOffset(shard.master);
      for (const p of this.#pending.values()) {
        if (p.master === address && p.target === undefined && p.seq <= seq) p.target = masterOffset;
      }
      const offsets = await Promise.all(shard.replicas.map((r) => this.#health.replicaOffset(r)));
      // Replicas that cannot serve reads now (down, unreachable, cut off) hold nothing back.
      const usable = shard.replicas.filter((r, i) =>
        offsets[i]! >= 0 && r.health !== "failed" && this.#health.replicaUsable(r) !== false
      );
      const caughtUp = usable.reduce(
        (min, r) => Math.min(min, offsets[shard.replicas.indexOf(r)]!),
        Infinity,
      );
      for (const [slot, p] of this.#pending) {
        if (p.master !== address || p.target === undefined || caughtUp < p.target) continue;
        for (const r of shard.replicas) {
          if (usable.includes(r)) continue;
          this.#behind.set(r.address, Math.max(this.#behind.get(r.address) ?? 0, p.target));
        }
        this.#pending.delete(slot);
      }
    }));
  }

  #forget(master: string): void {
    for (const [slot, p] of this.#pending) if (p.master === master) this.#pending.delete(slot);
  }
}
