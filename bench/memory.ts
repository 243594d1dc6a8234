/**
 * What each client leaves alive after `close()`: the live heap after a forced collection,
 * against the heap the harness had before that client ran.
 * @module
 */
import type { ClientSpec, Seed } from "./clients.ts";
import { closedLoop, fullGc } from "./measure.ts";
import type { DataSet } from "./scenarios.ts";

/** Heap figures of one client, in bytes. */
export interface MemoryResult {
  readonly client: string;
  /** The harness's live heap before any client opened. */
  readonly baseline: number;
  /** Live heap after a short warm-up run and close(), above the harness's own baseline. */
  readonly afterWarmUp: number;
  /** Live heap after a long run and close(), above the heap after the warm-up run. */
  readonly retained: number;
  /** Live heap after a second long run and close(), above the heap after the first: a leak. */
  readonly retainedAgain: number;
  readonly commands: number;
  /** `retainedAgain / commands`: what each command leaves behind once code and caches settled. */
  readonly perCommand: number;
}

const WARM_UP = 5000;
/** Client lifetimes before measuring: V8 keeps optimising (code, maps, caches) for about ten. */
const WARM_UP_CYCLES = 12;
const IN_FLIGHT = 50;

/**
 * One client, in an isolate of its own: the harness's baseline (its live heap before any client
 * opened), warm-up runs on a dozen clients (code and caches settling are not a leak), then two
 * long runs of `commands` GETs; each run on a client of its own, closed, then collected.
 */
export async function measureMemory(
  spec: ClientSpec,
  seeds: readonly Seed[],
  data: DataSet,
  commands: number,
): Promise<MemoryResult> {
  if (!await fullGc()) throw new Error("no gc(): run with --v8-flags=--expose-gc");
  const baseline = Deno.memoryUsage().heapUsed;
  const cycle = async (calls: number): Promise<number> => {
    const client = await spec.open(seeds, "masters");
    const { keys } = data;
    await closedLoop(
      { calls, inFlight: IN_FLIGHT, opsPerCall: 1 },
      (i) => client.get(keys[i % keys.length] as string),
    );
    await client.close();
    await fullGc();
    return Deno.memoryUsage().heapUsed;
  };
  let warm = 0;
  for (let i = 0; i < WARM_UP_CYCLES; i++) warm = await cycle(WARM_UP);
  const after = await cycle(commands);
  // The first long run may still settle code and caches; a second one shows what use retains.
  const again = await cycle(commands);
  return {
    client: spec.name,
    baseline,
    afterWarmUp: warm - baseline,
    retained: after - warm,
    retainedAgain: again - after,
    commands,
    perCommand: (again - after) / commands,
  };
}
