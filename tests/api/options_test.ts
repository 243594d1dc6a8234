import assert from "node:assert/strict";
import type { RedisClusterOptions } from "../../src/api/options.ts";
import { _validate } from "../../src/api/settings.ts";
import type { ReadFromFunction } from "../../src/topology/read_policy.ts";
import type { Logger } from "../../src/logger.ts";

const NODES = ["127.0.0.1:7000"];

/** Validates options a JavaScript caller could pass despite the types. */
function validate(o: unknown): ReturnType<typeof _validate> {
  return _validate(o as RedisClusterOptions);
}

/** Asserts a `TypeError` whose message names `field`. */
function rejects(o: unknown, field: string): void {
  assert.throws(() => validate(o), (e: unknown) => {
    assert.ok(e instanceof TypeError, `expected a TypeError, got ${e}`);
    assert.ok(e.message.includes(field), `"${e.message}" does not name ${field}`);
    return true;
  });
}

Deno.test("_validate() rejects options that are not an object", () => {
  for (const o of [undefined, null, "127.0.0.1:7000", 7000]) rejects(o, "startupNodes");
});

Deno.test("_validate() rejects missing or empty startupNodes", () => {
  rejects({}, "options.startupNodes");
  rejects({ startupNodes: [] }, "options.startupNodes");
  rejects({ startupNodes: "127.0.0.1:7000" }, "options.startupNodes");
});

Deno.test("_validate() rejects a malformed host:port string, naming its index", () => {
  for (const bad of ["localhost", ":7000", "127.0.0.1:", "127.0.0.1:abc", "[::1]", ""]) {
    rejects({ startupNodes: [bad] }, "options.startupNodes[0]");
  }
  rejects({ startupNodes: ["127.0.0.1:7000", "127.0.0.1:x"] }, "options.startupNodes[1]");
});

Deno.test("_validate() rejects a port outside 1-65535 or not a whole number", () => {
  for (const port of [0, 70000, 65536, -1, 7000.5, "abc", "", NaN]) {
    rejects({ startupNodes: [{ host: "127.0.0.1", port }] }, "options.startupNodes[0]");
  }
  rejects({ startupNodes: ["127.0.0.1:0"] }, "options.startupNodes[0]");
  rejects({ startupNodes: ["127.0.0.1:70000"] }, "options.startupNodes[0]");
});

Deno.test("_validate() rejects a startup node without a host", () => {
  rejects({ startupNodes: [{ host: "", port: 7000 }] }, "options.startupNodes[0]");
  rejects({ startupNodes: [{ port: 7000 }] }, "options.startupNodes[0]");
  rejects({ startupNodes: [null] }, "options.startupNodes[0]");
  rejects({ startupNodes: [7000] }, "options.startupNodes[0]");
});

Deno.test("_validate() accepts { host, port } with a numeric string port", () => {
  const s = _validate({ startupNodes: [{ host: "127.0.0.1", port: "7000" }] });
  assert.deepEqual(s.startupNodes, [{ host: "127.0.0.1", port: 7000 }]);
});

Deno.test('_validate() accepts "host:port" and "[v6]:port" strings', () => {
  const s = _validate({
    startupNodes: ["127.0.0.1:7000", "[::1]:7001", { host: "localhost", port: 7002 }],
  });
  assert.deepEqual(s.startupNodes, [
    { host: "127.0.0.1", port: 7000 },
    { host: "::1", port: 7001 },
    { host: "localhost", port: 7002 },
  ]);
});

// ioredis accepts URLs; we ask for host:port rather than fail later with a DNS error.
Deno.test({
  name: "_validate() rejects a URL given as a startup node",
  fn: () => {
    rejects({ startupNodes: ["redis://127.0.0.1:7000"] }, "options.startupNodes[0]");
  },
});

Deno.test('_validate() rejects an unknown readFrom such as "slave"', () => {
  rejects({ startupNodes: NODES, readFrom: "slave" }, "options.readFrom");
  rejects({ startupNodes: NODES, readFrom: 1 }, "options.readFrom");
});

Deno.test("_validate() rejects boolean options given as other types", () => {
  rejects({ startupNodes: NODES, decodeResponses: "yes" }, "options.decodeResponses");
  rejects({ startupNodes: NODES, readonlyMode: 1 }, "options.readonlyMode");
  rejects({ startupNodes: NODES, readYourWrites: "true" }, "options.readYourWrites");
  rejects({ startupNodes: NODES, autoPipelining: null }, "options.autoPipelining");
});

Deno.test("_validate() rejects a protocol other than 2 or 3", () => {
  for (const protocol of [4, 1, "3"]) {
    rejects({ startupNodes: NODES, protocol }, "options.protocol");
  }
});

Deno.test("_validate() rejects a negative or fractional maxRedirections", () => {
  for (const maxRedirections of [-1, 1.5, "3", Infinity]) {
    rejects({ startupNodes: NODES, maxRedirections }, "options.maxRedirections");
  }
  rejects({ startupNodes: NODES, refreshIntervalMs: -1 }, "options.refreshIntervalMs");
  rejects({ startupNodes: NODES, refreshCooldownMs: 0.5 }, "options.refreshCooldownMs");
});

Deno.test("_validate() accepts 0 where it disables something", () => {
  const s = _validate({ startupNodes: NODES, maxRedirections: 0, refreshIntervalMs: 0 });
  assert.equal(s.maxRedirections, 0);
  assert.equal(s.refreshIntervalMs, 0);
});

Deno.test("_validate() rejects timeouts and delays that are not positive numbers", () => {
  const fields = [
    "connectTimeoutMs",
    "commandTimeoutMs",
    "latencyIntervalMs",
    "retryBaseMs",
    "retryCapMs",
    "maxReplicaLagMs",
  ];
  for (const field of fields) {
    for (const v of [0, -5, NaN, Infinity, "100"]) {
      rejects({ startupNodes: NODES, [field]: v }, `options.${field}`);
    }
  }
});

Deno.test("_validate() rejects a logger missing a method, naming it", () => {
  const noWarn = { debug() {}, info() {}, error() {} };
  rejects({ startupNodes: NODES, logger: noWarn }, "options.logger.warn");
  rejects({ startupNodes: NODES, logger: { ...noWarn, warn: "loud" } }, "options.logger.warn");
  rejects({ startupNodes: NODES, logger: {} }, "options.logger.debug");
});

Deno.test("_validate() keeps a complete logger", () => {
  const logger: Logger = { debug() {}, info() {}, warn() {}, error() {} };
  assert.equal(_validate({ startupNodes: NODES, logger }).logger, logger);
});

Deno.test("_validate() applies the documented defaults", () => {
  const s = _validate({ startupNodes: NODES });
  assert.equal(s.decode, false);
  assert.equal(s.readFrom, "master");
  assert.equal(s.maxRedirections, 16);
  assert.equal(s.refreshIntervalMs, 30_000);
  assert.equal(s.refreshCooldownMs, 200);
  assert.equal(s.latencyIntervalMs, 2000);
  assert.equal(s.retryBaseMs, 20);
  assert.equal(s.retryCapMs, 1000);
  assert.equal(s.connectTimeoutMs, 10_000);
  assert.equal(s.commandTimeoutMs, undefined);
  assert.equal(s.maxReplicaLagMs, undefined);
  assert.equal(s.readYourWrites, false);
  for (const m of ["debug", "info", "warn", "error"] as const) {
    assert.equal(typeof s.logger[m], "function");
  }
});

Deno.test("_validate() keeps valid explicit values", () => {
  const s = _validate({
    startupNodes: NODES,
    decodeResponses: true,
    maxRedirections: 3,
    commandTimeoutMs: 250,
    maxReplicaLagMs: 0.5,
    readYourWrites: true,
  });
  assert.equal(s.decode, true);
  assert.equal(s.maxRedirections, 3);
  assert.equal(s.commandTimeoutMs, 250);
  assert.equal(s.maxReplicaLagMs, 0.5);
  assert.equal(s.readYourWrites, true);
});

Deno.test('_validate() maps readonlyMode to readFrom "any"', () => {
  assert.equal(_validate({ startupNodes: NODES, readonlyMode: true }).readFrom, "any");
  assert.equal(_validate({ startupNodes: NODES, readonlyMode: false }).readFrom, "master");
});

Deno.test("_validate() lets an explicit readFrom win over readonlyMode", () => {
  const s = _validate({ startupNodes: NODES, readonlyMode: true, readFrom: "replica" });
  assert.equal(s.readFrom, "replica");
  const policy: ReadFromFunction = ({ replicas }) => replicas[0];
  assert.equal(
    _validate({ startupNodes: NODES, readonlyMode: true, readFrom: policy }).readFrom,
    policy,
  );
  for (const readFrom of ["master", "replica", "replica-preferred", "any", "nearest"] as const) {
    assert.equal(_validate({ startupNodes: NODES, readFrom }).readFrom, readFrom);
  }
});

Deno.test("_validate() rejects credentials, client names and factories of the wrong type", () => {
  rejects({ startupNodes: NODES, username: 1 }, "options.username");
  rejects({ startupNodes: NODES, password: { secret: "x" } }, "options.password");
  rejects({ startupNodes: NODES, clientName: true }, "options.clientName");
  rejects({ startupNodes: NODES, connectionFactory: "tcp" }, "options.connectionFactory");
});

Deno.test("_validate() accepts tls as a boolean or { caCerts, cert, key, serverName } and rejects anything else", () => {
  const pem = "-----BEGIN CERTIFICATE-----";
  for (
    const tls of [true, false, {}, { caCerts: [pem] }, { cert: pem, key: pem }, {
      serverName: "redis.example",
    }]
  ) {
    validate({ startupNodes: NODES, tls });
  }
  const bad: [unknown, string][] = [
    ["yes", "options.tls"],
    [null, "options.tls"],
    [{ caCerts: "pem" }, "options.tls.caCerts"],
    [{ caCerts: [1] }, "options.tls.caCerts"],
    [{ cert: pem }, "go together"],
    [{ key: pem }, "go together"],
    [{ serverName: 1 }, "options.tls.serverName"],
    [{ certs: [pem] }, "options.tls.certs is not a TLS option"],
    [{ cert: pem, key: pem, serverName: "x" }, "cannot be combined with a client certificate"],
  ];
  for (const [tls, message] of bad) rejects({ startupNodes: NODES, tls }, message);
});

Deno.test("_validate() accepts natMap as a record of { host, port } or a function", () => {
  validate({ startupNodes: NODES, natMap: { "10.0.0.1:7000": { host: "127.0.0.1", port: 7000 } } });
  validate({ startupNodes: NODES, natMap: () => undefined });
  rejects({ startupNodes: NODES, natMap: "10.0.0.1=127.0.0.1" }, "options.natMap");
  rejects({ startupNodes: NODES, natMap: [] }, "options.natMap");
  rejects({ startupNodes: NODES, natMap: { "10.0.0.1:7000": "127.0.0.1:7000" } }, "options.natMap");
  rejects({ startupNodes: NODES, natMap: { "10.0.0.1:7000": { host: "h" } } }, "options.natMap");
});
