/** Reading `CLUSTER NODES` and `INFO` text, as the local cluster harness checks the cluster. */

/** Slots in a cluster. */
export const SLOT_COUNT = 16384;

/** One line of `CLUSTER NODES`. */
export interface _NodeLine {
  id: string;
  port: number;
  flags: string[];
  masterId: string;
  slots: Array<[number, number]>;
}

export function _parseNodes(text: string): _NodeLine[] {
  return text.split("\n").filter((l) => l.trim() !== "").map((line) => {
    const [id = "", address = "", flags = "", masterId = "", ...rest] = line.trim().split(" ");
    const at = address.indexOf("@");
    const port = Number(address.slice(address.lastIndexOf(":", at) + 1, at));
    const slots = rest.slice(4).filter((s) => !s.startsWith("[")).map((s): [number, number] => {
      const [from = "", to = from] = s.split("-");
      return [Number(from), Number(to)];
    });
    return { id, port, flags: flags.split(","), masterId, slots };
  });
}

/** One node's view of slot owners and live roles, failing if the view is not yet settled. */
export function _summarize(lines: _NodeLine[], live: ReadonlySet<number>): string {
  const portOf = new Map(lines.map((l) => [l.id, l.port]));
  const roles: string[] = [];
  const ranges: string[] = [];
  let covered = 0;
  for (const line of lines) {
    for (const [from, to] of line.slots) {
      if (!live.has(line.port)) throw new Error(`slots ${from}-${to} on dead ${line.port}`);
      ranges.push(`${from}-${to}@${line.port}`);
      covered += to - from + 1;
    }
    if (!live.has(line.port)) continue;
    const bad = line.flags.find((f) => ["fail", "fail?", "handshake", "noaddr"].includes(f));
    if (bad) throw new Error(`${line.port} flagged ${bad}`);
    roles.push(
      line.flags.includes("slave") ? `${line.port}>${portOf.get(line.masterId)}` : `${line.port}`,
    );
  }
  if (roles.length !== live.size) {
    throw new Error(`only ${roles.length} of ${live.size} nodes known`);
  }
  if (covered !== SLOT_COUNT) throw new Error(`${covered} of ${SLOT_COUNT} slots covered`);
  return `roles ${roles.sort().join(" ")}, slots ${ranges.sort().join(" ")}`;
}

export function _owner(lines: _NodeLine[], slot: number): _NodeLine {
  const owner = lines.find((l) => l.slots.some(([from, to]) => from <= slot && slot <= to));
  if (!owner) throw new Error(`LocalCluster: no node owns slot ${slot}`);
  return owner;
}

export function _checkSlot(slot: number): number {
  if (!Number.isInteger(slot) || slot < 0 || slot >= SLOT_COUNT) {
    throw new RangeError(`LocalCluster: bad slot ${slot}`);
  }
  return slot;
}

export function _field(info: string, name: string): string | undefined {
  const line = info.split(/\r?\n/).find((l) => l.startsWith(`${name}:`));
  return line?.slice(name.length + 1).trim();
}
