/**
 * The Node transport (Node 22+, and Bun): `node:net` and `node:tls`, reached through
 * `process.getBuiltinModule`, so the module has no static `node:` import that a bundler for
 * another runtime (Workers without `nodejs_compat`) would have to resolve.
 * @module
 */
import type { Socket, SocketOptions, TlsOptions, Transport } from "./transport.ts";
import { _ChunkReader } from "./_chunk_reader.ts";
import { _tlsFailure } from "./_tls_failure.ts";

/** The subset of a `net.Socket` the transport uses. */
interface NodeSocket {
  on(event: "data", f: (chunk: Uint8Array) => void): void;
  on(event: "end" | "close" | "connect" | "secureConnect", f: () => void): void;
  on(event: "error", f: (e: Error) => void): void;
  once(event: "connect" | "secureConnect", f: () => void): void;
  once(event: "error", f: (e: Error) => void): void;
  off(event: "error", f: (e: Error) => void): void;
  write(data: Uint8Array, cb: (e?: Error | null) => void): boolean;
  setNoDelay(noDelay: boolean): void;
  pause(): void;
  resume(): void;
  destroy(): void;
}
interface NodeNet {
  connect(o: { host: string; port: number }): NodeSocket;
  isIP(host: string): number;
}
interface NodeTls {
  connect(o: {
    host: string;
    port: number;
    servername?: string;
    ca?: string[];
    cert?: string;
    key?: string;
  }): NodeSocket;
}
interface Builtins {
  getBuiltinModule(name: "node:net"): NodeNet;
  getBuiltinModule(name: "node:tls"): NodeTls;
}

/** `process` when the runtime has `process.getBuiltinModule` (Node 22.3+, Bun). */
export function _nodeBuiltins(): Builtins | undefined {
  const p = (globalThis as { process?: { getBuiltinModule?: unknown } }).process;
  return typeof p?.getBuiltinModule === "function" ? p as unknown as Builtins : undefined;
}

/**
 * The transport for Node and Bun, the default there.
 *
 * @example
 * ```ts ignore
 * import { nodeTransport, RedisCluster } from "@x/rcluster";
 * const rc = new RedisCluster({ startupNodes: ["127.0.0.1:7000"], transport: nodeTransport() });
 * await rc.close();
 * ```
 */
export function nodeTransport(): Transport {
  const builtins = _nodeBuiltins();
  if (builtins === undefined) {
    throw new TypeError(
      "nodeTransport(): this runtime has no process.getBuiltinModule (Node 22+, Bun)",
    );
  }
  const net = builtins.getBuiltinModule("node:net");
  return {
    name: "node",
    connect: (o) =>
      o.tls === undefined
        ? open(net.connect({ host: o.host, port: o.port }), "connect", o.signal)
        : open(
          tlsConnect(builtins.getBuiltinModule("node:tls"), net, o, o.tls),
          "secureConnect",
          o.signal,
        )
          .catch((cause) => {
            throw o.signal.aborted ? cause : _tlsFailure(cause);
          }),
  };
}

function tlsConnect(tls: NodeTls, net: NodeNet, o: SocketOptions, t: TlsOptions): NodeSocket {
  // Node checks the certificate against `servername`, or the host when it is a name.
  const servername = t.serverName ?? (net.isIP(o.host) === 0 ? o.host : undefined);
  return tls.connect({
    host: o.host,
    port: o.port,
    ...(servername !== undefined ? { servername } : {}),
    ...(t.caCerts !== undefined ? { ca: t.caCerts } : {}),
    ...(t.cert !== undefined && t.key !== undefined ? { cert: t.cert, key: t.key } : {}),
  });
}

function open(
  s: NodeSocket,
  ready: "connect" | "secureConnect",
  signal: AbortSignal,
): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const onAbort = (): void => {
      s.destroy();
      reject(signal.reason);
    };
    const onError = (e: Error): void => {
      signal.removeEventListener("abort", onAbort);
      s.destroy();
      reject(e);
    };
    if (signal.aborted) return onAbort();
    signal.addEventListener("abort", onAbort, { once: true });
    s.once("error", onError);
    s.once(ready, () => {
      signal.removeEventListener("abort", onAbort);
      s.off("error", onError);
      resolve(wrap(s));
    });
  });
}

function wrap(s: NodeSocket): Socket {
  s.setNoDelay(true);
  const reader = new _ChunkReader(() => s.pause(), () => s.resume());
  s.on("data", (chunk) => reader.push(chunk));
  s.on("end", () => reader.end());
  s.on("close", () => reader.end());
  s.on("error", (e) => reader.fail(e));
  return {
    read: (into) => reader.read(into),
    write: (bytes) =>
      new Promise((resolve, reject) => {
        // The callback runs once the bytes left the buffer: only then may it be reused.
        s.write(bytes, (e) => e ? reject(e) : resolve());
      }),
    close(): void {
      s.destroy();
      reader.end();
    },
  };
}
