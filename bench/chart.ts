/**
 * The bench's chart: for each scenario, every client's ops/s as a bar relative to the fastest
 * client of that scenario (rcluster highlighted), written as an SVG next to the markdown table.
 * @module
 */
import type { ScenarioResult } from "./report.ts";

const WIDTH = 760;
const LABEL = 250;
const BAR_H = 14;
const GAP = 4;

/** The SVG of every scenario's ops/s. */
export function chartSvg(scenarios: readonly ScenarioResult[], date: string): string {
  const parts: string[] = [];
  let y = 40;
  for (const s of scenarios) {
    const rows = s.rows.filter((r) => r.summary !== undefined && !r.ceiling);
    if (rows.length === 0) continue;
    const best = Math.max(...rows.map((r) => r.summary!.opsPerSec));
    parts.push(`<text x="8" y="${y + 11}" font-weight="bold">${esc(s.title)}</text>`);
    y += BAR_H + GAP;
    for (const r of rows) {
      const ops = r.summary!.opsPerSec;
      const w = Math.max(1, ((WIDTH - LABEL - 90) * ops) / best);
      const mine = r.client === "rcluster";
      const name = r.setting ? `${r.client} (${r.setting})` : r.client;
      parts.push(
        `<text x="16" y="${y + 11}">${esc(name)}</text>`,
        `<rect x="${LABEL}" y="${y}" width="${w.toFixed(1)}" height="${BAR_H}" fill="${
          mine ? "#d9480f" : "#868e96"
        }"/>`,
        `<text x="${LABEL + w + 6}" y="${y + 11}">${fmt(ops)}</text>`,
      );
      y += BAR_H + GAP;
    }
    y += 8;
  }
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${y + 10}" ` +
    `font-family="sans-serif" font-size="11">`,
    `<rect width="100%" height="100%" fill="white"/>`,
    `<text x="8" y="20" font-size="13" font-weight="bold">deno task bench: ops/s per client ` +
    `(${esc(date)}; bars relative to each scenario's fastest)</text>`,
    ...parts,
    "</svg>",
    "",
  ].join("\n");
}

function fmt(ops: number): string {
  return ops >= 1000 ? `${(ops / 1000).toFixed(1)}k/s` : `${ops.toFixed(0)}/s`;
}

function esc(s: string): string {
  return s.replaceAll("&", "&amp;").replaceAll("<", "&lt;").replaceAll(">", "&gt;");
}
