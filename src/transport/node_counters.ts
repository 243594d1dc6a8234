/**
 * What the client counts per node, always on: plain number fields bumped in place, so counting
 * costs an increment on the paths that already run (`rc.stats()` reads them).
 * @module
 */

/**
 * Counters of one node, shared by every connection to it (`ConnectionOptions.counters`).
 *
 * @example
 * ```ts
 * import type { NodeCounters } from "@x/rcluster/resp";
 * const busy = (c: NodeCounters) => c.commands > 1000;
 * ```
 */
export interface NodeCounters {
  /** Commands written (handshakes and topology queries included). */
  commands: number;
  /** Error replies by kind (`MOVED`, `WRONGTYPE`...). */
  readonly errors: Record<string, number>;
  /** `MOVED` and `ASK` answers that sent a command elsewhere. */
  redirects: number;
  /** Tries made again after a lost connection, a timeout or a retryable error reply. */
  retries: number;
  /** Reads a replica served. */
  replicaReads: number;
  /** Connections opened after the first. */
  reconnects: number;
  /** Opened connections, the first included. */
  connects: number;
  /** The last time from a write to the next bytes read, in ms. */
  lastRoundTripMs: number | undefined;
}

/** Fresh counters. */
export function _newCounters(): NodeCounters {
  return {
    commands: 0,
    errors: {},
    redirects: 0,
    retries: 0,
    replicaReads: 0,
    reconnects: 0,
    connects: 0,
    lastRoundTripMs: undefined,
  };
}
