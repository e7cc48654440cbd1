/**
 * The structural variants side by side (calibrate/variants.ts): each one's fit
 * on the study's machine, and what its fitted parameters predict for `base` on
 * larger machines. The seed cannot tell the variants apart; this record shows
 * how far apart they are where it matters, on the same boots for every variant
 * (common random numbers: the variants differ by their structure and fitted
 * values, not by their luck).
 */
import type { CalibrationRecord } from "../calibrate/calibration";
import { referenceVariantName, structuralVariants, VariantFit } from "../calibrate/variants";
import { mean } from "../../core/stats/describe";
import type { Scenario } from "../../1-model/scenario";
import { withCpus } from "../../1-model/scenario";
import { BootJob, PoolOptions, runBoots } from "../parallel/pool";
import { predictionDesign } from "./uncertainty";

export interface VariantDesign {
  policy: string;
  cpus: number[];
  seed: number;
  boots: number;
}

/** The large machine whose answer the variants are compared on in words (notebook 03). */
export const largeMachineCpus = 1536;

/**
 * 1024, 1536 and 4096 CPUs (the commit message's larger machine, the size of
 * data/scenarios/meyer1536-sles.json, the sweeps' largest), 4 boots each: base at 4096 CPUs costs 1-2 s
 * a boot, and the means of 4 boots differ between variants far more than
 * between boots (each boot's span is the sum of thousands of loads). The seed is
 * the predictions' (records/uncertainty.ts), so the reference's boots are the
 * first boots of its predictions at 1024 CPUs.
 */
export const variantDesign: VariantDesign = { policy: "base", cpus: [1024, largeMachineCpus, 4096], seed: predictionDesign.seed, boots: 4 };

export interface VariantPoint {
  cpus: number;
  /** Mean span per module over the design's boots, seconds. */
  spanSeconds: Record<string, number>;
  /** Mean killed events per boot (udevd's event timeout). */
  killedEvents: number;
}

export interface VariantPrediction {
  name: string;
  summary: string;
  /** The fit on the study's machine: its record's unseen boots. */
  fit: {
    cpus: number;
    /** The worst unseen cell's |error|, %. */
    worstUnseenErrorPct: number;
    /** Not ok by its verdict (not converged, a parameter at a bound, or an unseen mean outside its measured 95% interval). */
    flagged: boolean;
    converged: boolean;
  };
  points: VariantPoint[];
}

/** The variants of a calibration: its attached ones, or the reference alone (a record read without its study's variants). */
export function variantFitsOf(cal: CalibrationRecord): VariantFit[] {
  return cal.variants && cal.variants.length > 0 ? cal.variants : [{ name: referenceVariantName, summary: structuralVariants[0].summary, record: cal }];
}

/** Every variant's fit and its mean predicted spans on the design's machines (the scenario at each CPU count). */
export async function predictVariants(fits: VariantFit[], scenario: Scenario, d: VariantDesign, o: PoolOptions = {}): Promise<VariantPrediction[]> {
  const jobs: BootJob[] = [];
  for (const v of fits) {
    for (const cpus of d.cpus) {
      for (let b = 1; b <= d.boots; b++) jobs.push({ policy: d.policy, scenario: withCpus(scenario, cpus), params: v.record.params, seed: d.seed, boot: b });
    }
  }
  const results = await runBoots(jobs, o);
  return fits.map((v, i) => ({
    name: v.name,
    summary: v.summary,
    fit: {
      cpus: v.record.design.cpus,
      worstUnseenErrorPct: v.record.unseen.maxAbsErrorPct,
      flagged: !v.record.verdict.ok,
      converged: v.record.fit.converged,
    },
    points: d.cpus.map((cpus, j) => {
      const boots = results.slice((i * d.cpus.length + j) * d.boots, (i * d.cpus.length + j + 1) * d.boots);
      return {
        cpus,
        spanSeconds: Object.fromEntries(Object.keys(scenario.modules).map((m) => [m, mean(boots.map((b) => b.modules[m].spanSeconds))])),
        killedEvents: mean(boots.map((b) => b.udevd.killedEvents)),
      };
    }),
  }));
}

export interface VariantShift {
  /** The variant that moves the answer most, and what it assumes. */
  name: string;
  summary: string;
  cpus: number;
  module: string;
  referenceSeconds: number;
  variantSeconds: number;
  /** (variant - reference) / reference, %. */
  shiftPct: number;
}

/** Each non-reference variant's shift of `module`'s mean span at `cpus` from the reference's, largest |shift| first. */
export function variantShifts(vs: VariantPrediction[], cpus: number, module: string): VariantShift[] {
  const at = (v: VariantPrediction) => v.points.find((p) => p.cpus === cpus)?.spanSeconds[module];
  const ref = vs.find((v) => v.name === referenceVariantName);
  const r = ref ? at(ref) : undefined;
  if (r === undefined) return [];
  return vs
    .filter((v) => v !== ref && at(v) !== undefined)
    .map((v) => ({ name: v.name, summary: v.summary, cpus, module, referenceSeconds: r, variantSeconds: at(v)!, shiftPct: ((at(v)! - r) / r) * 100 }))
    .sort((a, b) => Math.abs(b.shiftPct) - Math.abs(a.shiftPct));
}
