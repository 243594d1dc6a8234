/**
 * `readYourWrites`: after this client writes to a slot, reads of that slot stay on the master
 * until every replica of its shard reports (`ROLE`) an offset at or past the master's offset
 * taken after the write.
 * @module
 */
import type { Shard } from "./node_info.ts";
import type { _ReplicaHealth } from "./replica_health.ts";

interface PendingWrite {
  readonly master: string;
  readonly seq: number;
  target: number | undefined;
}

const WRITE_POLL_MS = 2;

/** Slots written by this client whose replicas may not have the write yet. */
export class _ReadYourWrites {
  #enabled: boolean;
  #health: _ReplicaHealth;
  #shards: () => readonly Shard[];
  #pending = new Map<number, PendingWrite>();
  #seq = 0;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #settling: Promise<void> | undefined;
  #closed = false;

  constructor(enabled: boolean, health: _ReplicaHealth, shards: () => readonly Shard[]) {
    this.#enabled = enabled;
    this.#health = health;
    this.#shards = shards;
  }

  /** Records a write this client made to `slot` on the master at `address`. */
  recordWrite(slot: number, address: string): void {
    if (!this.#enabled || this.#closed) return;
    this.#pending.set(slot, { master: address, seq: ++this.#seq, target: undefined });
    this.#timer ??= setTimeout(() => this.#poll(), WRITE_POLL_MS);
  }

  /** Whether reads of `slot` must stay on the master (a write of ours not yet replicated). */
  mustReadMaster(slot: number): boolean {
    return this.#pending.has(slot);
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
      this.#timer = setTimeout(() => this.#poll(), WRITE_POLL_MS);
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
      const caughtUp = offsets.reduce((a, b) => Math.min(a, b), Infinity);
      for (const [slot, p] of this.#pending) {
        if (p.master === address && p.target !== undefined && caughtUp >= p.target) {
          this.#pending.delete(slot);
        }
      }
    }));
  }

  #forget(master: string): void {
    for (const [slot, p] of this.#pending) if (p.master === master) this.#pending.delete(slot);
  }
}
