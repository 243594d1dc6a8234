/**
 * How a retry loop ends when it runs out of tries: with the error that says what happened (a
 * `ProtocolError` when a node keeps answering garbage, a `ConnectionError` when nodes keep
 * failing, `ClusterRedirectionError` only when redirections were the trouble).
 * @module
 */
import { ClusterRedirectionError, ConnectionError, ProtocolError, RedisError } from "../errors.ts";

/** Parse failures of one call after which its `ProtocolError` is the call's outcome. */
export const _MAX_PROTOCOL_FAILURES = 3;

/** The `ProtocolError` behind a lost connection, if that is why it was lost. */
export function _protocolCause(error: Error): ProtocolError | undefined {
  let e: unknown = error;
  for (let depth = 0; depth < 4 && e instanceof Error; depth++, e = e.cause) {
    if (e instanceof ProtocolError) return e;
  }
  return undefined;
}

/** The error of a call that used up its tries; `last` is the last trouble it met. */
export function _giveUp(
  command: string,
  tries: number,
  last: unknown,
  slot: number | undefined,
): Error {
  if (last instanceof ConnectionError) {
    const where = slot === undefined ? "" : ` for slot ${slot}`;
    return new ConnectionError(
      `${command} failed after ${tries} ${tries === 1 ? "try" : "tries"}${where}: ${last.message}`,
      { address: last.address, sent: last.sent, cause: last },
    );
  }
  if (last instanceof ProtocolError) return last;
  if (last instanceof RedisError || last === undefined) {
    return new ClusterRedirectionError(command, tries, last, slot);
  }
  return last instanceof Error ? last : new Error(String(last));
}
