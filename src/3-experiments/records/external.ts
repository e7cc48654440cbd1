/**
 * The model against independent public measurements (data/measured/external/),
 * which calibration never reads. Each comparable measurement names the scenario
 * file built from its source (data/scenarios/) and how the model's number is
 * taken: the span of all attempts, or, where the source's log was cut short,
 * the span of as many attempts as the log kept.
 */
import * as path from "path";
import { ExternalMeasurement } from "../../2-measurements/external";
import type { BootResult } from "../../1-model/boot";
import type { Params } from "../../1-model/params";
import { readScenarioFile } from "../../1-model/scenarios";
import { PoolOptions } from "../parallel/pool";
import { paths } from "../../core/paths";
import { predict, PredictionDesign } from "./uncertainty";

/** How a measurement id maps to a model run: its scenario file, and the logged-attempts rows if the log was partial. */
export interface ExternalCase {
  id: string;
  scenarioFile: string;
  /** Rows giving how many attempts the source's log kept (summed); the model then spans as many, of the row's modules together. */
  loggedAttemptsIds?: string[];
}

export const externalCases: ExternalCase[] = [
  // The author's own figure, for both modules together: the first 144 + 43 logged attempts.
  { id: "p192-vanilla-all-span-stated", scenarioFile: "spr192-kernel-ark.json", loggedAttemptsIds: ["p192-vanilla-acpi-logged", "p192-vanilla-pcc-logged"] },
  { id: "p192-vanilla-acpi-span", scenarioFile: "spr192-kernel-ark.json", loggedAttemptsIds: ["p192-vanilla-acpi-logged"] },
  { id: "p192-vanilla-pcc-span", scenarioFile: "spr192-kernel-ark.json", loggedAttemptsIds: ["p192-vanilla-pcc-logged"] },
  { id: "p192-patch-acpi-span", scenarioFile: "spr192-kernel-ark.json" },
  { id: "p192-patch-pcc-span", scenarioFile: "spr192-kernel-ark.json" },
];

/** The aim for a prediction: the reported figure within -35%..+50% of it. */
export const externalTolerance = { belowPct: -35, abovePct: 50 };

export interface ExternalComparison {
  id: string;
  sourceId: string;
  cpus: number;
  kernel: string;
  policy: string;
  module: string;
  /** What the model's number is: "span of all attempts" or "span of the first N logged attempts". */
  measure: string;
  reportedSeconds: number;
  predictedSeconds: number;
  p5Seconds: number;
  p95Seconds: number;
  bootP5Seconds: number;
  bootP95Seconds: number;
  /** (reported - predicted) / predicted x 100. */
  errorPct: number;
  withinAim: boolean;
}

/** Seconds from the first logged attempt of these modules to the n-th (the whole span when n covers them all). */
export function spanOfFirst(b: BootResult, modules: string[], n: number): number {
  const t = modules.flatMap((m) => b.modules[m].logSeconds ?? []).sort((x, y) => x - y);
  if (t.length === 0) return 0;
  return t[Math.min(n, t.length) - 1] - t[0];
}

export async function compareExternal(ms: ExternalMeasurement[], fitted: Params, refits: Params[], d: PredictionDesign, o: PoolOptions & { widenFactor?: number } = {}): Promise<ExternalComparison[]> {
  const byId = new Map(ms.map((m) => [m.id, m]));
  const out: ExternalComparison[] = [];
  for (const c of externalCases) {
    const m = byId.get(c.id);
    if (!m) throw new Error(`external case ${c.id} has no row in the measurements`);
    const module = m.modules.join("+");
    const scenario = readScenarioFile(path.join(paths.scenarios, c.scenarioFile));
    const logged = c.loggedAttemptsIds?.reduce((a, id) => a + (byId.get(id)?.value ?? NaN), 0);
    if (logged !== undefined && !Number.isInteger(logged)) throw new Error(`external case ${c.id}: logged-attempts rows missing`);
    // The whole span of one module, or the span of the first `logged` attempts of the row's modules together.
    const metric = (b: BootResult) => (logged !== undefined ? spanOfFirst(b, m.modules, logged) : b.modules[m.modules[0]].spanSeconds);
    const [p] = await predict([{ scenario, policy: m.policy }], fitted, refits, d, { ...o, metric, modules: [m.modules[0]], logTimes: logged !== undefined });
    const errorPct = ((m.value - p.centralSeconds) / p.centralSeconds) * 100;
    out.push({
      id: m.id,
      sourceId: m.sourceId,
      cpus: scenario.cpus,
      kernel: m.kernel,
      policy: m.policy,
      module,
      measure: logged !== undefined ? `span of the first ${logged} logged attempts` : "span of all attempts",
      reportedSeconds: m.value,
      predictedSeconds: p.centralSeconds,
      p5Seconds: p.p5Seconds,
      p95Seconds: p.p95Seconds,
      bootP5Seconds: p.bootP5Seconds,
      bootP95Seconds: p.bootP95Seconds,
      errorPct,
      withinAim: errorPct >= externalTolerance.belowPct && errorPct <= externalTolerance.abovePct,
    });
  }
  return out;
}
