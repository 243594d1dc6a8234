/**
 * Opening a TCP or TLS socket under an `AbortSignal`, and writing all of a buffer to it.
 * @module
 */
import type { ConnectionOptions } from "./connection_options.ts";

/** Opens the socket a connection will use; the signal bounds the connect. */
export function _openSocket(o: ConnectionOptions, signal: AbortSignal): Promise<Deno.Conn> {
  if (o.tls) {
    const tls = typeof o.tls === "object" ? o.tls : {};
    return raceSignal(
      Deno.connectTls({
        hostname: o.host,
        port: o.port,
        ...(tls.caCerts ? { caCerts: tls.caCerts } : {}),
      }),
      signal,
    );
  }
  return Deno.connect({ hostname: o.host, port: o.port, signal });
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
