/**
 * Slots grouped into runs: for each key, the inclusive ranges of consecutive slots that map to
 * it. The one way the client turns a per-slot view (owners, changes, scanned slots) into ranges.
 * @module
 */
import { SLOT_COUNT } from "./slot.ts";

/**
 * The inclusive slot ranges (`[0, 5460, 7000, 7001]`) of each key `keyOf` gives; slots it maps
 * to `undefined` are left out. Keys come in the order of their first slot.
 */
export function _slotRuns<K>(keyOf: (slot: number) => K | undefined): Map<K, number[]> {
  const runs = new Map<K, number[]>();
  let from = 0;
  let key = keyOf(0);
  for (let slot = 1; slot <= SLOT_COUNT; slot++) {
    const next = slot < SLOT_COUNT ? keyOf(slot) : undefined;
    if (slot < SLOT_COUNT && next === key) continue;
    if (key !== undefined) {
      const r = runs.get(key);
      if (r === undefined) runs.set(key, [from, slot - 1]);
      else r.push(from, slot - 1);
    }
    from = slot;
    key = next;
  }
  return runs;
}

/** Marks every slot of inclusive `ranges` in a 16384-entry table. */
export function _fillRuns(into: Uint8Array, ranges: readonly number[]): void {
  for (let i = 0; i + 1 < ranges.length; i += 2) into.fill(1, ranges[i]!, ranges[i + 1]! + 1);
}
