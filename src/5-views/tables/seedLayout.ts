/**
 * The seed's own table layout (LKML, plain ASCII): boots #1-#N and Avg as rows,
 * configurations base/revert/my as column groups with pcc/acpi under each, for
 * pasting into an e-mail beside the original.
 */
import type { CellKey } from "../../2-measurements/measured";
import { columnDecimals } from "./format";
import { maxOf } from "../../core/arrays";
import { mean } from "../../core/stats/describe";

/** A cell's boots in the layout ("pcc_cpufreq" shows as "pcc", "acpi_cpufreq" as "acpi"). */
export type LayoutCell = Pick<CellKey, "config" | "module"> & { seconds: number[] };

const short = (module: string) => module.replace(/_cpufreq$/, "");

/** `digits` is the most decimals a column gets: each column (a cell's boots and its Avg) gets the decimals its values need (tables/format.ts columnDecimals). */
export function formatSeedLayout(cells: LayoutCell[], opts: { title?: string; digits?: number } = {}): string {
  const digits = opts.digits ?? 3;
  const configs = [...new Set(cells.map((c) => c.config))];
  const boots = Math.max(...cells.map((c) => c.seconds.length));
  const cols = configs.flatMap((config) => cells.filter((c) => c.config === config));
  const formatted = cols.map((c) => {
    const decimals = columnDecimals([...c.seconds, mean(c.seconds)], digits);
    return { boots: c.seconds.map((x) => x.toFixed(decimals)), avg: mean(c.seconds).toFixed(decimals) };
  });
  const values = formatted.map((f) => [...f.boots, f.avg]);
  const w = Math.max(6, maxOf(values.flat().map((v) => v.length)), maxOf(cols.map((c) => short(c.module).length)));
  const cell = (s: string) => ` ${s.padStart(w)} `;
  const groupWidth = (config: string) => cols.filter((c) => c.config === config).length * (w + 3) - 1;
  const lines: string[] = [];
  if (opts.title) lines.push(opts.title, "");
  const total = configs.reduce((a, c) => a + groupWidth(c) + 1, 0) - 1;
  lines.push(`|      |${" Configuration".padEnd(total)}|`);
  lines.push(`| Boot |${configs.map((c) => ` ${c}`.padEnd(groupWidth(c))).join("|")}|`);
  lines.push(`| v    |${cols.map((c) => cell(short(c.module))).join("|")}|`);
  const rule = `+------+${cols.map(() => "-".repeat(w + 2)).join("+")}+`;
  lines.push(rule);
  // A column with fewer boots than the table's rows leaves the rest blank.
  for (let b = 0; b < boots; b++) lines.push(`| ${`#${b + 1}`.padEnd(4)} |${formatted.map((f) => cell(f.boots[b] ?? "")).join("|")}|`);
  lines.push(rule);
  lines.push(`| Avg  |${formatted.map((f) => cell(f.avg)).join("|")}|`);
  return lines.join("\n");
}
