/**
 * A throwaway standalone redis-server for tests and generators, with a minimal RESP2/RESP3 client.
 * Test-only: the library's own codec and connection are deliberately not used, so these tools
 * stay independent of the code they check.
 * @module
 */
import type { RedisArgument, RedisReply } from "../../src/types.ts";

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** A running redis-server child process and one connection to it. */
export interface Standalone {
  /** The server's TCP port on 127.0.0.1. */
  readonly port: number;
  /** Sends one command and reads its reply (strings decoded; error replies become `Error`). */
  command(...args: RedisArgument[]): Promise<RedisReply>;
  /** Closes the connection, kills the server and waits for it to exit. */
  close(): Promise<void>;
}

function freePort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const { port } = listener.addr;
  listener.close();
  return port;
}

async function connectWithRetry(port: number): Promise<Deno.TcpConn> {
  for (let attempt = 0;; attempt++) {
    try {
      return await Deno.connect({ hostname: "127.0.0.1", port });
    } catch (e) {
      if (attempt >= 100) throw e;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }
}

/**
 * Starts `redis-server` on a free port with persistence off and connects to it.
 *
 * @example
 * ```ts
 * const server = await startStandalone();
 * try {
 *   console.log(await server.command("PING"));
 * } finally {
 *   await server.close();
 * }
 * ```
 */
export async function startStandalone(): Promise<Standalone> {
  const port = freePort();
  const child = new Deno.Command("redis-server", {
    args: ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
    stdin: "null",
    stdout: "null",
    stderr: "null",
  }).spawn();
  let conn: Deno.TcpConn;
  try {
    conn = await connectWithRetry(port);
  } catch (e) {
    child.kill("SIGKILL");
    await child.status;
    throw e;
  }
  const reader = new RespReader(conn);
  return {
    port,
    async command(...args) {
      await writeAll(conn, encodeCommand(args));
      return await reader.read();
    },
    async close() {
      conn.close();
      child.kill("SIGTERM");
      await child.status;
    },
  };
}

function encodeCommand(args: readonly RedisArgument[]): Uint8Array {
  const parts: Uint8Array[] = [encoder.encode(`*${args.length}\r\n`)];
  for (const a of args) {
    const bytes = a instanceof Uint8Array ? a : encoder.encode(String(a));
    parts.push(encoder.encode(`$${bytes.length}\r\n`), bytes, encoder.encode("\r\n"));
  }
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

async function writeAll(conn: Deno.TcpConn, bytes: Uint8Array): Promise<void> {
  for (let at = 0; at < bytes.length;) at += await conn.write(bytes.subarray(at));
}

/** Reads RESP2/RESP3 replies; enough of the protocol for COMMAND, HELLO and GETKEYS. */
class RespReader {
  #conn: Deno.TcpConn;
  #buf = new Uint8Array(0);

  constructor(conn: Deno.TcpConn) {
    this.#conn = conn;
  }

  async #fill(): Promise<void> {
    const chunk = new Uint8Array(64 * 1024);
    const n = await this.#conn.read(chunk);
    if (n === null) throw new Error("redis-server closed the connection");
    const next = new Uint8Array(this.#buf.length + n);
    next.set(this.#buf);
    next.set(chunk.subarray(0, n), this.#buf.length);
    this.#buf = next;
  }

  async #line(): Promise<string> {
    let end: number;
    while ((end = this.#buf.indexOf(0x0a)) === -1) await this.#fill();
    const line = decoder.decode(this.#buf.subarray(0, end - 1));
    this.#buf = this.#buf.subarray(end + 1);
    return line;
  }

  async #bulk(length: number): Promise<string> {
    while (this.#buf.length < length + 2) await this.#fill();
    const text = decoder.decode(this.#buf.subarray(0, length));
    this.#buf = this.#buf.subarray(length + 2);
    return text;
  }

  async #many(count: number): Promise<RedisReply[]> {
    const items: RedisReply[] = [];
    for (let i = 0; i < count; i++) items.push(await this.read());
    return items;
  }

  async read(): Promise<RedisReply> {
    const line = await this.#line();
    const type = line[0];
    const rest = line.slice(1);
    const n = Number(rest);
    switch (type) {
      case "+":
        return rest;
      case "-":
        return new Error(rest);
      case ":":
      case ",":
        return n;
      case "#":
        return rest === "t";
      case "_":
        return null;
      case "$":
        return n < 0 ? null : await this.#bulk(n);
      case "*":
        return n < 0 ? null : await this.#many(n);
      case "~":
        return new Set(await this.#many(n));
      case "%": {
        const flat = await this.#many(2 * n);
        const map = new Map<RedisReply, RedisReply>();
        for (let i = 0; i < flat.length; i += 2) map.set(flat[i] ?? null, flat[i + 1] ?? null);
        return map;
      }
      default:
        throw new Error(`unsupported RESP type in test client: ${line}`);
    }
  }
}
