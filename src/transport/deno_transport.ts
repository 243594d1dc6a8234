/**
 * The Deno transport: `Deno.connect`, `Deno.connectTls` and `Deno.startTls`.
 * @module
 */
import type { Socket, SocketOptions, TlsOptions, Transport } from "./transport.ts";
import { _tlsFailure } from "./_tls_failure.ts";

/** The subset of the `Deno` namespace the transport uses. */
interface DenoConn {
  read(p: Uint8Array): Promise<number | null>;
  write(p: Uint8Array): Promise<number>;
  close(): void;
}
interface DenoNet {
  connect(o: { hostname: string; port: number; signal?: AbortSignal }): Promise<DenoConn>;
  connectTls(o: {
    hostname: string;
    port: number;
    caCerts?: string[];
    cert?: string;
    key?: string;
  }): Promise<DenoConn>;
  startTls(c: DenoConn, o: { hostname: string; caCerts?: string[] }): Promise<DenoConn>;
  unrefTimer?(id: number): void;
}

/** The `Deno` namespace when running on Deno. */
export function _deno(): DenoNet | undefined {
  const d = (globalThis as { Deno?: Partial<DenoNet> }).Deno;
  return typeof d?.connect === "function" ? d as DenoNet : undefined;
}

/**
 * The transport for Deno, the default there.
 *
 * @example
 * ```ts
 * import { denoTransport, RedisCluster } from "@x/rcluster";
 * const rc = new RedisCluster({ startupNodes: ["127.0.0.1:7000"], transport: denoTransport() });
 * await rc.close();
 * ```
 */
export function denoTransport(): Transport {
  const deno = _deno();
  if (deno === undefined) throw new TypeError("denoTransport(): this runtime is not Deno");
  return {
    name: "deno",
    connect: (o) => open(deno, o),
    checkTls(tls: TlsOptions): void {
      if (tls.cert !== undefined && tls.serverName !== undefined) {
        throw new TypeError(
          "RedisCluster: options.tls.serverName cannot be combined with a client certificate " +
            "on Deno (Deno.connectTls verifies the host it dials)",
        );
      }
    },
  };
}

async function open(deno: DenoNet, o: SocketOptions): Promise<Socket> {
  const { host: hostname, port, signal, tls } = o;
  if (tls === undefined) return wrap(await deno.connect({ hostname, port, signal }));
  const caCerts = tls.caCerts ? { caCerts: tls.caCerts } : {};
  try {
    if (tls.serverName !== undefined && tls.serverName !== hostname) {
      // The name to verify differs from the address dialled: TCP first, then TLS over it.
      const tcp = await deno.connect({ hostname, port, signal });
      return wrap(
        await raceSignal(deno.startTls(tcp, { hostname: tls.serverName, ...caCerts }), signal),
      );
    }
    const clientKey = tls.cert !== undefined && tls.key !== undefined
      ? { cert: tls.cert, key: tls.key }
      : {};
    return wrap(
      await raceSignal(deno.connectTls({ hostname, port, ...caCerts, ...clientKey }), signal),
    );
  } catch (cause) {
    if (signal.aborted) throw cause;
    throw _tlsFailure(cause);
  }
}

function wrap(conn: DenoConn): Socket {
  return {
    read: (into) => conn.read(into),
    async write(bytes: Uint8Array): Promise<void> {
      // `write` may take only part of a buffer.
      let off = 0;
      while (off < bytes.length) off += await conn.write(bytes.subarray(off));
    },
    close(): void {
      try {
        conn.close();
      } catch { /* already closed */ }
    },
  };
}

// connectTls takes no signal: a late socket is closed instead of leaked.
function raceSignal(p: Promise<DenoConn>, signal: AbortSignal): Promise<DenoConn> {
  return new Promise((resolve, reject) => {
    const onAbort = (): void => reject(signal.reason);
    signal.addEventListener("abort", onAbort, { once: true });
    p.then((c) => {
      signal.removeEventListener("abort", onAbort);
      if (signal.aborted) c.close();
      else resolve(c);
    }, (e) => {
      signal.removeEventListener("abort", onAbort);
      reject(e);
    });
  });
}
