/**
 * Background timers that must not keep a process alive: the periodic refresh and health probes
 * run for as long as the client lives, and a script that forgets `close()` should still exit.
 * @module
 */
import { _deno } from "./deno_transport.ts";

/** Lets the runtime exit while `timer` is pending, where the runtime can (Deno, Node, Bun). */
export function _unrefTimer(timer: ReturnType<typeof setTimeout>): ReturnType<typeof setTimeout> {
  const handle: unknown = timer;
  if (typeof handle === "object" && handle !== null && "unref" in handle) {
    const unref = handle.unref;
    if (typeof unref === "function") unref.call(handle);
  } else if (typeof handle === "number") {
    _deno()?.unrefTimer?.(handle);
  }
  return timer;
}
