/**
 * Where a sweep CSV comes from, in its leading comment lines: the grid (with the
 * scenario's name, hash and modules), a hash of the parameters, the model code
 * version, the shard and the job count. Shards of one sweep agree on all but the
 * shard line, which is how merge-results tells shards of different sweeps apart.
 */
import { createHash } from "crypto";
import * as v from "valibot";
import { maxCpus, maxInitLatencyMs } from "../../1-model/limits";
import { policyNames } from "../../1-model/policies";
import { isModuleName, moduleNameRule } from "../../1-model/scenario";
import { int, num, obj, str } from "../../core/schema/issues";
import type { Params } from "../../1-model/params";
import { scenarioToJson, seedScenario } from "../../1-model/scenarios";
import { modelCodeVersion } from "../../core/codeVersion";
import { commentLine } from "../../core/csv";
import { Grid, gridSize } from "./grid";

export const sweepFormatLine = "# modburst-sweep v2";

/** A list of at least one item, each `item`, none repeated; `allowed` names the whole rule. */
const listOf = <S extends v.GenericSchema>(item: S, allowed: string) =>
  v.pipe(v.array(item, allowed), v.check((a) => a.length > 0 && new Set(a).size === a.length, allowed));

/** The `# grid:` line's JSON: the grid's axes and the scenario it ran. */
const sweepGridSchema = obj({
  policies: listOf(v.picklist(policyNames, policyNames.join("|")), `known policy names without repeats (${policyNames.join("|")})`),
  cpus: listOf(int(1, maxCpus), `integers 1..${maxCpus} without repeats`),
  initLatencyMs: listOf(num(0, maxInitLatencyMs), `numbers 0..${maxInitLatencyMs} without repeats`),
  initResults: listOf(v.picklist(["fail", "success"] as const, "fail|success"), "fail and/or success"),
  boots: int(1, 100_000),
  seed: int(0, 2 ** 32 - 1),
  scenario: obj({ name: str, sha256: str, modules: listOf(v.pipe(v.string(moduleNameRule), v.check((n: string) => isModuleName(n), moduleNameRule)), `module names without repeats, each ${moduleNameRule}`) }),
});
export type SweepGridInfo = v.InferOutput<typeof sweepGridSchema>;
/** The grid line's JSON checked as `grid` (errors name grid.policies[0]). */
export const gridLineSchema = obj({ grid: sweepGridSchema });

export interface SweepProvenance {
  grid: SweepGridInfo;
  /** sha256 of the parameters' JSON. */
  params: string;
  /** modelCodeVersion() of the code that ran the sweep. */
  code: string;
  shard: { k: number; n: number };
  jobsTotal: number;
}

const sha256 = (text: string) => createHash("sha256").update(text).digest("hex");

/** The `# params:` line's hash of a parameter set (also the figure pack's manifest's). */
export const paramsHash = (params: Params): string => sha256(JSON.stringify(params));

export function sweepProvenance(grid: Grid, params: Params, shard: { k: number; n: number } | null): SweepProvenance {
  const scenario = grid.scenario ?? seedScenario();
  return {
    grid: {
      policies: [...grid.policies],
      cpus: [...grid.cpus],
      initLatencyMs: [...grid.initLatencyMs],
      initResults: [...grid.initResults],
      boots: grid.boots,
      seed: grid.seed,
      scenario: { name: scenario.name, sha256: sha256(JSON.stringify(scenarioToJson(scenario))), modules: Object.keys(scenario.modules) },
    },
    params: paramsHash(params),
    code: modelCodeVersion(),
    shard: shard ?? { k: 1, n: 1 },
    jobsTotal: gridSize(grid),
  };
}

/** The comment lines, in order; keys are what readSweepCsv expects. */
export function provenanceLines(p: SweepProvenance): Array<[key: string, value: string]> {
  return [
    ["grid", JSON.stringify(p.grid)],
    ["params", p.params],
    ["code", p.code],
    ["shard", `${p.shard.k}/${p.shard.n}`],
    ["jobs_total", String(p.jobsTotal)],
  ];
}

export function formatProvenance(p: SweepProvenance): string[] {
  return [sweepFormatLine, ...provenanceLines(p).map(([k, v]) => commentLine(k, v))];
}
