import assert from "node:assert/strict";
import { RedisCluster } from "../../mod.ts";
import type { RedisClusterOptions } from "../../mod.ts";
import { ClusterRedirectionError, ConnectionError, TimeoutError } from "../../src/errors.ts";
import { NEED_MORE, RespDecoder } from "../../src/protocol/resp_decoder.ts";
import { decodeReply } from "../../src/protocol/decode_reply.ts";
import type { RedisReply } from "../../src/types.ts";
import { fakeServer } from "../_harness/fake_server.ts";
import type { FakeServer } from "../_harness/fake_server.ts";

/**
 * A fake one-node cluster owning every slot; `answer` replies to each non-handshake command
 * (`null`: never), through `deliver` when given (to delay replies, in order).
 */
function fakeCluster(
  answer: (cmd: string[], port: number) => string | null,
  deliver: (text: string, reply: (text: string) => void) => void = (text, reply) => reply(text),
): FakeServer {
  const decoders = new WeakMap<Deno.Conn, RespDecoder>();
  const server: FakeServer = fakeServer((req, reply, conn) => {
    let d = decoders.get(conn);
    if (!d) decoders.set(conn, d = new RespDecoder());
    d.feed(req.bytes);
    for (let r = d.next(); r !== NEED_MORE; r = d.next()) {
      const cmd = (decodeReply(r) as RedisReply[]).map(String);
      const name = cmd.slice(0, 2).join(" ").toUpperCase();
      const head = cmd[0]?.toUpperCase();
      // A connection's setup: READONLY, or a lone PING when nothing else is due.
      if (head === "READONLY" || head === "PING") reply(head === "PING" ? "+PONG\r\n" : "+OK\r\n");
      else if (name === "CLUSTER SHARDS") reply("-ERR unknown subcommand 'SHARDS'\r\n");
      else if (name === "CLUSTER SLOTS") {
        reply(
          `*1\r\n*3\r\n:0\r\n:16383\r\n*3\r\n$9\r\n127.0.0.1\r\n:${server.port}\r\n$2\r\nid\r\n`,
        );
      } else {
        const a = answer(cmd, server.port);
        if (a !== null) deliver(a, reply);
      }
    }
  });
  return server;
}

/** A decoding client of `fake` that retries at once and refreshes only when told. */
function clientOf(
  fake: FakeServer,
  options: Partial<RedisClusterOptions<true>> = {},
): RedisCluster<true> {
  return new RedisCluster({
    startupNodes: [`127.0.0.1:${fake.port}`],
    decodeResponses: true,
    retryBaseMs: 1,
    refreshIntervalMs: 0,
    ...options,
  });
}

Deno.test("a command redirected forever rejects with ClusterRedirectionError", async () => {
  await using fake = fakeCluster((_cmd, port) => `-MOVED 1234 127.0.0.1:${port}\r\n`);
  await using rc = new RedisCluster({
    startupNodes: [{ host: "127.0.0.1", port: fake.port }],
    maxRedirections: 3,
    refreshIntervalMs: 0,
  });
  await assert.rejects(rc.sendCommand(["GET", "k"]), (e: unknown) => {
    assert.ok(e instanceof ClusterRedirectionError);
    assert.match(e.message, /Too many Cluster redirections/);
    assert.match(e.message, /MOVED 1234/);
    assert.equal(e.attempts, 4);
    return true;
  });
});

Deno.test("TRYAGAIN is retried with backoff until the server answers", async () => {
  let tries = 0;
  await using fake = fakeCluster(() =>
    ++tries < 4 ? "-TRYAGAIN Multiple keys request during rehashing\r\n" : "$2\r\nok\r\n"
  );
  await using rc = clientOf(fake);
  assert.equal(await rc.sendCommand(["GET", "k"]), "ok");
  assert.equal(tries, 4);
});

Deno.test("a read lost to a dropped connection is retried; a sent write is not", async () => {
  let gets = 0;
  let sets = 0;
  await using fake = fakeCluster((cmd) => {
    if (cmd[0] === "GET" && ++gets === 1) return null; // stall, then the test drops it
    if (cmd[0] === "SET" && ++sets === 1) return null;
    return cmd[0] === "GET" ? "$1\r\nv\r\n" : "+OK\r\n";
  });
  await using rc = clientOf(fake);
  await rc.connect();
  const read = rc.sendCommand(["GET", "k"]);
  const write = rc.sendCommand(["SET", "k", "v"]).then(() => undefined, (e: unknown) => e);
  while (gets < 1 || sets < 1) await new Promise((r) => setTimeout(r, 5));
  fake.dropClients();
  assert.equal(await read, "v");
  const error = await write;
  assert.ok(error instanceof ConnectionError && error.sent, String(error));
  assert.equal(sets, 1);
});

Deno.test("a slow node: commandTimeoutMs rejects the command, and later ones get their own replies", async () => {
  let delivered = 0;
  let chain = Promise.resolve();
  // Replies keep their order, as a server's do; the first one comes 300 ms late.
  await using fake = fakeCluster(
    (cmd) => `$${cmd[1]!.length}\r\n${cmd[1]}\r\n`,
    (text, reply) => {
      const late = ++delivered === 1;
      chain = chain.then(() => late ? new Promise((r) => setTimeout(r, 300)) : undefined)
        .then(() => reply(text));
    },
  );
  await using rc = clientOf(fake, { commandTimeoutMs: 100 });
  await rc.connect();
  const started = performance.now();
  await assert.rejects(rc.get("first"), (e: unknown) => e instanceof TimeoutError);
  assert.ok(performance.now() - started < 250);
  // The late reply of "first" is dropped; "second" gets its own.
  assert.equal(await rc.get("second", { timeoutMs: 1000 }), "second");
  await chain;
});

Deno.test("a read hit by a malformed reply is retried on a new connection", async () => {
  let gets = 0;
  await using fake = fakeCluster(() => ++gets === 1 ? "?what\r\n" : "$1\r\nv\r\n");
  await using rc = clientOf(fake);
  await rc.connect();
  // A read lost with its connection is retried on a new one.
  assert.equal(await rc.get("k"), "v");
  assert.equal(await rc.get("k"), "v");
});
