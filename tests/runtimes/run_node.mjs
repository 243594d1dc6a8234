/**
 * Runs the scenario under Node or Bun against a bundle of the module: `node run_node.mjs
 * <bundle> <env JSON>`; prints one JSON line.
 * @module
 */
import { runScenario } from "./scenario.mjs";

const [bundle, envJson] = process.argv.slice(2);
const rcluster = await import(bundle);
const result = await runScenario(rcluster, JSON.parse(envJson));
console.log(JSON.stringify({ runtime: process.versions.bun ? "bun" : "node", result }));
