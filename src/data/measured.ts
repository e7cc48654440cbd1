/**
 * The seed's measured table (data/measured/): loading, validation and the
 * per-cell summaries everything else compares against. Numbers stay plain
 * doubles; danfojs gets them only for display and grouping.
 */
import { UserError } from "../errors";
import { seedConfigs } from "../model/policies";
import { paths } from "../paths";
import { csvError, displayPath, readCsv } from "./csv";

export const measuredColumns = ["config", "policy", "module", "boot", "seconds"] as const;
export const configs = Object.keys(seedConfigs) as Array<keyof typeof seedConfigs>;
export const measuredModules = ["pcc_cpufreq", "acpi_cpufreq"] as const;
export const bootsPerCell = 5;

export interface Measurement {
  config: keyof typeof seedConfigs;
  policy: string;
  module: (typeof measuredModules)[number];
  boot: number;
  seconds: number;
}

/**
 * Which cell of the seed's table: a configuration, the policy it ran, a module.
 * Everything per cell (measured boots, simulated boots, a fit) extends this.
 */
export interface CellKey {
  config: string;
  policy: string;
  module: string;
}

/** One (config, module) cell of the seed's table, with its measured boots. */
export interface Cell extends CellKey {
  config: Measurement["config"];
  module: Measurement["module"];
  /** Boots #1-#5 in order. */
  seconds: number[];
}

/** Read and validate; errors name the file, the line and the column. */
export function readMeasured(file = paths.measuredCsv): Measurement[] {
  const rows = readCsv(file, measuredColumns);
  const out: Measurement[] = [];
  const seen = new Set<string>();
  for (const { line, values } of rows) {
    const config = values.config as Measurement["config"];
    if (!configs.includes(config)) throw csvError(file, line, "config", values.config, configs.join("|"));
    if (values.policy !== seedConfigs[config]) throw csvError(file, line, "policy", values.policy, `${seedConfigs[config]} for config ${config}`);
    const module = values.module as Measurement["module"];
    if (!measuredModules.includes(module)) throw csvError(file, line, "module", values.module, measuredModules.join("|"));
    if (!/^\d+$/.test(values.boot) || +values.boot < 1 || +values.boot > bootsPerCell) throw csvError(file, line, "boot", values.boot, `integer 1..${bootsPerCell}`);
    const seconds = Number(values.seconds);
    if (!/^\d+(\.\d+)?$/.test(values.seconds) || !(seconds > 0 && seconds <= 3600)) throw csvError(file, line, "seconds", values.seconds, "a number of seconds, 0 < s <= 3600");
    const key = `${config}/${module}/${values.boot}`;
    if (seen.has(key)) throw csvError(file, line, "boot", values.boot, `each boot once per config and module (${config} ${module} repeats it)`);
    seen.add(key);
    out.push({ config, policy: values.policy, module, boot: Number(values.boot), seconds });
  }
  for (const c of configs) for (const m of measuredModules) {
    const n = out.filter((r) => r.config === c && r.module === m).length;
    if (n !== bootsPerCell) throw new UserError(`invalid ${displayPath(file)}: ${c} ${m} has ${n} boots (allowed exactly ${bootsPerCell})`);
  }
  return out;
}

/** The six cells in the seed's column order: base, revert, my; pcc then acpi. */
export function cellsOf(ms: Measurement[]): Cell[] {
  const cells: Cell[] = [];
  for (const config of configs) for (const module of measuredModules) {
    const rows = ms.filter((r) => r.config === config && r.module === module).sort((a, b) => a.boot - b.boot);
    cells.push({ config, policy: seedConfigs[config], module, seconds: rows.map((r) => r.seconds) });
  }
  return cells;
}

/** The measurements as a danfojs DataFrame (for display and grouping). */
export function measuredFrame(ms: Measurement[]) {
  // Loaded lazily: danfojs takes a second to import and CLIs that never show a table should not pay it.
  // eslint-disable-next-line @typescript-eslint/no-var-requires
  const dfd = require("danfojs-node") as typeof import("danfojs-node");
  return new dfd.DataFrame(ms.map((m) => ({ ...m })));
}
