/**
 * The shape of a calibration record (data/studies/NAME/calibration.json), a
 * valibot schema checked as a whole: every section, every key, its type and
 * range. A mistake is one line naming the file and the field,
 * `invalid data/studies/pavlu-2022-10-15/calibration.json: params.rcuGpExtraMs: missing (allowed 0..1000)`,
 * exit 2. writeCalibration checks what it writes against the same schema.
 */
import * as v from "valibot";
import { UserError } from "../../core/errors";
import { maxCpus } from "../../1-model/limits";
import { Params, paramNames, paramsSchema, paramsFromJson } from "../../1-model/params";
import { displayPath } from "../../core/paths";
import { arr, bool, int, invalidAt, isObject, map, num, obj, oneOf, parseWith, str } from "../../core/schema/issues";
import { readJsonText } from "../../core/schema/readJson";

const seed = int(0, 2 ** 32 - 1);
const cellFit = obj({ config: str, policy: str, module: str, measuredMean: num(0), simulatedMean: num(0), errorPct: num(), measuredSd: num(0), simulatedSd: num(0), boots: int(1) });
const bootsPerPolicy = map(int(1, 1_000_000));

/** calibrate/verdict.ts FitVerdict. */
const verdict = obj({
  ok: bool,
  converged: bool,
  stopReason: str,
  nearBoundShare: num(0, 0.5),
  atBounds: arr(obj({ name: str, value: num(), lo: num(), hi: num(), bound: oneOf(["lower", "upper"] as const), positionPct: num(0, 100) })),
  level: num(0, 1),
  unseenSeed: seed,
  cells: arr(obj({ config: str, policy: str, module: str, measuredBoots: int(2), measuredMean: num(0), lo: num(), hi: num(), simulatedMean: num(0), errorPct: num(), inside: bool }), 1),
  outside: int(0),
  maxAbsErrorPct: num(0),
  widenFactor: num(1),
});

export const paramSpreadSchema = obj({ name: str, fitted: num(), median: num(), p5: num(), p95: num(), relativeWidth: num() });
export const refitSchema = obj({ resample: int(1), targetMeans: arr(num(0)), params: paramsSchema, objective: num(0), evaluations: int(0) });

const entries = {
  description: str,
  params: paramsSchema,
  free: arr(obj({ name: str, lo: num(), hi: num(), why: str }), 1),
  design: obj({ scenario: str, cpus: int(1, maxCpus), seed, boots: bootsPerPolicy, refits: int(0, 100_000), refitEvals: int(0, 1_000_000) }),
  fit: obj({ cells: arr(cellFit, 1), objective: num(0), maxAbsErrorPct: num(0), evaluations: int(0), iterations: int(0), converged: bool, stopReason: str }),
  unseen: obj({ seed, boots: bootsPerPolicy, cells: arr(cellFit, 1), maxAbsErrorPct: num(0), maxModelNoisePct: num(0) }),
  verdict,
  outOfSample: obj({ fittedOn: arr(str, 1), params: paramsSchema, fitCells: arr(cellFit, 1), predicted: arr(cellFit, 1), maxAbsPredictionErrorPct: num(0), evaluations: int(0), converged: bool, stopReason: str }),
  bootstrap: obj({ method: str, refits: arr(refitSchema), spread: arr(paramSpreadSchema), correlations: obj({ names: arr(str), matrix: arr(arr(num(-1, 1))) }) }),
  // budgetSeconds: absent in records written before fits had a time budget (the seed's: none applied).
  optimiser: obj({ name: str, space: str, h: num(0), maxIterations: int(0), tolStep: num(0), tolRel: num(0), lambda: num(0), budgetSeconds: v.optional(num(0)), spreadWeight: v.optional(num(0)) }),
  code: obj({ modburst: str, commit: str }),
};
export const calibrationSchema = obj(entries);
/** A record written before verdicts existed, about to get one (calibrate --verdict-only): everything else checked. */
const withoutVerdictSchema = obj({ ...entries, verdict: v.optional(verdict) });

/** The stored sections of a calibration record, as its schema has them. */
export type StoredCalibration = v.InferOutput<typeof calibrationSchema>;

/** The sections of a calibration record: a params file with any of them besides `params` is a calibration record. */
export const calibrationSections = Object.keys(entries);

/** Whether a parsed params file is a calibration record (to be checked whole) rather than a set of parameter values. */
export function isCalibrationRecord(json: unknown): boolean {
  return isObject(json) && "params" in json && Object.keys(json).some((k) => k !== "params" && calibrationSections.includes(k));
}

/**
 * Check a parsed calibration record; errors name `file` (as shown) and the field.
 * Beyond the types and ranges: each free parameter is a model parameter with lo < hi.
 */
export function checkCalibrationRecord(json: unknown, file: string, o: { withoutVerdict?: boolean } = {}): StoredCalibration {
  if (!o.withoutVerdict && isObject(json) && "params" in json && !("verdict" in json)) {
    throw new UserError(`invalid ${file}: verdict: missing (allowed: a record with its fit's verdict; add it without re-fitting: modburst calibrate --verdict-only, with --study NAME for a study)`);
  }
  const rec = parseWith(o.withoutVerdict ? withoutVerdictSchema : calibrationSchema, json, file) as StoredCalibration;
  rec.free.forEach((f, i) => {
    if (!(paramNames as string[]).includes(f.name)) throw invalidAt(file, `free[${i}].name`, f.name, paramNames.join(", "));
    if (!(f.lo < f.hi)) throw invalidAt(file, `free[${i}].hi`, f.hi, `a number > lo (${f.lo})`);
  });
  return rec;
}

/** A calibration record file, read and checked whole. */
export function readCalibrationFile(file: string, o: { withoutVerdict?: boolean } = {}): StoredCalibration {
  return checkCalibrationRecord(readJsonText(file, "calibration file"), displayPath(file), o);
}

/**
 * `--params FILE` and the default data/studies/pavlu-2022-10-15/calibration.json: a calibration
 * record (checked whole) or, unless `record` is required, a set of parameter
 * values (flat or under "params", possibly partial: the rest are the defaults).
 * Light on purpose: `modburst simulate` loads this, not the calibration code.
 */
export function readParamsOrCalibration(file: string, opts: { record?: boolean } = {}): Params {
  const json = readJsonText(file, opts.record ? "calibration file" : "params file");
  if (!opts.record && !isCalibrationRecord(json)) return paramsFromJson(json, file);
  return checkCalibrationRecord(json, displayPath(file)).params;
}
