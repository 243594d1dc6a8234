/**
 * Lua scripts by SHA1 with a `NOSCRIPT` fallback: the source travels only when a node lacks it.
 * @module
 */
import { RedisError } from "../errors.ts";
import type { _Dispatcher } from "../execution/dispatcher.ts";
import type { CallOptions } from "../execution/call_options.ts";
import type { RedisArgument, RedisKey, RedisReply } from "../types.ts";
import { encoder } from "../_utf8.ts";

const shas = new Map<string, Promise<string>>();

/** SHA1 of a script, hex, cached per source. */
export function _scriptSha(script: string): Promise<string> {
  let sha = shas.get(script);
  if (!sha) {
    sha = crypto.subtle.digest("SHA-1", encoder.encode(script)).then((d) =>
      Array.from(new Uint8Array(d), (b) => b.toString(16).padStart(2, "0")).join("")
    );
    shas.set(script, sha);
  }
  return sha;
}

/** EVALSHA (or EVALSHA_RO), then EVAL (EVAL_RO) on `NOSCRIPT`. Errors come back as values. */
export async function _evalWithFallback(
  dispatcher: _Dispatcher,
  script: string,
  keys: readonly RedisKey[],
  args: readonly RedisArgument[],
  options?: CallOptions & { readOnly?: boolean },
): Promise<RedisReply> {
  if (typeof script !== "string") throw new TypeError("runScript(): script must be a string");
  const ro = options?.readOnly ? "_RO" : "";
  const tail = [keys.length, ...keys, ...args];
  const reply = await dispatcher.send([`EVALSHA${ro}`, await _scriptSha(script), ...tail], options);
  if (!(reply instanceof RedisError) || reply.kind !== "NOSCRIPT") return reply;
  return await dispatcher.send([`EVAL${ro}`, script, ...tail], options);
}
