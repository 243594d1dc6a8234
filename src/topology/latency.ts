/**
 * Round trips to every node, sampled with `PING` and smoothed, for `readFrom: "nearest"`.
 * @module
 */
import type { NodeInfo } from "./node_info.ts";
import type { RedisArgument, RedisReply } from "../types.ts";
import { _unrefTimer } from "../transport/timers.ts";

/** What the sampler needs from the layers around it. */
export interface _LatencyOptions {
  readonly intervalMs: number;
  /** The nodes to sample, asked afresh each round. */
  readonly nodes: () => readonly NodeInfo[];
  readonly send: (node: NodeInfo, args: RedisArgument[]) => Promise<RedisReply>;
}

/** Smoothed round trips by node address; sampling starts on first demand. */
export class _LatencySampler {
  #options: _LatencyOptions;
  #latency = new Map<string, number>();
  #timer: ReturnType<typeof setTimeout> | undefined;
  #sampling = false;
  #closed = false;

  constructor(options: _LatencyOptions) {
    this.#options = options;
  }

  /** Smoothed round trip to a node in ms, when sampled. */
  latency(address: string): number | undefined {
    return this.#latency.get(address);
  }

  /** Starts sampling, once; a per-call "nearest" read asks for it on first use. */
  start(): void {
    if (this.#sampling || this.#closed) return;
    this.#sampling = true;
    void this.#sample();
  }

  /** Stops sampling. */
  close(): void {
    this.#closed = true;
    clearTimeout(this.#timer);
  }

  async #sample(): Promise<void> {
    if (this.#closed) return;
    await Promise.all(
      this.#options.nodes().map(async (n) => {
        const t0 = performance.now();
        try {
          await this.#options.send(n, ["PING"]);
        } catch {
          return;
        }
        const rtt = performance.now() - t0;
        const old = this.#latency.get(n.address);
        this.#latency.set(n.address, old === undefined ? rtt : old * 0.7 + rtt * 0.3);
      }),
    );
    if (this.#closed) return;
    this.#timer = _unrefTimer(setTimeout(() => this.#sample(), this.#options.intervalMs));
  }
}
