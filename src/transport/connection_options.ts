/**
 * Options of one connection and of one command on it.
 * @module
 */
import type { DecoderOptions } from "../protocol/resp_decoder.ts";
import type { RedisReply, RespPush } from "../types.ts";
import type { TlsOptions, Transport } from "./transport.ts";
import type { NodeCounters } from "./node_counters.ts";

/**
 * How to open and set up one connection.
 *
 * @example
 * ```ts
 * import type { ConnectionOptions } from "@x/rcluster";
 * const o: ConnectionOptions = { host: "127.0.0.1", port: 7000, readonly: true };
 * ```
 */
export interface ConnectionOptions {
  /** Host name or IP address. */
  host: string;
  /** TCP port. */
  port: number;
  /** Connect with TLS.
   * @default undefined (plain TCP) */
  tls?: TlsOptions | boolean;
  /** Where the connection counts what it does (the pool gives every connection to a node the
   * same object, read by `rc.stats()`).
   * @default undefined (not counted) */
  counters?: NodeCounters;
  /** How sockets are opened on this runtime.
   * @default the runtime's own, by feature detection (Deno, Cloudflare Workers, Node and Bun) */
  transport?: Transport;
  /** Gives up connecting (and the handshake) after this long.
   * @default 10000 */
  connectTimeoutMs?: number;
  /** Default per-command timeout; `undefined` means none (and no timer is armed).
   * @default undefined */
  commandTimeoutMs?: number;
  /** ACL user name for `AUTH`/`HELLO`.
   * @default undefined */
  username?: string;
  /** Password for `AUTH`/`HELLO`.
   * @default undefined */
  password?: string;
  /** RESP version: 3 sends `HELLO 3` first.
   * @default 2 */
  protocol?: 2 | 3;
  /** Sends `READONLY` in the handshake so a replica serves reads.
   * @default false */
  readonly?: boolean;
  /** Sent with `CLIENT SETNAME`.
   * @default undefined */
  clientName?: string;
  /** Coalesces commands issued in the same tick into one socket write.
   * @default true */
  autoPipelining?: boolean;
  /** Decoder limits.
   * @default {} */
  decoder?: DecoderOptions;
  /** Receives replies that answer no command (the stream of `MONITOR`, RESP2 pub/sub
   * messages, replies to `post()`), as bytes; without it such a reply fails the connection.
   * @default undefined */
  onExtraReply?: (reply: RedisReply) => void;
  /** Receives RESP3 push messages.
   * @default undefined */
  onPush?: (push: RespPush) => void;
  /** Unwritten bytes past which new commands are refused (`ConnectionError`, not sent) until
   * the socket drains: a slow socket must not grow memory without bound.
   * @default undefined (no cap) */
  maxUnwrittenBytes?: number;
  /** Cancels the connect and the handshake (the pool's closing).
   * @default undefined */
  signal?: AbortSignal;
  /** Called once when the connection ends, with the error when it failed and how many
   * commands were still awaiting replies (none: an idle connection the server let go).
   * @default undefined */
  onClose?: (error: Error | undefined, pending: number) => void;
}

/**
 * Options of one command on a connection.
 *
 * @example
 * ```ts
 * import type { SendOptions } from "@x/rcluster/resp";
 * const o: SendOptions = { decode: true, timeoutMs: 100 };
 * ```
 */
export interface SendOptions {
  /** Bulk replies as strings.
   * @default false */
  decode?: boolean;
  /** Overrides the connection's `commandTimeoutMs`.
   * @default the connection's */
  timeoutMs?: number | undefined;
  /** Cancels the command; its late reply is discarded.
   * @default undefined */
  signal?: AbortSignal | undefined;
  /** The command only reads: a connection stalled with nothing but reads in flight may be
   * replaced (see `awaitsWrite()`).
   * @default false */
  readOnly?: boolean;
  /** A read another node can serve: `failStallRetries()` fails it as soon as its node stalls,
   * so it is retried there (implies `readOnly`).
   * @default false */
  stallRetry?: boolean;
  /** Part of an explicit pipeline: written at the end of the tick even with
   * `autoPipelining: false`, so the pipeline's commands share a write.
   * @default false */
  inPipeline?: boolean;
}

/**
 * Receives the outcome of one command, once: its reply (a `RedisError` value for an error
 * reply) from the read loop, or the error it was lost to (at once, when it could not be queued).
 * A sink must not throw: it runs inside the connection's read loop.
 *
 * @example
 * ```ts ignore
 * import type { ReplySink } from "@x/rcluster/resp";
 * const sink: ReplySink = { reply: (r) => console.log(r), fail: (e) => console.error(e) };
 * conn.sendTo(["PING"], undefined, sink);
 * ```
 */
export interface ReplySink {
  /** The command's reply; `tag` is the number given to `sendTo`. */
  reply(reply: RedisReply, tag: number): void;
  /** The error the command was lost to. */
  fail(error: Error, tag: number): void;
}

/** Where a node is: what the pool needs to open a connection to it. */
export interface _NodeAddress {
  readonly host: string;
  readonly port: number;
  /** `host:port`, the pool's key. */
  readonly address: string;
}
