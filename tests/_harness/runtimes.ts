/**
 * Other runtimes for the runtime suite, installed from the npm registry on first use into
 * `.runtimes/` (git-ignored; about 0.9 GB and a minute together). A runtime that cannot be
 * installed is reported with the reason, never skipped silently.
 * @module
 */

/** The runtimes the suite runs on, by package. */
export const RUNTIMES = {
  node22: { pkg: "node@22", bin: "node_modules/.bin/node" },
  node24: { pkg: "node@24", bin: "node_modules/.bin/node" },
  bun: { pkg: "bun", bin: "node_modules/.bin/bun" },
  miniflare: { pkg: "miniflare@4", bin: "node_modules/miniflare/package.json" },
  esbuild: { pkg: "esbuild", bin: "node_modules/.bin/esbuild" },
} as const;

/** A runtime's name in {@linkcode RUNTIMES}. */
export type RuntimeName = keyof typeof RUNTIMES;

/** Where the runtimes are installed: `.runtimes/` at the repository's root. */
export const RUNTIMES_DIR = new URL("../../.runtimes/", import.meta.url).pathname;

/** The runtime's binary (or package), or why it is not there. */
export type Installed = { path: string } | { skipped: string };

const installing = new Map<RuntimeName, Promise<Installed>>();

/** Installs a runtime when missing (once per process). */
export function ensureRuntime(name: RuntimeName): Promise<Installed> {
  let p = installing.get(name);
  if (p === undefined) {
    p = install(name);
    installing.set(name, p);
  }
  return p;
}

async function install(name: RuntimeName): Promise<Installed> {
  const { pkg, bin } = RUNTIMES[name];
  const dir = `${RUNTIMES_DIR}${name}`;
  const path = `${dir}/${bin}`;
  if (await exists(path)) return { path };
  await Deno.mkdir(dir, { recursive: true });
  try {
    const out = await new Deno.Command("npm", {
      args: ["install", "--no-audit", "--no-fund", "--prefix", dir, pkg],
      stdout: "piped",
      stderr: "piped",
    }).output();
    if (!out.success) {
      const err = new TextDecoder().decode(out.stderr).trim().split("\n").slice(-3).join(" ");
      return { skipped: `npm install ${pkg} failed: ${err}` };
    }
  } catch (e) {
    return { skipped: `npm install ${pkg} could not run: ${e instanceof Error ? e.message : e}` };
  }
  return await exists(path) ? { path } : { skipped: `npm install ${pkg} left no ${bin}` };
}

async function exists(path: string): Promise<boolean> {
  try {
    await Deno.stat(path);
    return true;
  } catch {
    return false;
  }
}

/** Runs a command to its end; its stdout, or an error with its stderr. */
export async function run(
  cmd: string,
  args: string[],
  options: { cwd?: string; timeoutMs?: number } = {},
): Promise<string> {
  const child = new Deno.Command(cmd, {
    args,
    stdout: "piped",
    stderr: "piped",
    ...(options.cwd ? { cwd: options.cwd } : {}),
  }).spawn();
  const timer = setTimeout(() => child.kill("SIGKILL"), options.timeoutMs ?? 120_000);
  try {
    const out = await child.output();
    const text = new TextDecoder().decode(out.stdout);
    if (!out.success) {
      const err = new TextDecoder().decode(out.stderr);
      throw new Error(`${cmd} ${args.join(" ")} failed (${out.code}):\n${err}\n${text}`);
    }
    return text;
  } finally {
    clearTimeout(timer);
  }
}
