/**
 * A wait with a time limit, for the facade's own waits (a probe's connection, a subscription's
 * confirmation) that have no call limits of their own.
 * @module
 */

/** `p`, or the error `late()` makes once `ms` have passed (the timer is always cleared). */
export async function _within<T>(p: Promise<T>, ms: number, late: () => Error): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(late()), ms);
  });
  try {
    return await Promise.race([p, expired]);
  } finally {
    clearTimeout(timer);
  }
}
