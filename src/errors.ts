/**
 * Error classes. Server errors are parsed once, when they are decoded, into a `kind` with checked
 * fields, so routing never splits error strings.
 * @module
 */

/**
 * What a server error reply means to a cluster client.
 *
 * @example
 * ```ts
 * import { RedisError } from "@x/rcluster";
 * const e = new RedisError("MOVED 3999 127.0.0.1:6381");
 * console.log(e.kind satisfies string); // "MOVED"
 * ```
 */
export type RedisErrorKind =
  | "MOVED"
  | "ASK"
  | "TRYAGAIN"
  | "CLUSTERDOWN"
  | "LOADING"
  | "READONLY"
  | "MASTERDOWN"
  | "CROSSSLOT"
  | "NOSCRIPT"
  | "BUSY"
  | "OTHER";

const KINDS: ReadonlySet<string> = new Set([
  "MOVED",
  "ASK",
  "TRYAGAIN",
  "CLUSTERDOWN",
  "LOADING",
  "READONLY",
  "MASTERDOWN",
  "CROSSSLOT",
  "NOSCRIPT",
  "BUSY",
]);

/**
 * An error reply from a Redis server (`-ERR ...`). `code` is the first word (`ERR`, `WRONGTYPE`,
 * `MOVED`...); for `MOVED` and `ASK`, `slot` and `address` hold the redirect target.
 *
 * @example
 * ```ts
 * import { RedisError } from "@x/rcluster";
 * const e = new RedisError("ASK 3999 127.0.0.1:6381");
 * console.log(e.kind, e.slot, e.address); // "ASK" 3999 "127.0.0.1:6381"
 * ```
 */
export class RedisError extends Error {
  /** The error's first word, e.g. `WRONGTYPE`. */
  readonly code: string;
  /** The routing meaning of the error. */
  readonly kind: RedisErrorKind;
  /** For `MOVED`/`ASK`: the slot being redirected. */
  readonly slot: number | undefined;
  /** For `MOVED`/`ASK`: the `host:port` to go to. */
  readonly address: string | undefined;

  /** Parses the text of an error reply (without the leading `-`). */
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "RedisError";
    const space = message.indexOf(" ");
    this.code = space === -1 ? message : message.slice(0, space);
    let kind: RedisErrorKind = KINDS.has(this.code) ? this.code as RedisErrorKind : "OTHER";
    let slot: number | undefined;
    let address: string | undefined;
    if (kind === "MOVED" || kind === "ASK") {
      const parts = message.split(" ");
      const s = Number(parts[1]);
      const a = parts[2];
      if (parts.length === 3 && Number.isInteger(s) && s >= 0 && s < 16384 && a) {
        slot = s;
        // Redis 7 may send ":port" when the node does not know its own announced IP.
        address = a;
      } else {
        kind = "OTHER";
      }
    }
    this.kind = kind;
    this.slot = slot;
    this.address = address;
  }
}

/**
 * The byte stream broke the RESP protocol, or a configured limit was exceeded.
 *
 * @example
 * ```ts
 * import { ProtocolError } from "@x/rcluster";
 * const e = new ProtocolError("unknown RESP type byte 0x21");
 * console.log(e.name); // "ProtocolError"
 * ```
 */
export class ProtocolError extends Error {
  /** Describes the protocol violation. */
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "ProtocolError";
  }
}

/**
 * A connection could not be opened or was lost. `address` names the node; `sent` tells whether
 * the command may have reached the server (so retrying a write could run it twice).
 *
 * @example
 * ```ts
 * import { ConnectionError } from "@x/rcluster";
 * const e = new ConnectionError("connection to 127.0.0.1:7000 closed", { address: "127.0.0.1:7000" });
 * console.log(e.address);
 * ```
 */
export class ConnectionError extends Error {
  /** The node's `host:port`. */
  readonly address: string | undefined;
  /** Whether the command had been written to the socket when the connection failed. */
  readonly sent: boolean;
  /** False when no retry from this client can help (a Workers client used by another request
   * than the one that made it): the call fails at once. */
  readonly retryable: boolean;
  /** Describes what was attempted and on which node. */
  constructor(
    message: string,
    options?: ErrorOptions & { address?: string | undefined; sent?: boolean; retryable?: boolean },
  ) {
    super(message, options);
    this.name = "ConnectionError";
    this.address = options?.address;
    this.sent = options?.sent ?? false;
    this.retryable = options?.retryable ?? true;
  }
}

/**
 * A node refused the client's credentials or rights while a connection was being set up
 * (`WRONGPASS`, `NOAUTH`, `NOPERM`), or the `credentials` provider failed (`code`
 * `"CREDENTIALS"`). The call fails at once: retrying with the same secret cannot help.
 *
 * @example
 * ```ts
 * import { AuthError } from "@x/rcluster";
 * const e = new AuthError("AUTH on 127.0.0.1:7000 was refused: WRONGPASS invalid username-password pair", { code: "WRONGPASS", address: "127.0.0.1:7000" });
 * console.log(e.code); // "WRONGPASS"
 * ```
 */
export class AuthError extends Error {
  /** The server's error code (`WRONGPASS`, `NOAUTH`, `NOPERM`), or `CREDENTIALS`. */
  readonly code: string;
  /** The node's `host:port`. */
  readonly address: string | undefined;
  /** Says which step was refused, by which node, and why. */
  constructor(
    message: string,
    options: ErrorOptions & { code: string; address?: string | undefined },
  ) {
    super(message, options);
    this.name = "AuthError";
    this.code = options.code;
    this.address = options.address;
  }
}

/**
 * A call was refused before it was sent because one of the client's bounds was reached
 * (`maxQueueLength`, `maxUnwrittenBytes`, `maxBlockingConnections`): nothing reached a server,
 * so it is safe to try again later. `option` names the bound.
 *
 * @example
 * ```ts
 * import { CapacityError } from "@x/rcluster";
 * const e = new CapacityError("GET not sent: 10 calls already wait", { option: "maxQueueLength", limit: 10 });
 * console.log(e.option, e.limit); // "maxQueueLength" 10
 * ```
 */
export class CapacityError extends Error {
  /** The option whose bound was reached. */
  readonly option:
    | "maxQueueLength"
    | "maxUnwrittenBytes"
    | "maxBlockingConnections"
    | "maxConnections"
    | "bufferSize";
  /** Its value. */
  readonly limit: number;
  /** Says what was refused and which bound stood in the way. */
  constructor(
    message: string,
    options: { option: CapacityError["option"]; limit: number },
  ) {
    super(message);
    this.name = "CapacityError";
    this.option = options.option;
    this.limit = options.limit;
  }
}

/** Server error codes that mean the credentials or the user's rights were refused. */
export const _AUTH_CODES: ReadonlySet<string> = new Set(["WRONGPASS", "NOAUTH", "NOPERM"]);

/**
 * A connect or command timeout elapsed, or the command's `AbortSignal` fired.
 *
 * @example
 * ```ts
 * import { TimeoutError } from "@x/rcluster";
 * const e = new TimeoutError("GET timed out after 100 ms on 127.0.0.1:7000");
 * console.log(e.name); // "TimeoutError"
 * ```
 */
export class TimeoutError extends Error {
  /** The node's `host:port`, when known. */
  readonly address: string | undefined;
  /** Describes what timed out. */
  constructor(message: string, options?: ErrorOptions & { address?: string | undefined }) {
    super(message, options);
    this.name = "TimeoutError";
    this.address = options?.address;
  }
}

/**
 * A command was redirected or retried more than `maxRedirections` times.
 *
 * @example
 * ```ts
 * import { ClusterRedirectionError } from "@x/rcluster";
 * const e = new ClusterRedirectionError("GET", 17, undefined);
 * console.log(e.attempts); // 17
 * ```
 */
export class ClusterRedirectionError extends Error {
  /** How many times the command was sent. */
  readonly attempts: number;
  /** The slot of the command's keys, when it has any. */
  readonly slot: number | undefined;
  /** Builds "Too many Cluster redirections" with the last redirect as the cause. */
  constructor(command: string, attempts: number, cause: unknown, slot?: number) {
    const last = cause instanceof Error ? `; last: ${cause.message}` : "";
    super(`Too many Cluster redirections for ${command} after ${attempts} attempts${last}`, {
      cause,
    });
    this.name = "ClusterRedirectionError";
    this.attempts = attempts;
    this.slot = slot;
  }
}

/**
 * Some commands of a pipeline failed. `replies` holds every reply in the caller's order, with
 * an `Error` in the place of each failed command.
 *
 * @example
 * ```ts
 * import { PipelineError, RedisError } from "@x/rcluster";
 * const e = new PipelineError(["OK", new RedisError("WRONGTYPE x")]);
 * console.log(e.errors.length); // 1
 * ```
 */
export class PipelineError extends Error {
  /** Every reply, errors in place. */
  readonly replies: readonly unknown[];
  /** The failed commands' positions and errors. */
  readonly errors: readonly { index: number; error: Error }[];
  /** Summarises the first failure. */
  constructor(replies: readonly unknown[]) {
    const errors: { index: number; error: Error }[] = [];
    replies.forEach((r, index) => {
      if (r instanceof Error) errors.push({ index, error: r });
    });
    const first = errors[0];
    super(
      `${errors.length} of ${replies.length} pipeline commands failed` +
        (first ? `; first at #${first.index}: ${first.error.message}` : ""),
      first ? { cause: first.error } : undefined,
    );
    this.name = "PipelineError";
    this.replies = replies;
    this.errors = errors;
  }
}

/**
 * `EXEC` returned nil: a watched key changed, so nothing was applied.
 *
 * @example
 * ```ts
 * import { WatchError } from "@x/rcluster";
 * const e = new WatchError(3);
 * console.log(e.attempts); // 3
 * ```
 */
export class WatchError extends Error {
  /** How many times the transaction was tried. */
  readonly attempts: number;
  /** Says how many attempts were aborted. */
  constructor(attempts: number) {
    super(`transaction aborted: a watched key changed (${attempts} attempt(s))`);
    this.name = "WatchError";
    this.attempts = attempts;
  }
}
