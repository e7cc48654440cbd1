/**
 * The records each notebook reads, by experiment name, so `modburst reproduce`
 * can compute them all up front on every core before any kernel starts: the
 * notebooks then only read. Each entry calls the same experiment with the same
 * inputs as its notebook does (for the same study), so the cache keys are the same.
 */
import type { CalibrationRecord } from "../3-experiments/calibrate/calibration";
import { studyCalibration, studyFullBootstrap } from "./calibration";
import { bootstrapComparison } from "../3-experiments/records/bootstrapCheck";
import type { Cell } from "../2-measurements/measured";
import { ExternalMeasurement, readExternalMeasurements } from "../2-measurements/external";
import type { Scenario } from "../1-model/scenario";
import { loadStudy, primaryModule, Study, studyCells, studyScenario } from "./study";
import {
  baseBreakdowns,
  cpuPredictions,
  distributions,
  externalComparisons,
  heldOutPrediction,
  latencyPredictions,
  Progress,
  seedTableBoots,
  sweep,
  sweepGrids,
  timelineBoot,
  variantPredictions,
} from "../3-experiments/records/experiments";
import { CacheEvent, cacheListeners } from "../3-experiments/records/cache";
import type { ExternalComparison } from "../3-experiments/records/external";

/** Everything a study's records are a function of, read once. */
export interface StudyInputs {
  study: Study;
  cal: CalibrationRecord;
  cells: Cell[];
  scenario: Scenario;
  /** The module single-module figures follow (the seed's acpi_cpufreq). */
  module: string;
  /** The study's external validation measurements; null when it has none (every study but the seed). */
  measurements: ExternalMeasurement[] | null;
}

/** Read a study's inputs: its calibration (which must exist), measured cells, scenario and external measurements. */
export function studyInputs(s: Study | string): StudyInputs {
  const study = typeof s === "string" ? loadStudy(s) : s;
  return {
    study,
    cal: studyCalibration(study),
    cells: studyCells(study),
    scenario: studyScenario(study),
    module: primaryModule(study),
    measurements: study.external ? readExternalMeasurements(study.external) : null,
  };
}

export const studyRecords: Record<string, (s: StudyInputs, o: Progress) => Promise<unknown>> = {
  "seed-table": (s, o) => seedTableBoots(s.cal, s.scenario, o),
  "held-out": (s, o) => heldOutPrediction(s.cal, s.cells, s.scenario, o),
  distributions: (s, o) => distributions(s.cal.params, s.scenario, o),
  timeline: async (s) => Promise.all(["base", "merge"].map((p) => timelineBoot(s.cal.params, s.scenario, p))),
  sweep: async (s, o) => {
    for (const name of Object.keys(sweepGrids)) await sweep(name, s.cal.params, s.scenario, o);
  },
  "predictions-cpus": (s, o) => cpuPredictions(s.cal, s.scenario, o),
  "predictions-latency": (s, o) => latencyPredictions(s.cal, s.scenario, s.module, o),
  "variant-predictions": (s, o) => variantPredictions(s.cal, s.scenario, o),
  external: async (s, o) => (s.measurements ? externalComparisons(s.cal, s.measurements, o) : []),
  breakdown: async (s) => baseBreakdowns(s.cal.params, s.scenario, s.module),
  "bootstrap-check": async (s, o) => {
    const full = studyFullBootstrap(s.study);
    return full ? bootstrapComparison(s.cal, full, s.scenario, o) : null;
  },
};

export const studyRecordNames = Object.keys(studyRecords);

/** The study's external measurements against the model's predictions for their machines; none for a study without any. */
export async function studyExternalComparisons(cal: CalibrationRecord, study: Study, o: Progress = {}): Promise<ExternalComparison[]> {
  return study.external ? externalComparisons(cal, readExternalMeasurements(study.external), o) : [];
}

/** Compute (or find in the cache) the named records, in registry order: one line each, saying which. */
export async function computeStudyRecords(names: string[], s: StudyInputs, log: (line: string) => void, o: Progress = {}): Promise<void> {
  for (const name of studyRecordNames.filter((n) => names.includes(n))) {
    const t0 = process.hrtime.bigint();
    const events: CacheEvent[] = [];
    const listen = (e: CacheEvent) => events.push(e);
    cacheListeners.add(listen);
    try {
      await studyRecords[name](s, o);
    } finally {
      cacheListeners.delete(listen);
    }
    const computed = events.some((e) => e.computed);
    const what = events.length === 0 ? "         skipped (none for this study)" : computed ? `${(Number(process.hrtime.bigint() - t0) / 1e9).toFixed(1).padStart(6)} s  computed` : "          reused";
    log(`record ${name.padEnd(29)} ${what}`);
  }
}
