/**
 * The Cloudflare Workers transport: `connect()` from `cloudflare:sockets`. The module is imported
 * at the first connect through a specifier bundlers do not follow, so bundling for Node, Deno or
 * Workers alike leaves it alone and no other runtime ever loads it.
 * @module
 */
import type { Socket, SocketOptions, TlsOptions, Transport } from "./transport.ts";
import { _ChunkReader } from "./_chunk_reader.ts";
import { _tlsFailure } from "./_tls_failure.ts";
import { ConnectionError } from "../errors.ts";

/** The subset of `cloudflare:sockets` the transport uses. */
interface WorkersSocket {
  readonly readable: ReadableStream<Uint8Array>;
  readonly writable: WritableStream<Uint8Array>;
  readonly opened: Promise<unknown>;
  close(): Promise<void>;
}
interface WorkersSockets {
  connect(
    address: { hostname: string; port: number },
    options: { secureTransport: "on" | "off"; allowHalfOpen: boolean },
  ): WorkersSocket;
}

/** Production Workers allow about six simultaneous outgoing connections per request. */
const WORKERS_MAX_CONNECTIONS = 6;

/** Whether the code runs on Cloudflare Workers (workerd). */
export function _onWorkers(): boolean {
  const nav = (globalThis as { navigator?: { userAgent?: unknown } }).navigator;
  return nav?.userAgent === "Cloudflare-Workers";
}

/**
 * The marker in workerd's error when a socket opened by one request is used by another.
 * Sockets cannot outlive the request that opened them.
 */
const CROSS_REQUEST = /different request/i;

/**
 * The transport for Cloudflare Workers, the default there. Sockets belong to the request that
 * opened them: make the client inside `fetch()` (`await using`, or `ctx.waitUntil(rc.close())`).
 *
 * @example
 * ```ts ignore
 * import { RedisCluster, workersTransport } from "@x/rcluster";
 * const rc = new RedisCluster({ startupNodes: ["10.0.0.1:6379"], transport: workersTransport() });
 * await rc.close();
 * ```
 */
export function workersTransport(): Transport {
  /** Set once a socket of this transport was used by another request: it stays refused. */
  let foreign: ConnectionError | undefined;
  const check = (e: unknown, address: string): unknown => {
    const text = e instanceof Error ? e.message : String(e);
    if (!CROSS_REQUEST.test(text)) return e;
    foreign ??= new ConnectionError(
      `${address}: this client's sockets belong to an earlier request (on Cloudflare Workers a ` +
        "socket cannot outlive the request that opened it): make the client inside fetch() " +
        "and close it there",
      { address, cause: e, retryable: false },
    );
    return foreign;
  };
  return {
    name: "workers",
    defaultMaxConnections: WORKERS_MAX_CONNECTIONS,
    async connect(o: SocketOptions): Promise<Socket> {
      if (foreign !== undefined) throw foreign;
      sockets ??= import(SPECIFIER) as Promise<WorkersSockets>;
      const { connect } = await sockets;
      const socket = connect({ hostname: o.host, port: o.port }, {
        secureTransport: o.tls === undefined ? "off" : "on",
        allowHalfOpen: false,
      });
      const onAbort = (): void => void socket.close().catch(() => {});
      o.signal.addEventListener("abort", onAbort, { once: true });
      try {
        await socket.opened;
      } catch (cause) {
        void socket.close().catch(() => {});
        throw o.signal.aborted || o.tls === undefined ? cause : _tlsFailure(cause);
      } finally {
        o.signal.removeEventListener("abort", onAbort);
      }
      if (o.signal.aborted) {
        void socket.close().catch(() => {});
        throw o.signal.reason;
      }
      return wrap(socket, (e) => check(e, `${o.host}:${o.port}`));
    },
    explain(e: unknown): Error | undefined {
      const explained = check(e, "a node");
      return explained instanceof ConnectionError ? explained : undefined;
    },
    checkTls(tls: TlsOptions): void {
      const unsupported = (["caCerts", "cert", "key", "serverName"] as const).find((k) =>
        tls[k] !== undefined
      );
      if (unsupported !== undefined) {
        throw new TypeError(
          `RedisCluster: options.tls.${unsupported} is not available on Cloudflare Workers ` +
            "(its sockets verify against the public roots and take no client certificate): " +
            "use tls: true",
        );
      }
    },
  };
}

/** A specifier in a variable: bundlers leave the import to the runtime. */
const SPECIFIER = "cloudflare:sockets";
let sockets: Promise<WorkersSockets> | undefined;

function wrap(socket: WorkersSocket, check: (e: unknown) => unknown): Socket {
  const reader = new _ChunkReader();
  const writer = socket.writable.getWriter();
  const pump = async (): Promise<void> => {
    const r = socket.readable.getReader();
    try {
      for (;;) {
        const { done, value } = await r.read();
        if (done) return reader.end();
        reader.push(value);
      }
    } catch (e) {
      reader.fail(check(e));
    }
  };
  void pump();
  return {
    read: (into) => reader.read(into),
    async write(bytes: Uint8Array): Promise<void> {
      try {
        await writer.write(bytes);
      } catch (e) {
        throw check(e);
      }
    },
    close(): void {
      reader.end();
      void socket.close().catch(() => {});
    },
  };
}
