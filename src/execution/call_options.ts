/**
 * Options every command accepts.
 * @module
 */
import type { ReadFrom } from "../topology/read_policy.ts";

/**
 * Per-call options, accepted as the last argument of every command method and of `sendCommand`.
 *
 * @example
 * ```ts
 * import type { CallOptions } from "@x/rcluster";
 * const opts: CallOptions = { readFrom: "replica", timeoutMs: 200 };
 * ```
 */
export interface CallOptions {
  /** Where this read may be served; overrides the client's `readFrom`. Ignored for writes.
   * @default the client's `readFrom` */
  readFrom?: ReadFrom;
  /** Aborts the command; it rejects with the signal's reason wrapped in a `TimeoutError`.
   * @default undefined */
  signal?: AbortSignal;
  /** Rejects with a `TimeoutError` when no reply came in time (the late reply is discarded).
   * @default the client's `commandTimeoutMs` */
  timeoutMs?: number;
  /** After a write, waits until this many replicas acknowledged it (`WAIT` on the same
   * connection); rejects with `TimeoutError` when fewer did in time (the write itself happened).
   * @default undefined (no wait) */
  waitReplicas?: { replicas: number; timeoutMs: number };
  /** Called with the node that produced the reply (after any redirections), e.g. to see
   * whether a replica served a read.
   * @default undefined */
  onServed?: (node: { address: string; role: "master" | "replica" }) => void;
}
