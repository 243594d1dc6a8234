/**
 * Connections that stop answering or keep answering garbage, on a fake one-node cluster: the
 * client replaces what is broken and ends a hopeless call with the error that says why.
 */
import assert from "node:assert/strict";
import { ConnectionError, ProtocolError, RedisCluster, TimeoutError } from "../../mod.ts";
import { NEED_MORE, RespDecoder } from "../../src/protocol/resp_decoder.ts";
import { decodeReply } from "../../src/protocol/decode_reply.ts";
import type { RedisReply } from "../../src/types.ts";
import { type FakeServer, fakeServer } from "../_harness/fake_server.ts";

interface FakeOne extends FakeServer {
  /** Connections accepted so far. */
  readonly connections: () => number;
}

/**
 * A fake node owning every slot. `answer` replies to each data command, knowing which
 * connection (numbered from 1 in accept order) it came on; `null` answers nothing.
 */
function fakeOne(answer: (cmd: string[], conn: number) => string | null): FakeOne {
  const state = new WeakMap<Deno.Conn, { decoder: RespDecoder; n: number }>();
  let accepted = 0;
  const server: FakeServer = fakeServer((req, reply, conn) => {
    let s = state.get(conn);
    if (!s) state.set(conn, s = { decoder: new RespDecoder(), n: ++accepted });
    s.decoder.feed(req.bytes);
    for (let r = s.decoder.next(); r !== NEED_MORE; r = s.decoder.next()) {
      const cmd = (decodeReply(r) as RedisReply[]).map(String);
      const head = cmd[0]!.toUpperCase();
      if (head === "READONLY" || head === "PING") reply(head === "PING" ? "+PONG\r\n" : "+OK\r\n");
      else if (head === "CLUSTER" && cmd[1]!.toUpperCase() === "SHARDS") {
        reply("-ERR unknown subcommand\r\n");
      } else if (head === "CLUSTER") {
        reply(
          `*1\r\n*3\r\n:0\r\n:16383\r\n*3\r\n$9\r\n127.0.0.1\r\n:${server.port}\r\n$2\r\nid\r\n`,
        );
      } else {
        const a = answer(cmd, s.n);
        if (a !== null) reply(a);
      }
    }
  });
  return Object.assign(server, { connections: () => accepted });
}

/** A node whose first connection that carries a GET goes silent for good; every other answers. */
function silentFirstGet(): ReturnType<typeof fakeOne> {
  let silent: number | undefined;
  return fakeOne((cmd, conn) => {
    if (cmd[0] !== "GET") return "+OK\r\n";
    silent ??= conn;
    return conn === silent ? null : "$1\r\nv\r\n";
  });
}

Deno.test("a connection that stops answering while its node answers is replaced; later commands succeed", async () => {
  await using fake = silentFirstGet();
  await using rc = new RedisCluster({
    startupNodes: [`127.0.0.1:${fake.port}`],
    decodeResponses: true,
    refreshIntervalMs: 0,
    commandTimeoutMs: 300,
  });
  await rc.connect();
  await assert.rejects(rc.get("k"), TimeoutError);
  const started = performance.now();
  const replies: unknown[] = [];
  for (let i = 0; i < 12; i++) replies.push(await rc.get("k"));
  const ms = performance.now() - started;
  console.log(`12 GETs after the stall: ${ms.toFixed(0)} ms, ${fake.connections()} connections`);
  assert.deepEqual(replies, Array(12).fill("v"));
  // The silent one, the probe that found the node answering, and its replacement.
  assert.equal(fake.connections(), 3);
});

Deno.test("without a command timeout a read stuck on a silent connection is retried on its replacement", async () => {
  await using fake = silentFirstGet();
  await using rc = new RedisCluster({
    startupNodes: [`127.0.0.1:${fake.port}`],
    decodeResponses: true,
    refreshIntervalMs: 0,
  });
  await rc.connect();
  assert.equal(await rc.get("k"), "v");
});

Deno.test("a write stuck on a silent connection is not given up while the node answers elsewhere", async () => {
  // Replacing the connection would turn an acknowledgement that may still come into "outcome
  // unknown": a server pausing writes (CLIENT PAUSE, a manual failover) looks just like this.
  await using fake = fakeOne((cmd) => cmd[0] === "SET" ? null : "+OK\r\n");
  await using rc = new RedisCluster({
    startupNodes: [`127.0.0.1:${fake.port}`],
    decodeResponses: true,
    refreshIntervalMs: 0,
  });
  await rc.connect();
  await assert.rejects(rc.set("k", "v", { timeoutMs: 1000 }), TimeoutError);
  // The probe and the shared connection only: the one holding the write was kept.
  assert.equal(fake.connections(), 2);
});

Deno.test("a node answering garbage to every command fails the call with ProtocolError after 3 tries", async () => {
  await using fake = fakeOne(() => "?garbage\r\n");
  await using rc = new RedisCluster({
    startupNodes: [`127.0.0.1:${fake.port}`],
    decodeResponses: true,
    refreshIntervalMs: 0,
    commandTimeoutMs: 5000,
  });
  await rc.connect();
  const started = performance.now();
  await assert.rejects(rc.get("k"), (e: unknown) => {
    assert.ok(e instanceof ProtocolError, String(e));
    return true;
  });
  const ms = performance.now() - started;
  console.log(`ProtocolError after ${ms.toFixed(0)} ms`);
  assert.ok(ms < 2000, `took ${ms} ms`);
});

Deno.test("a read that keeps losing its connection ends as a ConnectionError saying so, not as redirections", async () => {
  const fake: FakeOne = fakeOne((cmd) => {
    if (cmd[0] === "GET") fake.dropClients();
    return null;
  });
  await using _ = fake;
  await using rc = new RedisCluster({
    startupNodes: [`127.0.0.1:${fake.port}`],
    decodeResponses: true,
    refreshIntervalMs: 0,
    retryBaseMs: 1,
    retryCapMs: 5,
    maxRedirections: 3,
  });
  await rc.connect();
  await assert.rejects(rc.get("k"), (e: unknown) => {
    assert.ok(e instanceof ConnectionError, String(e));
    assert.match(e.message, /^GET failed after 4 tries for slot \d+: /);
    return true;
  });
});
