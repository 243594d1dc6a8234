/**
 * Fake cluster nodes for fault injection: each decodes the commands it receives, answers the
 * handshake itself and hands every other command to the test, which answers with raw RESP (a
 * captured server reply, a malformed one, or nothing). Real behaviour is tested against real
 * redis-server processes; these are for replies a real server gives only by accident.
 * @module
 */
import { NEED_MORE, RespDecoder } from "../../src/protocol/resp_decoder.ts";
import { decodeReply } from "../../src/protocol/decode_reply.ts";
import type { RedisReply } from "../../src/types.ts";
import { type FakeServer, fakeServer } from "./fake_server.ts";

/** What a fake node answers to one command: raw RESP text, or `null` for no answer at all. */
export type FakeAnswer = (cmd: string[], node: FakeNode) => string | null;

/** One fake node. */
export interface FakeNode extends AsyncDisposable {
  readonly port: number;
  /** Every command it received after the handshake, in order. */
  readonly received: string[][];
  /** Stops listening and drops every connection: the node is gone. */
  kill(): Promise<void>;
  /** Closes every client connection; the node keeps listening. */
  dropClients(): void;
  /** From now on answers nothing at all, the handshake included: a frozen node. */
  freeze(): void;
}

/** Answered by the fake itself: a connection's setup (a lone `PING` when nothing else is due). */
const HANDSHAKE = new Set(["READONLY", "CLIENT", "AUTH", "HELLO", "PING"]);

/** Starts a fake node on 127.0.0.1 whose non-handshake commands go to `answer`. */
export function fakeNode(answer: FakeAnswer): FakeNode {
  const decoders = new WeakMap<Deno.Conn, RespDecoder>();
  const received: string[][] = [];
  let killed: Promise<void> | undefined;
  let frozen = false;
  const server: FakeServer = fakeServer((req, reply, conn) => {
    let d = decoders.get(conn);
    if (!d) decoders.set(conn, d = new RespDecoder());
    d.feed(req.bytes);
    for (let r = d.next(); r !== NEED_MORE; r = d.next()) {
      if (frozen) continue;
      const cmd = (decodeReply(r) as RedisReply[]).map(String);
      const name = cmd[0]?.toUpperCase() ?? "";
      if (HANDSHAKE.has(name)) {
        reply(name === "PING" ? "+PONG\r\n" : "+OK\r\n");
        continue;
      }
      received.push(cmd);
      const text = answer(cmd, node);
      if (text !== null) reply(text);
    }
  });
  const node: FakeNode = {
    port: server.port,
    received,
    kill: () => killed ??= Promise.resolve(server[Symbol.asyncDispose]()),
    dropClients: () => server.dropClients(),
    freeze: () => frozen = true,
    [Symbol.asyncDispose]: () => node.kill(),
  };
  return node;
}

/** The name of a command as the fake nodes see it: `"CLUSTER SHARDS"`, `"GET"`... */
export function commandName(cmd: readonly string[]): string {
  const head = cmd[0]?.toUpperCase() ?? "";
  return head === "CLUSTER" || head === "COMMAND" ? `${head} ${cmd[1]?.toUpperCase()}` : head;
}

/** RESP text of a bulk string. */
export function bulk(text: string): string {
  return `$${new TextEncoder().encode(text).length}\r\n${text}\r\n`;
}
