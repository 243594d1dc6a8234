/**
 * A SCAN of the whole cluster that never misses a key present for the whole scan. It tracks
 * which slots are scanned (a 16384-slot map) and runs one node's cursor at a time, on that node
 * only (never moved by `readFrom`). When the cursor ends, the slots the node owned at its start
 * and still owns, with its config epoch unchanged and none of them migrating, are marked
 * scanned; the rest are scanned again on their owner. Keys may be returned twice.
 * @module
 */
import { ConnectionError, RedisError } from "../errors.ts";
import { decoder, encoder } from "../_utf8.ts";
import type { _Dispatcher } from "../execution/dispatcher.ts";
import type { CallOptions } from "../execution/call_options.ts";
import type { NodeInfo } from "../topology/node_info.ts";
import type { SlotMap } from "../topology/slot_map.ts";
import { SLOT_COUNT } from "../topology/slot.ts";
import { _fillRuns, _slotRuns } from "../topology/slot_runs.ts";
import type { RedisArgument, RedisReply } from "../types.ts";

/** Rounds without a slot newly scanned after which the scan gives up. */
const MAX_IDLE_ROUNDS = 50;
const PAUSE_MS = 100;

/** Where a scan stands, as plain data (the `scanPage` cursor, base64url JSON). */
interface ScanState {
  /** Scanned slots, as inclusive ranges. */
  done: number[];
  /** The node whose cursor is under way, if any. */
  node?: { address: string; cursor: string; epoch: string; owned: number[] };
  /** Rounds in a row that marked nothing. */
  idle: number;
}

/** One node's view of itself: its config epoch and the slots it is moving in or out. */
interface Self {
  epoch: string;
  moving: Set<number>;
}

/** A node's cursor under way: what it owned and its epoch when it started. */
interface NodeRun {
  readonly node: NodeInfo;
  cursor: string;
  readonly epoch: string;
  readonly owned: number[];
}

/** The scan's state machine: `page()` runs one SCAN call and whatever bookkeeping is due. */
export class _ClusterScan {
  #d: _Dispatcher;
  #args: RedisArgument[];
  #options: CallOptions | undefined;
  #done = new Uint8Array(SLOT_COUNT);
  #node: NodeRun | undefined;
  #idle = 0;

  constructor(d: _Dispatcher, args: RedisArgument[], options: CallOptions | undefined) {
    this.#d = d;
    this.#args = args;
    this.#options = options;
  }

  /** Whether every slot is scanned. */
  get finished(): boolean {
    return this.#done.indexOf(0) === -1;
  }

  /** Runs the next SCAN call; returns its keys (possibly none). */
  async page(): Promise<RedisReply[]> {
    if (this.#node === undefined) await this.#start();
    const run = this.#node;
    if (run === undefined) return [];
    let reply: RedisReply;
    try {
      reply = await this.#d.sendTo(run.node, ["SCAN", run.cursor, ...this.#args], this.#options);
      if (reply instanceof RedisError) throw reply;
    } catch (e) {
      // The node is lost or refuses: its slots are scanned again wherever they are now.
      if (!(e instanceof ConnectionError) && !(e instanceof RedisError)) throw e;
      this.#node = undefined;
      await this.#pause(`SCAN on ${run.node.address} failed: ${(e as Error).message}`);
      return [];
    }
    const [cursor, keys] = _page(reply, "SCAN");
    run.cursor = cursor;
    if (cursor === "0") await this.#finish(run);
    return keys;
  }

  /** The state as a string `resume()` takes. */
  save(): string {
    const state: ScanState = { done: ranges((s) => this.#done[s] === 1), idle: this.#idle };
    if (this.#node !== undefined) {
      const { node, cursor, epoch, owned } = this.#node;
      state.node = { address: node.address, cursor, epoch, owned };
    }
    return toBase64Url(encoder.encode(JSON.stringify(state)));
  }

  /** Picks up a saved state; a `TypeError` when `saved` is not one. */
  resume(saved: string): void {
    let state: ScanState;
    try {
      state = JSON.parse(decoder.decode(fromBase64Url(saved)));
      if (!Array.isArray(state.done) || typeof state.idle !== "number") throw new Error();
    } catch {
      throw new TypeError("scanPage(): cursor is not one scanPage() returned");
    }
    _fillRuns(this.#done, state.done);
    this.#idle = state.idle;
    const n = state.node;
    const node = n && this.#d.topology.map.nodes().find((x) => x.address === n.address);
    // A node gone from the map: its slots restart on their owner.
    if (n !== undefined && node !== undefined) this.#node = { ...n, node };
  }

  async #start(): Promise<void> {
    const map = this.#d.topology.map;
    const first = this.#done.indexOf(0);
    if (first === -1) return;
    const shard = map.shardOf(first);
    if (shard === undefined) return await this.#pause(`slot ${first} has no owner`);
    const node = shard.master;
    let self: Self;
    try {
      self = await this.#self(node);
    } catch (e) {
      return await this.#pause(`CLUSTER NODES on ${node.address}: ${(e as Error).message}`);
    }
    const owned = ranges((s) => map.shardOf(s) === shard && !self.moving.has(s));
    if (owned.length === 0) return await this.#pause(`slot ${first} is migrating`);
    this.#node = { node, cursor: "0", epoch: self.epoch, owned };
  }

  async #finish(run: NodeRun): Promise<void> {
    this.#node = undefined;
    let self: Self;
    let map: SlotMap;
    try {
      self = await this.#self(run.node);
      map = await this.#d.topology.refresh({ force: true });
    } catch (e) {
      return await this.#pause(`checking ${run.node.address}: ${(e as Error).message}`);
    }
    if (self.epoch !== run.epoch) {
      return await this.#pause(`${run.node.address} changed epoch during its cursor`);
    }
    let marked = 0;
    const owned = new Uint8Array(SLOT_COUNT);
    _fillRuns(owned, run.owned);
    for (let s = 0; s < SLOT_COUNT; s++) {
      if (owned[s] !== 1 || this.#done[s] === 1 || self.moving.has(s)) continue;
      if (map.shardOf(s)?.master.address !== run.node.address) continue;
      this.#done[s] = 1;
      marked++;
    }
    if (marked === 0) await this.#pause(`${run.node.address} kept none of its slots`);
    else this.#idle = 0;
  }

  /** The node's config epoch and slots it is migrating or importing (`CLUSTER NODES`). */
  async #self(node: NodeInfo): Promise<Self> {
    const reply = await this.#d.sendTo(node, ["CLUSTER", "NODES"], this.#options);
    if (reply instanceof RedisError) throw reply;
    const text = reply instanceof Uint8Array ? decoder.decode(reply) : String(reply);
    const line = text.split("\n").find((l) => l.split(" ")[2]?.includes("myself"));
    if (line === undefined) throw new ConnectionError(`${node.address}: no "myself" line`);
    const fields = line.trim().split(" ");
    const moving = new Set<number>();
    for (const f of fields.slice(8)) {
      if (f.startsWith("[")) moving.add(Number(f.slice(1, f.indexOf("-"))));
    }
    return { epoch: fields[6] ?? "", moving };
  }

  /** A round that marked nothing: refresh, wait a little, and give up after many. */
  async #pause(why: string): Promise<void> {
    if (++this.#idle > MAX_IDLE_ROUNDS) {
      throw new ConnectionError(`scan gave up after ${MAX_IDLE_ROUNDS} rounds: ${why}`);
    }
    this.#d.topology.scheduleRefresh(`scan: ${why}`);
    await new Promise((r) => setTimeout(r, PAUSE_MS));
  }
}

/** The slots where `has` holds, as inclusive ranges. */
function ranges(has: (slot: number) => boolean): number[] {
  return _slotRuns((slot) => (has(slot) ? true : undefined)).get(true) ?? [];
}

function toBase64Url(bytes: Uint8Array): string {
  let bin = "";
  for (const b of bytes) bin += String.fromCharCode(b);
  return btoa(bin).replaceAll("+", "-").replaceAll("/", "_").replace(/=+$/, "");
}

function fromBase64Url(s: string): Uint8Array {
  const bin = atob(s.replaceAll("-", "+").replaceAll("_", "/"));
  return Uint8Array.from(bin, (c) => c.charCodeAt(0));
}

/** A SCAN-family reply: its next cursor and its items. */
export function _page(reply: RedisReply, command: string): [string, RedisReply[]] {
  if (reply instanceof RedisError) throw reply;
  if (!Array.isArray(reply) || reply.length !== 2 || !Array.isArray(reply[1])) {
    throw new TypeError(`${command}: unexpected reply shape`);
  }
  const c = reply[0];
  const cursor = typeof c === "string"
    ? c
    : c instanceof Uint8Array
    ? decoder.decode(c)
    : String(c);
  return [cursor, reply[1]];
}
