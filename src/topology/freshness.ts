/**
 * How stale a replica may be. Decided from the replication offsets the servers report (`ROLE`),
 * never from a guessed delay:
 * - `readYourWrites`: after a write to a slot, reads of that slot stay on the master until every
 *   replica of its shard reports an offset at or past the master's offset taken after the write.
 * - `maxReplicaLagMs`: a replica whose offset trails what its master had that long ago gets no
 *   reads; a replica whose link to its master is down gets none either.
 * @module
 */
import { RedisError } from "../errors.ts";
import type { NodeInfo } from "./read_policy.ts";
import type { Shard } from "./slot_map.ts";
import type { RedisArgument, RedisReply } from "../types.ts";

/** What the tracker needs from the layers around it. */
export interface _FreshnessOptions {
  readonly readYourWrites: boolean;
  readonly maxReplicaLagMs: number | undefined;
  /** Health polling of replicas (link state, lag); off when reads never use replicas. */
  readonly pollReplicas: boolean;
  readonly query: (node: NodeInfo, args: RedisArgument[]) => Promise<RedisReply>;
  readonly shards: () => readonly Shard[];
}

interface PendingWrite {
  readonly master: string;
  readonly seq: number;
  target: number | undefined;
}

const WRITE_POLL_MS = 2;
const HEALTH_POLL_MS = 250;
const HISTORY_MS = 60_000;

/** Tracks replica freshness per slot and per node. */
export class _Freshness {
  #o: _FreshnessOptions;
  #pending = new Map<number, PendingWrite>();
  #seq = 0;
  #writeTimer: ReturnType<typeof setTimeout> | undefined;
  #healthTimer: ReturnType<typeof setTimeout> | undefined;
  /** Set once health polling started. */
  #polling: Promise<void> | undefined;
  #sampling: Promise<void> | undefined;
  #settling: Promise<void> | undefined;
  /** Replica address -> [offset, link up]. */
  #replicas = new Map<string, { offset: number; up: boolean; lagMs: number }>();
  /** Master address -> samples of [time, offset], oldest first. */
  #history = new Map<string, [number, number][]>();
  #closed = false;

  constructor(options: _FreshnessOptions) {
    this.#o = options;
  }

  /** Starts health polling when replicas serve reads; resolves after the first sample. */
  start(): Promise<void> {
    if (!this.#o.pollReplicas && this.#o.maxReplicaLagMs === undefined) return Promise.resolve();
    return this.#startPolling();
  }

  /** Starts health polling on the first per-call replica read of a master-reading client. */
  wantReplicas(): void {
    if (!this.#polling && !this.#closed) void this.#startPolling();
  }

  #startPolling(): Promise<void> {
    this.#polling = this.#healthTick();
    return this.#polling;
  }

  /** Records a write this client made to `slot` on the master at `address`. */
  wrote(slot: number, address: string): void {
    if (!this.#o.readYourWrites || this.#closed) return;
    this.#pending.set(slot, { master: address, seq: ++this.#seq, target: undefined });
    this.#writeTimer ??= setTimeout(() => this.#pollWrites(), WRITE_POLL_MS);
  }

  /** Whether reads of `slot` must stay on the master (a write of ours not yet replicated). */
  mustReadMaster(slot: number): boolean {
    return this.#pending.has(slot);
  }

  /**
   * Whether a replica is healthy and recent enough for reads, from its own `ROLE` answers;
   * `undefined` when not polled yet (the caller then trusts the topology's health field).
   */
  replicaUsable(node: NodeInfo): boolean | undefined {
    if (node.role === "master") return true;
    const r = this.#replicas.get(node.address);
    if (r === undefined) return undefined;
    const max = this.#o.maxReplicaLagMs;
    return r.up && (max === undefined || r.lagMs <= max);
  }

  /** Stops polling. */
  async close(): Promise<void> {
    this.#closed = true;
    clearTimeout(this.#writeTimer);
    clearTimeout(this.#healthTimer);
    await Promise.all([this.#sampling, this.#settling].map((p) => p?.catch(() => undefined)));
  }

  async #pollWrites(): Promise<void> {
    this.#writeTimer = undefined;
    if (this.#closed) return;
    const run = this.#settleWrites();
    this.#settling = run;
    await run.catch(() => undefined);
    if (this.#pending.size > 0 && !this.#closed) {
      this.#writeTimer = setTimeout(() => this.#pollWrites(), WRITE_POLL_MS);
    }
  }

  async #settleWrites(): Promise<void> {
    const shards = this.#o.shards();
    const masters = new Set([...this.#pending.values()].map((p) => p.master));
    await Promise.all([...masters].map(async (address) => {
      const shard = shards.find((s) => s.master.address === address);
      if (!shard) return this.#forget(address); // no longer a master: the map moved on
      const seq = this.#seq;
      const masterOffset = await this.#masterOffset(shard.master);
      for (const p of this.#pending.values()) {
        if (p.master === address && p.target === undefined && p.seq <= seq) p.target = masterOffset;
      }
      const offsets = await Promise.all(shard.replicas.map((r) => this.#replicaOffset(r)));
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

  async #healthTick(): Promise<void> {
    if (this.#closed) return;
    const run = Promise.all(this.#o.shards().map((s) => this.#sampleShard(s))).then(() => {});
    this.#sampling = run;
    await run.catch(() => undefined);
    if (this.#closed) return;
    const timer = setTimeout(() => this.#healthTick(), HEALTH_POLL_MS);
    Deno.unrefTimer(timer);
    this.#healthTimer = timer;
  }

  async #sampleShard(shard: Shard): Promise<void> {
    const now = performance.now();
    // A master that does not answer must not stop its replicas' link checks.
    const masterOffset = await this.#masterOffset(shard.master).catch(() => undefined);
    if (masterOffset !== undefined) {
      const history = this.#history.get(shard.master.address) ?? [];
      history.push([now, masterOffset]);
      while (history.length > 2 && history[0]![0] < now - HISTORY_MS) history.shift();
      this.#history.set(shard.master.address, history);
    }
    await Promise.all(shard.replicas.map((r) => this.#replicaOffset(r)));
  }

  async #masterOffset(master: NodeInfo): Promise<number> {
    const reply = await this.#o.query(master, ["ROLE"]);
    if (!Array.isArray(reply) || reply[0] !== "master") throw new Error("not a master");
    return Number(reply[1]);
  }

  /** The replica's own processed offset; -1 (never caught up) when its link is down. */
  async #replicaOffset(replica: NodeInfo): Promise<number> {
    let reply: RedisReply;
    try {
      reply = await this.#o.query(replica, ["ROLE"]);
    } catch {
      this.#replicas.set(replica.address, { offset: -1, up: false, lagMs: Infinity });
      return -1;
    }
    if (reply instanceof RedisError || !Array.isArray(reply) || reply[0] !== "slave") return -1;
    const up = reply[3] === "connected";
    const offset = up ? Number(reply[4]) : -1;
    this.#replicas.set(replica.address, {
      offset,
      up,
      lagMs: this.#lagMs(replica, offset),
    });
    return offset;
  }

  /** How long ago the master first had more than the replica has now. */
  #lagMs(replica: NodeInfo, offset: number): number {
    const shard = this.#o.shards().find((s) =>
      s.replicas.some((r) => r.address === replica.address)
    );
    const history = shard ? this.#history.get(shard.master.address) : undefined;
    const ahead = history?.find(([, o]) => o > offset);
    return ahead ? performance.now() - ahead[0] : 0;
  }
}
