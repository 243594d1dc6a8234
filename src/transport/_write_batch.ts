/**
 * Leaving cancelled commands out of a write batch: a command aborted or timed out before its
 * batch reached the socket must never run, so its bytes are cut from the batch's chunks.
 * @module
 */

/** `chunks` without the bytes in `ranges` (sorted, disjoint `[start, end)` batch offsets). */
export function _withoutRanges(
  chunks: readonly Uint8Array[],
  ranges: readonly (readonly [number, number])[],
): Uint8Array[] {
  const out: Uint8Array[] = [];
  let r = 0;
  let offset = 0;
  for (const chunk of chunks) {
    const chunkEnd = offset + chunk.length;
    let at = offset;
    while (at < chunkEnd) {
      const range = ranges[r];
      if (range === undefined || range[0] >= chunkEnd) {
        out.push(chunk.subarray(at - offset));
        break;
      }
      if (range[0] > at) out.push(chunk.subarray(at - offset, range[0] - offset));
      at = Math.min(chunkEnd, Math.max(at, range[1]));
      // A range that runs on into the next chunk is kept for it.
      if (range[1] <= chunkEnd) r++;
    }
    offset = chunkEnd;
  }
  return out;
}
