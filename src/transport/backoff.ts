/**
 * Retry delays: exponential, capped, with full jitter. In the transport because reconnects back
 * off with it; the retry loop above uses the same curve.
 * @module
 */

/**
 * Backoff for the `attempt`-th retry (0-based): exponential, capped, with full jitter so a
 * crowd of clients does not retry in step.
 */
export function _backoffMs(
  attempt: number,
  base: number,
  cap: number,
  random: () => number,
): number {
  const ceiling = Math.min(cap, base * 2 ** attempt);
  return ceiling / 2 + random() * ceiling / 2;
}
