/**
 * An in-process TCP server speaking just enough RESP for fault injection: malformed replies,
 * stalls, dropped connections. Real behaviour is tested against real redis-server processes.
 * @module
 */

/** One socket read as the fake server saw it. */
export interface FakeRequest {
  /** The bytes read. */
  readonly bytes: Uint8Array;
  /** How many RESP commands the read holds (counted by their `*` headers). */
  readonly commands: number;
}

/** A running fake server. */
export interface FakeServer extends AsyncDisposable {
  readonly port: number;
  /** Closes every client connection (a dropped connection), keeps listening. */
  dropClients(): void;
}

/** Starts a fake server on 127.0.0.1; `handler` answers each read through `reply`. */
export function fakeServer(
  handler: (req: FakeRequest, reply: (text: string) => void, conn: Deno.Conn) => void,
): FakeServer {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const conns = new Set<Deno.Conn>();
  const loops: Promise<void>[] = [];
  const serve = async (conn: Deno.Conn): Promise<void> => {
    const buf = new Uint8Array(64 * 1024);
    try {
      for (let n = await conn.read(buf); n !== null; n = await conn.read(buf)) {
        const bytes = buf.slice(0, n);
        handler({ bytes, commands: countCommands(bytes) }, (text) => {
          conn.write(new TextEncoder().encode(text)).catch(() => undefined);
        }, conn);
      }
    } catch { /* closed by the test */ }
    conns.delete(conn);
    try {
      conn.close();
    } catch { /* already closed */ }
  };
  const accepting = (async () => {
    try {
      for await (const conn of listener) {
        conns.add(conn);
        loops.push(serve(conn));
      }
    } catch { /* listener closed */ }
  })();
  return {
    port: listener.addr.port,
    dropClients() {
      for (const c of conns) c.close();
    },
    async [Symbol.asyncDispose]() {
      listener.close();
      for (const c of conns) {
        try {
          c.close();
        } catch { /* already closed */ }
      }
      await accepting;
      await Promise.all(loops);
    },
  };
}

function countCommands(bytes: Uint8Array): number {
  let n = 0;
  for (let i = 0; i < bytes.length; i++) {
    if (bytes[i] === 0x2a && (i === 0 || bytes[i - 1] === 0x0a)) n++;
  }
  return n;
}
