/**
 * Runs one routed command: sends it to the node `_NodeChoice` picks and follows the retry table
 * through redirections, transient errors and lost connections.
 * @module
 */
import { Connection } from "../transport/connection.ts";
import type { SendOptions } from "../transport/connection_options.ts";
import type { _NodePool } from "../transport/node_pool.ts";
import { _backoffMs } from "../transport/backoff.ts";
import type { NodeInfo } from "../topology/node_info.ts";
import type { _Topology } from "../topology/topology.ts";
import type { _ReadYourWrites } from "../topology/read_your_writes.ts";
import { ClusterRedirectionError, ConnectionError, RedisError, TimeoutError } from "../errors.ts";
import type { Logger } from "../logger.ts";
import type { RedisArgument, RedisReply } from "../types.ts";
import type { _Route } from "../routing/command_cache.ts";
import { _RETRY_TABLE } from "./retry_table.ts";
import type { CallOptions } from "./call_options.ts";
import { _FirstTry, type _Retrier, type _StartedTry } from "./first_try.ts";
import type { _NodeChoice } from "./node_choice.ts";
import { _asResult, type _RoutedCommand, type _ToResult } from "./routed_command.ts";
import { _sendBlocking, _sendShared } from "./send.ts";
import { _waitReplicas } from "./wait_replicas.ts";

/** Executor settings, validated by the facade. */
export interface _ExecutorOptions {
  readonly maxRedirections: number;
  readonly decode: boolean;
  readonly retryBaseMs: number;
  readonly retryCapMs: number;
  readonly commandTimeoutMs: number | undefined;
  readonly logger: Logger;
}

/** The parts the executor drives. */
export interface _ExecutorParts {
  readonly topology: _Topology;
  readonly pool: _NodePool;
  readonly nodeChoice: _NodeChoice;
  readonly readYourWrites: _ReadYourWrites;
}

/** Sends commands to the right node and retries them as the retry table says. */
export class _Executor implements _Retrier {
  readonly options: _ExecutorOptions;
  #topology: _Topology;
  #pool: _NodePool;
  #nodeChoice: _NodeChoice;
  #readYourWrites: _ReadYourWrites;
  #defaults: SendOptions | undefined;

  constructor(parts: _ExecutorParts, options: _ExecutorOptions) {
    this.#topology = parts.topology;
    this.#pool = parts.pool;
    this.#nodeChoice = parts.nodeChoice;
    this.#readYourWrites = parts.readYourWrites;
    this.options = options;
  }

  /**
   * Runs a command. Without `toResult`, error replies resolve as `RedisError` values; with it
   * (the API edge), the promise settles with the caller's result. A plain command whose node is
   * connected costs one promise: the connection reports to a `_FirstTry`, which settles it.
   */
  run(cmd: _RoutedCommand): Promise<RedisReply>;
  run(cmd: _RoutedCommand, toResult: _ToResult | undefined): Promise<unknown>;
  run(cmd: _RoutedCommand, toResult?: _ToResult): Promise<unknown> {
    if (cmd.options === undefined && !cmd.route.blocking) {
      const node = this.#nodeChoice.target(cmd, undefined);
      if (node !== undefined) {
        const options = this.#commandOptions(cmd);
        const c = this.#pool.get(node);
        if (c instanceof Connection) {
          const first = new _FirstTry(this, cmd, node, toResult);
          c.sendTo(cmd.args, options, first);
          return first.promise;
        }
        const outcome = c.then((conn) => conn.send(cmd.args, options));
        return _asResult(this.retry(cmd, { node, outcome }), toResult);
      }
    }
    return _asResult(this.retry(cmd, undefined), toResult);
  }

  /**
   * The retry loop, from a try already under way (`started`) or from scratch; error replies
   * resolve as `RedisError` values.
   */
  async retry(cmd: _RoutedCommand, started: _StartedTry | undefined): Promise<RedisReply> {
    const { maxRedirections } = this.options;
    const signal = cmd.options?.signal;
    let asking: NodeInfo | undefined;
    let avoid: string | undefined;
    let last: unknown;
    for (let attempt = 0; attempt <= maxRedirections; attempt++) {
      if (signal?.aborted) throw aborted(cmd, signal);
      const node = started?.node ?? asking ?? this.#nodeChoice.target(cmd, avoid);
      if (node === undefined) {
        last = new ConnectionError(`no node serves slot ${cmd.route.slot} for ${nameOf(cmd)}`);
        await this.#pause(attempt, true);
        continue;
      }
      let reply: RedisReply;
      try {
        const outcome = started?.outcome ?? this.#try(node, cmd, asking !== undefined);
        started = undefined;
        reply = await outcome;
      } catch (e) {
        if (!(e instanceof ConnectionError)) throw e;
        // A write that may have reached the server is never sent twice unasked.
        if (e.sent && !cmd.route.readOnly) throw e;
        last = e;
        asking = undefined;
        avoid = node.address;
        this.options.logger.debug(`rcluster: ${nameOf(cmd)} on ${node.address} lost, retrying`, e);
        this.#topology.scheduleRefresh(`lost ${node.address}`);
        await this.#pause(attempt, false);
        continue;
      }
      if (!(reply instanceof RedisError)) {
        this.recordWrite(cmd.route, node.address);
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
    throw new ClusterRedirectionError(nameOf(cmd), maxRedirections + 1, last, cmd.route.slot);
  }

  /** Records a successful write for `readYourWrites`. */
  recordWrite(route: _Route, address: string): void {
    if (!route.readOnly && route.slot !== undefined) {
      this.#readYourWrites.recordWrite(route.slot, address);
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
    options?: CallOptions,
  ): Promise<RedisReply> {
    const conn = await this.connection(node);
    return await conn.send(args, this.sendOptions(options));
  }

  /** Send options for a call, with the client's defaults. */
  sendOptions(options: CallOptions | undefined): SendOptions {
    if (options === undefined) {
      return this.#defaults ??= {
        decode: this.options.decode,
        timeoutMs: this.options.commandTimeoutMs,
      };
    }
    return {
      decode: this.options.decode,
      timeoutMs: options.timeoutMs ?? this.options.commandTimeoutMs,
      signal: options.signal,
    };
  }

  async #afterReply(node: NodeInfo, cmd: _RoutedCommand): Promise<void> {
    const { onServed, waitReplicas } = cmd.options ?? {};
    onServed?.({ address: node.address, role: node.role });
    if (waitReplicas === undefined || cmd.route.readOnly) return;
    await _waitReplicas(await this.connection(node), node, nameOf(cmd), waitReplicas);
  }

  /** One try on one node. */
  #try(node: NodeInfo, cmd: _RoutedCommand, asking: boolean): Promise<RedisReply> {
    if (cmd.route.blocking) {
      const options = { ...this.sendOptions(cmd.options), timeoutMs: cmd.options?.timeoutMs };
      return _sendBlocking(this.#pool, node, cmd.args, options, asking);
    }
    return _sendShared(this.#pool, node, cmd.args, this.#commandOptions(cmd), asking);
  }

  #commandOptions(cmd: _RoutedCommand): SendOptions {
    const options = this.sendOptions(cmd.options);
    return cmd.inPipeline ? { ...options, inPipeline: true } : options;
  }

  async #pause(attempt: number, refresh: boolean): Promise<void> {
    const { retryBaseMs, retryCapMs } = this.options;
    const wait = sleep(_backoffMs(attempt, retryBaseMs, retryCapMs, Math.random));
    if (refresh) {
      await Promise.all([this.#topology.refresh().catch(() => undefined), wait]);
    } else await wait;
  }
}

/** The command's name for messages, upper case. */
export function _nameOf(args: readonly RedisArgument[]): string {
  const a = args[0];
  return typeof a === "string" ? a.toUpperCase() : String(a);
}

function nameOf(cmd: _RoutedCommand): string {
  return _nameOf(cmd.args);
}

function aborted(cmd: _RoutedCommand, signal: AbortSignal): TimeoutError {
  return new TimeoutError(`${nameOf(cmd)} was aborted`, { cause: signal.reason });
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
