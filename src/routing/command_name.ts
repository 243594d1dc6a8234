/**
 * Command names and option words in lower case, as the metadata tables key them.
 * @module
 */
import type { RedisArgument } from "../types.ts";
import { decoder } from "../_utf8.ts";

// Command names repeat endlessly; remembering their lower-case form saves a string per command.
const LOWER = new Map<string, string>();
const LOWER_LIMIT = 4096;
/** Real command names are short; anything longer is not worth keeping for the process's life. */
const LOWER_NAME_MAX = 32;

/** The command's lower-case name, as the spec tables key it. */
export function _commandName(args: readonly RedisArgument[]): string {
  const a = args[0];
  if (typeof a === "string") {
    let lower = LOWER.get(a);
    if (lower === undefined) {
      lower = a.toLowerCase();
      if (LOWER.size < LOWER_LIMIT && a.length <= LOWER_NAME_MAX) LOWER.set(a, lower);
    }
    return lower;
  }
  if (a instanceof Uint8Array) return decoder.decode(a).toLowerCase();
  throw new TypeError("sendCommand(): the first argument must be the command name (a string)");
}

/** A subcommand or option word in lower case, whatever its type. */
export function _lowerWord(a: RedisArgument | undefined): string {
  if (typeof a === "string") return a.toLowerCase();
  return a instanceof Uint8Array ? decoder.decode(a).toLowerCase() : String(a);
}
