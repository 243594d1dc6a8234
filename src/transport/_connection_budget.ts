/**
 * `maxConnections`: how many connections the client holds at once, every kind counted (shared,
 * probe, leased, dedicated, and those being opened). Cloudflare Workers allow about six per
 * request. At the budget, an idle connection is closed to make room; when none is idle, the new
 * connection is refused with a `CapacityError` (nothing is sent).
 * @module
 */
import { CapacityError } from "../errors.ts";

/** Counts open connections against `maxConnections`. */
export class _ConnectionBudget {
  readonly max: number;
  #open = 0;
  /** Closes one idle connection to make room; false when none is idle. */
  #evict: () => boolean;

  constructor(max: number, evict: () => boolean) {
    this.max = max;
    this.#evict = evict;
  }

  /**
   * Takes a place for a new connection to `address`; call the returned function once the
   * connection has closed (or failed to open).
   */
  take(address: string): () => void {
    if (this.#open >= this.max && !this.#evict()) {
      throw new CapacityError(
        `no connection opened to ${address}: the client already holds ${this.#open} ` +
          `connections in use (maxConnections ${this.max})`,
        { option: "maxConnections", limit: this.max },
      );
    }
    this.#open++;
    let given = false;
    return () => {
      if (given) return;
      given = true;
      this.#open--;
    };
  }
}
