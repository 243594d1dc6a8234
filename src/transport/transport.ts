/**
 * The transport seam: how a connection opens a TCP or TLS socket and moves bytes on the runtime
 * at hand. Everything above it (the connection, the pool, the cluster) uses only this interface,
 * so the client runs wherever one of these can be written: Deno, Node, Bun, Cloudflare Workers.
 * @module
 */
/**
 * TLS settings of every node connection.
 *
 * @example
 * ```ts
 * import type { TlsOptions } from "@x/rcluster";
 * const tls: TlsOptions = {
 *   caCerts: [Deno.readTextFileSync("ca.pem")],
 *   cert: Deno.readTextFileSync("client.pem"), // mutual TLS (tls-auth-clients yes)
 *   key: Deno.readTextFileSync("client.key"),
 * };
 * ```
 */
export interface TlsOptions {
  /** Extra root certificates (PEM) to trust, e.g. a private CA's.
   * @default undefined (the runtime's own roots) */
  caCerts?: string[];
  /** Client certificate chain (PEM), for servers that require one (mutual TLS); with `key`.
   * @default undefined */
  cert?: string;
  /** The client certificate's private key (PEM); with `cert`.
   * @default undefined */
  key?: string;
  /** The name the server certificate must carry, when it differs from the address dialled
   * (nodes announce IP addresses; certificates often name hosts). On Deno it cannot be
   * combined with a client certificate.
   * @default the host dialled */
  serverName?: string;
}

/** Where and how to open one socket. */
export interface SocketOptions {
  /** Host name or IP address. */
  readonly host: string;
  /** TCP port. */
  readonly port: number;
  /** TLS settings; `undefined` for plain TCP. */
  readonly tls: TlsOptions | undefined;
  /** Aborted when the connect must end (timeout, cancel, close): the socket is closed, not
   * leaked, however late it opens. */
  readonly signal: AbortSignal;
}

/**
 * One open socket. `read` and `write` are never called concurrently with themselves; they may run
 * at the same time as each other.
 *
 * @example
 * ```ts
 * import type { Socket } from "@x/rcluster";
 * const echo: Socket = {
 *   read: () => Promise.resolve(null),
 *   write: () => Promise.resolve(),
 *   close: () => {},
 * };
 * ```
 */
export interface Socket {
  /**
   * Reads received bytes into `into`; resolves with how many were read (at least 1), or `null`
   * once the peer closed. Rejects when the socket failed.
   */
  read(into: Uint8Array): Promise<number | null>;
  /** Writes every byte of `bytes`; resolves once the runtime no longer needs the buffer. */
  write(bytes: Uint8Array): Promise<void>;
  /** Closes the socket; a pending `read` then resolves `null` or rejects. Idempotent. */
  close(): void;
}

/**
 * Opens sockets on one runtime. The client picks one by feature detection (Deno, Cloudflare
 * Workers, Node and Bun); the `transport` option overrides it.
 *
 * @example
 * ```ts
 * import { RedisCluster, type Transport } from "@x/rcluster";
 * import { nodeTransport } from "@x/rcluster";
 * const transport: Transport = nodeTransport();
 * const rc = new RedisCluster({ startupNodes: ["127.0.0.1:7000"], transport });
 * await rc.close();
 * ```
 */
export interface Transport {
  /** The runtime's name, for messages: `"deno"`, `"node"`, `"workers"`... */
  readonly name: string;
  /** Opens a socket; rejects with the runtime's error when it cannot. */
  connect(options: SocketOptions): Promise<Socket>;
  /**
   * Throws a `TypeError` naming the option when this runtime cannot honour `tls` (checked when
   * the client is made, before any I/O).
   */
  checkTls?(tls: TlsOptions): void;
  /**
   * The error to report instead of `error` when it is the runtime's word for a misuse this
   * transport knows (a Workers client used by another request), else `undefined`.
   */
  explain?(error: unknown): Error | undefined;
  /** Connections the client may hold at once when `maxConnections` is not given. */
  readonly defaultMaxConnections?: number;
}
