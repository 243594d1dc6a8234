/**
 * Round trips to every node, sampled with `PING`, for `readFrom: "nearest"`. A node's latency is
 * the least of its recent samples: a round trip is only ever inflated by noise (a busy event
 * loop, a queued probe), never shortened, so the minimum is the estimate that noise spares.
 * @module
 */
import type { NodeInfo } from "./node_info.ts";
import { _unrefTimer } from "../transport/timers.ts";

/** What the sampler needs from the layers around it. */
export interface _LatencyOptions {
  readonly intervalMs: number;
  /** The nodes to sample, asked afresh each round. */
  readonly nodes: () => readonly NodeInfo[];
  /** One `PING`'s round trip to the node in ms, the time to open a connection left out. */
  readonly roundTrip: (node: NodeInfo) => Promise<number>;
}

const KEPT_SAMPLES = 5;
const WARMUP_ROUNDS = 4;
const WARMUP_MS = 50;

/** Round trips by node address; sampling starts on first demand. */
export class _LatencySampler {
  #options: _LatencyOptions;
  #latency = new Map<string, number>();
  /** The last `KEPT_SAMPLES` round trips per node. */
  #samples = new Map<string, number[]>();
  #rounds = 0;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #sampling = false;
  #closed = false;

  constructor(options: _LatencyOptions) {
    this.#options = options;
  }

  /** The node's round trip in ms (the least recent sample), when sampled. */
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
    // One node at a time: concurrent PINGs would time each other's turn in the event loop.
    for (const n of this.#options.nodes()) {
      if (this.#closed) return;
      let rtt: number;
      try {
        rtt = await this.#options.roundTrip(n);
      } catch {
        continue;
      }
      const recent = this.#samples.get(n.address) ?? [];
      recent.push(rtt);
      if (recent.length > KEPT_SAMPLES) recent.shift();
      this.#samples.set(n.address, recent);
      this.#latency.set(n.address, Math.min(...recent));
    }
    this.#rounds++;
    if (this.#closed) return;
    // The first rounds come quickly, so the startup's noisy samples are soon outvoted.
    const delay = this.#rounds < WARMUP_ROUNDS ? WARMUP_MS : this.#options.intervalMs;
    this.#timer = _unrefTimer(setTimeout(() => this.#sample(), delay));
  }
}
