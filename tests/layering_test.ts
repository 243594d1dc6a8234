/**
 * The architecture, checked on Deno's own module graph (`deno info --json`): every file of
 * `src/` imports only from its own layer or the ones below it, and no import cycle exists, type
 * imports included. The layers are listed in ARCHITECTURE.md.
 */
import assert from "node:assert/strict";

const ROOT = new URL("../", import.meta.url);

/** Bottom to top. `src/*.ts` (errors, types, shared helpers) is the floor every layer may use. */
const LAYERS = [
  "src",
  "src/protocol",
  "src/transport",
  "src/topology",
  "src/routing",
  "src/execution",
  "src/commands",
  "src/api",
] as const;

/** The public entries: they may import any layer, and nothing imports them. */
const ENTRIES = ["mod.ts", "resp.ts"];

interface _Graph {
  /** Project-relative path -> the project-relative paths it imports (code or type). */
  readonly imports: ReadonlyMap<string, readonly string[]>;
}

async function moduleGraph(entries: readonly string[]): Promise<_Graph> {
  const imports = new Map<string, string[]>();
  for (const entry of entries) {
    const out = await new Deno.Command("deno", {
      args: ["info", "--json", entry],
      cwd: ROOT,
      stdout: "piped",
      stderr: "piped",
    }).output();
    assert.equal(out.code, 0, new TextDecoder().decode(out.stderr));
    const info = JSON.parse(new TextDecoder().decode(out.stdout)) as {
      modules: {
        specifier: string;
        dependencies?: { code?: { specifier: string }; type?: { specifier: string } }[];
      }[];
    };
    for (const m of info.modules) {
      const from = local(m.specifier);
      if (from === undefined) continue;
      const to = new Set<string>();
      for (const d of m.dependencies ?? []) {
        for (const s of [d.code?.specifier, d.type?.specifier]) {
          const target = s === undefined ? undefined : local(s);
          if (target !== undefined) to.add(target);
        }
      }
      imports.set(from, [...to]);
    }
  }
  return { imports };
}

function local(specifier: string): string | undefined {
  if (!specifier.startsWith(ROOT.href)) return undefined;
  return specifier.slice(ROOT.href.length);
}

/** The layer index of a project file, or -1 for files outside `src/` (entries). */
function layerOf(path: string): number {
  const dir = path.slice(0, path.lastIndexOf("/"));
  return LAYERS.indexOf(dir as typeof LAYERS[number]);
}

/** Every import that points to a higher layer, as "from -> to". */
export function upwardImports(graph: _Graph): string[] {
  const found: string[] = [];
  for (const [from, targets] of graph.imports) {
    const own = layerOf(from);
    for (const to of targets) {
      if (ENTRIES.includes(to)) found.push(`${from} -> ${to} (an entry)`);
      else if (own !== -1 && layerOf(to) > own) found.push(`${from} -> ${to}`);
    }
  }
  return found;
}

/** Every import cycle, each as the files along it. */
export function importCycles(graph: _Graph): string[][] {
  const cycles: string[][] = [];
  const state = new Map<string, "open" | "done">();
  const stack: string[] = [];
  const visit = (file: string): void => {
    state.set(file, "open");
    stack.push(file);
    for (const to of graph.imports.get(file) ?? []) {
      const s = state.get(to);
      if (s === "open") cycles.push([...stack.slice(stack.indexOf(to)), to]);
      else if (s === undefined) visit(to);
    }
    stack.pop();
    state.set(file, "done");
  };
  for (const file of graph.imports.keys()) if (!state.has(file)) visit(file);
  return cycles;
}

Deno.test("every src/ file imports only from its own layer or below", async () => {
  const graph = await moduleGraph(ENTRIES);
  for (const file of graph.imports.keys()) {
    if (file.startsWith("src/")) {
      assert.notEqual(layerOf(file), -1, `${file} is in no layer of ARCHITECTURE.md`);
    }
  }
  assert.deepEqual(upwardImports(graph), []);
});

Deno.test("the module graph has no import cycle, type imports included", async () => {
  const graph = await moduleGraph(ENTRIES);
  assert.deepEqual(importCycles(graph).map((c) => c.join(" -> ")), []);
});

Deno.test("the layering check finds an upward import and a cycle when there is one", () => {
  const graph: _Graph = {
    imports: new Map([
      ["src/transport/connection.ts", ["src/api/cluster.ts"]],
      ["src/api/cluster.ts", ["src/transport/connection.ts"]],
    ]),
  };
  assert.deepEqual(upwardImports(graph), ["src/transport/connection.ts -> src/api/cluster.ts"]);
  assert.equal(importCycles(graph).length, 1);
});

Deno.test("no runtime's API is named outside its transport", async () => {
  const own: Record<string, RegExp> = {
    "src/transport/deno_transport.ts": /\bDeno\b/,
    "src/transport/node_transport.ts": /"node:|\bprocess\./,
    "src/transport/workers_transport.ts": /cloudflare:/,
  };
  const offenders: string[] = [];
  const root = new URL("../", import.meta.url).pathname;
  const walk = async (dir: string): Promise<void> => {
    for await (const e of Deno.readDir(`${root}${dir}`)) {
      const path = `${dir}/${e.name}`;
      if (e.isDirectory) await walk(path);
      else if (path.endsWith(".ts")) {
        const code = (await Deno.readTextFile(`${root}${path}`)).split("\n")
          .filter((l) => !/^\s*(\*|\/\/|\/\*\*)/.test(l));
        for (const [file, pattern] of Object.entries(own)) {
          // The one place that names every runtime: it picks among them.
          if (file === path || path === "src/transport/default_transport.ts") continue;
          const line = code.find((l) => pattern.test(l));
          if (line !== undefined) offenders.push(`${path}: ${line.trim()}`);
        }
      }
    }
  };
  await walk("src");
  assert.deepEqual(offenders, []);
});
