/**
 * What changed between two slot maps, as the `topologychange` and `failover` events say it.
 * @module
 */
import type { SlotMap } from "../topology/slot_map.ts";
import { SLOT_COUNT } from "../topology/slot.ts";
import type { SlotChange } from "./events.ts";

/** The owner changes from `before` to `after`, and the failovers among them. */
export function _topologyNews(before: SlotMap, after: SlotMap): {
  changes: SlotChange[];
  failovers: { from: string; to: string; slots: number[] }[];
} {
  const byPair = new Map<
    string,
    { from: string | undefined; to: string | undefined; slots: number[] }
  >();
  let run: { key: string; start: number } | undefined;
  const close = (end: number): void => {
    if (run === undefined) return;
    byPair.get(run.key)!.slots.push(run.start, end);
    run = undefined;
  };
  for (let slot = 0; slot < SLOT_COUNT; slot++) {
    const from = before.shardOf(slot)?.master.address;
    const to = after.shardOf(slot)?.master.address;
    if (from === to) {
      close(slot - 1);
      continue;
    }
    const key = `${from}>${to}`;
    if (run !== undefined && run.key !== key) close(slot - 1);
    if (!byPair.has(key)) byPair.set(key, { from, to, slots: [] });
    run ??= { key, start: slot };
  }
  close(SLOT_COUNT - 1);
  const changes = [...byPair.values()];
  const failovers = changes.flatMap((c) => {
    if (c.from === undefined || c.to === undefined) return [];
    // A failover: the new owner was a replica of the old one.
    const shard = before.shards.find((s) => s.master.address === c.from);
    const promoted = shard?.replicas.some((r) => r.address === c.to) ?? false;
    return promoted ? [{ from: c.from, to: c.to, slots: c.slots }] : [];
  });
  return { changes, failovers };
}
