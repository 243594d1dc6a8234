/**
 * `RedisCluster` options and their validation.
 * @module
 */
import type { ConnectionFactory } from "../transport/node_pool.ts";
import type { TlsOptions } from "../transport/connection_options.ts";
import type { ReadFrom } from "../topology/read_policy.ts";
import type { NatMap } from "../topology/slot_map.ts";
import type { Logger } from "../topology/topology.ts";
import { _parseAddress } from "../_address.ts";

/**
 * A node to discover the cluster from.
 *
 * @example
 * ```ts
 * import type { StartupNode } from "@x/rcluster";
 * const nodes: StartupNode[] = [{ host: "127.0.0.1", port: 7000 }, "127.0.0.1:7001"];
 * ```
 */
export type StartupNode = { host: string; port: number | string } | string;

/**
 * Options of `RedisCluster`. Only `startupNodes` is required.
 *
 * @example
 * ```ts
 * import type { RedisClusterOptions } from "@x/rcluster";
 * const o: RedisClusterOptions<true> = {
 *   startupNodes: ["127.0.0.1:7000"],
 *   decodeResponses: true,
 *   readFrom: "replica-preferred",
 * };
 * ```
 */
export interface RedisClusterOptions<D extends boolean = false> {
  /** Nodes tried in turn to discover the cluster: `{ host, port }` or `"host:port"`. */
  startupNodes: readonly StartupNode[];
  /** Bulk replies as UTF-8 strings instead of `Uint8Array`.
   * @default false */
  decodeResponses?: D;
  /** Reads may be served by the slot's master or a replica, at random (the reference design's
   * `readonly_mode`). Same as `readFrom: "any"`; writes always go to the master.
   * @default false */
  readonlyMode?: boolean;
  /** Where reads go; overrides `readonlyMode`.
   * @default "master" ("any" with readonlyMode) */
  readFrom?: ReadFrom;
  /** After this client writes to a slot, its reads of that slot go to the master until the
   * replicas' replication offsets show they have the write.
   * @default false */
  readYourWrites?: boolean;
  /** Replicas lagging more than this behind their master get no reads.
   * @default undefined (no limit) */
  maxReplicaLagMs?: number;
  /** Redirections and retries per command before `ClusterRedirectionError`.
   * @default 16 */
  maxRedirections?: number;
  /** ACL user name.
   * @default undefined */
  username?: string;
  /** Password (`AUTH`).
   * @default undefined */
  password?: string;
  /** TLS for every node connection.
   * @default undefined */
  tls?: TlsOptions | boolean;
  /** RESP protocol version.
   * @default 2 */
  protocol?: 2 | 3;
  /** Connect (and handshake) timeout per node.
   * @default 10000 */
  connectTimeoutMs?: number;
  /** Per-command timeout; none by default (and then no timer runs).
   * @default undefined */
  commandTimeoutMs?: number;
  /** Periodic topology refresh, so a failover is noticed even without traffic; 0 disables.
   * @default 30000 */
  refreshIntervalMs?: number;
  /** Minimum time between two refreshes triggered by redirections or lost connections.
   * @default 200 */
  refreshCooldownMs?: number;
  /** How often round trips are sampled for `readFrom: "nearest"`.
   * @default 2000 */
  latencyIntervalMs?: number;
  /** First retry delay; it doubles per attempt, with jitter.
   * @default 20 */
  retryBaseMs?: number;
  /** Longest retry delay.
   * @default 1000 */
  retryCapMs?: number;
  /** Maps announced node addresses to reachable ones (NAT, containers).
   * @default undefined */
  natMap?: NatMap;
  /** Coalesces commands issued in the same tick into one write per node.
   * @default true */
  autoPipelining?: boolean;
  /** `CLIENT SETNAME` on every connection.
   * @default undefined */
  clientName?: string;
  /** Opens connections; inject one to instrument or to test faults.
   * @default Connection.connect */
  connectionFactory?: ConnectionFactory;
  /** Receives topology changes and retries; silent by default.
   * @default undefined */
  logger?: Logger;
}

const SILENT: Logger = { debug() {}, info() {}, warn() {}, error() {} };

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
  checkConnectionOptions(o);
  const logger = o.logger ?? SILENT;
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
  };
}

function checkConnectionOptions<D extends boolean>(o: RedisClusterOptions<D>): void {
  for (const k of ["username", "password", "clientName"] as const) {
    if (o[k] !== undefined && typeof o[k] !== "string") {
      throw new TypeError(`RedisCluster: options.${k} must be a string`);
    }
  }
  if (o.connectionFactory !== undefined && typeof o.connectionFactory !== "function") {
    throw new TypeError("RedisCluster: options.connectionFactory must be a function");
  }
  const { tls } = o;
  if (tls !== undefined && typeof tls !== "boolean") {
    const ca = typeof tls === "object" && tls !== null ? tls.caCerts : null;
    if (ca === null || (ca !== undefined && !(Array.isArray(ca) && ca.every(isString)))) {
      throw new TypeError("RedisCluster: options.tls must be a boolean or { caCerts?: string[] }");
    }
  }
  checkNatMap(o.natMap);
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
