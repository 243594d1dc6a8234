/**
 * Opening a TCP or TLS socket under an `AbortSignal`, and writing all of a buffer to it.
 * @module
 */
import type { ConnectionOptions } from "./connection_options.ts";

/** Opens the socket a connection will use; the signal bounds the connect. */
export async function _openSocket(o: ConnectionOptions, signal: AbortSignal): Promise<Deno.Conn> {
  if (!o.tls) return await Deno.connect({ hostname: o.host, port: o.port, signal });
  const tls = typeof o.tls === "object" ? o.tls : {};
  const caCerts = tls.caCerts ? { caCerts: tls.caCerts } : {};
  try {
    if (tls.serverName !== undefined && tls.serverName !== o.host) {
      // The name to verify differs from the address dialled: TCP first, then TLS over it.
      const tcp = await Deno.connect({ hostname: o.host, port: o.port, signal });
      return await raceSignal(Deno.startTls(tcp, { hostname: tls.serverName, ...caCerts }), signal);
    }
    const clientKey = tls.cert !== undefined && tls.key !== undefined
      ? { cert: tls.cert, key: tls.key }
      : {};
    return await raceSignal(
      Deno.connectTls({ hostname: o.host, port: o.port, ...caCerts, ...clientKey }),
      signal,
    );
  } catch (cause) {
    if (signal.aborted) throw cause;
    // A TLS handshake answered by a plaintext port fails with a parsing error, not a refusal.
    const text = cause instanceof Error ? cause.message : String(cause);
    throw new Error(
      /refused/i.test(text) ? text : `${text} (TLS handshake failed: is it a plaintext port?)`,
      { cause },
    );
  }
}

// connectTls takes no signal: a late socket is closed instead of leaked.
function raceSignal(p: Promise<Deno.Conn>, signal: AbortSignal): Promise<Deno.Conn> {
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

/** Writes every byte; `Deno.Conn.write` may take only part of a buffer. */
export async function _writeAll(conn: Deno.Conn, bytes: Uint8Array): Promise<void> {
  let off = 0;
  while (off < bytes.length) off += await conn.write(bytes.subarray(off));
}
