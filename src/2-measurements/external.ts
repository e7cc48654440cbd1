/**
 * Independent public measurements of the same kind of burst on other machines
 * and kernels (data/measured/external/, provenance in its README). They are for
 * validation only: nothing in calibrate/ reads this module.
 */
import { UserError } from "../core/errors";
import { policyNames } from "../1-model/policies";
import { displayPath, paths } from "../core/paths";
import { csvError, readCsv } from "../core/csv";
import { maxCpus } from "../1-model/limits";

export const externalColumns = ["id", "source_id", "cpus", "kernel", "policy", "modules", "requests_per_cpu", "metric", "value", "unit", "note"] as const;

/** Policies as the sources' kernels behave; "unknown" for experimental patches that are none of the model's. */
export const externalPolicies = [...policyNames, "unknown"] as const;

export interface ExternalMeasurement {
  id: string;
  sourceId: string;
  /** null where the source states no machine (a per-CPU slope). */
  cpus: number | null;
  kernel: string;
  policy: string;
  /** One module, or "all duplicated modules" for whole-boot totals. */
  modules: string[];
  /** Per module in `modules` order, or null when the source does not say. */
  requestsPerCpu: number[] | null;
  metric: string;
  value: number;
  unit: string;
  note: string;
}

const slug = /^[a-z0-9][a-z0-9_.-]*$/;

/** Read and validate; errors name the file, the line and the column. */
export function readExternalMeasurements(file = paths.externalMeasurements): ExternalMeasurement[] {
  const out: ExternalMeasurement[] = [];
  const ids = new Set<string>();
  for (const { line, values: v } of readCsv(file, externalColumns)) {
    if (!slug.test(v.id)) throw csvError(file, line, "id", v.id, "a slug of a-z, 0-9, '_', '.', '-'");
    if (ids.has(v.id)) throw csvError(file, line, "id", v.id, "each id once");
    ids.add(v.id);
    if (!slug.test(v.source_id)) throw csvError(file, line, "source_id", v.source_id, "a slug naming a section of the README");
    if (v.cpus !== "" && !(/^\d+$/.test(v.cpus) && +v.cpus >= 1 && +v.cpus <= maxCpus)) throw csvError(file, line, "cpus", v.cpus, `an integer 1..${maxCpus}, or empty`);
    if (!(externalPolicies as readonly string[]).includes(v.policy)) throw csvError(file, line, "policy", v.policy, externalPolicies.join("|"));
    const modules = v.modules.split(";").map((m) => m.trim());
    if (modules.some((m) => m === "")) throw csvError(file, line, "modules", v.modules, "module names separated by ';'");
    let requestsPerCpu: number[] | null = null;
    if (v.requests_per_cpu !== "") {
      requestsPerCpu = v.requests_per_cpu.split(";").map(Number);
      if (requestsPerCpu.length !== modules.length || requestsPerCpu.some((n) => !Number.isInteger(n) || n < 0 || n > 64)) {
        throw csvError(file, line, "requests_per_cpu", v.requests_per_cpu, "one integer 0..64 per module, separated by ';', or empty");
      }
    }
    if (!/^[a-z][a-z0-9_]*$/.test(v.metric)) throw csvError(file, line, "metric", v.metric, "a snake_case metric name");
    const value = Number(v.value);
    if (!/^\d+(\.\d+)?$/.test(v.value) || !Number.isFinite(value)) throw csvError(file, line, "value", v.value, "a non-negative number as printed by the source");
    if (v.unit === "") throw csvError(file, line, "unit", v.unit, "a unit (s, bytes, count, ...)");
    out.push({ id: v.id, sourceId: v.source_id, cpus: v.cpus === "" ? null : Number(v.cpus), kernel: v.kernel, policy: v.policy, modules, requestsPerCpu, metric: v.metric, value, unit: v.unit, note: v.note });
  }
  if (out.length === 0) throw new UserError(`invalid ${displayPath(file)}: no measurements (allowed: at least one row)`);
  return out;
}
