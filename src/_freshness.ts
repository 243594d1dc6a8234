/**
 * Staleness control for replica reads (`readYourWrites`, `maxReplicaLagMs`). Filled in by the
 * readonly-mode work; until enabled it allows every replica.
 */
import type { NodeInfo } from "./read_policy.ts";

/** Tracks which replicas are fresh enough to serve a slot. */
export class _Freshness {
  /** Records a write this client made to `slot` on the master at `address`. */
  wrote(_slot: number, _address: string): void {}

  /** Whether reads of `slot` must go to the master for now. */
  mustReadMaster(_slot: number): boolean {
    return false;
  }

  /** Whether a replica is fresh enough for reads at all. */
  replicaUsable(_node: NodeInfo): boolean {
    return true;
  }
}
