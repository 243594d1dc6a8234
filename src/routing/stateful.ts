/**
 * Commands that change the state of the connection they run on. The client shares one
 * connection per node among all callers, so such a command would change what every other
 * caller's command gets (a GET answered `QUEUED` after someone's MULTI): each is refused, with
 * the API that does the same thing safely.
 * @module
 */
import type { RedisArgument } from "../types.ts";
import { _commandName, _lowerWord } from "./command_name.ts";

const USE_MULTI = "use rc.multi() (MULTI/EXEC on one slot) or rc.watch() (WATCH)";
const USE_SUBSCRIBE = "use rc.subscribe(), rc.psubscribe() or rc.ssubscribe()";

/** Command (or `command|subcommand`) -> what to use instead. */
const REFUSED: ReadonlyMap<string, string> = new Map([
  ["multi", USE_MULTI],
  ["exec", USE_MULTI],
  ["discard", USE_MULTI],
  ["watch", USE_MULTI],
  ["unwatch", USE_MULTI],
  ["subscribe", USE_SUBSCRIBE],
  ["psubscribe", USE_SUBSCRIBE],
  ["ssubscribe", USE_SUBSCRIBE],
  ["unsubscribe", USE_SUBSCRIBE],
  ["punsubscribe", USE_SUBSCRIBE],
  ["sunsubscribe", USE_SUBSCRIBE],
  ["monitor", "use rc.monitor(), which streams on a connection of its own"],
  ["select", "cluster mode has database 0 only"],
  ["swapdb", "cluster mode has database 0 only"],
  ["reset", "the client manages its connections' state"],
  ["quit", "use rc.close()"],
  ["hello", "use the protocol, username and password options"],
  ["auth", "use the username and password (or credentials) options"],
  ["readonly", "use readFrom (per client or per call)"],
  ["readwrite", "use readFrom (per client or per call)"],
  ["asking", "the client sends ASKING itself after an ASK redirect"],
  ["client|reply", "every command's reply is matched in order; turning replies off breaks that"],
]);

/** Containers whose subcommands are looked up (`CLIENT REPLY`). */
const CONTAINERS: ReadonlySet<string> = new Set(["client"]);

/** Throws a `TypeError` naming what to use instead when `args` would change its connection. */
export function _refuseStateful(where: string, args: readonly RedisArgument[]): void {
  const name = _commandName(args);
  const key = CONTAINERS.has(name) && args.length > 1 ? `${name}|${_lowerWord(args[1])}` : name;
  const instead = REFUSED.get(key);
  if (instead === undefined) return;
  throw new TypeError(
    `${where}(): ${key.replace("|", " ").toUpperCase()} would change the shared connection's ` +
      `state for every other caller; ${instead}`,
  );
}
