/**
 * One socket to one node: pipelined writes coalesced per tick, replies matched in order.
 * @module
 */
import { CommandWriter } from "../protocol/resp_encoder.ts";
import { NEED_MORE, RespDecoder } from "../protocol/resp_decoder.ts";
import { _ownedReply, decodeReply } from "../protocol/decode_reply.ts";
import { CapacityError, ConnectionError, RedisError, TimeoutError } from "../errors.ts";
import type { NodeCounters } from "./node_counters.ts";
import { RespPush } from "../types.ts";
import type { RedisArgument, RedisReply } from "../types.ts";
import { _formatAddress } from "../_address.ts";
import { _PendingQueue } from "./_pending_queue.ts";
import type { _Pending } from "./_pending_queue.ts";
import type { Socket } from "./transport.ts";
import { type _ConnectState, _handshakeFailure, _openSocket } from "./_connect_steps.ts";
import { _withoutRanges } from "./_write_batch.ts";
import { _handshake } from "./handshake.ts";
import type { ConnectionOptions, ReplySink, SendOptions } from "./connection_options.ts";

const SLAB_SIZE = 64 * 1024;
const MIN_READ = 4 * 1024;
/**
 * Bulk payloads with at least this much still to come are read into their own buffer; smaller
 * ones handed out as bytes are copied out of the read slab.
 */
const DIRECT_READ = 16 * 1024;

/**
 * A pipelined connection to one Redis node. Error replies resolve as `RedisError` values; the
 * promise rejects only for `ConnectionError` and `TimeoutError`.
 *
 * @example
 * ```ts ignore
 * import { Connection } from "@x/rcluster/resp";
 * const conn = await Connection.connect({ host: "127.0.0.1", port: 7000 });
 * console.log(await conn.send(["PING"], { decode: true }));
 * await conn.close();
 * ```
 */
export class Connection {
  /** `host:port` of the node. */
  readonly address: string;
  #conn: Socket;
  #options: ConnectionOptions;
  #writer = new CommandWriter();
  #decoder: RespDecoder;
  #pending = new _PendingQueue();
  #unsent = 0;
  /** The batch commands are being encoded into; it becomes the next socket write. */
  #batch = 0;
  /** Commands of the current batch cancelled before it was written. */
  #skipped = 0;
  #idle: PromiseWithResolvers<void> | undefined;
  #writing = false;
  /** Bytes of the batch being written that the socket has not taken yet. */
  #inWrite = 0;
  #flushQueued = false;
  /** Bytes written by `post()` wait in the writer with no pending entry. */
  #posted = false;
  #closed: Error | null | undefined = undefined;
  #readDone: Promise<void>;
  #counters: NodeCounters | undefined;
  #readonly: boolean;
  /** When the last write began, until bytes are read after it (`lastRoundTripMs`). */
  #wroteAt = 0;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #timerAt = Infinity;
  /** When the last bytes were read, or waiting began (see `stalledMs`). */
  #progressAt = 0;

  private constructor(conn: Socket, options: ConnectionOptions) {
    this.#conn = conn;
    this.#options = options;
    this.#counters = options.counters;
    this.#readonly = options.readonly === true;
    this.address = _formatAddress(options.host, options.port);
    this.#decoder = new RespDecoder(options.decoder);
    this.#readDone = this.#readLoop();
  }

  /**
   * Connects and runs the handshake (`HELLO`/`AUTH`, `CLIENT SETNAME`, `READONLY`), within
   * `connectTimeoutMs`; `options.signal` cancels both.
   */
  static async connect(options: ConnectionOptions): Promise<Connection> {
    const address = _formatAddress(options.host, options.port);
    const timeoutMs = options.connectTimeoutMs ?? 10_000;
    const ctl = new AbortController();
    const timer = setTimeout(() => ctl.abort(), timeoutMs);
    const cancel = options.signal;
    const onCancel = (): void => ctl.abort();
    cancel?.addEventListener("abort", onCancel, { once: true });
    const state = (): _ConnectState => ({
      address,
      timeoutMs,
      cancelled: cancel?.aborted === true,
      aborted: ctl.signal.aborted,
    });
    try {
      if (cancel?.aborted) {
        throw new ConnectionError(`connect to ${address} was cancelled`, { address });
      }
      const c = new Connection(await _openSocket(options, ctl.signal, state), options);
      // A cancel or the timeout during the handshake closes the socket: its steps fail at once.
      const stop = (): void => void c.close();
      ctl.signal.addEventListener("abort", stop, { once: true });
      try {
        await _handshake((args, o) => c.send(args, o), c.address, options, timeoutMs);
      } catch (e) {
        await c.close();
        throw _handshakeFailure(e, options, state());
      } finally {
        ctl.signal.removeEventListener("abort", stop);
      }
      return c;
    } finally {
      clearTimeout(timer);
      cancel?.removeEventListener("abort", onCancel);
    }
  }

  /** Whether the connection sent `READONLY` (replica reads allowed). */
  get readonly(): boolean {
    return this.#readonly;
  }

  /** Sends `READONLY` now (the node became a replica since the connection opened). */
  enableReadonly(): void {
    if (this.#readonly || this.#closed !== undefined) return;
    this.#readonly = true;
    this.send(["READONLY"]).catch(() => {});
  }

  /** Number of commands awaiting a reply. */
  get inFlight(): number {
    return this.#pending.size;
  }

  /** Whether the connection is closed or failed. */
  get closed(): boolean {
    return this.#closed !== undefined;
  }

  /** Sends one command; resolves with its reply (a `RedisError` value for an error reply). */
  send(args: readonly RedisArgument[], options?: SendOptions): Promise<RedisReply> {
    const p = Promise.withResolvers<RedisReply>();
    this.sendTo(args, options, { reply: p.resolve, fail: p.reject });
    return p.promise;
  }

  /**
   * As `send`, for a caller that keeps its own promise: the outcome goes to `sink`. Errors found
   * before anything is queued (closed connection, bad argument) reach `sink.fail` at once.
   */
  sendTo(
    args: readonly RedisArgument[],
    options: SendOptions | undefined,
    sink: ReplySink,
    tag = 0,
  ): void {
    if (this.#closed !== undefined) return sink.fail(this.#closedError(false), tag);
    const start = this.#writer.length;
    const cap = this.#options.maxUnwrittenBytes;
    if (cap !== undefined && start + this.#inWrite > cap) {
      return sink.fail(
        new CapacityError(
          `${String(args[0])} not sent: ${start + this.#inWrite} bytes wait to be written to ` +
            `${this.address} (maxUnwrittenBytes ${cap})`,
          { option: "maxUnwrittenBytes", limit: cap },
        ),
        tag,
      );
    }
    try {
      this.#writer.write(args);
    } catch (e) {
      return sink.fail(e instanceof Error ? e : new Error(String(e)), tag);
    }
    const entry: _Pending = {
      sink,
      decode: options?.decode ?? false,
      done: false,
      deadline: Infinity,
      signal: undefined,
      onAbort: undefined,
      name: args[0],
      batch: this.#batch,
      start,
      end: this.#writer.length,
      skipped: false,
      tag,
      readOnly: options?.readOnly === true || options?.stallRetry === true,
      stallRetry: options?.stallRetry === true,
    };
    if (this.#counters !== undefined) this.#counters.commands++;
    // Waiting for replies starts now when nothing was awaited before.
    if (this.#pending.size === 0) this.#progressAt = performance.now();
    this.#pending.push(entry);
    this.#unsent++;
    const timeoutMs = options?.timeoutMs ?? this.#options.commandTimeoutMs;
    if (timeoutMs !== undefined) this.#armDeadline(entry, timeoutMs);
    if (options?.signal) this.#watchSignal(entry, options.signal);
    this.#scheduleFlush(options?.inPipeline === true);
  }

  /**
   * Writes a command whose replies (if any) go to `onExtraReply` or `onPush`, awaiting nothing:
   * for connections that stream (pub/sub), where pushed messages and confirmations interleave.
   * Throws a `ConnectionError` when the connection is closed.
   */
  post(args: readonly RedisArgument[]): void {
    if (this.#closed !== undefined) throw this.#closedError(false);
    this.#writer.write(args);
    this.#posted = true;
    this.#scheduleFlush(false);
  }

  /**
   * How long commands have awaited replies with nothing read meanwhile, in ms (0 when none
   * awaits): a stalled connection, or a node that stopped answering.
   */
  stalledMs(now: number): number {
    return this.#pending.size === 0 || this.#closed !== undefined ? 0 : now - this.#progressAt;
  }

  /**
   * Fails every command sent with `stallRetry` still awaiting its reply with `error` (its late
   * reply is then dropped): another node may serve it while this one stopped answering.
   */
  failStallRetries(error: Error): void {
    for (const e of this.#pending.values()) if (e.stallRetry && !e.done) this.#cancel(e, error);
  }

  /** Whether a command that may write still awaits its reply (and its caller, the outcome). */
  awaitsWrite(): boolean {
    for (const e of this.#pending.values()) if (!e.readOnly && !e.done) return true;
    return false;
  }

  /** Resolves once no command awaits a reply (at once when none does), or the connection ends. */
  whenIdle(): Promise<void> {
    if (this.#pending.size === 0 || this.#closed !== undefined) return Promise.resolve();
    this.#idle ??= Promise.withResolvers();
    return this.#idle.promise;
  }

  /** Closes the socket; pending commands reject with `ConnectionError`. Idempotent. */
  async close(): Promise<void> {
    this.#shutdown(null);
    await this.#readDone;
  }

  #scheduleFlush(inPipeline: boolean): void {
    if (this.#writing || this.#flushQueued) return;
    this.#flushQueued = true;
    if (this.#options.autoPipelining === false && !inPipeline) void this.#flush();
    else queueMicrotask(() => void this.#flush());
  }

  async #flush(): Promise<void> {
    this.#flushQueued = false;
    this.#writing = true;
    try {
      while ((this.#unsent > 0 || this.#posted) && this.#closed === undefined) {
        this.#posted = false;
        const taken = this.#writer.takeChunks();
        this.#batch++;
        const chunks = this.#skipped > 0 ? this.#dropSkipped(taken) : taken;
        this.#unsent = 0;
        this.#inWrite = chunks.reduce((n, c) => n + c.length, 0);
        if (this.#wroteAt === 0) this.#wroteAt = performance.now();
        for (const bytes of chunks) {
          await this.#conn.write(bytes);
          this.#inWrite -= bytes.length;
        }
        this.#writer.recycle(taken);
      }
    } catch (cause) {
      this.#shutdown(
        final(cause) ??
          new ConnectionError(`write to ${this.address} failed: ${messageOf(cause)}`, {
            address: this.address,
            cause,
          }),
      );
    } finally {
      this.#writing = false;
      this.#inWrite = 0;
    }
  }

  /** The batch's chunks without the cancelled commands, which leave the pending queue too. */
  #dropSkipped(chunks: Uint8Array[]): Uint8Array[] {
    const ranges: [number, number][] = [];
    for (const e of this.#pending.last(this.#unsent)) if (e.skipped) ranges.push([e.start, e.end]);
    this.#pending.dropSkipped(this.#unsent);
    this.#unsent -= ranges.length;
    this.#skipped = 0;
    this.#checkIdle();
    return _withoutRanges(chunks, ranges);
  }

  async #readLoop(): Promise<void> {
    let slab = new Uint8Array(SLAB_SIZE);
    let offset = 0;
    try {
      while (this.#closed === undefined) {
        // Replies may be views into the slab, so a used region is never overwritten.
        if (slab.length - offset < MIN_READ) {
          slab = new Uint8Array(SLAB_SIZE);
          offset = 0;
        }
        // The rest of a large bulk reply is read where it ends up, not copied from the slab.
        const sink = this.#decoder.bulkSink();
        if (sink !== undefined && sink.length >= DIRECT_READ) {
          const n = await this.#conn.read(sink);
          if (n === null) return this.#serverClosed();
          this.#progressAt = performance.now();
          this.#decoder.bulkFilled(n);
          continue;
        }
        const n = await this.#conn.read(slab.subarray(offset));
        if (n === null) return this.#serverClosed();
        this.#progressAt = performance.now();
        if (this.#wroteAt !== 0) {
          if (this.#counters !== undefined) {
            this.#counters.lastRoundTripMs = this.#progressAt - this.#wroteAt;
          }
          this.#wroteAt = 0;
        }
        this.#decoder.feed(slab.subarray(offset, offset + n));
        offset += n;
        for (let r = this.#decoder.next(); r !== NEED_MORE; r = this.#decoder.next()) {
          this.#dispatch(r);
        }
      }
    } catch (cause) {
      if (this.#closed !== undefined) return;
      this.#shutdown(
        final(cause) ??
          new ConnectionError(`read from ${this.address} failed: ${messageOf(cause)}`, {
            address: this.address,
            cause,
            sent: true,
          }),
      );
    }
  }

  #serverClosed(): void {
    this.#shutdown(
      new ConnectionError(`connection to ${this.address} closed by the server`, {
        address: this.address,
        sent: true,
      }),
    );
  }

  #dispatch(reply: RedisReply): void {
    if (reply instanceof RespPush) {
      this.#options.onPush?.(reply);
      return;
    }
    const entry = this.#pending.shift();
    if (entry === undefined) {
      const onExtra = this.#options.onExtraReply;
      if (onExtra !== undefined) return onExtra(_ownedReply(reply, DIRECT_READ));
      this.#shutdown(
        new ConnectionError(`unexpected reply from ${this.address}`, {
          address: this.address,
        }),
      );
      return;
    }
    if (this.#idle !== undefined) this.#checkIdle();
    if (reply instanceof RedisError && this.#counters !== undefined) {
      this.#counters.errors[reply.kind] = (this.#counters.errors[reply.kind] ?? 0) + 1;
    }
    if (entry.done) return; // timed out or aborted: its reply is dropped to keep the stream in step
    settle(entry);
    const value = entry.decode ? decodeReply(reply) : _ownedReply(reply, DIRECT_READ);
    entry.sink.reply(value, entry.tag);
  }

  #checkIdle(): void {
    if (this.#idle === undefined || (this.#pending.size > 0 && this.#closed === undefined)) return;
    this.#idle.resolve();
    this.#idle = undefined;
  }

  /** Fails a command before its reply; one not yet written is left out of the socket write. */
  #cancel(entry: _Pending, error: Error): void {
    settle(entry);
    if (entry.batch === this.#batch) {
      entry.skipped = true;
      this.#skipped++;
    }
    entry.sink.fail(error, entry.tag);
  }

  #armDeadline(entry: _Pending, timeoutMs: number): void {
    entry.deadline = performance.now() + timeoutMs;
    if (entry.deadline < this.#timerAt) this.#setTimer(entry.deadline);
  }

  #setTimer(at: number): void {
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timerAt = at;
    this.#timer = setTimeout(() => this.#expire(), Math.max(0, at - performance.now()));
  }

  // One timer per connection, armed for the earliest deadline, instead of one per command.
  #expire(): void {
    this.#timer = undefined;
    this.#timerAt = Infinity;
    const now = performance.now();
    let next = Infinity;
    for (const e of this.#pending.values()) {
      if (e.done || e.deadline === Infinity) continue;
      if (e.deadline <= now) {
        this.#cancel(
          e,
          new TimeoutError(`${String(e.name)} timed out on ${this.address}`, {
            address: this.address,
          }),
        );
      } else if (e.deadline < next) next = e.deadline;
    }
    if (next !== Infinity) this.#setTimer(next);
  }

  #watchSignal(entry: _Pending, signal: AbortSignal): void {
    const abort = (): void => {
      if (entry.done) return;
      this.#cancel(
        entry,
        new TimeoutError(`${String(entry.name)} on ${this.address} was aborted`, {
          address: this.address,
          cause: signal.reason,
        }),
      );
    };
    if (signal.aborted) return abort();
    entry.signal = signal;
    entry.onAbort = abort;
    signal.addEventListener("abort", abort, { once: true });
  }

  #closedError(sent: boolean): ConnectionError {
    const why = this.#closed ? `: ${this.#closed.message}` : " (closed by the client)";
    return new ConnectionError(`connection to ${this.address} is closed${why}`, {
      address: this.address,
      sent,
      ...(this.#closed ? { cause: this.#closed } : {}),
      retryable: !(this.#closed instanceof ConnectionError) || this.#closed.retryable,
    });
  }

  #shutdown(error: Error | null): void {
    if (this.#closed !== undefined) return;
    this.#closed = error;
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#conn.close();
    // Commands not yet handed to the socket never reached the server: safe to retry.
    const total = this.#pending.size;
    const unsentFrom = total - this.#unsent;
    let i = 0;
    for (const e of this.#pending.drain()) {
      if (!e.done) {
        settle(e);
        e.sink.fail(this.#closedError(i < unsentFrom), e.tag);
      }
      i++;
    }
    this.#unsent = 0;
    this.#checkIdle();
    this.#options.onClose?.(error ?? undefined, total);
  }
}

function settle(e: _Pending): void {
  e.done = true;
  if (e.signal && e.onAbort) e.signal.removeEventListener("abort", e.onAbort);
}

/** A transport's error saying no retry can help, passed on as it is. */
function final(e: unknown): ConnectionError | undefined {
  return e instanceof ConnectionError && !e.retryable ? e : undefined;
}

function messageOf(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
