/**
 * The one-promise path of a command's first try on a connected node: the connection reports
 * straight to a `_FirstTry`, which settles the command's only promise, unless the reply asks
 * for a retry: then the retry loop takes over from this outcome.
 * @module
 */
import { RedisError } from "../errors.ts";
import { _RETRY_TABLE } from "./retry_table.ts";
import type { ReplySink } from "../transport/connection_options.ts";
import type { NodeInfo } from "../topology/node_info.ts";
import type { RedisReply } from "../types.ts";
import type { _Route } from "../routing/command_cache.ts";
import { _resultOf, type _RoutedCommand, type _ToResult } from "./routed_command.ts";

/** A try already under way on `node`, for the retry loop to continue from. */
export interface _StartedTry {
  readonly node: NodeInfo;
  readonly outcome: Promise<RedisReply>;
}

/** What a first try hands back to: the retry loop and the write record of the executor. */
export interface _Retrier {
  retry(cmd: _RoutedCommand, started: _StartedTry | undefined): Promise<RedisReply>;
  /** A reply came from `node`: recorded for read-your-writes and the node's counters. */
  served(route: _Route, node: NodeInfo): void;
}

/** A command's first try, settling its promise from the connection's read loop. */
export class _FirstTry implements ReplySink {
  readonly promise: Promise<unknown>;
  #resolve: (value: unknown) => void;
  #reject: (error: unknown) => void;
  #retrier: _Retrier;
  #cmd: _RoutedCommand;
  #node: NodeInfo;
  #toResult: _ToResult | undefined;

  constructor(
    retrier: _Retrier,
    cmd: _RoutedCommand,
    node: NodeInfo,
    toResult: _ToResult | undefined,
  ) {
    const { promise, resolve, reject } = Promise.withResolvers<unknown>();
    this.promise = promise;
    this.#resolve = resolve;
    this.#reject = reject;
    this.#retrier = retrier;
    this.#cmd = cmd;
    this.#node = node;
    this.#toResult = toResult;
  }

  reply(reply: RedisReply): void {
    if (reply instanceof RedisError) {
      if (_RETRY_TABLE[reply.kind] !== "fail") return this.#retry(Promise.resolve(reply));
    } else this.#retrier.served(this.#cmd.route, this.#node);
    this.#settle(reply);
  }

  fail(error: Error): void {
    this.#retry(Promise.reject(error));
  }

  #retry(outcome: Promise<RedisReply>): void {
    this.#retrier.retry(this.#cmd, { node: this.#node, outcome })
      .then((reply) => this.#settle(reply), this.#reject);
  }

  #settle(reply: RedisReply): void {
    if (this.#toResult === undefined) return this.#resolve(reply);
    try {
      this.#resolve(_resultOf(reply, this.#toResult));
    } catch (e) {
      this.#reject(e);
    }
  }
}
