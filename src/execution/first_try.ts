/**
 * The API edge of a command (error replies thrown, the method's transform applied) and the
 * one-promise path of a command's first try.
 * @module
 */
import { RedisError } from "../errors.ts";
import { _RETRY_TABLE } from "./retry_table.ts";
import type { ReplySink } from "../transport/connection_options.ts";
import type { NodeInfo } from "../topology/read_policy.ts";
import type { RedisReply } from "../types.ts";
import type { _Command, _Executor } from "./executor.ts";

/** What the API edge does with a final reply: throw an error reply, else transform it. */
export interface _Edge {
  readonly transform?: ((reply: RedisReply) => unknown) | undefined;
}

/** The API edge's handling of a final reply; a `RedisError` reply throws. */
export function _finish(reply: RedisReply, edge: _Edge): unknown {
  if (reply instanceof RedisError) throw reply;
  return edge.transform ? edge.transform(reply) : reply;
}

/** `p`, settled as the API edge does when there is one. */
export function _atEdge(p: Promise<RedisReply>, edge: _Edge | undefined): Promise<unknown> {
  return edge === undefined ? p : p.then((reply) => _finish(reply, edge));
}

/**
 * One command's first try on a connected node. The connection reports straight to it, and it
 * settles the command's only promise, unless the reply asks for a retry: then the retry loop
 * takes over from this outcome.
 */
export class _Call implements ReplySink {
  readonly promise: Promise<unknown>;
  #resolve: (value: unknown) => void;
  #reject: (error: unknown) => void;
  #executor: _Executor;
  #cmd: _Command;
  #node: NodeInfo;
  #edge: _Edge | undefined;

  constructor(executor: _Executor, cmd: _Command, node: NodeInfo, edge: _Edge | undefined) {
    const { promise, resolve, reject } = Promise.withResolvers<unknown>();
    this.promise = promise;
    this.#resolve = resolve;
    this.#reject = reject;
    this.#executor = executor;
    this.#cmd = cmd;
    this.#node = node;
    this.#edge = edge;
  }

  reply(reply: RedisReply): void {
    if (reply instanceof RedisError) {
      if (_RETRY_TABLE[reply.kind] !== "fail") return this.#resume(Promise.resolve(reply));
    } else this.#executor.wrote(this.#cmd, this.#node);
    this.#settle(reply);
  }

  fail(error: Error): void {
    this.#resume(Promise.reject(error));
  }

  #resume(outcome: Promise<RedisReply>): void {
    this.#executor.resume(this.#cmd, { node: this.#node, outcome })
      .then((reply) => this.#settle(reply), this.#reject);
  }

  #settle(reply: RedisReply): void {
    if (this.#edge === undefined) return this.#resolve(reply);
    try {
      this.#resolve(_finish(reply, this.#edge));
    } catch (e) {
      this.#reject(e);
    }
  }
}
