import { SAMPLES } from "./_harness/error_samples.ts";
import assert from "node:assert/strict";
import {
  ClusterRedirectionError,
  ConnectionError,
  PipelineError,
  ProtocolError,
  RedisError,
  TimeoutError,
} from "../src/errors.ts";

Deno.test("RedisError parses every kind from the server's message", () => {
  for (const [kind, message] of Object.entries(SAMPLES)) {
    const e = new RedisError(message);
    assert.equal(e.kind, kind);
    assert.equal(e.message, message);
    assert.equal(e.code, message.split(" ")[0]);
  }
  assert.equal(new RedisError("BUSYKEY Target key name already exists.").kind, "OTHER");
  assert.equal(new RedisError("ERR").code, "ERR");
});

Deno.test("RedisError parses the slot and address of MOVED and ASK", () => {
  const moved = new RedisError("MOVED 3999 127.0.0.1:6381");
  assert.deepEqual([moved.kind, moved.slot, moved.address], ["MOVED", 3999, "127.0.0.1:6381"]);
  const ask = new RedisError("ASK 0 [::1]:7000");
  assert.deepEqual([ask.kind, ask.slot, ask.address], ["ASK", 0, "[::1]:7000"]);
  // Redis 7 sends ":port" when a node does not know its own announced IP.
  assert.equal(new RedisError("MOVED 16383 :7002").address, ":7002");
  const other = new RedisError("ERR unknown command");
  assert.deepEqual([other.slot, other.address], [undefined, undefined]);
});

Deno.test("RedisError turns a malformed MOVED or ASK into kind OTHER", () => {
  for (
    const message of [
      "MOVED",
      "MOVED 3999",
      "MOVED abc 127.0.0.1:6381",
      "MOVED 16384 127.0.0.1:6381",
      "MOVED -1 127.0.0.1:6381",
      "MOVED 1.5 127.0.0.1:6381",
      "ASK 3999 127.0.0.1:6381 extra",
    ]
  ) {
    const e = new RedisError(message);
    assert.equal(e.kind, "OTHER", message);
    assert.equal(e.code, message.split(" ")[0]);
    assert.deepEqual([e.slot, e.address], [undefined, undefined], message);
  }
});

Deno.test("ClusterRedirectionError names the command, attempts and last redirect", () => {
  const last = new RedisError("MOVED 3999 127.0.0.1:6381");
  const e = new ClusterRedirectionError("GET", 17, last, 3999);
  assert.match(e.message, /Too many Cluster redirections/);
  assert.match(e.message, /GET/);
  assert.ok(e.message.includes("MOVED 3999 127.0.0.1:6381"));
  assert.equal(e.cause, last);
  assert.deepEqual([e.attempts, e.slot], [17, 3999]);
  const bare = new ClusterRedirectionError("PING", 1, "not an error");
  assert.equal(bare.slot, undefined);
  assert.match(bare.message, /Too many Cluster redirections/);
});

Deno.test("PipelineError lists each failed command with its index", () => {
  const wrong = new RedisError("WRONGTYPE x");
  const lost = new ConnectionError("lost", { address: "127.0.0.1:7000" });
  const replies = ["OK", wrong, 1, lost];
  const e = new PipelineError(replies);
  assert.deepEqual(e.errors, [{ index: 1, error: wrong }, { index: 3, error: lost }]);
  assert.equal(e.replies, replies);
  assert.equal(e.cause, wrong);
  assert.match(e.message, /2 of 4/);
  assert.match(e.message, /#1: WRONGTYPE x/);
});

Deno.test("every error class extends Error and has its own name", () => {
  const errors: [Error, string][] = [
    [new RedisError("ERR x"), "RedisError"],
    [new ProtocolError("bad byte"), "ProtocolError"],
    [new ConnectionError("lost"), "ConnectionError"],
    [new TimeoutError("slow"), "TimeoutError"],
    [new ClusterRedirectionError("GET", 17, undefined), "ClusterRedirectionError"],
    [new PipelineError([]), "PipelineError"],
  ];
  for (const [e, name] of errors) {
    assert.ok(e instanceof Error, name);
    assert.equal(e.name, name);
  }
});

Deno.test("ConnectionError and TimeoutError carry the node's address", () => {
  const c = new ConnectionError("lost", { address: "127.0.0.1:7000", sent: true });
  assert.deepEqual([c.address, c.sent], ["127.0.0.1:7000", true]);
  assert.deepEqual([new ConnectionError("lost").address, new ConnectionError("lost").sent], [
    undefined,
    false,
  ]);
  assert.equal(new TimeoutError("slow", { address: "[::1]:7001" }).address, "[::1]:7001");
});
