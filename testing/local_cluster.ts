/**
 * A real Redis Cluster of local redis-server processes for integration and fault tests. It talks
 * to the nodes only through `redis-cli`, never through src/, so a bug in the client under test
 * cannot hide itself behind the harness.
 * @module
 */
import {
  _checkSlot,
  _field,
  type _NodeLine,
  _owner,
  _parseNodes,
  _summarize,
  SLOT_COUNT,
} from "./_cluster_nodes.ts";
import {
  _config,
  _Fatal,
  _freePorts,
  _logTail,
  type _Node,
  _text,
  type _TlsSetup,
  _waitFor,
  HOST,
  type NodeHandle,
  requireRedisServer,
} from "./_redis_process.ts";
import { makeCertificates, type TestCertificates } from "./_certificates.ts";

const BOOT_TIMEOUT_MS = 20_000;

export type { NodeHandle };

/** How {@linkcode LocalCluster.start} shapes the cluster. */
export interface LocalClusterOptions {
  /** @default 3 */
  masters?: number;
  /** @default 1 */
  replicasPerMaster?: number;
  /** cluster-node-timeout; also scales the default wait timeouts. @default 2000 */
  nodeTimeoutMs?: number;
  /** Run redis-server with `daemonize yes` so nodes outlive this process (stopped by pid). @default false */
  daemonize?: boolean;
  /**
   * TLS: `"tls-only"` (no plaintext port; the cluster bus and replication over TLS too) or
   * `"both"` (a plaintext port and a TLS port per node, both announced). `clientCertificates`
   * makes the servers require a client certificate (`tls-auth-clients yes`).
   * @default undefined (plaintext only)
   */
  tls?: { ports: "tls-only" | "both"; clientCertificates?: boolean };
  /**
   * Passwords: `requirepass` (and `masterauth`) set to `password`, and with `username` an ACL
   * user of that name with every right. The harness's own redis-cli calls authenticate.
   * @default undefined (no password)
   */
  acl?: { username?: string; password: string };
}

/** Enough to take over a daemonized cluster from another process, see {@linkcode LocalCluster.attach}. */
export interface LocalClusterState {
  readonly dir: string;
  readonly ports: readonly number[];
}

/** How long a wait may take. */
export interface WaitOptions {
  /** @default 8 × nodeTimeoutMs, at least 15000 */
  timeoutMs?: number;
}

/**
 * A local Redis Cluster. Use `await using` so every process and the temp dir go away.
 *
 * @example
 * ```ts
 * await using cluster = await LocalCluster.start();
 * const node = await cluster.masterOfSlot(0);
 * await cluster.kill(node.port);
 * await cluster.waitHealthy(); // a replica has taken over slot 0
 * ```
 */
export class LocalCluster implements AsyncDisposable {
  /** All nodes in port order; the first `masters` of them started as masters. */
  readonly nodes: readonly NodeHandle[];
  #nodes: _Node[];
  #dir: string;
  #daemonize: boolean;
  #tls: _TlsSetup | undefined;
  #waitMs: number;
  #acl: { username?: string; password: string } | undefined;
  #stopping: Promise<void> | undefined;

  private constructor(
    dir: string,
    ports: readonly number[],
    daemonize: boolean,
    timeoutMs: number,
    tls?: _TlsSetup,
  ) {
    this.#dir = dir;
    this.#daemonize = daemonize;
    this.#tls = tls;
    this.#waitMs = Math.max(15_000, timeoutMs * 8);
    this.#nodes = ports.map((port, i) => ({
      handle: {
        port,
        host: HOST,
        address: `${HOST}:${port}`,
        ...(tls?.tlsPorts ? { tlsPort: tls.tlsPorts[i]! } : {}),
      },
      dir: `${dir}/${port}`,
      child: undefined,
      exitCode: undefined,
      alive: daemonize,
    }));
    this.nodes = this.#nodes.map((n) => n.handle);
  }

  /** Starts the processes, creates the cluster and waits until it is healthy. */
  static async start(options: LocalClusterOptions = {}): Promise<LocalCluster> {
    await requireRedisServer();
    const masters = options.masters ?? 3;
    const replicas = options.replicasPerMaster ?? 1;
    const timeoutMs = options.nodeTimeoutMs ?? 2000;
    if (!Number.isInteger(masters) || masters < 1 || !Number.isInteger(replicas) || replicas < 0) {
      throw new RangeError(`LocalCluster: bad shape ${masters} masters × ${replicas} replicas`);
    }
    const count = masters * (1 + replicas);
    const both = options.tls?.ports === "both";
    const all = _freePorts(both ? 2 * count : count);
    const ports = all.slice(0, count);
    // Real path, because CONFIG GET dir (which tells our servers from strangers) answers one.
    const dir = await Deno.realPath(await Deno.makeTempDir({ prefix: "rcluster-" }));
    const tls: _TlsSetup | undefined = options.tls === undefined ? undefined : {
      only: !both,
      clientCertificates: options.tls.clientCertificates ?? false,
      certificates: await makeCertificates(`${dir}/tls`),
      ...(both ? { tlsPorts: all.slice(count) } : {}),
    };
    const cluster = new LocalCluster(dir, ports, options.daemonize ?? false, timeoutMs, tls);
    cluster.#acl = options.acl;
    try {
      await cluster.#boot(masters, timeoutMs);
    } catch (error) {
      await cluster.stop().catch(() => {});
      throw error;
    }
    return cluster;
  }

  /** Takes over a daemonized cluster that another process started (its `state`). */
  static attach(state: LocalClusterState): LocalCluster {
    return new LocalCluster(state.dir, state.ports, true, 2000);
  }

  /** Where the cluster lives; pass it to {@linkcode LocalCluster.attach} from another process. */
  get state(): LocalClusterState {
    return { dir: this.#dir, ports: this.nodes.map((n) => n.port) };
  }

  /** Every node, for a client's seed list. */
  get startupNodes(): { host: string; port: number }[] {
    return this.nodes.map(({ host, port }) => ({ host, port }));
  }

  /** The TLS port of every node, when the cluster has plaintext and TLS ports. */
  get tlsStartupNodes(): { host: string; port: number }[] {
    return this.nodes.map(({ host, port, tlsPort }) => ({ host, port: tlsPort ?? port }));
  }

  /** The certificates of a TLS cluster: the CA a client trusts, and a client certificate. */
  get certificates(): TestCertificates {
    if (this.#tls === undefined) throw new Error("LocalCluster: not a TLS cluster");
    return this.#tls.certificates;
  }

  /** Stops a node (SIGSTOP): it keeps its sockets but answers nothing, as a hung machine. */
  freeze(port: number): void {
    this.#signal(port, "SIGSTOP");
  }

  /** Resumes a frozen node (SIGCONT). */
  thaw(port: number): void {
    this.#signal(port, "SIGCONT");
  }

  #signal(port: number, signal: "SIGSTOP" | "SIGCONT"): void {
    const child = this.#node(port).child;
    if (child === undefined) throw new Error(`LocalCluster: ${port} is not a child process`);
    child.kill(signal);
  }

  /** Runs `redis-cli -p port ...args` (raw output); a leading "-c" follows redirections. */
  async cli(port: number, ...args: string[]): Promise<string> {
    const out = await new Deno.Command("redis-cli", {
      args: [
        "-e",
        "-h",
        HOST,
        "-p",
        String(port),
        ...this.#cliTls(),
        ...(this.#acl ? ["-a", this.#acl.password, "--no-auth-warning"] : []),
        ...args,
      ],
      stdin: "null",
    }).output();
    const stdout = _text(out.stdout);
    if (!out.success) {
      const reason = (_text(out.stderr) || stdout).trim();
      throw new Error(`redis-cli -p ${port} ${args.join(" ")} failed: ${reason}`);
    }
    return stdout.endsWith("\n") ? stdout.slice(0, -1) : stdout;
  }

  /** redis-cli's TLS flags, when the nodes have no plaintext port. */
  #cliTls(): string[] {
    const tls = this.#tls;
    if (tls === undefined || !tls.only) return [];
    const c = tls.certificates;
    return ["--tls", "--cacert", c.caFile, "--cert", c.clientCertFile, "--key", c.clientKeyFile];
  }

  /** Live nodes that currently say they are masters. */
  async masters(): Promise<NodeHandle[]> {
    return (await this.#selves()).filter((s) => s.line.flags.includes("master")).map((s) => s.node);
  }

  /** Live nodes that currently say they are replicas. */
  async replicas(): Promise<NodeHandle[]> {
    return (await this.#selves()).filter((s) => s.line.flags.includes("slave")).map((s) => s.node);
  }

  /** Live replicas of the master on `masterPort`. */
  async replicasOf(masterPort: number): Promise<NodeHandle[]> {
    const selves = await this.#selves();
    const master = selves.find((s) => s.node.port === masterPort);
    if (!master) throw new Error(`LocalCluster: no live node on port ${masterPort}`);
    return selves.filter((s) => s.line.masterId === master.line.id).map((s) => s.node);
  }

  /** The master owning `slot`, as a live node sees it. */
  async masterOfSlot(slot: number): Promise<NodeHandle> {
    return this.#node(_owner(await this.#view(), _checkSlot(slot)).port).handle;
  }

  /** SIGKILLs a node and waits for it to be gone; its dir and nodes.conf stay for restart(). */
  async kill(port: number): Promise<void> {
    const node = this.#node(port);
    if (!node.alive) throw new Error(`LocalCluster: node ${port} is not running`);
    await this.#terminate(node);
  }

  /** Starts a killed node again from its nodes.conf, then (by default) waits for a healthy cluster. */
  async restart(
    port: number,
    options: WaitOptions & { waitHealthy?: boolean } = {},
  ): Promise<void> {
    const node = this.#node(port);
    if (node.alive) throw new Error(`LocalCluster: node ${port} is already running`);
    await this.#spawn(node);
    if (options.waitHealthy ?? true) await this.waitHealthy(options);
  }

  /** CLUSTER FAILOVER [FORCE|TAKEOVER] on a replica; waits until it is master and all is healthy. */
  async failover(
    replicaPort: number,
    options: WaitOptions & { mode?: "default" | "force" | "takeover" } = {},
  ): Promise<void> {
    const mode = options.mode ?? "default";
    await this.cli(replicaPort, "cluster", "failover", ...(mode === "default" ? [] : [mode]));
    await _waitFor(`${replicaPort} to become master`, this.#timeout(options), async () => {
      const role = (await this.cli(replicaPort, "role")).split("\n")[0];
      if (role !== "master") throw new Error(`role is ${role}`);
    });
    await this.waitHealthy(options);
  }

  /**
   * Waits until every live node says cluster_state:ok, all agree on slot owners and roles, every
   * slot is owned by a live master, no live node is flagged failing and every replica is linked.
   */
  async waitHealthy(options: WaitOptions = {}): Promise<void> {
    await _waitFor("a healthy cluster", this.#timeout(options), () => this.#checkHealth());
  }

  /**
   * Moves `slot` to the master on `toPort` with SETSLOT IMPORTING/MIGRATING and MIGRATE. With keys
   * "half" (the first ⌊n/2⌋ keys) or "none" the slot is left mid-migration, for ASK tests;
   * {@linkcode LocalCluster.finishMigration} completes it.
   */
  async migrateSlot(
    slot: number,
    toPort: number,
    options: { keys?: "all" | "none" | "half" } = {},
  ): Promise<void> {
    const lines = await this.#view();
    const source = _owner(lines, _checkSlot(slot));
    const target = lines.find((l) => l.port === toPort && l.flags.includes("master"));
    if (!target) throw new Error(`LocalCluster: ${toPort} is not a master`);
    if (source.port === toPort) {
      throw new Error(`LocalCluster: slot ${slot} is already on ${toPort}`);
    }
    await this.cli(toPort, "cluster", "setslot", String(slot), "importing", source.id);
    await this.cli(source.port, "cluster", "setslot", String(slot), "migrating", target.id);
    const keys = options.keys ?? "all";
    if (keys === "all") return await this.finishMigration(slot, toPort);
    if (keys === "none") return;
    const count = Number(await this.cli(source.port, "cluster", "countkeysinslot", String(slot)));
    await this.#moveKeys(slot, source.port, toPort, Math.floor(count / 2));
  }

  /**
   * Moves `slots` slots, with their keys, from the master on `fromPort` to the one on `toPort`
   * with `redis-cli --cluster reshard` (one slot at a time, as operators do).
   */
  async reshard(fromPort: number, toPort: number, slots: number): Promise<void> {
    const id = (port: number): Promise<string> => this.cli(port, "cluster", "myid");
    await this.cli(
      fromPort,
      "--cluster",
      "reshard",
      `${HOST}:${fromPort}`,
      "--cluster-from",
      await id(fromPort),
      "--cluster-to",
      await id(toPort),
      "--cluster-slots",
      String(slots),
      "--cluster-yes",
    );
  }

  /** Moves the remaining keys of `slot` to `toPort`, assigns it there on all masters, waits. */
  async finishMigration(slot: number, toPort: number, options: WaitOptions = {}): Promise<void> {
    const lines = await this.#view();
    const source = _owner(lines, _checkSlot(slot));
    const target = lines.find((l) => l.port === toPort);
    if (!target) throw new Error(`LocalCluster: no node on port ${toPort}`);
    if (source.port !== toPort) await this.#moveKeys(slot, source.port, toPort, Infinity);
    const others = lines.filter((l) =>
      l.flags.includes("master") && l !== target && l !== source && this.#node(l.port).alive
    );
    // Target first so it owns the slot before the source stops answering with ASK.
    for (const master of [target, source, ...others]) {
      await this.cli(master.port, "cluster", "setslot", String(slot), "node", target.id);
    }
    await this.waitHealthy(options);
  }

  /** Kills every node and removes the dir. Safe to call twice and after a failed start. */
  stop(): Promise<void> {
    this.#stopping ??= this.#stopAll();
    return this.#stopping;
  }

  /** Same as {@linkcode LocalCluster.stop}. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.stop();
  }

  async #boot(masters: number, timeoutMs: number): Promise<void> {
    await Promise.all(this.#nodes.map(async (node) => {
      await Deno.mkdir(node.dir);
      await Deno.writeTextFile(
        `${node.dir}/redis.conf`,
        _config(node, timeoutMs, this.#daemonize, this.#tls, this.#acl),
      );
      await this.#spawn(node);
    }));
    const ports = this.nodes.map((n) => n.port);
    const ids = await Promise.all(ports.map((p) => this.cli(p, "cluster", "myid")));
    await Promise.all(ports.map((p, i) => this.cli(p, "cluster", "set-config-epoch", `${i + 1}`)));
    await Promise.all(
      ports.slice(0, masters).map((p, i) => {
        const from = Math.floor((i * SLOT_COUNT) / masters);
        const to = Math.floor(((i + 1) * SLOT_COUNT) / masters) - 1;
        return this.cli(p, "cluster", "addslotsrange", `${from}`, `${to}`);
      }),
    );
    const [first = 0, ...rest] = ports;
    // Over a TLS bus, a node's bus port follows its TLS port.
    const busBase = new Map(this.nodes.map((n) => [n.port, n.tlsPort ?? n.port]));
    await Promise.all(
      rest.map((p) => this.cli(first, "cluster", "meet", HOST, `${busBase.get(p)}`)),
    );
    await Promise.all(
      ports.slice(masters).map(async (port, j) => {
        const masterId = ids[j % masters] ?? "";
        await _waitFor(`${port} to meet its master`, BOOT_TIMEOUT_MS, async () => {
          const master = _parseNodes(await this.cli(port, "cluster", "nodes"))
            .find((l) => l.id === masterId);
          if (!master?.flags.includes("master")) throw new Error(`${masterId} not known yet`);
        });
        await this.cli(port, "cluster", "replicate", masterId);
      }),
    );
    await this.waitHealthy({ timeoutMs: BOOT_TIMEOUT_MS });
  }

  async #spawn(node: _Node): Promise<void> {
    const conf = `${node.dir}/redis.conf`;
    if (this.#daemonize) {
      const out = await new Deno.Command("redis-server", { args: [conf], stdin: "null" }).output();
      if (!out.success) {
        const reason = `${_text(out.stdout)}${_text(out.stderr)}`.trim();
        throw new Error(`LocalCluster: redis-server ${node.handle.port} did not start: ${reason}`);
      }
    } else {
      const child = new Deno.Command("redis-server", {
        args: [conf],
        stdin: "null",
        stdout: "null",
        stderr: "null",
      }).spawn();
      node.child = child;
      node.exitCode = undefined;
      child.status.then((status) => node.exitCode = status.code);
    }
    node.alive = true;
    await _waitFor(`${node.handle.address} to answer`, BOOT_TIMEOUT_MS, async () => {
      if (node.exitCode !== undefined) {
        const log = await _logTail(node);
        throw new _Fatal(`LocalCluster: redis-server exited with ${node.exitCode}: ${log}`);
      }
      if (!(await this.#owns(node))) {
        throw new _Fatal(`LocalCluster: another server took ${node.handle.port}`);
      }
    });
  }

  async #terminate(node: _Node): Promise<void> {
    node.alive = false;
    const child = node.child;
    if (child) {
      node.child = undefined;
      if (node.exitCode === undefined) child.kill("SIGKILL");
      await child.status;
      return;
    }
    if (!this.#daemonize || !(await this.#owns(node))) return;
    const info = await this.cli(node.handle.port, "info", "server");
    const pid = _field(info, "process_id") ?? "";
    const out = await new Deno.Command("kill", { args: ["-KILL", pid], stdin: "null" }).output();
    if (!out.success) throw new Error(`LocalCluster: kill ${pid} failed: ${_text(out.stderr)}`);
    await this.#waitClosed(node);
    await Deno.remove(`${node.dir}/redis.pid`).catch(() => {});
  }

  /** Daemonized nodes stop with SHUTDOWN, which needs no permission to run `kill`. */
  async #shutdown(node: _Node): Promise<void> {
    node.alive = false;
    if (!(await this.#owns(node).catch(() => false))) return;
    await this.cli(node.handle.port, "shutdown", "nosave", "now").catch(() => {});
    await this.#waitClosed(node);
  }

  /** Whether the server on the node's port is ours, not one that took the port after we left. */
  async #owns(node: _Node): Promise<boolean> {
    const reply = await this.cli(node.handle.port, "config", "get", "dir");
    return reply.split("\n")[1] === node.dir;
  }

  /** Sockets close when a process exits, and reading /proc would need --allow-all. */
  async #waitClosed(node: _Node): Promise<void> {
    await _waitFor(`${node.handle.address} to close`, this.#waitMs, async () => {
      const answered = await this.cli(node.handle.port, "ping").then(() => true, () => false);
      if (answered) throw new Error("it still answers PING");
    });
  }

  async #stopAll(): Promise<void> {
    const results = await Promise.allSettled(
      this.#nodes.map((n) => this.#daemonize ? this.#shutdown(n) : this.#terminate(n)),
    );
    await Deno.remove(this.#dir, { recursive: true }).catch((error) => {
      if (!(error instanceof Deno.errors.NotFound)) throw error;
    });
    const errors = results.flatMap((r) => r.status === "rejected" ? [r.reason] : []);
    if (errors.length > 0) throw new AggregateError(errors, "LocalCluster: stop failed");
  }

  async #checkHealth(): Promise<void> {
    const live = this.#nodes.filter((n) => n.alive).map((n) => n.handle.port);
    const views = await Promise.all(live.map(async (port) => {
      const [nodes, info] = await Promise.all([
        this.cli(port, "cluster", "nodes"),
        this.cli(port, "cluster", "info"),
      ]);
      const state = _field(info, "cluster_state");
      if (state !== "ok") throw new Error(`${port} has cluster_state:${state}`);
      const lines = _parseNodes(nodes);
      if (lines.find((l) => l.flags.includes("myself"))?.flags.includes("slave")) {
        const link = _field(await this.cli(port, "info", "replication"), "master_link_status");
        if (link !== "up") throw new Error(`${port} has master_link_status:${link}`);
      }
      return { port, summary: _summarize(lines, new Set(live)) };
    }));
    const [first, ...rest] = views;
    const other = rest.find((v) => v.summary !== first?.summary);
    if (first && other) {
      throw new Error(
        `${first.port} sees ${first.summary} but ${other.port} sees ${other.summary}`,
      );
    }
  }

  async #moveKeys(slot: number, fromPort: number, toPort: number, limit: number): Promise<void> {
    for (let moved = 0; moved < limit;) {
      const batch = `${Math.min(100, limit - moved)}`;
      const keys = (await this.cli(fromPort, "cluster", "getkeysinslot", `${slot}`, batch))
        .split("\n").filter((k) => k !== "");
      if (keys.length === 0) return;
      await this.cli(fromPort, "migrate", HOST, `${toPort}`, "", "0", "5000", "KEYS", ...keys);
      moved += keys.length;
    }
  }

  async #view(): Promise<_NodeLine[]> {
    const live = this.#nodes.find((n) => n.alive);
    if (!live) throw new Error("LocalCluster: no node is running");
    return _parseNodes(await this.cli(live.handle.port, "cluster", "nodes"));
  }

  async #selves(): Promise<Array<{ node: NodeHandle; line: _NodeLine }>> {
    return await Promise.all(
      this.#nodes.filter((n) => n.alive).map(async ({ handle }) => {
        const lines = _parseNodes(await this.cli(handle.port, "cluster", "nodes"));
        const line = lines.find((l) => l.flags.includes("myself"));
        if (!line) throw new Error(`LocalCluster: ${handle.port} does not list itself`);
        return { node: handle, line };
      }),
    );
  }

  #node(port: number): _Node {
    const node = this.#nodes.find((n) => n.handle.port === port);
    if (!node) throw new Error(`LocalCluster: no node on port ${port}`);
    return node;
  }

  #timeout(options: WaitOptions): number {
    return options.timeoutMs ?? this.#waitMs;
  }
}
