/**
 * Runs one routed command: picks its node, sends it, and follows the retry table through
 * redirections, transient errors and lost connections.
 * @module
 */
import { Connection } from "../transport/connection.ts";
import type { SendOptions } from "../transport/connection_options.ts";
import { ClusterRedirectionError, ConnectionError, RedisError, TimeoutError } from "../errors.ts";
import { _chooseReader } from "../topology/read_policy.ts";
import type { _ReadContext, NodeInfo, ReadFrom } from "../topology/read_policy.ts";
import { _backoffMs, _RETRY_TABLE } from "./retry_table.ts";
import type { _NodePool } from "../transport/node_pool.ts";
import type { _Topology, Logger } from "../topology/topology.ts";
import type { _Route } from "../routing/command_cache.ts";
import type { RedisArgument, RedisReply } from "../types.ts";
import type { CallOptions } from "./call_options.ts";
import type { _Freshness } from "../topology/freshness.ts";
import { _atEdge, _Call } from "./first_try.ts";
import type { _Edge } from "./first_try.ts";

/** Executor settings, validated by the facade. */
export interface _ExecutorOptions {
  readonly maxRedirections: number;
  readonly readFrom: ReadFrom;
  readonly decode: boolean;
  readonly retryBaseMs: number;
  readonly retryCapMs: number;
  readonly commandTimeoutMs: number | undefined;
  readonly logger: Logger;
}

/** A command ready to run. */
export interface _Command {
  readonly args: readonly RedisArgument[];
  readonly route: _Route;
  readonly call: CallOptions | undefined;
  /** Part of an explicit pipeline: written with the rest of it, whatever `autoPipelining` says. */
  readonly batch?: boolean;
}

/** A first try already under way, for the retry loop to pick up. */
export interface _FirstTry {
  readonly node: NodeInfo;
  readonly outcome: Promise<RedisReply>;
}

/** Sends commands to the right node and retries them as the retry table says. */
export class _Executor {
  #topology: _Topology;
  #pool: _NodePool;
  #options: _ExecutorOptions;
  readonly freshness: _Freshness;

  constructor(
    topology: _Topology,
    pool: _NodePool,
    freshness: _Freshness,
    options: _ExecutorOptions,
  ) {
    this.#topology = topology;
    this.#pool = pool;
    this.freshness = freshness;
    this.#options = options;
  }

  /**
   * Runs a command. Without `edge`, error replies resolve as `RedisError` values; with it (the
   * API edge), they reject and other replies get the edge's transform. A plain command whose
   * node is connected costs one promise: the connection reports to a `_Call`, which settles it.
   */
  run(cmd: _Command): Promise<RedisReply>;
  run(cmd: _Command, edge: _Edge | undefined): Promise<unknown>;
  run(cmd: _Command, edge?: _Edge): Promise<unknown> {
    if (cmd.call === undefined && !cmd.route.blocking) {
      const node = this.#target(cmd, undefined);
      if (node !== undefined) {
        const options = this.#commandOptions(cmd);
        const c = this.#pool.get(node);
        if (c instanceof Connection) {
          const call = new _Call(this, cmd, node, edge);
          c.sendTo(cmd.args, options, call);
          return call.promise;
        }
        const outcome = c.then((conn) => sendOn(conn, cmd.args, options, false));
        return _atEdge(this.resume(cmd, { node, outcome }), edge);
      }
    }
    return _atEdge(this.resume(cmd, undefined), edge);
  }

  /**
   * The retry loop, from a first try already made (`first`) or from scratch; error replies
   * resolve as `RedisError` values.
   */
  async resume(cmd: _Command, first: _FirstTry | undefined): Promise<RedisReply> {
    const { maxRedirections } = this.#options;
    const signal = cmd.call?.signal;
    let asking: NodeInfo | undefined;
    let avoid: string | undefined;
    let last: unknown;
    for (let attempt = 0; attempt <= maxRedirections; attempt++) {
      if (signal?.aborted) throw aborted(cmd, signal);
      const node = first?.node ?? asking ?? this.#target(cmd, avoid);
      if (node === undefined) {
        last = new ConnectionError(`no node serves slot ${cmd.route.slot} for ${name(cmd)}`);
        await this.#pause(attempt, true);
        continue;
      }
      let reply: RedisReply;
      try {
        const outcome = first?.outcome ?? this.#attempt(node, cmd, asking !== undefined);
        first = undefined;
        reply = await outcome;
      } catch (e) {
        if (!(e instanceof ConnectionError)) throw e;
        // A write that may have reached the server is never sent twice unasked.
        if (e.sent && !cmd.route.readOnly) throw e;
        last = e;
        asking = undefined;
        avoid = node.address;
        this.#options.logger.debug(`rcluster: ${name(cmd)} on ${node.address} lost, retrying`, e);
        this.#topology.scheduleRefresh(`lost ${node.address}`);
        await this.#pause(attempt, false);
        continue;
      }
      if (!(reply instanceof RedisError)) {
        this.wrote(cmd, node);
        if (cmd.call !== undefined) await this.#afterReply(node, cmd);
        return reply;
      }
      last = reply;
      asking = undefined;
      const action = _RETRY_TABLE[reply.kind];
      if (action !== "fail") {
        this.#options.logger.debug(
          `rcluster: ${name(cmd)} on ${node.address}: ${reply.message} (${action}, attempt ${
            attempt + 1
          })`,
        );
      }
      switch (action) {
        case "moved": {
          const master = this.#topology.applyMoved(reply.slot ?? 0, reply.address ?? "");
          // A replica that redirects no longer serves the slot: reads skip it, with backoff.
          if (master.address !== node.address && node.role === "replica") {
            avoid = node.address;
            this.#pool.markFailed(node.address, reply);
          }
          continue;
        }
        case "ask":
          asking = this.#topology.nodeFor(reply.address ?? "");
          continue;
        case "backoff":
          await this.#pause(attempt, false);
          continue;
        case "refresh":
          await this.#pause(attempt, true);
          continue;
        case "elsewhere":
          if (cmd.route.readOnly) {
            avoid = node.address;
            this.#pool.markFailed(node.address, reply);
          } else await this.#pause(attempt, false);
          continue;
        case "fail":
          return reply;
      }
    }
    throw new ClusterRedirectionError(name(cmd), maxRedirections + 1, last, cmd.route.slot);
  }

  /** Records a successful write for `readYourWrites`. */
  wrote(cmd: _Command, node: NodeInfo): void {
    if (!cmd.route.readOnly && cmd.route.slot !== undefined) {
      this.freshness.wrote(cmd.route.slot, node.address);
    }
  }

  async #afterReply(node: NodeInfo, cmd: _Command): Promise<void> {
    const { onServed, waitReplicas } = cmd.call ?? {};
    onServed?.({ address: node.address, role: node.role });
    if (waitReplicas === undefined || cmd.route.readOnly) return;
    const { replicas, timeoutMs } = waitReplicas;
    // WAIT covers every earlier write on this connection, ours included.
    const conn = await this.connection(node);
    const acked = await conn.send(["WAIT", replicas, timeoutMs]);
    if (typeof acked !== "number" || acked < replicas) {
      throw new TimeoutError(
        `${name(cmd)} reached ${String(acked)} of ${replicas} replicas within ${timeoutMs} ms ` +
          `on ${node.address} (the write itself succeeded)`,
        { address: node.address },
      );
    }
  }

  /** The shared connection to a node. */
  async connection(node: NodeInfo): Promise<Connection> {
    const c = this.#pool.get(node);
    return c instanceof Connection ? c : await c;
  }

  /** A connection of its own to a node; the caller closes it. */
  dedicated(node: NodeInfo): Promise<Connection> {
    return this.#pool.dedicated(node);
  }

  /** Sends to one given node without redirection handling (fan-out commands). */
  async runOn(
    node: NodeInfo,
    args: readonly RedisArgument[],
    call?: CallOptions,
  ): Promise<RedisReply> {
    const c = this.#pool.get(node);
    const conn = c instanceof Connection ? c : await c;
    return await conn.send(args, this.sendOptions(call));
  }

  #target(cmd: _Command, avoid: string | undefined): NodeInfo | undefined {
    const map = this.#topology.map;
    const { slot, readOnly } = cmd.route;
    if (slot === undefined) return this.#keylessNode();
    const shard = map.shardOf(slot);
    if (shard === undefined) return undefined;
    if (!readOnly) return shard.master;
    const own = cmd.call?.readFrom;
    if (own !== undefined && own !== "master") {
      this.freshness.wantReplicas();
      if (own === "nearest") this.#topology.wantLatency();
    }
    const readFrom = this.freshness.mustReadMaster(slot) ? "master" : own ?? this.#options.readFrom;
    return _chooseReader(shard, readFrom, this.#readContext(avoid));
  }

  #keyless: NodeInfo | undefined;

  // Keyless commands keep to one master while it stays one, so SCAN's cursor pages on the node
  // that issued it; each client picks its own at random, which spreads clients over the masters.
  #keylessNode(): NodeInfo | undefined {
    const masters = this.#topology.map.servingShards().map((s) => s.master);
    const kept = masters.find((m) => m.address === this.#keyless?.address);
    if (kept) return kept;
    this.#keyless = masters[Math.floor(Math.random() * masters.length)];
    return this.#keyless;
  }

  // One context per executor: _chooseReader is synchronous, so `#avoid` holds for its call.
  #avoid: string | undefined;
  #context: _ReadContext = {
    // Redis 7.0 gossip shows fresh replicas as "loading" until their offset moves, so a
    // replica's own ROLE answer, when polled, outranks the topology's health field.
    usable: (n) =>
      n.address !== this.#avoid && n.health !== "failed" && this.#pool.isAvailable(n.address) &&
      (this.freshness.replicaUsable(n) ?? n.health === "online"),
    latency: (a) => this.#topology.latency(a),
    random: Math.random,
  };

  #readContext(avoid: string | undefined): _ReadContext {
    this.#avoid = avoid;
    return this.#context;
  }

  /** One try on one node; a plain command costs the connection's own promise and no other. */
  #attempt(node: NodeInfo, cmd: _Command, asking: boolean): Promise<RedisReply> {
    if (cmd.route.blocking) return this.#sendBlocking(node, cmd, asking);
    const options = this.#commandOptions(cmd);
    const c = this.#pool.get(node);
    if (c instanceof Connection) return sendOn(c, cmd.args, options, asking);
    return c.then((conn) => sendOn(conn, cmd.args, options, asking));
  }

  // Blocking commands wait on a leased connection, and only an explicit timeoutMs cuts them short.
  async #sendBlocking(node: NodeInfo, cmd: _Command, asking: boolean): Promise<RedisReply> {
    const conn = await this.#pool.lease(node);
    const options = { ...this.sendOptions(cmd.call), timeoutMs: cmd.call?.timeoutMs };
    try {
      return await sendOn(conn, cmd.args, options, asking);
    } finally {
      // A timed-out BLPOP may still be waiting on the server: that connection is not reused.
      await this.#pool.release(node.address, conn);
    }
  }

  #defaults: SendOptions | undefined;

  #commandOptions(cmd: _Command): SendOptions {
    const options = this.sendOptions(cmd.call);
    return cmd.batch ? { ...options, batch: true } : options;
  }

  /** Send options for a call, with the client's defaults. */
  sendOptions(call: CallOptions | undefined): SendOptions {
    if (call === undefined) {
      return this.#defaults ??= {
        decode: this.#options.decode,
        timeoutMs: this.#options.commandTimeoutMs,
      };
    }
    return {
      decode: this.#options.decode,
      timeoutMs: call?.timeoutMs ?? this.#options.commandTimeoutMs,
      signal: call?.signal,
    };
  }

  async #pause(attempt: number, refresh: boolean): Promise<void> {
    const { retryBaseMs, retryCapMs } = this.#options;
    const wait = sleep(_backoffMs(attempt, retryBaseMs, retryCapMs, Math.random));
    if (refresh) {
      await Promise.all([this.#topology.refresh().catch(() => undefined), wait]);
    } else await wait;
  }
}

function sendOn(
  conn: Connection,
  args: readonly RedisArgument[],
  options: SendOptions,
  asking: boolean,
): Promise<RedisReply> {
  if (!asking) return conn.send(args, options);
  // ASKING applies to the next command on this connection only; both go in the same write.
  return Promise.all([conn.send(["ASKING"]), conn.send(args, options)]).then(([ok, reply]) =>
    ok instanceof RedisError ? ok : reply
  );
}

function name(cmd: _Command): string {
  const a = cmd.args[0];
  return typeof a === "string" ? a.toUpperCase() : String(a);
}

function aborted(cmd: _Command, signal: AbortSignal): TimeoutError {
  return new TimeoutError(`${name(cmd)} was aborted`, { cause: signal.reason });
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
