/**
 * What to do after each kind of failure: one table, consulted by the executor and the pipeline.
 * @module
 */
import type { RedisErrorKind } from "../errors.ts";

/**
 * - `moved`: the slot has a new owner; update the map, schedule a refresh, retry there.
 * - `ask`: retry once at the named node, preceded by `ASKING`; the map is unchanged.
 * - `backoff`: transient; wait and retry the same target.
 * - `refresh`: the map is wrong (e.g. a write reached a replica); refresh, wait, retry.
 * - `elsewhere`: this node cannot serve now (loading, or a replica cut off from its master); a
 *   read goes to another node, a write waits.
 * - `fail`: give the error to the caller.
 */
export type _RetryAction = "moved" | "ask" | "backoff" | "refresh" | "elsewhere" | "fail";

/** Server error kind to action. */
export const _RETRY_TABLE: Readonly<Record<RedisErrorKind, _RetryAction>> = {
  MOVED: "moved",
  ASK: "ask",
  TRYAGAIN: "backoff",
  CLUSTERDOWN: "refresh",
  MASTERDOWN: "elsewhere",
  READONLY: "refresh",
  LOADING: "elsewhere",
  CROSSSLOT: "fail",
  NOSCRIPT: "fail",
  BUSY: "fail",
  OTHER: "fail",
};
