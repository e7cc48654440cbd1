/**
 * The records each notebook reads, by experiment name, so `modburst reproduce`
 * can compute them all up front on every core before any kernel starts: the
 * notebooks then only read. Each entry calls the same experiment with the same
 * inputs as its notebook does, so the cache keys are the same.
 */
import type { CalibrationRecord } from "../calibrate/calibration";
import type { Cell } from "../data/measured";
import type { ExternalMeasurement } from "../data/external";
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
} from "./experiments";
import { CacheEvent, cacheListeners } from "./cache";

export interface StudyInputs {
  cal: CalibrationRecord;
  cells: Cell[];
  measurements: ExternalMeasurement[];
}

export const studyRecords: Record<string, (s: StudyInputs, o: Progress) => Promise<unknown>> = {
  "seed-table": (s, o) => seedTableBoots(s.cal, o),
  "held-out": (s, o) => heldOutPrediction(s.cal, s.cells, o),
  distributions: (s, o) => distributions(s.cal.params, o),
  timeline: async (s) => Promise.all(["base", "merge"].map((p) => timelineBoot(s.cal.params, p))),
  sweep: async (s, o) => {
    for (const name of Object.keys(sweepGrids)) await sweep(name, s.cal.params, o);
  },
  "predictions-cpus": (s, o) => cpuPredictions(s.cal, o),
  "predictions-latency": (s, o) => latencyPredictions(s.cal, o),
  external: (s, o) => externalComparisons(s.cal, s.measurements, o),
  breakdown: (s) => baseBreakdowns(s.cal.params),
};

export const studyRecordNames = Object.keys(studyRecords);

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
    log(`record ${name.padEnd(29)} ${computed ? `${(Number(process.hrtime.bigint() - t0) / 1e9).toFixed(1).padStart(6)} s  computed` : "          reused"}`);
  }
}
