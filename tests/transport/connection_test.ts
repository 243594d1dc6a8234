import assert from "node:assert/strict";
import { Connection } from "../../src/transport/connection.ts";
import { ConnectionError, RedisError, TimeoutError } from "../../src/errors.ts";
import { startStandalone } from "../_harness/standalone.ts";
import { fakeServer } from "../_harness/fake_server.ts";

Deno.test("Connection against a real redis-server", async (t) => {
  const server = await startStandalone();
  const conn = await Connection.connect({ host: "127.0.0.1", port: server.port });
  try {
    await t.step("100k pipelined commands resolve in order", async () => {
      const n = 100_000;
      const writes = [];
      for (let i = 0; i < n; i++) writes.push(conn.send(["RPUSH", "order", i]));
      const lengths = await Promise.all(writes);
      lengths.forEach((len, i) => assert.equal(len, i + 1));
      const echoes = await Promise.all(
        Array.from({ length: n }, (_, i) => conn.send(["ECHO", `v${i}`], { decode: true })),
      );
      echoes.forEach((e, i) => assert.equal(e, `v${i}`));
    });

    await t.step("a 32 MiB binary value round-trips", async () => {
      const big = new Uint8Array(32 * 1024 * 1024);
      for (let i = 0; i < big.length; i += 4099) big[i] = i & 0xff;
      big[0] = 0x0d;
      big[1] = 0x0a;
      assert.equal(await conn.send(["SET", "big", big]), "OK");
      const back = await conn.send(["GET", "big"]);
      assert.ok(back instanceof Uint8Array);
      assert.equal(back.length, big.length);
      assert.deepEqual(back, big);
    });

    await t.step(
      "bulk replies under 16 KiB own their bytes: no read slab behind them",
      async () => {
        await conn.send(["SET", "small", "v"]);
        await conn.send(["HSET", "h", "f", "x".repeat(100)]);
        const [small, fields] = await Promise.all([
          conn.send(["GET", "small"]),
          conn.send(["HGETALL", "h"]),
        ]);
        assert.ok(small instanceof Uint8Array && Array.isArray(fields));
        for (const b of [small, ...fields]) {
          assert.ok(b instanceof Uint8Array);
          assert.equal(b.buffer.byteLength, b.length, "a small reply is a copy of its own");
        }
      },
    );

    await t.step("error replies resolve as RedisError values", async () => {
      await conn.send(["SET", "str", "x"]);
      const r = await conn.send(["LPUSH", "str", "y"]);
      assert.ok(r instanceof RedisError);
      assert.equal(r.code, "WRONGTYPE");
    });

    await t.step("a timed-out command rejects and its late reply is discarded", async () => {
      const slow = conn.send(["BLPOP", "never", "0.3"], { timeoutMs: 50 });
      const next = conn.send(["ECHO", "after"], { decode: true });
      await assert.rejects(slow, TimeoutError);
      assert.equal(await next, "after");
      assert.equal(await conn.send(["ECHO", "still in step"], { decode: true }), "still in step");
    });

    await t.step("an aborted command rejects without desynchronising replies", async () => {
      const ctl = new AbortController();
      const blocked = conn.send(["BLPOP", "never", "0.2"], { signal: ctl.signal });
      ctl.abort(new Error("user gave up"));
      await assert.rejects(blocked, TimeoutError);
      assert.equal(await conn.send(["ECHO", "ok"], { decode: true }), "ok");
    });

    await t.step(
      "a command aborted before its batch is written never reaches the server",
      async () => {
        await conn.send(["DEL", "never-run"]);
        const ctl = new AbortController();
        const before = conn.send(["INCR", "never-run"]);
        const cancelled = conn.send(["INCR", "never-run"], { signal: ctl.signal });
        const after = conn.send(["INCR", "never-run"]);
        ctl.abort(); // the same tick: the three commands are still in the write buffer
        await assert.rejects(cancelled, TimeoutError);
        assert.deepEqual(await Promise.all([before, after]), [1, 2]);
        assert.equal(await conn.send(["GET", "never-run"], { decode: true }), "2");
        assert.equal(conn.inFlight, 0);
      },
    );

    await t.step("bad arguments reject with TypeError naming the position", async () => {
      await assert.rejects(
        conn.send(["SET", "k", undefined as unknown as string]),
        (e: unknown) => e instanceof TypeError && /argument 2/.test(e.message),
      );
      assert.equal(await conn.send(["PING"]), "PONG");
    });
  } finally {
    await conn.close();
    await conn.close(); // idempotent
    await server.close();
  }
});

Deno.test("Connection rejects every in-flight command with ConnectionError when the server dies", async () => {
  const server = await startStandalone();
  const conn = await Connection.connect({ host: "127.0.0.1", port: server.port });
  const blocked = Array.from({ length: 100 }, (_, i) => conn.send(["BLPOP", `k${i}`, 0]));
  // Let the BLPOPs reach the server so they are truly in flight.
  while ((await server.command("CLIENT", "LIST") as string).split("cmd=blpop").length < 2) {
    await new Promise((r) => setTimeout(r, 10));
  }
  // Settle-handlers go on before the server dies, or the rejections would count as unhandled.
  const settled = Promise.allSettled(blocked);
  await server.close();
  const results = await settled;
  for (const r of results) {
    assert.equal(r.status, "rejected");
    assert.ok(r.reason instanceof ConnectionError);
  }
  await assert.rejects(conn.send(["PING"]), ConnectionError);
  await conn.close();
});

Deno.test("Connection fails cleanly on a malformed reply and on a stalled handshake", async (t) => {
  await t.step("malformed reply: in-flight commands reject, none hangs", async () => {
    let setUp = false;
    // The handshake's PING is answered; everything after it is garbage.
    await using fake = fakeServer((_req, reply) => {
      reply(setUp ? "?garbage\r\n" : "+PONG\r\n");
      setUp = true;
    });
    const conn = await Connection.connect({ host: "127.0.0.1", port: fake.port });
    const results = await Promise.allSettled([conn.send(["GET", "a"]), conn.send(["GET", "b"])]);
    for (const r of results) {
      assert.equal(r.status, "rejected");
      assert.ok(r.reason instanceof ConnectionError);
    }
    await conn.close();
  });

  await t.step("a server that never answers the handshake times out", async () => {
    await using fake = fakeServer(() => {});
    await assert.rejects(
      Connection.connect({
        host: "127.0.0.1",
        port: fake.port,
        readonly: true,
        connectTimeoutMs: 100,
      }),
      TimeoutError,
    );
  });

  await t.step("nothing listening gives ConnectionError naming the address", async () => {
    const l = Deno.listen({ hostname: "127.0.0.1", port: 0 });
    const port = l.addr.port;
    l.close();
    await assert.rejects(
      Connection.connect({ host: "127.0.0.1", port }),
      (e: unknown) => e instanceof ConnectionError && e.message.includes(`127.0.0.1:${port}`),
    );
  });

  await t.step("commands issued in one tick share one socket write", async () => {
    let reads = 0;
    await using fake = fakeServer((_req, reply) => {
      reads++;
      reply("+OK\r\n".repeat(_req.commands));
    });
    const conn = await Connection.connect({ host: "127.0.0.1", port: fake.port });
    reads = 0; // the handshake's PING
    await Promise.all(Array.from({ length: 50 }, () => conn.send(["PING"])));
    assert.equal(reads, 1);
    await conn.close();
  });
});

Deno.test("with autoPipelining off, commands go out one by one unless marked inPipeline", async () => {
  const reads: number[] = [];
  await using fake = fakeServer((req, reply) => {
    reads.push(req.commands);
    reply("+OK\r\n".repeat(req.commands));
  });
  const conn = await Connection.connect({
    host: "127.0.0.1",
    port: fake.port,
    autoPipelining: false,
  });
  reads.length = 0; // the handshake's PING
  await Promise.all(Array.from({ length: 20 }, () => conn.send(["PING"], { inPipeline: true })));
  assert.deepEqual(reads, [20]);
  await conn.send(["PING"]);
  assert.deepEqual(reads, [20, 1]);
  await conn.close();
});
