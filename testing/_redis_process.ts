/** redis-server processes for the local cluster harness: config files, free ports, waiting. */
import type { TestCertificates } from "./_certificates.ts";

/** Every node listens here only. */
export const HOST = "127.0.0.1";
const POLL_MS = 50;
/** Below Linux's ephemeral range (32768+), bus ports included, so port-0 listeners never collide. */
const PORT_RANGE = { first: 20_000, last: 22_768 };

/**
 * One redis-server of a local cluster.
 *
 * @example
 * ```ts ignore
 * const [first] = cluster.nodes;
 * console.log(first.address); // "127.0.0.1:21000"
 * ```
 */
export interface NodeHandle {
  /** Its client port: plaintext, or TLS on a TLS-only cluster. */
  readonly port: number;
  /** Always the loopback address. */
  readonly host: "127.0.0.1";
  /** `"127.0.0.1:port"`. */
  readonly address: string;
  /** Its TLS port, on a cluster with both kinds. */
  readonly tlsPort?: number;
}

/** How a TLS cluster is set up. */
export interface _TlsSetup {
  /** No plaintext port: clients, the cluster bus and replication all use TLS. */
  readonly only: boolean;
  readonly clientCertificates: boolean;
  readonly certificates: TestCertificates;
  /** The TLS port of each node, when it has a plaintext port too. */
  readonly tlsPorts?: readonly number[];
}

export interface _Node {
  readonly handle: NodeHandle;
  readonly dir: string;
  child: Deno.ChildProcess | undefined;
  exitCode: number | undefined;
  alive: boolean;
}

/** A problem that polling cannot fix, so waits stop at once instead of timing out. */
export class _Fatal extends Error {}

/**
 * Throws a clear error when redis-server or redis-cli is missing.
 *
 * @example
 * ```ts
 * await requireRedisServer();
 * ```
 */
export async function requireRedisServer(): Promise<void> {
  for (const binary of ["redis-server", "redis-cli"]) {
    try {
      await new Deno.Command(binary, { args: ["--version"], stdin: "null" }).output();
    } catch (error) {
      if (!(error instanceof Deno.errors.NotFound)) throw error;
      throw new Error(
        `${binary} is not on PATH; install it with \`apt-get install -y redis-server\``,
        { cause: error },
      );
    }
  }
}

export function _config(
  node: _Node,
  nodeTimeoutMs: number,
  daemonize: boolean,
  tls?: _TlsSetup,
  acl?: { readonly username?: string; readonly password: string },
): string {
  const quote = (path: string): string => JSON.stringify(path);
  const c = tls?.certificates;
  const tlsLines = tls === undefined || c === undefined ? [] : [
    `tls-cert-file ${quote(c.serverCertFile)}`,
    `tls-key-file ${quote(c.serverKeyFile)}`,
    `tls-ca-cert-file ${quote(c.caFile)}`,
    `tls-auth-clients ${tls.clientCertificates ? "yes" : "no"}`,
    // The cluster bus over TLS: nodes then gossip both ports, so each announces both.
    "tls-cluster yes",
    "tls-replication yes",
    `tls-port ${tls.only ? node.handle.port : node.handle.tlsPort}`,
  ];
  return [
    `port ${tls?.only ? 0 : node.handle.port}`,
    ...tlsLines,
    `bind ${HOST}`,
    `dir ${quote(node.dir)}`,
    `logfile ${quote(`${node.dir}/redis.log`)}`,
    `daemonize ${daemonize ? "yes" : "no"}`,
    ...(daemonize ? [`pidfile ${quote(`${node.dir}/redis.pid`)}`] : []),
    `save ""`,
    "appendonly no",
    "cluster-enabled yes",
    "cluster-config-file nodes.conf",
    `cluster-announce-ip ${HOST}`,
    `cluster-node-timeout ${nodeTimeoutMs}`,
    "cluster-require-full-coverage yes",
    // Failovers must not depend on how stale a replica's data is, and the topology must only
    // change when a test changes it.
    "cluster-replica-validity-factor 0",
    "cluster-allow-replica-migration no",
    "repl-diskless-sync yes",
    "repl-diskless-sync-delay 0",
    "enable-debug-command yes",
    ...(acl === undefined ? [] : [
      `requirepass ${JSON.stringify(acl.password)}`,
      `masterauth ${JSON.stringify(acl.password)}`,
      ...(acl.username === undefined
        ? []
        : [`user ${acl.username} on >${acl.password} ~* &* +@all`]),
    ]),
    "",
  ].join("\n");
}

/** Ports whose cluster bus port (port + 10000) is free too, starting at a random point. */
export function _freePorts(count: number): number[] {
  const ports: number[] = [];
  const span = PORT_RANGE.last - PORT_RANGE.first;
  const start = Math.floor(Math.random() * span);
  for (let i = 0; i < span && ports.length < count; i++) {
    const port = PORT_RANGE.first + (start + i) % span;
    if (_canListen(port) && _canListen(port + 10_000)) ports.push(port);
  }
  if (ports.length < count) throw new Error(`LocalCluster: only ${ports.length} free ports found`);
  return ports;
}

function _canListen(port: number): boolean {
  try {
    Deno.listen({ hostname: HOST, port }).close();
    return true;
  } catch (error) {
    if (error instanceof Deno.errors.AddrInUse) return false;
    throw error;
  }
}

export async function _waitFor(
  what: string,
  timeoutMs: number,
  probe: () => Promise<void>,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await probe();
    } catch (error) {
      if (error instanceof _Fatal || error instanceof Deno.errors.NotCapable) throw error;
      if (Date.now() >= deadline) {
        const last = error instanceof Error ? error.message : String(error);
        throw new Error(
          `LocalCluster: timed out after ${timeoutMs} ms waiting for ${what} (${last})`,
        );
      }
    }
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
}

export async function _logTail(node: _Node): Promise<string> {
  const log = await Deno.readTextFile(`${node.dir}/redis.log`)
    .catch(() => `no log; is ${node.dir}/redis.conf valid?`);
  return log.trim().split("\n").slice(-5).join(" | ");
}

export function _text(bytes: Uint8Array): string {
  return new TextDecoder().decode(bytes);
}
