/**
 * What changed between two slot maps, as the `topologychange` and `failover` events say it.
 * @module
 */
import type { SlotMap } from "../topology/slot_map.ts";
import { _slotRuns } from "../topology/slot_runs.ts";
import type { SlotChange } from "./events.ts";

/** The owner changes from `before` to `after`, and the failovers among them. */
export function _topologyNews(before: SlotMap, after: SlotMap): {
  changes: SlotChange[];
  failovers: { from: string; to: string; slots: number[] }[];
} {
  const pairs = new Map<string, { from: string | undefined; to: string | undefined }>();
  const runs = _slotRuns((slot) => {
    const from = before.shardOf(slot)?.master.address;
    const to = after.shardOf(slot)?.master.address;
    if (from === to) return undefined;
    const key = `${from}>${to}`;
    if (!pairs.has(key)) pairs.set(key, { from, to });
    return key;
  });
  const changes = [...runs].map(([key, slots]) => ({ ...pairs.get(key)!, slots }));
  const failovers = changes.flatMap((c) => {
    if (c.from === undefined || c.to === undefined) return [];
    // A failover: the new owner was a replica of the old one.
    const shard = before.shards.find((s) => s.master.address === c.from);
    const promoted = shard?.replicas.some((r) => r.address === c.to) ?? false;
    return promoted ? [{ from: c.from, to: c.to, slots: c.slots }] : [];
  });
  return { changes, failovers };
}
