/**
 * One run of an explicit pipeline. Every command is routed first (split multi-key commands into
 * their per-slot parts, cluster-wide commands into one send per node, unknown key layouts asked
 * of the server), then all are written in one synchronous pass, in order, so each node's socket
 * gets them in the caller's order. The connections report each reply straight into the run by
 * index; only commands that must be retried (MOVED, ASK, TRYAGAIN, a lost read) leave for the
 * retry loop, and write their outcome back by index. One promise for the whole pipeline.
 * @module
 */
import { Connection } from "../transport/connection.ts";
import type { ReplySink, SendOptions } from "../transport/connection_options.ts";
import type { NodeInfo } from "../topology/node_info.ts";
import type { _Route } from "../routing/command_cache.ts";
import { _commandName } from "../routing/command_name.ts";
import { _merge, type _Part, _split } from "../routing/multi_key.ts";
import { _combine, type _FanOut, _fanOutRule } from "../routing/fan_out.ts";
import { ConnectionError, RedisError } from "../errors.ts";
import type { RedisArgument, RedisReply } from "../types.ts";
import type { CallOptions } from "./call_options.ts";
import type { _CallLimits } from "./call_limits.ts";
import { _RETRY_TABLE } from "./retry_table.ts";
import type { _Dispatcher } from "./dispatcher.ts";
import type { _RoutedCommand } from "./routed_command.ts";

/** One queued command of a pipeline: what a typed method or `sendCommand` built. */
export interface _PipelineCommand {
  readonly args: readonly RedisArgument[];
  readonly options: CallOptions | undefined;
  readonly transform: ((reply: RedisReply) => unknown) | undefined;
}

/** How the run hands each final result (transform applied, errors as values) to its caller. */
export type _OnResult = (index: number, result: unknown) => void;

/** One send: a whole command, a part of a split one, or a cluster-wide command's node. */
interface _Send {
  readonly args: readonly RedisArgument[];
  /** The queued command it belongs to, and its place among that command's sends. */
  readonly owner: number;
  readonly part: number;
  /** A cluster-wide command's send goes to this node only, and is never retried elsewhere. */
  readonly fixed: boolean;
  route: _Route;
  node: NodeInfo | undefined;
  /** The command's options; for a read of a slot the pipeline writes, `readFrom: "master"`. */
  options: CallOptions | undefined;
}

/** A queued command that waits for several sends (parts, or one per node). */
interface _Gather {
  readonly replies: RedisReply[];
  remaining: number;
  readonly parts?: readonly _Part[];
  readonly fan?: _FanOut;
  readonly name: string;
}

const FORCED_MASTER = { readFrom: "master" } as const;

/** Runs `commands` as one pipeline; resolves once every command has its result. */
export function _runPipeline(
  dispatcher: _Dispatcher,
  commands: readonly _PipelineCommand[],
  onResult: _OnResult,
): Promise<void> {
  const run = new _PipelineRun(dispatcher, commands, onResult);
  return run.start();
}

class _PipelineRun {
  #d: _Dispatcher;
  #commands: readonly _PipelineCommand[];
  #onResult: _OnResult;
  #sends: _Send[] = [];
  /** Per queued command: its gather (split, fan-out), or undefined for a single send. */
  #gathers: (_Gather | undefined)[];
  #remaining: number;
  #done = Promise.withResolvers<void>();
  #limits: _CallLimits;
  #sendOptions: SendOptions;

  constructor(dispatcher: _Dispatcher, commands: readonly _PipelineCommand[], onResult: _OnResult) {
    this.#d = dispatcher;
    this.#commands = commands;
    this.#onResult = onResult;
    this.#gathers = new Array(commands.length);
    this.#remaining = commands.length;
    const executor = dispatcher.executor;
    this.#limits = executor.limits(undefined, false);
    this.#sendOptions = { ...executor.sendOptions(undefined), inPipeline: true };
  }

  async start(): Promise<void> {
    if (this.#remaining === 0) return;
    const ready = this.#d.ready("pipeline");
    if (ready !== undefined) await ready;
    await this.#route();
    await this.#connect();
    this.#write();
    await this.#done.promise;
  }

  /** Every send with its route; routes the server must be asked about are awaited here. */
  async #route(): Promise<void> {
    const { commands } = this.#d;
    const pending: Promise<void>[] = [];
    this.#commands.forEach((c, owner) => {
      const name = _commandName(c.args);
      const fan = _fanOutRule(name, c.args);
      if (fan !== undefined) {
        const nodes = this.#d.nodesOf(fan.to === "masters" ? "master" : "all");
        this.#gathers[owner] = {
          replies: new Array(nodes.length),
          remaining: nodes.length,
          fan,
          name,
        };
        nodes.forEach((node, part) =>
          this.#sends.push({
            args: c.args,
            owner,
            part,
            fixed: true,
            route: KEYLESS_TO_NODE,
            node,
            options: c.options,
          })
        );
        return;
      }
      const parts = _split(name, c.args);
      const pieces = parts?.map((p) => p.args) ?? [c.args];
      if (parts !== undefined) {
        this.#gathers[owner] = {
          replies: new Array(parts.length),
          remaining: parts.length,
          parts,
          name,
        };
      }
      for (const [part, args] of pieces.entries()) {
        const send: _Send = {
          args,
          owner,
          part,
          fixed: false,
          route: UNROUTED,
          node: undefined,
          options: c.options,
        };
        this.#sends.push(send);
        const route = commands.route(args);
        if (route instanceof Promise) pending.push(route.then((r) => void (send.route = r)));
        else send.route = route;
      }
    });
    if (pending.length > 0) await Promise.all(pending);
  }

  /** Opens, before the write pass, every connection it needs, so the pass stays synchronous. */
  async #connect(): Promise<void> {
    // Reads of every slot a queued write touches stay on the master, on the writes' connection:
    // a replica could miss the writes queued before them, or hold those queued after.
    const written = new Set<number>();
    for (const s of this.#sends) {
      if (!s.route.readOnly && s.route.slot !== undefined) written.add(s.route.slot);
    }
    const executor = this.#d.executor;
    const opening = new Map<string, Promise<unknown>>();
    for (const s of this.#sends) {
      if (s.node === undefined) {
        if (s.route.readOnly && s.route.slot !== undefined && written.has(s.route.slot)) {
          s.options = s.options === undefined
            ? FORCED_MASTER
            : { ...s.options, readFrom: "master" };
        }
        s.node = executor.target(this.#routed(s)) ?? undefined;
      }
      if (s.node === undefined || opening.has(s.node.address)) continue;
      const c = executor.shared(s.node);
      if (!(c instanceof Connection)) opening.set(s.node.address, c.catch(() => {}));
    }
    if (opening.size > 0) await Promise.all(opening.values());
  }

  /** The write pass: one synchronous loop, so every node's connection gets its commands in order. */
  #write(): void {
    const executor = this.#d.executor;
    this.#sends.forEach((s, i) => {
      const plain = s.options === undefined || s.options === FORCED_MASTER;
      const c = s.node === undefined ? undefined : executor.shared(s.node);
      if (plain && !s.route.blocking && c instanceof Connection) {
        c.sendTo(s.args, this.#sendOptions, new _SendSink(this, i));
        return;
      }
      if (c instanceof Promise) c.catch(() => {});
      if (s.fixed) {
        // A cluster-wide command's part runs on its node, or fails there.
        executor.runOn(s.node!, s.args, s.options, this.#limitsOf(s))
          .then((r) => this.settle(i, r), (e: unknown) => this.settle(i, asError(e)));
        return;
      }
      // Per-command options, blocking commands and nodes not reachable now: the full path.
      executor.run(this.#routed(s))
        .then((r) => this.settle(i, r), (e: unknown) => this.settle(i, asError(e)));
    });
  }

  #routed(s: _Send): _RoutedCommand {
    return {
      args: s.args,
      route: s.route,
      options: s.options,
      limits: this.#limitsOf(s),
      inPipeline: true,
    };
  }

  #limitsOf(s: _Send): _CallLimits {
    return s.options === undefined || s.options === FORCED_MASTER
      ? this.#limits
      : this.#d.executor.limits(s.options, s.route.blocking === true);
  }

  /** A send's reply: retried when the table says so, else settled. */
  reply(i: number, reply: RedisReply): void {
    const retryable = reply instanceof RedisError && _RETRY_TABLE[reply.kind] !== "fail";
    if (retryable && !this.#sends[i]!.fixed) {
      return this.#retry(i, Promise.resolve(reply));
    }
    this.settle(i, reply);
  }

  /** A send lost with its connection (or cancelled): the retry loop decides. */
  fail(i: number, error: Error): void {
    if (this.#sends[i]!.fixed) return this.settle(i, error);
    this.#retry(i, Promise.reject(error));
  }

  #retry(i: number, outcome: Promise<RedisReply>): void {
    const s = this.#sends[i]!;
    this.#d.executor.retry(this.#routed(s), { node: s.node!, outcome })
      .then((r) => this.settle(i, r), (e: unknown) => this.settle(i, asError(e)));
  }

  /** A send's final reply (an error is a value here). */
  settle(i: number, reply: RedisReply): void {
    const s = this.#sends[i]!;
    if (s.node !== undefined && !(reply instanceof Error)) {
      this.#d.executor.recordWrite(s.route, s.node.address);
    }
    const gather = this.#gathers[s.owner];
    if (gather === undefined) return this.#finish(s.owner, reply);
    gather.replies[s.part] = reply;
    if (--gather.remaining > 0) return;
    const merged = gather.parts !== undefined
      ? _merge(gather.name, gather.parts, gather.replies)
      : _combine(gather.fan!, gather.replies);
    this.#finish(s.owner, merged);
  }

  #finish(owner: number, reply: RedisReply): void {
    const transform = this.#commands[owner]!.transform;
    let result: unknown = reply;
    if (!(reply instanceof Error) && transform !== undefined) {
      try {
        result = transform(reply);
      } catch (e) {
        result = asError(e);
      }
    }
    this.#onResult(owner, result);
    if (--this.#remaining === 0) this.#done.resolve();
  }
}

/** The connection's report of one send, by index. */
class _SendSink implements ReplySink {
  #run: _PipelineRun;
  #index: number;

  constructor(run: _PipelineRun, index: number) {
    this.#run = run;
    this.#index = index;
  }

  reply(reply: RedisReply): void {
    this.#run.reply(this.#index, reply);
  }

  fail(error: Error): void {
    this.#run.fail(this.#index, error);
  }
}

/** A fan-out send goes to the node it names; its route is only read for the write record. */
const KEYLESS_TO_NODE: _Route = { slot: undefined, readOnly: true };
const UNROUTED: _Route = { slot: undefined, readOnly: false };

function asError(e: unknown): Error {
  return e instanceof Error ? e : new ConnectionError(String(e));
}
