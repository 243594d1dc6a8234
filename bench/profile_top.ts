/**
 * `deno run -R bench/profile_top.ts FILE.cpuprofile [filter-regexp] [rows]`: the functions with
 * the most self and total time in a V8 CPU profile, e.g. one written by
 * `deno run -A --cpu-prof bench/bench.ts --in-process --only get-50 --clients rcluster
 * --skip ceiling,codec,memory`.
 * @module
 */

interface _Node {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}

interface _Profile {
  nodes: _Node[];
  samples: number[];
}

/** Self and total sample counts per function (`name file:line`), and the number of samples. */
export function tally(profile: _Profile): {
  self: Map<string, number>;
  total: Map<string, number>;
  samples: number;
} {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const hits = new Map<number, number>();
  for (const s of profile.samples) hits.set(s, (hits.get(s) ?? 0) + 1);
  const self = new Map<string, number>();
  const total = new Map<string, number>();
  const add = (m: Map<string, number>, k: string, n: number): void => {
    m.set(k, (m.get(k) ?? 0) + n);
  };
  for (const [id, n] of hits) {
    const seen = new Set<string>();
    for (let at = byId.get(id); at !== undefined; at = byId.get(parent.get(at.id) ?? -1)) {
      const name = label(at);
      if (at.id === id) add(self, name, n);
      if (!seen.has(name)) add(total, name, n);
      seen.add(name);
    }
  }
  return { self, total, samples: profile.samples.length };
}

function label(n: _Node): string {
  const file = n.callFrame.url
    .replace(/^.*registry\.npmjs\.org\//, "npm/")
    .replace(/^.*\/(src|bench)\//, "$1/");
  return `${n.callFrame.functionName || "(anonymous)"} ${file}:${n.callFrame.lineNumber + 1}`;
}

if (import.meta.main) {
  const [path, filter = "", rows = "25"] = Deno.args;
  if (!path) throw new Error("usage: profile_top.ts FILE.cpuprofile [filter-regexp] [rows]");
  const { self, total, samples } = tally(JSON.parse(await Deno.readTextFile(path)) as _Profile);
  const match = new RegExp(filter);
  const top = (m: Map<string, number>): string =>
    [...m].filter(([name]) => match.test(name)).sort((a, b) => b[1] - a[1])
      .slice(0, Number(rows))
      .map(([name, n]) => `${(100 * n / samples).toFixed(1).padStart(5)}%  ${name}`)
      .join("\n");
  console.log(`${samples} samples\n-- self --\n${top(self)}\n-- total --\n${top(total)}`);
}
