/**
 * The retry loop's waits: a jittered backoff pause (with a refresh of the map when asked), and
 * the wait for a shard's new master, each bounded by the call's limits.
 * @module
 */
import type { _Topology } from "../topology/topology.ts";
import { _backoffMs } from "../transport/backoff.ts";
import { _bounded, type _CallLimits, _pause, type _stopError } from "./call_limits.ts";

/** Ends a wait with the call's stop error. */
export type _Stop = (reason: Parameters<typeof _stopError>[0]) => Error;

/** The waits of one client's retry loops. */
export class _RetryWaits {
  #topology: _Topology;
  #baseMs: number;
  #capMs: number;

  constructor(topology: _Topology, retryBaseMs: number, retryCapMs: number) {
    this.#topology = topology;
    this.#baseMs = retryBaseMs;
    this.#capMs = retryCapMs;
  }

  /** The pause before try `attempt + 1`, refreshing the map meanwhile when `refresh` is set. */
  async pause(attempt: number, refresh: boolean, limits: _CallLimits, stop: _Stop): Promise<void> {
    const ms = Math.min(_backoffMs(attempt, this.#baseMs, this.#capMs, Math.random), 2 ** 31 - 1);
    const wait = _pause(ms, limits, stop);
    if (refresh) {
      const refreshed = this.#topology.refresh().catch(() => undefined);
      await Promise.all([_bounded(refreshed, limits, stop), wait]);
    } else await wait;
  }

  /**
   * Waits for the map to show `slot` served by a master other than `from` (the map is polled
   * quickly meanwhile), at most as long as the backoff of `attempt`: a node that comes back
   * without a failover is tried again then.
   */
  async master(
    slot: number | undefined,
    from: string | undefined,
    attempt: number,
    limits: _CallLimits,
    stop: _Stop,
  ): Promise<void> {
    if (slot === undefined) return await this.pause(attempt, true, limits, stop);
    const ms = _backoffMs(attempt, this.#baseMs, this.#capMs, Math.random);
    await _bounded(this.#topology.awaitMaster(slot, from, ms), limits, stop);
  }
}
