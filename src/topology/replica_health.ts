/**
 * Replica health from the replicas' own `ROLE` answers: whether a replica's link to its master
 * is up and how far its replication offset trails, decided from offsets, never a guessed delay.
 * `maxReplicaLagMs` takes reads from a replica whose offset trails what its master had that
 * long ago.
 *
 * Polling follows use: it runs while reads may go to replicas and stops after
 * `IDLE_STOP_MS` without one (an idle client sends no `ROLE`); a `ROLE` refused by the
 * server's ACL is logged once and ends polling (the topology's health field is used then).
 * @module
 */
import { RedisError } from "../errors.ts";
import type { NodeInfo, Shard } from "./node_info.ts";
import type { RedisArgument, RedisReply } from "../types.ts";
import { _unrefTimer } from "../transport/timers.ts";
import type { Logger } from "../logger.ts";

/** What health polling needs from the layers around it. */
export interface _ReplicaHealthOptions {
  readonly maxReplicaLagMs: number | undefined;
  /** Polls from the start: reads may use replicas. Off, polling starts on first demand. */
  readonly pollFromStart: boolean;
  /** Sends `ROLE` to a node (decoded reply). */
  readonly query: (node: NodeInfo, args: RedisArgument[]) => Promise<RedisReply>;
  readonly shards: () => readonly Shard[];
  readonly logger: Logger;
}

const HEALTH_POLL_MS = 250;
/** Polling stops this long after the last read that could go to a replica. */
const IDLE_STOP_MS = 2000;
const HISTORY_MS = 60_000;

/** Per-replica link state and lag, polled while replicas serve reads. */
export class _ReplicaHealth {
  #options: _ReplicaHealthOptions;
  /** Set once polling started. */
  #polling: Promise<void> | undefined;
  #sampling: Promise<void> | undefined;
  #timer: ReturnType<typeof setTimeout> | undefined;
  /** Replica address -> its last ROLE answer. */
  #replicas = new Map<string, { offset: number; up: boolean; lagMs: number }>();
  /** Master address -> samples of [time, offset], oldest first. */
  #history = new Map<string, [number, number][]>();
  #closed = false;
  #firstDone = false;
  /** A poll round runs or is scheduled. */
  #running = false;
  /** When a read last could go to a replica. */
  #lastDemand = -Infinity;
  /** The server refused ROLE (ACL): no more polling. */
  #refused = false;

  constructor(options: _ReplicaHealthOptions) {
    this.#options = options;
  }

  /** Starts polling when replicas serve reads; resolves after the first sample. */
  start(): Promise<void> {
    const o = this.#options;
    if (!o.pollFromStart && o.maxReplicaLagMs === undefined) return Promise.resolve();
    this.#lastDemand = performance.now();
    return this.#startPolling();
  }

  /** A read may go to a replica: polls now if polling had not started or had gone idle. */
  wantReplicas(): void {
    this.#lastDemand = performance.now();
    if (this.#closed || this.#refused || this.#running) return;
    if (!this.#polling) void this.#startPolling();
    else void this.#tick();
  }

  /** The first round of probes while it is under way, so a read can wait for its verdict. */
  firstRound(): Promise<void> | undefined {
    return this.#firstDone ? undefined : this.#polling;
  }

  /**
   * Whether a replica is healthy and recent enough for reads, from its own `ROLE` answers;
   * `undefined` when not polled yet (the caller then trusts the topology's health field).
   */
  replicaUsable(node: NodeInfo): boolean | undefined {
    if (node.role === "master") return true;
    const r = this.#replicas.get(node.address);
    if (r === undefined) return undefined;
    const max = this.#options.maxReplicaLagMs;
    return r.up && (max === undefined || r.lagMs <= max);
  }

  /** The replication offset a replica last reported (-1 when down), if probed. */
  offset(address: string): number | undefined {
    return this.#replicas.get(address)?.offset;
  }

  /** The master's replication offset (`ROLE`); rejects when the node is no master. */
  async masterOffset(master: NodeInfo): Promise<number> {
    const reply = await this.#options.query(master, ["ROLE"]);
    if (this.#isRefusal(reply, master)) throw reply;
    if (!Array.isArray(reply) || reply[0] !== "master") throw new Error("not a master");
    return Number(reply[1]);
  }

  /**
   * The replica's own processed offset, recorded as its health; -1 (never caught up) when its
   * link is down or it does not answer.
   */
  async replicaOffset(replica: NodeInfo): Promise<number> {
    let reply: RedisReply;
    try {
      reply = await this.#options.query(replica, ["ROLE"]);
    } catch {
      this.#replicas.set(replica.address, { offset: -1, up: false, lagMs: Infinity });
      return -1;
    }
    if (this.#isRefusal(reply, replica)) return -1;
    if (reply instanceof RedisError || !Array.isArray(reply) || reply[0] !== "slave") return -1;
    const up = reply[3] === "connected";
    const offset = up ? Number(reply[4]) : -1;
    this.#replicas.set(replica.address, { offset, up, lagMs: this.#lagMs(replica, offset) });
    return offset;
  }

  /** Stops polling. */
  async close(): Promise<void> {
    this.#closed = true;
    clearTimeout(this.#timer);
    await this.#sampling?.catch(() => undefined);
  }

  #startPolling(): Promise<void> {
    this.#polling = this.#tick().finally(() => this.#firstDone = true);
    return this.#polling;
  }

  async #tick(): Promise<void> {
    if (this.#closed || this.#refused) return;
    this.#running = true;
    const run = Promise.all(this.#options.shards().map((s) => this.#sampleShard(s))).then(() => {});
    this.#sampling = run;
    await run.catch(() => undefined);
    const idle = performance.now() - this.#lastDemand > IDLE_STOP_MS;
    if (this.#closed || this.#refused || idle) {
      this.#running = false;
      return;
    }
    this.#timer = _unrefTimer(setTimeout(() => this.#tick(), HEALTH_POLL_MS));
  }

  /** Whether a ROLE answer is the ACL's refusal; the first one is logged and stops polling. */
  #isRefusal(reply: RedisReply, node: NodeInfo): boolean {
    if (!(reply instanceof RedisError) || reply.code !== "NOPERM") return false;
    if (!this.#refused) {
      this.#refused = true;
      this.#options.logger.warn(
        `rcluster: ROLE refused on ${node.address} (${reply.message}); replica health is not ` +
          "checked: replicas are chosen from the cluster's view only (grant +role to check)",
      );
    }
    return true;
  }

  async #sampleShard(shard: Shard): Promise<void> {
    const now = performance.now();
    // A master that does not answer must not stop its replicas' link checks.
    const masterOffset = await this.masterOffset(shard.master).catch(() => undefined);
    if (masterOffset !== undefined) {
      const history = this.#history.get(shard.master.address) ?? [];
      history.push([now, masterOffset]);
      while (history.length > 2 && history[0]![0] < now - HISTORY_MS) history.shift();
      this.#history.set(shard.master.address, history);
    }
    await Promise.all(shard.replicas.map((r) => this.replicaOffset(r)));
  }

  /** How long ago the master first had more than the replica has now. */
  #lagMs(replica: NodeInfo, offset: number): number {
    const shard = this.#options.shards().find((s) =>
      s.replicas.some((r) => r.address === replica.address)
    );
    const history = shard ? this.#history.get(shard.master.address) : undefined;
    const ahead = history?.find(([, o]) => o > offset);
    return ahead ? performance.now() - ahead[0] : 0;
  }
}
