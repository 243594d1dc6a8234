/**
 * What the retry loop tells the layers above (events, counters, spans): redirections and
 * retries as they happen.
 * @module
 */
import type { CallOptions } from "./call_options.ts";

/** Hooks of the retry loop; each must return quickly and never throw. */
export interface _ExecutionEvents {
  /** A `MOVED` or `ASK` sent `command` from `from` to `to`. */
  redirected(
    kind: "MOVED" | "ASK",
    command: string,
    slot: number,
    from: string,
    to: string,
    options: CallOptions | undefined,
  ): void;
  /** `command` is tried again after `reason` on `address` (try `attempt`, counting from 1). */
  retried(
    command: string,
    attempt: number,
    reason: string,
    address: string,
    options: CallOptions | undefined,
  ): void;
}
