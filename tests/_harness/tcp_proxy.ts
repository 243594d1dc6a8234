/** A TCP forwarder on loopback: the only way a client can reach a node, for natMap tests. */

/** A running forwarder to one port. */
export interface TcpProxy extends AsyncDisposable {
  readonly port: number;
  /** Connections accepted so far. */
  readonly accepted: number;
}

/** Forwards every connection made to a fresh 127.0.0.1 port to `targetPort`. */
export function tcpProxy(targetPort: number): TcpProxy {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const conns = new Set<Deno.Conn>();
  const pipes: Promise<void>[] = [];
  let accepted = 0;
  const pipe = async (from: Deno.Conn, to: Deno.Conn): Promise<void> => {
    try {
      await from.readable.pipeTo(to.writable);
    } catch { /* either side closed */ }
    for (const c of [from, to]) {
      try {
        c.close();
      } catch { /* already closed */ }
    }
  };
  const accepting = (async () => {
    try {
      for await (const client of listener) {
        accepted++;
        conns.add(client);
        try {
          const server = await Deno.connect({ hostname: "127.0.0.1", port: targetPort });
          conns.add(server);
          pipes.push(pipe(client, server), pipe(server, client));
        } catch {
          client.close();
        }
      }
    } catch { /* listener closed */ }
  })();
  return {
    port: listener.addr.port,
    get accepted() {
      return accepted;
    },
    async [Symbol.asyncDispose]() {
      listener.close();
      for (const c of conns) {
        try {
          c.close();
        } catch { /* already closed */ }
      }
      await accepting;
      await Promise.allSettled(pipes);
    },
  };
}
