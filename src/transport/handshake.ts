/**
 * The handshake every new connection runs before it carries commands: `HELLO`/`AUTH`,
 * `CLIENT SETNAME`, `READONLY` (or a `PING` when none is due), sent together in one write.
 * @module
 */
import type { ConnectionOptions, SendOptions } from "./connection_options.ts";
import { _AUTH_CODES, AuthError, ConnectionError, RedisError } from "../errors.ts";
import type { RedisArgument, RedisReply } from "../types.ts";

/** Sends one command on the connection being set up. */
export type _Send = (args: readonly RedisArgument[], options: SendOptions) => Promise<RedisReply>;

/** Runs the handshake on a freshly opened connection; rejects naming the step that failed. */
export async function _handshake(
  send: _Send,
  address: string,
  o: ConnectionOptions,
  timeoutMs: number,
): Promise<void> {
  const steps: RedisArgument[][] = [];
  const auth: RedisArgument[] = o.password === undefined
    ? []
    : ["AUTH", o.username ?? "default", o.password];
  if (o.protocol === 3) steps.push(["HELLO", 3, ...auth]);
  else if (auth.length) steps.push(o.username === undefined ? auth.toSpliced(1, 1) : auth);
  if (o.clientName !== undefined) steps.push(["CLIENT", "SETNAME", o.clientName]);
  if (o.readonly) steps.push(["READONLY"]);
  // A connection is proven before it carries commands: a node that needs a password, a TLS
  // port, or no Redis at all fails here, with a clear error, not on the first command.
  if (steps.length === 0) steps.push(["PING"]);
  const replies = await Promise.all(steps.map((s) => send(s, { timeoutMs })));
  const failed = replies.findIndex((r) => r instanceof RedisError);
  if (failed !== -1) {
    const err = replies[failed] as RedisError;
    if (_AUTH_CODES.has(err.code)) {
      const hint = err.code === "NOAUTH" && auth.length === 0
        ? " (the node requires a password: set the password or credentials option)"
        : "";
      throw new AuthError(
        `${String(steps[failed]![0])} on ${address} was refused: ${err.message}${hint}`,
        { code: err.code, address, cause: err },
      );
    }
    throw new ConnectionError(
      `handshake ${String(steps[failed]![0])} on ${address} failed: ${err.message}`,
      { address: address, cause: err },
    );
  }
}
