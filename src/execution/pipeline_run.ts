/**
 * One run of an explicit pipeline. Every command is routed first (split multi-key commands into
 * their per-slot parts, cluster-wide commands into one send per node, unknown key layouts asked
 * of the server), then all are written in one synchronous pass, in order, so each node's socket
 * gets them in the caller's order. Every connection reports each reply to the run's one sink,
 * tagged with the send's index; only commands that must be retried
 * (MOVED, ASK, TRYAGAIN, a lost read) leave for the retry loop, and write their outcome back by
 * index. One promise for the whole pipeline, no object per command beyond the connection's own.
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

/**
 * A pipeline's queued commands, as parallel arrays (what typed methods or `sendCommand` built):
 * a long pipeline holds them all until it runs, so no object per command.
 */
export interface _PipelineCommands {
  readonly args: readonly (readonly RedisArgument[])[];
  readonly options: readonly (CallOptions | undefined)[];
  readonly transforms: readonly (((reply: RedisReply) => unknown) | undefined)[];
}

/** How the run hands each final result (transform applied, errors as values) to its caller. */
export type _OnResult = (index: number, result: unknown) => void;

/** A queued command that waits for several sends (its parts, or one per node). */
interface _Gather {
  readonly replies: RedisReply[];
  remaining: number;
  readonly parts?: readonly _Part[];
  readonly fan?: _FanOut;
  readonly name: string;
}

/** The options of a read of a slot the pipeline writes: the master only. */
const FORCED_MASTER: CallOptions = { readFrom: "master" };
/** A cluster-wide command's send: no key, goes to the node it names. */
const TO_ITS_NODE: _Route = { slot: undefined, readOnly: true };
const UNROUTED: _Route = { slot: undefined, readOnly: false };
/** Sends in flight at most; writing goes on once half of them are answered. */
const WINDOW = 32_768;

/** Runs `commands` as one pipeline; resolves once every command has its result. */
export function _runPipeline(
  dispatcher: _Dispatcher,
  commands: _PipelineCommands,
  onResult: _OnResult,
): Promise<void> {
  if (commands.args.length === 0) return Promise.resolve();
  const t = dispatcher.telemetry;
  if (t !== undefined) {
    return t.batch(
      commands.args.length,
      () => new _PipelineRun(dispatcher, commands, onResult).start(),
    );
  }
  return new _PipelineRun(dispatcher, commands, onResult).start();
}

class _PipelineRun {
  #d: _Dispatcher;
  #commands: _PipelineCommands;
  #onResult: _OnResult;
  // One entry per send, in write order (parallel arrays, not an object per send).
  #args: (readonly RedisArgument[])[] = [];
  #owner: number[] = [];
  #route: _Route[] = [];
  #node: (NodeInfo | undefined)[] = [];
  /** Sends whose options differ from their command's: reads kept on the master. */
  #ownOptions: Map<number, CallOptions> | undefined;
  /** Per queued command: where its sends start (the next command's start ends them). */
  #firstSend: number[] = [];
  /** Sends of cluster-wide commands: they run on their node and are never retried elsewhere. */
  #fixed = new Set<number>();
  /** Per queued command: its gather (split, fan-out), or none for a single send. */
  #gathers = new Map<number, _Gather>();
  /** Slots the pipeline writes, when reads may go to replicas (their reads then may not). */
  #written: Set<number> | undefined;
  /** Each node's open connection (or undefined: not reachable now), once looked up. */
  #targets = new Map<NodeInfo, Connection | undefined>();
  #sink = new _RunSink(this);
  #remaining: number;
  /** Sends written and not settled yet, and the wait for them to fall to half the window. */
  #unanswered = 0;
  #drained: PromiseWithResolvers<void> | undefined;
  #done = Promise.withResolvers<void>();
  #limits: _CallLimits;
  #sendOptions: SendOptions;
  #readOptions: SendOptions;

  constructor(dispatcher: _Dispatcher, commands: _PipelineCommands, onResult: _OnResult) {
    this.#d = dispatcher;
    this.#commands = commands;
    this.#onResult = onResult;
    this.#remaining = commands.args.length;
    const executor = dispatcher.executor;
    this.#limits = executor.limits(undefined, false);
    this.#sendOptions = { ...executor.sendOptions(undefined), inPipeline: true };
    this.#readOptions = { ...this.#sendOptions, readOnly: true };
  }

  /**
   * Plans and writes the commands in order, in one synchronous pass as far as it can go: a
   * route the server must be asked about, or a connection still opening, pauses the pass there
   * (what was written stays written: every node keeps the caller's order) until it is known.
   */
  async start(): Promise<void> {
    const ready = this.#d.ready("pipeline");
    if (ready !== undefined) await ready;
    const n = this.#commands.args.length;
    if (this.#readsMayUseReplicas()) {
      // Which slots the pipeline writes must be known before any read is placed.
      let pending: Promise<void>[] | undefined;
      for (let owner = 0; owner < n; owner++) {
        const p = this.#plan(owner);
        if (p !== undefined) (pending ??= []).push(p);
      }
      if (pending !== undefined) await Promise.all(pending);
      this.#written = new Set();
      for (let i = 0; i < this.#args.length; i++) {
        const r = this.#route[i]!;
        if (!r.readOnly && r.slot !== undefined) this.#written.add(r.slot);
      }
    }
    for (let owner = 0; owner < n;) {
      const wait = this.#writeFrom(owner);
      if (wait === undefined) break;
      owner = wait.at;
      await wait.until;
    }
    await this.#done.promise;
  }

  #readsMayUseReplicas(): boolean {
    return !this.#d.executor.readsMaster ||
      this.#commands.options.some((o) => o?.readFrom !== undefined && o.readFrom !== "master");
  }

  #push(args: readonly RedisArgument[], owner: number, route: _Route): number {
    const i = this.#args.length;
    this.#args.push(args);
    this.#owner.push(owner);
    this.#route.push(route);
    this.#node.push(undefined);
    return i;
  }

  #optionsOf(i: number): CallOptions | undefined {
    return this.#ownOptions?.get(i) ?? this.#commands.options[this.#owner[i]!];
  }

  /**
   * Makes a command's sends: its parts when split, one per node when cluster-wide, else one.
   * Returns the routes still being asked of the server, if any.
   */
  #plan(owner: number): Promise<void> | undefined {
    const args = this.#commands.args[owner]!;
    this.#firstSend[owner] = this.#args.length;
    const name = _commandName(args);
    const fan = _fanOutRule(name, args);
    if (fan !== undefined) {
      const nodes = this.#d.nodesOf(fan.to === "masters" ? "master" : "all");
      const gather = { replies: new Array(nodes.length), remaining: nodes.length, fan, name };
      this.#gathers.set(owner, gather);
      nodes.forEach((node) => {
        const i = this.#push(args, owner, TO_ITS_NODE);
        this.#node[i] = node;
        this.#fixed.add(i);
      });
      return undefined;
    }
    const parts = _split(name, args);
    if (parts === undefined) return this.#routeSend(this.#push(args, owner, UNROUTED));
    const gather = { replies: new Array(parts.length), remaining: parts.length, parts, name };
    this.#gathers.set(owner, gather);
    let pending: Promise<void>[] | undefined;
    parts.forEach((p) => {
      const routing = this.#routeSend(this.#push(p.args, owner, UNROUTED));
      if (routing !== undefined) (pending ??= []).push(routing);
    });
    return pending === undefined ? undefined : Promise.all(pending).then(() => {});
  }

  #routeSend(i: number): Promise<void> | undefined {
    const r = this.#d.commands.route(this.#args[i]!);
    if (!(r instanceof Promise)) {
      this.#route[i] = r;
      return undefined;
    }
    return r.then((known) => void (this.#route[i] = known));
  }

  /**
   * Writes commands from `owner` on; stops (returning what to wait for, and where to go on) at a
   * command whose routes or connections are not known yet, before writing any of its sends.
   */
  #writeFrom(from: number): { at: number; until: Promise<unknown> } | undefined {
    const n = this.#commands.args.length;
    for (let owner = from; owner < n; owner++) {
      if (this.#firstSend[owner] === undefined) {
        const routing = this.#plan(owner);
        if (routing !== undefined) return { at: owner, until: routing };
      }
      const first = this.#firstSend[owner]!;
      // In bounds only: an out-of-bounds read would deoptimise this loop.
      const end = owner + 1 < this.#firstSend.length
        ? this.#firstSend[owner + 1]!
        : this.#args.length;
      const opening = this.#placeSends(first, end);
      if (opening !== undefined) return { at: owner, until: opening };
      // A long pipeline is written a window at a time: sockets and pending replies stay bounded.
      if (this.#unanswered >= WINDOW) {
        this.#drained = Promise.withResolvers();
        return { at: owner, until: this.#drained.promise };
      }
      this.#unanswered += end - first;
      for (let i = first; i < end; i++) this.#send(i);
      if (first === end) this.#settleGather(owner); // a cluster-wide command with no node
    }
    return undefined;
  }

  /** Chooses the nodes of sends `[first, end)`; returns the connects to wait for, if any. */
  #placeSends(first: number, end: number): Promise<unknown> | undefined {
    const executor = this.#d.executor;
    let opening: Promise<unknown>[] | undefined;
    for (let i = first; i < end; i++) {
      let node = this.#node[i];
      if (node === undefined) {
        const r = this.#route[i]!;
        const written = this.#written;
        // A read of a slot the pipeline writes stays on the master, on the writes' connection:
        // a replica could miss the writes queued before it, or hold those queued after.
        if (written !== undefined && r.readOnly && r.slot !== undefined && written.has(r.slot)) {
          const own = this.#optionsOf(i);
          (this.#ownOptions ??= new Map()).set(
            i,
            own === undefined ? FORCED_MASTER : { ...own, readFrom: "master" },
          );
        }
        node = executor.choose(r, this.#optionsOf(i)?.readFrom) ?? undefined;
        if (node === undefined) continue; // no node serves it now: the retry loop waits
        this.#node[i] = node;
      }
      if (this.#targets.has(node)) continue;
      const c = executor.shared(node);
      if (c instanceof Connection) this.#targets.set(node, c);
      else {
        const known = c.then((conn) => conn, () => undefined).then((conn) =>
          void this.#targets.set(node, conn)
        );
        (opening ??= []).push(known);
      }
    }
    return opening === undefined ? undefined : Promise.all(opening);
  }

  /** One send: straight on its node's connection, or by the full path. */
  #send(i: number): void {
    const node = this.#node[i];
    const options = this.#optionsOf(i);
    const plain = (options === undefined || options === FORCED_MASTER) &&
      (this.#fixed.size === 0 || !this.#fixed.has(i));
    const conn = node === undefined ? undefined : this.#targets.get(node);
    if (plain && conn !== undefined && !this.#route[i]!.blocking) {
      const options = this.#route[i]!.readOnly ? this.#readOptions : this.#sendOptions;
      conn.sendTo(this.#args[i]!, options, this.#sink, i);
      return;
    }
    this.#slowPath(i);
  }

  /** Per-command options, blocking commands, cluster-wide sends, unreachable nodes. */
  #slowPath(i: number): void {
    const executor = this.#d.executor;
    const settle = (r: RedisReply): void => this.settle(i, r);
    const failed = (e: unknown): void => this.settle(i, asError(e));
    if (this.#fixed.has(i)) {
      // A cluster-wide command's part runs on its node, or fails there.
      executor.runOn(this.#node[i]!, this.#args[i]!, this.#optionsOf(i), this.#limitsOf(i))
        .then(settle, failed);
      return;
    }
    executor.run(this.#routed(i)).then(settle, failed);
  }

  #routed(i: number): _RoutedCommand {
    return {
      args: this.#args[i]!,
      route: this.#route[i]!,
      options: this.#optionsOf(i),
      limits: this.#limitsOf(i),
      inPipeline: true,
    };
  }

  #limitsOf(i: number): _CallLimits {
    const options = this.#optionsOf(i);
    return options === undefined || options === FORCED_MASTER
      ? this.#limits
      : this.#d.executor.limits(options, this.#route[i]!.blocking === true);
  }

  /** A send's reply: retried when the table says so, else settled. */
  reply(i: number, reply: RedisReply): void {
    if (reply instanceof RedisError && _RETRY_TABLE[reply.kind] !== "fail") {
      return this.#retry(i, Promise.resolve(reply));
    }
    this.settle(i, reply);
  }

  /** A send lost with its connection (or timed out): the retry loop decides. */
  fail(i: number, error: Error): void {
    this.#retry(i, Promise.reject(error));
  }

  #retry(i: number, outcome: Promise<RedisReply>): void {
    this.#d.executor.retry(this.#routed(i), { node: this.#node[i]!, outcome })
      .then((r) => this.settle(i, r), (e: unknown) => this.settle(i, asError(e)));
  }

  /** A send's final reply (an error is a value here). */
  settle(i: number, reply: RedisReply): void {
    if (--this.#unanswered <= WINDOW / 2 && this.#drained !== undefined) {
      this.#drained.resolve();
      this.#drained = undefined;
    }
    const node = this.#node[i];
    const route = this.#route[i]!;
    if (node !== undefined && !(reply instanceof Error)) this.#d.executor.served(route, node);
    const owner = this.#owner[i]!;
    const gather = this.#gathers.size === 0 ? undefined : this.#gathers.get(owner);
    if (gather === undefined) return this.#finish(owner, reply);
    // A command's sends are consecutive: a send's place among them is its distance from the first.
    gather.replies[i - this.#firstSend[owner]!] = reply;
    if (--gather.remaining === 0) this.#settleGather(owner);
  }

  #settleGather(owner: number): void {
    const g = this.#gathers.get(owner)!;
    this.#finish(
      owner,
      g.parts !== undefined ? _merge(g.name, g.parts, g.replies) : _combine(g.fan!, g.replies),
    );
  }

  #finish(owner: number, reply: RedisReply): void {
    const transform = this.#commands.transforms[owner];
    let result: unknown = reply;
    if (transform !== undefined && !(reply instanceof Error)) {
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

/** Where every connection reports the run's sends: the tag is the send's index. */
class _RunSink implements ReplySink {
  #run: _PipelineRun;

  constructor(run: _PipelineRun) {
    this.#run = run;
  }

  reply(reply: RedisReply, tag: number): void {
    this.#run.reply(tag, reply);
  }

  fail(error: Error, tag: number): void {
    this.#run.fail(tag, error);
  }
}

function asError(e: unknown): Error {
  return e instanceof Error ? e : new ConnectionError(String(e));
}
