/**
 * Cross-slot pipelines: queued commands are grouped per node by the connections' per-tick
 * writes, run on all nodes in parallel, and each one follows redirections on its own.
 * @module
 */
import { PipelineError, RedisError } from "../errors.ts";
import type { _Dispatcher } from "../execution/dispatcher.ts";
import type { CallOptions } from "../execution/call_options.ts";
import type { _Route } from "../routing/command_cache.ts";
import type { RedisArgument } from "../types.ts";
import { _installCommands } from "../commands/install.ts";
import { _rawCommand } from "../commands/builder.ts";
import type { BuiltCommand } from "../commands/types.ts";
import type { RedisCommands } from "../commands/command_table.ts";

/**
 * Options of `execute()`.
 *
 * @example
 * ```ts ignore
 * const replies = await rc.pipeline().get("a").incr("a").execute({ throwOnError: false });
 * ```
 */
export interface ExecuteOptions {
  /** Reject with `PipelineError` when any command failed; `false` resolves with the replies,
   * errors in place.
   * @default true */
  throwOnError?: boolean;
}

/**
 * A reply of a streamed pipeline, as soon as its node answered.
 *
 * @example
 * ```ts ignore
 * for await (const { index, reply } of pipe.stream()) console.log(index, reply);
 * ```
 */
export interface StreamedReply {
  /** Position of the command in the pipeline. */
  readonly index: number;
  /** Its reply, or the `Error` it failed with. */
  readonly reply: unknown;
}

/**
 * A pipeline: chain any commands (every typed method and `sendCommand`), then `execute()`.
 * Commands are grouped per node, sent in one write per node, all nodes in parallel; replies come
 * back in the caller's order, and redirected commands are retried on their own.
 *
 * @example
 * ```ts ignore
 * const [a, b] = await rc.pipeline().get("foo81").get("foo16706").execute();
 * ```
 */
export class Pipeline<D extends boolean = false> implements AsyncDisposable {
  static {
    _installCommands(this.prototype, (self, b) => self.#push(b));
  }
  #dispatcher: _Dispatcher;
  #queue: BuiltCommand[] = [];
  #used = false;

  /** @internal Use `rc.pipeline()`. */
  constructor(dispatcher: _Dispatcher) {
    this.#dispatcher = dispatcher;
  }

  /** Number of queued commands. */
  get length(): number {
    return this.#queue.length;
  }

  /** Queues any command. */
  sendCommand(args: readonly RedisArgument[], options?: CallOptions): this {
    return this.#push(_rawCommand("pipeline.sendCommand", args, options));
  }

  /**
   * Runs every queued command; replies come back in the caller's order. Commands answered with
   * `MOVED`, `ASK` or `TRYAGAIN` are retried on their own; the others keep their replies.
   */
  async execute(options?: ExecuteOptions): Promise<unknown[]> {
    const replies = await Promise.all(this.#start());
    if (options?.throwOnError !== false && replies.some((r) => r instanceof Error)) {
      throw new PipelineError(replies);
    }
    return replies;
  }

  /** Yields `{ index, reply }` as each node answers, for large batches. */
  async *stream(): AsyncGenerator<StreamedReply, void, undefined> {
    const promises = this.#start();
    const ready: StreamedReply[] = [];
    let wake: (() => void) | undefined;
    promises.forEach((p, index) =>
      p.then((reply) => {
        ready.push({ index, reply });
        wake?.();
      })
    );
    for (let seen = 0; seen < promises.length;) {
      if (ready.length === 0) await new Promise<void>((r) => wake = r);
      wake = undefined;
      for (let next = ready.shift(); next !== undefined; next = ready.shift()) {
        yield next;
        seen++;
      }
    }
  }

  #push(cmd: BuiltCommand): this {
    if (this.#used) throw new TypeError("pipeline: commands cannot be added after execute()");
    this.#queue.push(cmd);
    return this;
  }

  /** Drops commands that were never executed. */
  discard(): void {
    this.#used = true;
    this.#queue = [];
  }

  /** `await using pipe = rc.pipeline()` discards what was not executed. */
  [Symbol.asyncDispose](): Promise<void> {
    this.discard();
    return Promise.resolve();
  }

  /** Starts every command in one synchronous loop, so each node gets one write. */
  #start(): Promise<unknown>[] {
    if (this.#used) throw new TypeError("pipeline: execute() may be called once");
    this.#used = true;
    const queue = this.#queue;
    this.#queue = [];
    const started = this.#prepare(queue).then(
      (calls) => queue.map((q, i) => this.#run(q, calls[i])),
      (e: unknown) => queue.map(() => Promise.resolve(asError(e))),
    );
    return queue.map((_, i) => started.then((all) => all[i]));
  }

  /**
   * Per-command call options. Reads of a slot that this pipeline writes go to the master, on
   * the connection the writes use, so they see exactly the writes queued before them: a replica
   * could miss those, or already hold the ones queued after. A pipeline means what its commands
   * mean one by one, even when reads may use replicas.
   */
  async #prepare(queue: readonly BuiltCommand[]): Promise<(CallOptions | undefined)[]> {
    await this.#dispatcher.ready();
    const pending = queue.map((q) => this.#dispatcher.commands.route(q.args));
    const routes = pending.some((r) => r instanceof Promise)
      ? await Promise.all(pending)
      : pending as _Route[];
    const written = new Set<number>();
    for (const r of routes) if (!r.readOnly && r.slot !== undefined) written.add(r.slot);
    return queue.map((q, i) => {
      const { slot, readOnly } = routes[i]!;
      return readOnly && slot !== undefined && written.has(slot)
        ? { ...q.options, readFrom: "master" }
        : q.options;
    });
  }

  #run(q: BuiltCommand, options: CallOptions | undefined): Promise<unknown> {
    return this.#dispatcher.send(q.args, options, true).then(
      (r) => r instanceof RedisError ? r : q.transform ? q.transform(r) : r,
      asError,
    );
  }
}

function asError(e: unknown): Error {
  return e instanceof Error ? e : new Error(String(e));
}

/** Typed command methods of a pipeline; each returns the pipeline. */
export interface Pipeline<D extends boolean = false> extends RedisCommands<D, "queue"> {}
