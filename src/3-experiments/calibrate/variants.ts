/**
 * Structural variants: where the sources leave a choice of the model's
 * structure open, each defensible choice is kept and calibrated to the same
 * measured cells. The seed cannot tell them apart (each fits its 288-CPU cells),
 * but they differ on larger machines, so every prediction interval is taken
 * across variants x bootstrap refits (refitParams), not over one structure's
 * refits alone.
 *
 * The reference variant is the study's calibration.json; every other one has
 * its own record, variants/NAME.json beside it, written by
 * `modburst calibrate --variant NAME` (same cells, same boots, its fixed choices
 * applied, the rest refitted starting from the reference's values).
 */
import * as fs from "fs";
import * as path from "path";
import type { ParamName, Params } from "../../1-model/params";
import type { FreeParam } from "./bounds";
import type { CalibrationRecord } from "./calibration";

export interface StructuralVariant {
  name: string;
  /** What the choice is, in words, for tables and the commit message. */
  summary: string;
  /** The structural parameters this variant fixes (each is then not fitted). */
  fixed: Partial<Params>;
}

/**
 * The herd re-check's plausible range, from what one re-check does (docs/model.md,
 * "The herd"): a woken waiter takes module_mutex in finished_loading(), walks the
 * module list with find_module_all() and lets go. Low end, 2 us: the hand-off to
 * an optimistically spinning waiter (well under a microsecond) and a walk of
 * ~150 list entries whose names differ in their first bytes, in cache. High end,
 * 30 us: the hand-off to a waiter asleep on the mutex's wait list (a cross-socket
 * wake-up and context switch, ~10-20 us) and the walk with every list node a
 * cache miss on another NUMA node (~150 x 60 ns).
 */
export const herdRecheckRangeUs: [number, number] = [2, 30];

export const referenceVariantName = "reference";

/**
 * The reference is one FQS wait per grace period: a CPU idle at the first scan
 * is reported by it, and during coldplug most CPUs are (their udev workers
 * asleep on module_wq). With two waits the seed's base cells leave almost no
 * room for the rest of a grace period and the herd (both fit to the bottom of
 * their bounds), so two is kept as a variant, not as the reference.
 */
export const structuralVariants: StructuralVariant[] = [
  {
    name: referenceVariantName,
    summary: "one FQS wait per grace period, the rest of a grace period constant, herd re-check fitted within 2-30 us",
    fixed: { fqsRounds: 1, rcuRestScaling: 0 },
  },
  { name: "two-fqs", summary: "two FQS waits per grace period (a CPU busy at the first scan is reported only by the second)", fixed: { fqsRounds: 2, rcuRestScaling: 0 } },
  { name: "herd-low", summary: `herd re-check at the low end of its range, ${herdRecheckRangeUs[0]} us`, fixed: { fqsRounds: 1, rcuRestScaling: 0, herdRecheckUs: herdRecheckRangeUs[0] } },
  { name: "herd-high", summary: `herd re-check at the high end of its range, ${herdRecheckRangeUs[1]} us`, fixed: { fqsRounds: 1, rcuRestScaling: 0, herdRecheckUs: herdRecheckRangeUs[1] } },
  { name: "rest-scales", summary: "the rest of a grace period grows like ln(nr_cpu_ids) (the slowest busy CPU reporting)", fixed: { fqsRounds: 1, rcuRestScaling: 1 } },
];

export const variantNames = structuralVariants.map((v) => v.name);

export function variantByName(name: string): StructuralVariant | undefined {
  return structuralVariants.find((v) => v.name === name);
}

/** Where a non-reference variant's record lives: variants/NAME.json beside the study's calibration.json. */
export function variantFile(calibrationFile: string, name: string): string {
  return path.join(path.dirname(calibrationFile), "variants", `${name}.json`);
}

/** The variant's free parameters: the reference's, minus what it fixes. */
export function variantFree(v: StructuralVariant, free: FreeParam[]): FreeParam[] {
  const fixed = Object.keys(v.fixed) as ParamName[];
  return free.filter((f) => !fixed.includes(f.name));
}

/** Where the variant's fit starts: the reference's fitted values, with the variant's fixed ones. */
export function variantStart(v: StructuralVariant, reference: Params): Params {
  return { ...reference, ...(v.fixed as Params) };
}

/** One variant's calibration as predictions use it. */
export interface VariantFit {
  name: string;
  summary: string;
  record: CalibrationRecord;
}

/** The variants with a record beside `calibrationFile` (the reference first, then the others in the list's order). */
export function variantFits(reference: CalibrationRecord, calibrationFile: string, read: (file: string) => CalibrationRecord): VariantFit[] {
  const out: VariantFit[] = [{ name: referenceVariantName, summary: structuralVariants[0].summary, record: reference }];
  for (const v of structuralVariants.slice(1)) {
    const f = variantFile(calibrationFile, v.name);
    if (fs.existsSync(f)) out.push({ name: v.name, summary: v.summary, record: read(f) });
  }
  return out;
}
