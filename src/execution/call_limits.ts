/**
 * What bounds a whole call, not one socket attempt: the caller's `timeoutMs` (or the client's
 * `commandTimeoutMs`), its `AbortSignal`, and the client's own closing. Every wait of a call
 * (discovery, a connection being opened, a retry pause, a refresh) ends at the first of them.
 * @module
 */
import { ConnectionError, TimeoutError } from "../errors.ts";

/** The limits of one call. */
export interface _CallLimits {
  /** `performance.now()` time the call must be settled by; `Infinity` for none. */
  readonly deadline: number;
  /** The timeout the deadline came from, for messages. */
  readonly timeoutMs: number | undefined;
  readonly signal: AbortSignal | undefined;
  /** Aborted when the client closes. */
  readonly closing: AbortSignal;
}

/** Why a call ended early, before its outcome was known. */
export type _StopReason = "timeout" | "aborted" | "closed";

/** Milliseconds left before the deadline (never negative; `Infinity` for none). */
export function _remainingMs(limits: _CallLimits): number {
  return limits.deadline === Infinity ? Infinity : Math.max(0, limits.deadline - performance.now());
}

/** The reason the call must stop now, if any. */
export function _stopReason(limits: _CallLimits): _StopReason | undefined {
  if (limits.closing.aborted) return "closed";
  if (limits.signal?.aborted) return "aborted";
  if (limits.deadline !== Infinity && performance.now() >= limits.deadline) return "timeout";
  return undefined;
}

/**
 * `p`'s outcome, unless a limit ends the call first: then it rejects with `stop(reason)`. `p`
 * goes on (a connection being opened still opens, for the next call).
 */
export function _bounded<T>(
  p: Promise<T>,
  limits: _CallLimits,
  stop: (reason: _StopReason) => Error,
): Promise<T> {
  const now = _stopReason(limits);
  if (now !== undefined) {
    p.catch(() => {});
    return Promise.reject(stop(now));
  }
  const { signal, closing } = limits;
  const left = _remainingMs(limits);
  if (left === Infinity && signal === undefined) {
    // Only the client's closing can cut it short.
    return race(p, closing, undefined, undefined, stop);
  }
  return race(p, closing, signal, left, stop);
}

function race<T>(
  p: Promise<T>,
  closing: AbortSignal,
  signal: AbortSignal | undefined,
  ms: number | undefined,
  stop: (reason: _StopReason) => Error,
): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const end = (reason: _StopReason): void => {
      cleanup();
      reject(stop(reason));
    };
    const onClose = (): void => end("closed");
    const onAbort = (): void => end("aborted");
    const cleanup = (): void => {
      clearTimeout(timer);
      closing.removeEventListener("abort", onClose);
      signal?.removeEventListener("abort", onAbort);
    };
    closing.addEventListener("abort", onClose, { once: true });
    signal?.addEventListener("abort", onAbort, { once: true });
    if (ms !== undefined && ms !== Infinity) timer = setTimeout(() => end("timeout"), ms);
    p.then((v) => {
      cleanup();
      resolve(v);
    }, (e) => {
      cleanup();
      reject(e);
    });
  });
}

/** Sleeps `ms`, cut short (rejecting with `stop(reason)`) by the call's limits. */
export function _pause(
  ms: number,
  limits: _CallLimits,
  stop: (reason: _StopReason) => Error,
): Promise<void> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const slept = new Promise<void>((resolve) => timer = setTimeout(resolve, ms));
  return _bounded(slept, limits, stop).finally(() => clearTimeout(timer));
}

/** The error of a call stopped by `reason`: what was attempted, how many tries, the last trouble. */
export function _stopError(
  reason: _StopReason,
  command: string,
  limits: _CallLimits,
  tries: number,
  last: unknown,
): Error {
  const lastText = last instanceof Error ? `; last: ${last.message}` : "";
  const detail = `${tries} ${tries === 1 ? "try" : "tries"}${lastText}`;
  const cause = reason === "aborted" ? limits.signal?.reason : last;
  const options = cause === undefined ? {} : { cause };
  switch (reason) {
    case "closed":
      return new ConnectionError(`${command} was cut short: the client was closed (${detail})`, {
        ...options,
        sent: tries > 0,
      });
    case "aborted":
      return new TimeoutError(`${command} was aborted (${detail})`, options);
    case "timeout":
      return new TimeoutError(
        `${command} timed out after ${limits.timeoutMs} ms (${detail})`,
        options,
      );
  }
}
