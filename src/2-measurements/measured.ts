/**
 * A study's measured table: loading, validation and the
 * per-cell summaries everything else compares against. Numbers stay plain
 * doubles; danfojs gets them only for display and grouping.
 */
import { UserError } from "../core/errors";
import { csvError, measuredColumns, readCsv } from "../core/csv";
import { displayPath } from "../core/paths";

/** The most boots per cell a study may have measured. */
export const maxBootsPerCell = 1000;

/**
 * What a measured table may hold: the configurations (each with the policy it
 * ran) and the modules (cells list them in the file's order), with the same
 * 2..maxBootsPerCell boots in every cell.
 */
export interface MeasuredSpec {
  configs: Record<string, string>;
  modules: readonly string[];
}

export interface Measurement {
  config: string;
  policy: string;
  module: string;
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

/** One (config, module) cell of a measured table, with its measured boots. */
export interface Cell extends CellKey {
  /** Boots #1-#n in order. */
  seconds: number[];
}

/** The modules of a table in its cells' order: the file's. */
const modulesOf = (ms: Measurement[]): string[] => [...new Set(ms.map((m) => m.module))];

/** Read and validate; errors name the file, the line and the column. */
export function readMeasured(file: string, spec: MeasuredSpec): Measurement[] {
  const rows = readCsv(file, measuredColumns);
  const out: Measurement[] = [];
  const seen = new Set<string>();
  const configNames = Object.keys(spec.configs);
  for (const { line, values } of rows) {
    const config = values.config;
    if (!configNames.includes(config)) throw csvError(file, line, "config", values.config, configNames.join("|"));
    if (values.policy !== spec.configs[config]) throw csvError(file, line, "policy", values.policy, `${spec.configs[config]} for config ${config}`);
    const module = values.module;
    if (!spec.modules.includes(module)) throw csvError(file, line, "module", values.module, spec.modules.join("|"));
    if (!/^\d+$/.test(values.boot) || +values.boot < 1 || +values.boot > maxBootsPerCell) throw csvError(file, line, "boot", values.boot, `integer 1..${maxBootsPerCell}`);
    const seconds = Number(values.seconds);
    if (!/^\d+(\.\d+)?$/.test(values.seconds) || !(seconds > 0 && seconds <= 3600)) throw csvError(file, line, "seconds", values.seconds, "a number of seconds, 0 < s <= 3600");
    const key = `${config}/${module}/${values.boot}`;
    if (seen.has(key)) throw csvError(file, line, "boot", values.boot, `each boot once per config and module (${config} ${module} repeats it)`);
    seen.add(key);
    out.push({ config, policy: values.policy, module, boot: Number(values.boot), seconds });
  }
  if (out.length === 0) throw new UserError(`invalid ${displayPath(file)}: no measurements (allowed: one line per config, module and boot)`);
  const modules = modulesOf(out);
  const want = out.filter((r) => r.config === out[0].config && r.module === out[0].module).length;
  for (const c of configNames) for (const m of modules) {
    const n = out.filter((r) => r.config === c && r.module === m).length;
    if (n !== want) throw new UserError(`invalid ${displayPath(file)}: ${c} ${m} has ${n} boots (allowed exactly ${want}, as every other cell)`);
  }
  if (want < 2) throw new UserError(`invalid ${displayPath(file)}: ${want} boot per cell (allowed 2..${maxBootsPerCell}: a spread needs two)`);
  const bad = out.find((r) => r.boot > want);
  if (bad) throw new UserError(`invalid ${displayPath(file)}: ${bad.config} ${bad.module} boot ${bad.boot} (allowed boots numbered 1..${want})`);
  return out;
}

/** The cells in the table's column order: configurations as listed, then modules (the seed's: base, revert, my; pcc then acpi). */
export function cellsOf(ms: Measurement[], spec: MeasuredSpec): Cell[] {
  const cells: Cell[] = [];
  for (const config of Object.keys(spec.configs)) for (const module of modulesOf(ms)) {
    const rows = ms.filter((r) => r.config === config && r.module === module).sort((a, b) => a.boot - b.boot);
    cells.push({ config, policy: spec.configs[config], module, seconds: rows.map((r) => r.seconds) });
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
