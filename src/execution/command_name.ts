/**
 * The command's name as messages show it.
 * @module
 */
import type { RedisArgument } from "../types.ts";

/** The command's name for messages, upper case. */
export function _nameOf(args: readonly RedisArgument[]): string {
  const a = args[0];
  return typeof a === "string" ? a.toUpperCase() : String(a);
}
