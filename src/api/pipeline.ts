/**
 * Cross-slot pipelines: queued commands are grouped per node by the connections' per-tick
 * writes, run on all nodes in parallel, and each one follows redirections on its own.
 * @module
 */
import { PipelineError } from "../errors.ts";
import type { _Dispatcher } from "../execution/dispatcher.ts";
import { type _PipelineCommands, _runPipeline } from "../execution/pipeline_run.ts";
import type { CallOptions } from "../execution/call_options.ts";
import type { RedisArgument, RedisReply } from "../types.ts";
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
 * Its replies are what the commands give when sent one at a time, in order: every command is
 * routed first (multi-key commands split per slot, cluster-wide ones sent to every node, key
 * layouts the metadata cannot express asked of the server), then all are written in one pass,
 * in order, one socket write per node, all nodes in parallel. A redirected command is retried
 * on its own; reads of slots the pipeline writes stay on the master.
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
  #queue = emptyQueue();
  #used = false;

  /** @internal Use `rc.pipeline()`. */
  constructor(dispatcher: _Dispatcher) {
    this.#dispatcher = dispatcher;
  }

  /** Number of queued commands. */
  get length(): number {
    return this.#queue.args.length;
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
    const queue = this.#take();
    const results = new Array<unknown>(queue.args.length);
    await _runPipeline(this.#dispatcher, queue, (i, r) => results[i] = r).catch((e: unknown) =>
      results.fill(asError(e))
    );
    if (options?.throwOnError !== false && results.some((r) => r instanceof Error)) {
      throw new PipelineError(results);
    }
    return results;
  }

  /**
   * Yields `{ index, reply }` as each reply arrives, for large batches; ends once every command
   * has its reply, errors (a failed transform included) in place.
   */
  async *stream(): AsyncGenerator<StreamedReply, void, undefined> {
    const queue = this.#take();
    let results: StreamedReply[] = [];
    let wake: (() => void) | undefined;
    let failure: Error | undefined;
    let finished = false;
    const running = _runPipeline(this.#dispatcher, queue, (index, reply) => {
      results.push({ index, reply });
      wake?.();
    }).catch((e: unknown) => failure = asError(e)).finally(() => {
      finished = true;
      wake?.();
    });
    let seen = 0;
    while (seen < queue.args.length) {
      if (results.length === 0) {
        if (finished) break;
        await new Promise<void>((r) => wake = r);
        wake = undefined;
        continue;
      }
      const ready = results;
      results = [];
      for (const item of ready) {
        seen++;
        yield item;
      }
    }
    await running;
    // A run that could not start (no cluster): every command not yet reported fails alike.
    if (failure !== undefined) {
      for (let index = 0; seen < queue.args.length; index++, seen++) {
        yield { index, reply: failure };
      }
    }
  }

  #push(cmd: BuiltCommand): this {
    if (this.#used) throw new TypeError("pipeline: commands cannot be added after execute()");
    const q = this.#queue;
    // A copy of exactly its size: a long pipeline holds every command until it runs (and the
    // caller may reuse its own array at once).
    q.args.push(cmd.args.length <= 32 ? cmd.args.slice() : cmd.args);
    q.options.push(cmd.options);
    q.transforms.push(cmd.transform);
    return this;
  }

  /** Drops commands that were never executed. */
  discard(): void {
    this.#used = true;
    this.#queue = emptyQueue();
  }

  /** `await using pipe = rc.pipeline()` discards what was not executed. */
  [Symbol.asyncDispose](): Promise<void> {
    this.discard();
    return Promise.resolve();
  }

  #take(): _PipelineCommands {
    if (this.#used) throw new TypeError("pipeline: execute() may be called once");
    this.#used = true;
    const queue = this.#queue;
    this.#queue = emptyQueue();
    return queue;
  }
}

function emptyQueue(): {
  args: (readonly RedisArgument[])[];
  options: (CallOptions | undefined)[];
  transforms: (((reply: RedisReply) => unknown) | undefined)[];
} {
  return { args: [], options: [], transforms: [] };
}

function asError(e: unknown): Error {
  return e instanceof Error ? e : new Error(String(e));
}

/** Typed command methods of a pipeline; each returns the pipeline. */
export interface Pipeline<D extends boolean = false> extends RedisCommands<D, "queue"> {}
