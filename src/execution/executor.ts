/**
 * Runs one routed command: sends it to the node `_NodeChoice` picks and follows the retry table
 * through redirections, transient errors and lost connections, within the call's limits (its
 * deadline, its signal, the client's closing).
 * @module
 */
import { Connection } from "../transport/connection.ts";
import type { ConnectionOptions, SendOptions } from "../transport/connection_options.ts";
import type { _NodePool } from "../transport/node_pool.ts";
import type { NodeInfo } from "../topology/node_info.ts";
import type { _Topology } from "../topology/topology.ts";
import type { _ReadYourWrites } from "../topology/read_your_writes.ts";
import type { _Route } from "../routing/command_cache.ts";
import type { ReadFrom } from "../topology/read_policy.ts";
import { CapacityError, ConnectionError, RedisError, TimeoutError } from "../errors.ts";
import { _giveUp, _MAX_PROTOCOL_FAILURES, _protocolCause } from "./_give_up.ts";
import type { Logger } from "../logger.ts";
import type { RedisArgument, RedisReply } from "../types.ts";
import { _RETRY_TABLE } from "./retry_table.ts";
import type { CallOptions } from "./call_options.ts";
import { _bounded, type _CallLimits, _stopError, _stopReason } from "./call_limits.ts";
import { _FirstTry, type _Retrier, type _StartedTry } from "./first_try.ts";
import type { _NodeChoice } from "./node_choice.ts";
import { _asResult, type _RoutedCommand, type _ToResult } from "./routed_command.ts";
import { _sendBlocking, _sendShared } from "./send.ts";
import { _waitReplicas } from "./wait_replicas.ts";
import { _SendOptions } from "./send_options.ts";
import { _RetryWaits } from "./retry_waits.ts";
import { _nameOf } from "./command_name.ts";
import type { _ExecutionEvents } from "./execution_events.ts";

/** Executor settings, validated by the facade. */
export interface _ExecutorOptions {
  readonly maxRedirections: number;
  readonly decode: boolean;
  readonly retryBaseMs: number;
  readonly retryCapMs: number;
  readonly commandTimeoutMs: number | undefined;
  /** Calls that may wait for a connection or the topology at once; more are refused. */
  readonly maxQueueLength: number;
  readonly logger: Logger;
  /** Told of redirections and retries. */
  readonly events?: _ExecutionEvents | undefined;
}

/** The parts the executor drives. */
export interface _ExecutorParts {
  readonly topology: _Topology;
  readonly pool: _NodePool;
  readonly nodeChoice: _NodeChoice;
  readonly readYourWrites: _ReadYourWrites;
  /** Aborted when the client closes: every retry loop and wait ends. */
  readonly closing: AbortSignal;
}

/** Sends commands to the right node and retries them as the retry table says. */
export class _Executor implements _Retrier {
  readonly options: _ExecutorOptions;
  #topology: _Topology;
  #pool: _NodePool;
  #nodeChoice: _NodeChoice;
  #readYourWrites: _ReadYourWrites;
  #closing: AbortSignal;
  /** The limits of calls with no timeout and no signal, shared. */
  #noLimits: _CallLimits;
  #send: _SendOptions;
  #waits: _RetryWaits;
  #retrying = 0;
  /** Calls waiting for the first discovery (see `whileQueued`). */
  #queuedOutside = 0;
  #settled: PromiseWithResolvers<void> | undefined;

  constructor(parts: _ExecutorParts, options: _ExecutorOptions) {
    this.#topology = parts.topology;
    this.#pool = parts.pool;
    this.#nodeChoice = parts.nodeChoice;
    this.#readYourWrites = parts.readYourWrites;
    this.#closing = parts.closing;
    this.#noLimits = {
      deadline: Infinity,
      timeoutMs: undefined,
      signal: undefined,
      closing: parts.closing,
    };
    this.options = options;
    this.#waits = new _RetryWaits(parts.topology, options.retryBaseMs, options.retryCapMs);
    this.#send = new _SendOptions({
      decode: options.decode,
      commandTimeoutMs: options.commandTimeoutMs,
      readsMaster: () => parts.nodeChoice.readsMaster,
      noLimits: this.#noLimits,
    });
  }

  /**
   * The limits of a call made now: its own `timeoutMs` or the client's `commandTimeoutMs`
   * (not for blocking commands, which wait as long as they are told), and its signal.
   */
  limits(options: CallOptions | undefined, blocking: boolean): _CallLimits {
    const timeoutMs = options?.timeoutMs ?? (blocking ? undefined : this.options.commandTimeoutMs);
    const signal = options?.signal;
    if (timeoutMs === undefined && signal === undefined) return this.#noLimits;
    return {
      deadline: timeoutMs === undefined ? Infinity : performance.now() + timeoutMs,
      timeoutMs,
      signal,
      closing: this.#closing,
    };
  }

  /**
   * Runs a command. Without `toResult`, error replies resolve as `RedisError` values; with it
   * (the API edge), the promise settles with the caller's result. A plain command whose node is
   * connected costs one promise: the connection reports to a `_FirstTry`, which settles it.
   */
  run(cmd: _RoutedCommand): Promise<RedisReply>;
  run(cmd: _RoutedCommand, toResult: _ToResult | undefined): Promise<unknown>;
  run(cmd: _RoutedCommand, toResult?: _ToResult): Promise<unknown> {
    if (plain(cmd.options) && !cmd.route.blocking) {
      const node = this.#nodeChoice.target(cmd, undefined);
      if (node !== undefined && node !== null) {
        const options = this.#send.firstTry(cmd);
        const c = this.#pool.get(node);
        if (c instanceof Connection) {
          const first = new _FirstTry(this, cmd, node, toResult);
          c.sendTo(cmd.args, options, first);
          return first.promise;
        }
        // Not connected: the retry loop waits for it (or for the node's backoff) with limits.
        c.catch(() => {});
      }
    }
    const full = this.queueFull(nameOf(cmd));
    if (full !== undefined) return Promise.reject(full);
    return _asResult(this.retry(cmd, undefined), toResult);
  }

  /**
   * The error refusing a new call when `maxQueueLength` calls already wait for a connection,
   * a retry or the topology; `undefined` when there is room.
   */
  queueFull(command: string): CapacityError | undefined {
    const { maxQueueLength } = this.options;
    const waiting = this.#retrying + this.#queuedOutside;
    if (waiting < maxQueueLength) return undefined;
    return new CapacityError(
      `${command} not sent: ${waiting} calls already wait for a connection or the cluster's ` +
        `topology (maxQueueLength ${maxQueueLength})`,
      { option: "maxQueueLength", limit: maxQueueLength },
    );
  }

  /** Counts a call waiting outside the retry loop (for the first discovery) while `p` runs. */
  whileQueued<T>(p: Promise<T>): Promise<T> {
    this.#queuedOutside++;
    return p.finally(() => this.#queuedOutside--);
  }

  /**
   * The retry loop, from a try already under way (`started`) or from scratch; error replies
   * resolve as `RedisError` values. Ends within the call's limits.
   */
  async retry(cmd: _RoutedCommand, started: _StartedTry | undefined): Promise<RedisReply> {
    this.#retrying++;
    try {
      return await this.#retryLoop(cmd, started);
    } catch (e) {
      throw this.#pool.explain(e);
    } finally {
      if (--this.#retrying === 0 && this.#settled !== undefined) {
        this.#settled.resolve();
        this.#settled = undefined;
      }
    }
  }

  /** The retry loop's pause before try `attempt + 1`, with a refresh when asked. */
  backoff(attempt: number, refresh: boolean): Promise<void> {
    const stop = (reason: Parameters<typeof _stopError>[0]): Error =>
      _stopError(reason, "retry", this.#noLimits, attempt, undefined);
    return this.#waits.pause(attempt, refresh, this.#noLimits, stop);
  }

  /** Whether a command is in the retry loop. */
  get busy(): boolean {
    return this.#retrying > 0;
  }

  /** Resolves once no command is in the retry loop. */
  whenSettled(): Promise<void> {
    if (this.#retrying === 0) return Promise.resolve();
    this.#settled ??= Promise.withResolvers();
    return this.#settled.promise;
  }

  async #retryLoop(cmd: _RoutedCommand, started: _StartedTry | undefined): Promise<RedisReply> {
    const { maxRedirections } = this.options;
    const { limits } = cmd;
    const { slot } = cmd.route;
    let asking: NodeInfo | undefined;
    let avoid: string | undefined;
    let last: unknown;
    let tries = started === undefined ? 0 : 1;
    let garbled = 0;
    const stop = (reason: Parameters<typeof _stopError>[0]): Error =>
      _stopError(reason, nameOf(cmd), limits, tries, last);
    for (let attempt = 0; attempt <= maxRedirections; attempt++) {
      const reason = started === undefined ? _stopReason(limits) : undefined;
      if (reason !== undefined) throw stop(reason);
      const node = started?.node ?? asking ?? this.#nodeChoice.target(cmd, avoid);
      const probing = node === null ? this.#nodeChoice.healthPending() : undefined;
      if (probing !== undefined) {
        // Replicas not probed yet are not known to be unusable: wait for the first verdict.
        await _bounded(probing, limits, stop);
        continue;
      }
      if (node === null) {
        // readFrom "replica" never falls back to the master: no usable replica fails at once.
        throw new ConnectionError(
          `${nameOf(cmd)}: no usable replica serves slot ${slot} (readFrom "replica")`,
        );
      }
      if (node === undefined || (slot !== undefined && failedMaster(node, started, asking))) {
        // Nothing to dial: wait for the map to show the shard's (new) master.
        last = new ConnectionError(
          node === undefined
            ? `no node serves slot ${slot} for ${nameOf(cmd)}`
            : `the master of slot ${slot}, ${node.address}, is marked failed`,
          { address: node?.address },
        );
        await this.#waits.master(slot, node?.address, attempt, limits, stop);
        continue;
      }
      let reply: RedisReply;
      try {
        const first = tries === 0;
        if (started === undefined) tries++;
        const outcome = started?.outcome ?? this.#try(node, cmd, asking !== undefined, first, stop);
        started = undefined;
        reply = await outcome;
      } catch (e) {
        if (e instanceof TimeoutError) {
          this.#unknownOutcome(cmd, node);
          const why = _stopReason(limits);
          // A stop of the call (not a per-node connect timeout) ends it, with the whole story.
          if (why !== undefined) throw stop(why);
          throw e;
        }
        if (!(e instanceof ConnectionError)) throw e;
        if (this.#closing.aborted) throw stop("closed");
        if (!e.retryable) throw e;
        // A write that may have reached the server is never sent twice unasked.
        if (e.sent && !cmd.route.readOnly) {
          this.#unknownOutcome(cmd, node);
          throw e;
        }
        // Counted only for a reply that came back garbled, not for the refusals to reconnect
        // that carry the same cause during the node's backoff.
        const garbage = e.sent ? _protocolCause(e) : undefined;
        if (garbage !== undefined && ++garbled >= _MAX_PROTOCOL_FAILURES) throw garbage;
        last = e;
        asking = undefined;
        avoid = node.address;
        this.options.logger.debug(`rcluster: ${nameOf(cmd)} on ${node.address} lost, retrying`, e);
        this.#pool.counters(node.address).retries++;
        this.options.events?.retried(
          nameOf(cmd),
          attempt + 1,
          e.message,
          node.address,
          cmd.options,
        );
        const next = this.#nodeChoice.target(cmd, avoid);
        if (
          slot !== undefined && next?.address === node.address &&
          !this.#pool.isAvailable(node.address)
        ) {
          // The command needs this node and it is down: its replica's promotion ends the wait.
          await this.#waits.master(slot, node.address, attempt, limits, stop);
        } else {
          this.#topology.scheduleRefresh(`lost ${node.address}`);
          await this.#waits.pause(attempt, false, limits, stop);
        }
        continue;
      }
      if (!(reply instanceof RedisError)) {
        this.served(cmd.route, node);
        if (cmd.options !== undefined) await this.#afterReply(node, cmd);
        return reply;
      }
      last = reply;
      asking = undefined;
      const action = _RETRY_TABLE[reply.kind];
      if (action !== "fail") {
        this.options.logger.debug(
          `rcluster: ${nameOf(cmd)} on ${node.address}: ${reply.message} (${action}, attempt ${
            attempt + 1
          })`,
        );
        const counters = this.#pool.counters(node.address);
        if (action === "moved" || action === "ask") counters.redirects++;
        else {
          counters.retries++;
          this.options.events?.retried(
            nameOf(cmd),
            attempt + 1,
            reply.message,
            node.address,
            cmd.options,
          );
        }
      }
      switch (action) {
        case "moved": {
          const master = this.#topology.applyMoved(
            reply.slot ?? 0,
            reply.address ?? "",
            node.host,
          );
          this.options.events?.redirected(
            "MOVED",
            nameOf(cmd),
            reply.slot ?? 0,
            node.address,
            master.address,
            cmd.options,
          );
          // A replica that redirects no longer serves the slot: reads skip it, with backoff.
          if (master.address !== node.address && node.role === "replica") {
            avoid = node.address;
            this.#pool.markFailed(node, reply);
          }
          continue;
        }
        case "ask":
          asking = this.#topology.nodeFor(reply.address ?? "", node.host);
          this.options.events?.redirected(
            "ASK",
            nameOf(cmd),
            reply.slot ?? 0,
            node.address,
            asking.address,
            cmd.options,
          );
          continue;
        case "backoff":
          await this.#waits.pause(attempt, false, limits, stop);
          continue;
        case "refresh":
          await this.#waits.pause(attempt, true, limits, stop);
          continue;
        case "elsewhere":
          if (cmd.route.readOnly) {
            avoid = node.address;
            this.#pool.markFailed(node, reply);
          } else await this.#waits.pause(attempt, false, limits, stop);
          continue;
        case "fail":
          return reply;
      }
    }
    throw _giveUp(nameOf(cmd), tries, last, slot);
  }

  /** A reply came from `node`: a write is recorded, a replica read counted. */
  served(route: _Route, node: NodeInfo): void {
    if (!route.readOnly) this.recordWrite(route, node.address);
    else if (node.role === "replica") this.#pool.counters(node.address).replicaReads++;
  }

  /** Records a successful write for `readYourWrites`. */
  recordWrite(route: _Route, address: string): void {
    if (!route.readOnly && route.slot !== undefined) {
      this.#readYourWrites.recordWrite(route.slot, address);
    }
  }

  /** A write whose outcome is unknown (lost or timed out after it was sent) counts as made. */
  #unknownOutcome(cmd: _RoutedCommand, node: NodeInfo): void {
    this.recordWrite(cmd.route, node.address);
  }

  /** The node for a first try of `route` (see `_NodeChoice.choose`). */
  choose(route: _Route, readFrom: ReadFrom | undefined): NodeInfo | null | undefined {
    return this.#nodeChoice.choose(route, readFrom, undefined);
  }

  /** Whether reads go to masters unless a call says otherwise. */
  get readsMaster(): boolean {
    return this.#nodeChoice.readsMaster;
  }

  /** The node's shared connection, or a promise of it. */
  shared(node: NodeInfo): Connection | Promise<Connection> {
    return this.#pool.get(node);
  }

  /** The shared connection to a node. */
  async connection(node: NodeInfo): Promise<Connection> {
    const c = this.#pool.get(node);
    return c instanceof Connection ? c : await c;
  }

  /**
   * A connection of its own to a node (reused from the idle ones blocking commands share);
   * give it back with `release()`.
   */
  lease(node: NodeInfo): Promise<Connection> {
    return this.#pool.lease(node);
  }

  /** A connection of its own that streams replies answering no command (`MONITOR`). */
  stream(
    node: NodeInfo,
    hooks: Pick<ConnectionOptions, "onExtraReply" | "onPush" | "onClose">,
  ): Promise<Connection> {
    return this.#pool.dedicated(node, hooks);
  }

  /** Gives back a connection from `dedicated()`; it is closed unless clean. */
  release(node: NodeInfo, conn: Connection): Promise<void> {
    return this.#pool.release(node.address, conn);
  }

  /** Sends to one given node without redirection handling (fan-out commands, node clients). */
  async runOn(
    node: NodeInfo,
    args: readonly RedisArgument[],
    options: CallOptions | undefined,
    limits: _CallLimits,
  ): Promise<RedisReply> {
    const stop = (reason: Parameters<typeof _stopError>[0]): Error =>
      _stopError(reason, _nameOf(args), limits, 0, undefined);
    const c = this.#pool.get(node);
    const conn = c instanceof Connection ? c : await _bounded(c, limits, stop);
    return await conn.send(args, this.#send.timed(options, limits));
  }

  /** Send options for a call, with the client's defaults. */
  sendOptions(options: CallOptions | undefined): SendOptions {
    return this.#send.forCall(options);
  }

  async #afterReply(node: NodeInfo, cmd: _RoutedCommand): Promise<void> {
    const { onServed, waitReplicas } = cmd.options ?? {};
    onServed?.({ address: node.address, role: node.role });
    if (waitReplicas === undefined || cmd.route.readOnly) return;
    await _waitReplicas(await this.connection(node), node, nameOf(cmd), waitReplicas);
  }

  /** One try on one node, its wait for a connection bounded by the call's limits. */
  #try(
    node: NodeInfo,
    cmd: _RoutedCommand,
    asking: boolean,
    first: boolean,
    stop: (reason: Parameters<typeof _stopError>[0]) => Error,
  ): Promise<RedisReply> {
    const bounded = <T>(p: Promise<T>): Promise<T> => _bounded(p, cmd.limits, stop);
    if (cmd.route.blocking) {
      const options = this.#send.timed(cmd.options, cmd.limits);
      return _sendBlocking(this.#pool, node, cmd.args, options, asking, bounded);
    }
    const options = this.#send.retryTry(cmd, first);
    return _sendShared(this.#pool, node, cmd.args, options, asking, bounded);
  }
}

/** The slot's master, marked failed by the cluster, for a try not already under way. */
function failedMaster(
  node: NodeInfo,
  started: _StartedTry | undefined,
  asking: NodeInfo | undefined,
): boolean {
  return started === undefined && asking === undefined && node.role === "master" &&
    node.health === "failed";
}

/** Whether `options` leave a call on the one-promise path (no per-call timing or hooks). */
function plain(options: CallOptions | undefined): boolean {
  return options === undefined ||
    (options.signal === undefined && options.timeoutMs === undefined &&
      options.waitReplicas === undefined && options.onServed === undefined);
}

function nameOf(cmd: _RoutedCommand): string {
  return _nameOf(cmd.args);
}
