/**
 * Options after validation: every option checked up front (a `TypeError` names the first bad
 * field), defaults applied.
 * @module
 */
import type { RedisClusterOptions, StartupNode } from "./options.ts";
import type { ReadFrom } from "../topology/read_policy.ts";
import { _SILENT_LOGGER, type Logger } from "../logger.ts";
import { _parseAddress } from "../_address.ts";
import type { Transport } from "../transport/transport.ts";
import { _defaultTransport } from "../transport/default_transport.ts";
import { _checkSnapshot, type TopologySnapshot } from "../topology/topology_snapshot.ts";

/** Options after validation, with defaults applied. */
export interface _Settings {
  readonly startupNodes: { host: string; port: number }[];
  readonly decode: boolean;
  readonly readFrom: ReadFrom;
  readonly logger: Logger;
  readonly maxRedirections: number;
  readonly refreshIntervalMs: number;
  readonly refreshCooldownMs: number;
  readonly latencyIntervalMs: number;
  readonly retryBaseMs: number;
  readonly retryCapMs: number;
  readonly connectTimeoutMs: number;
  readonly commandTimeoutMs: number | undefined;
  readonly maxReplicaLagMs: number | undefined;
  readonly readYourWrites: boolean;
  readonly stallMs: number;
  readonly maxQueueLength: number;
  readonly maxUnwrittenBytes: number;
  readonly maxBlockingConnections: number;
  readonly maxReplyBytes: number;
  readonly transport: Transport;
  readonly maxConnections: number;
  readonly topology: TopologySnapshot | undefined;
}

/** Checks every option up front; a `TypeError` names the first bad field. */
export function _validate<D extends boolean>(o: RedisClusterOptions<D>): _Settings {
  if (typeof o !== "object" || o === null) {
    throw new TypeError("RedisCluster: options must be an object with startupNodes");
  }
  if (!Array.isArray(o.startupNodes) || o.startupNodes.length === 0) {
    throw new TypeError("RedisCluster: options.startupNodes must be a non-empty array");
  }
  const startupNodes = o.startupNodes.map((n, i) => startupNode(n, i));
  const READ_FROM = ["master", "replica", "replica-preferred", "any", "nearest"];
  if (
    o.readFrom !== undefined && typeof o.readFrom !== "function" &&
    !READ_FROM.includes(o.readFrom)
  ) {
    throw new TypeError(
      `RedisCluster: options.readFrom must be one of ${READ_FROM.join(", ")} or a function`,
    );
  }
  for (
    const k of ["decodeResponses", "readonlyMode", "readYourWrites", "autoPipelining"] as const
  ) {
    if (o[k] !== undefined && typeof o[k] !== "boolean") {
      throw new TypeError(`RedisCluster: options.${k} must be a boolean`);
    }
  }
  if (o.protocol !== undefined && o.protocol !== 2 && o.protocol !== 3) {
    throw new TypeError("RedisCluster: options.protocol must be 2 or 3");
  }
  const transport = checkTransport(o.transport);
  checkConnectionOptions(o);
  if (typeof o.tls === "object" && o.tls !== null) transport.checkTls?.(o.tls);
  const logger = o.logger ?? _SILENT_LOGGER;
  for (const m of ["debug", "info", "warn", "error"] as const) {
    if (typeof logger[m] !== "function") {
      throw new TypeError(`RedisCluster: options.logger.${m} must be a function`);
    }
  }
  return {
    startupNodes,
    decode: o.decodeResponses ?? false,
    readFrom: o.readFrom ?? (o.readonlyMode ? "any" : "master"),
    logger,
    maxRedirections: count(o, "maxRedirections", 16),
    refreshIntervalMs: count(o, "refreshIntervalMs", 30_000),
    refreshCooldownMs: count(o, "refreshCooldownMs", 200),
    latencyIntervalMs: positive(o, "latencyIntervalMs") ?? 2000,
    retryBaseMs: positive(o, "retryBaseMs") ?? 20,
    retryCapMs: positive(o, "retryCapMs") ?? 1000,
    connectTimeoutMs: positive(o, "connectTimeoutMs") ?? 10_000,
    commandTimeoutMs: positive(o, "commandTimeoutMs"),
    maxReplicaLagMs: positive(o, "maxReplicaLagMs"),
    readYourWrites: o.readYourWrites ?? false,
    stallMs: count(o, "stallMs", 250),
    maxQueueLength: atLeastOne(o, "maxQueueLength", 100_000),
    maxUnwrittenBytes: atLeastOne(o, "maxUnwrittenBytes", 128 * 1024 * 1024),
    maxBlockingConnections: atLeastOne(o, "maxBlockingConnections", 100),
    maxReplyBytes: atLeastOne(o, "maxReplyBytes", 512 * 1024 * 1024),
    transport,
    maxConnections: atLeastOne(o, "maxConnections", transport.defaultMaxConnections ?? Infinity),
    topology: o.topology === undefined ? undefined : _checkSnapshot(o.topology),
  };
}

function checkConnectionOptions<D extends boolean>(o: RedisClusterOptions<D>): void {
  for (const k of ["username", "password", "clientName"] as const) {
    if (o[k] !== undefined && typeof o[k] !== "string") {
      throw new TypeError(`RedisCluster: options.${k} must be a string`);
    }
  }
  if (o.username !== undefined && o.password === undefined && o.credentials === undefined) {
    throw new TypeError(
      "RedisCluster: options.username needs options.password (or a credentials provider)",
    );
  }
  if (o.credentials !== undefined && typeof o.credentials !== "function") {
    throw new TypeError("RedisCluster: options.credentials must be a function");
  }
  if (o.credentials !== undefined && (o.password !== undefined || o.username !== undefined)) {
    throw new TypeError(
      "RedisCluster: options.credentials replaces options.username and options.password: " +
        "give one or the other",
    );
  }
  if (o.tracer !== undefined && typeof o.tracer?.startSpan !== "function") {
    throw new TypeError(
      "RedisCluster: options.tracer must have startSpan() (an OpenTelemetry Tracer)",
    );
  }
  if (
    o.meter !== undefined &&
    (typeof o.meter?.createHistogram !== "function" || typeof o.meter?.createCounter !== "function")
  ) {
    throw new TypeError(
      "RedisCluster: options.meter must have createHistogram() and createCounter() (an OpenTelemetry Meter)",
    );
  }
  if (o.traceQueryText !== undefined && typeof o.traceQueryText !== "boolean") {
    throw new TypeError("RedisCluster: options.traceQueryText must be a boolean");
  }
  if (o.onPush !== undefined && typeof o.onPush !== "function") {
    throw new TypeError("RedisCluster: options.onPush must be a function");
  }
  if (o.connectionFactory !== undefined && typeof o.connectionFactory !== "function") {
    throw new TypeError("RedisCluster: options.connectionFactory must be a function");
  }
  checkTls(o.tls);
  checkNatMap(o.natMap);
}

function checkTls(tls: unknown): void {
  if (tls === undefined || typeof tls === "boolean") return;
  const where = "RedisCluster: options.tls";
  if (typeof tls !== "object" || tls === null || Array.isArray(tls)) {
    throw new TypeError(`${where} must be a boolean or { caCerts?, cert?, key?, serverName? }`);
  }
  const t = tls as Record<string, unknown>;
  const known = new Set(["caCerts", "cert", "key", "serverName"]);
  const unknown = Object.keys(t).find((k) => !known.has(k));
  if (unknown !== undefined) throw new TypeError(`${where}.${unknown} is not a TLS option`);
  if (t.caCerts !== undefined && !(Array.isArray(t.caCerts) && t.caCerts.every(isString))) {
    throw new TypeError(`${where}.caCerts must be an array of PEM strings`);
  }
  for (const k of ["cert", "key", "serverName"]) {
    if (t[k] !== undefined && typeof t[k] !== "string") {
      throw new TypeError(`${where}.${k} must be a string`);
    }
  }
  if ((t.cert === undefined) !== (t.key === undefined)) {
    throw new TypeError(`${where}.cert and ${where}.key go together (mutual TLS)`);
  }
}

function checkTransport(t: unknown): Transport {
  if (t === undefined) return _defaultTransport();
  const x = t as { name?: unknown; connect?: unknown } | null;
  if (typeof x !== "object" || x === null || typeof x.connect !== "function") {
    throw new TypeError(
      "RedisCluster: options.transport must be { name, connect(options) } (see Transport)",
    );
  }
  return t as Transport;
}

function checkNatMap(natMap: unknown): void {
  if (natMap === undefined || typeof natMap === "function") return;
  const where = "RedisCluster: options.natMap";
  if (typeof natMap !== "object" || natMap === null || Array.isArray(natMap)) {
    throw new TypeError(
      `${where} must be a record of "host:port" to { host, port }, or a function`,
    );
  }
  for (const [from, to] of Object.entries(natMap)) {
    const t: { host?: unknown; port?: unknown } | null = typeof to === "object" ? to : null;
    if (t === null || typeof t.host !== "string" || !Number.isInteger(t.port)) {
      throw new TypeError(`${where}["${from}"] must be { host: string, port: number }`);
    }
  }
}

function isString(v: unknown): v is string {
  return typeof v === "string";
}

type NumericOption =
  | "maxRedirections"
  | "refreshIntervalMs"
  | "refreshCooldownMs"
  | "latencyIntervalMs"
  | "retryBaseMs"
  | "retryCapMs"
  | "connectTimeoutMs"
  | "commandTimeoutMs"
  | "stallMs"
  | "maxQueueLength"
  | "maxUnwrittenBytes"
  | "maxBlockingConnections"
  | "maxReplyBytes"
  | "maxConnections"
  | "maxReplicaLagMs";

function count<D extends boolean>(
  o: RedisClusterOptions<D>,
  k: NumericOption,
  dflt: number,
): number {
  const v = o[k];
  if (v === undefined) return dflt;
  if (!Number.isInteger(v) || v < 0) {
    throw new TypeError(`RedisCluster: options.${k} must be a non-negative integer, got ${v}`);
  }
  return v;
}

function atLeastOne<D extends boolean>(
  o: RedisClusterOptions<D>,
  k: NumericOption,
  dflt: number,
): number {
  const v = o[k];
  if (v === undefined) return dflt;
  if (!Number.isSafeInteger(v) || v < 1) {
    throw new TypeError(`RedisCluster: options.${k} must be a positive integer, got ${v}`);
  }
  return v;
}

function positive<D extends boolean>(
  o: RedisClusterOptions<D>,
  k: NumericOption,
): number | undefined {
  const v = o[k];
  if (v === undefined) return undefined;
  if (typeof v !== "number" || !(v > 0) || !Number.isFinite(v)) {
    throw new TypeError(`RedisCluster: options.${k} must be a positive number, got ${v}`);
  }
  return v;
}

function startupNode(n: StartupNode, i: number): { host: string; port: number } {
  const where = `RedisCluster: options.startupNodes[${i}]`;
  const { host, port } = typeof n === "string"
    ? _parseAddress(n)
    : typeof n === "object" && n !== null
    ? { host: n.host, port: Number(n.port) }
    : { host: "", port: NaN };
  if (typeof host !== "string" || host === "") {
    throw new TypeError(`${where} needs a host ("host:port" or { host, port })`);
  }
  if (host.includes("/")) {
    throw new TypeError(`${where} must be "host:port" or { host, port }, not a URL: ${host}`);
  }
  if (!Number.isInteger(port) || port <= 0 || port > 65535) {
    throw new TypeError(`${where} has an invalid port`);
  }
  return { host, port };
}
