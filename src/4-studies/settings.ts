/**
 * How a study's calibration runs: its optional calibrate.json (the free
 * parameters with bounds and starts, fixed values, boots, seeds, refits), over
 * the defaults. A study without one gets the short calibration
 * (calibration.ts shortSettings: the seed's free parameters and bounds, few
 * boots), which `modburst reproduce --study` runs when a study has no record.
 */
import * as fs from "fs";
import * as path from "path";
import { displayPath } from "../core/paths";
import * as v from "valibot";
import { UserError } from "../core/errors";
import { defaultParams, Params, paramNames } from "../1-model/params";
import { arr, int, invalidAt, nonEmpty, num, obj, str } from "../core/schema/issues";
import { readJsonFile } from "../core/schema/readJson";
import { policyNames } from "../1-model/policies";
import { fileOfStudy, Study, studyCells, studyScenario } from "./study";
import { FreeParam, freeParams } from "../3-experiments/calibrate/bounds";
import { CalibrationSettings, defaultSettings, heldOutConfigOf, shortSettings } from "../3-experiments/calibrate/calibration";
import { readParamsOrCalibration } from "../3-experiments/calibrate/schema";

/**
 * calibrate.json: how the study's calibration runs. Every key is optional;
 * missing ones take the seed's settings (calibration.ts defaultSettings, the
 * free parameters of bounds.ts, the documented defaults as fixed values).
 *
 *   { "fixedParams": "generating-params.json",   // values of every parameter not fitted
 *     "free": [ { "name": "rcuGpExtraMs", "lo": 0, "hi": 60, "start": 30, "why": "..." } ],
 *     "seed": 1, "boots": { "base": 40, "merge": 160 },
 *     "checkSeed": 1000004, "checkBoots": { ... }, "refits": 30, "refitEvals": 5,
 *     "heldOutConfig": "my",                          // default the last configuration (calibration.ts heldOutConfigOf)
 *     "maxIterations": 15, "budgetSeconds": 3600,    // each fit's iteration limit and wall-clock budget
 *     "spreadWeight": 0,                              // the spreads' weight (default 0.003): 0 when nothing free is spread-only
 *     "recordDescription": "..." }                    // the record's description (default: the study's title, scenario and this file)
 */
const bootsMap = v.pipe(v.record(v.picklist(policyNames, policyNames.join("|")), int(1, 1_000_000), "an object of policy -> boots"), v.check((o) => Object.keys(o).length > 0, "an object of policy -> boots"));
const calibrateJsonSchema = obj({
  description: v.optional(str),
  /** Parameter values the fit starts from and keeps for everything not free (a params or calibration file of the folder). */
  fixedParams: v.optional(str),
  /** The free parameters, each with its bounds, why, and where the fit starts it. */
  free: v.optional(arr(obj({ name: v.picklist(paramNames, paramNames.join(", ")), lo: num(), hi: num(), why: nonEmpty, start: v.optional(num()) }), 1)),
  seed: v.optional(int(0, 2 ** 31)),
  boots: v.optional(bootsMap),
  checkSeed: v.optional(int(0, 2 ** 32 - 1)),
  checkBoots: v.optional(bootsMap),
  refits: v.optional(int(2, 1000)),
  refitEvals: v.optional(int(1, 1000)),
  heldOutConfig: v.optional(str),
  /** Levenberg-Marquardt iteration limit and wall-clock budget of each fit (calibration.ts CalibrationSettings). */
  maxIterations: v.optional(int(1, 1000)),
  budgetSeconds: v.optional(int(1, 7 * 24 * 3600)),
  /** The spreads' weight in the objective (0..1; default fit.ts sdWeight): 0 when no free parameter is one only a spread can pin. */
  spreadWeight: v.optional(num(0, 1)),
  /** The record's description (default: the study's title, scenario and this file). */
  recordDescription: v.optional(nonEmpty),
});

/** calibrate.json as read: its settings, with the fixed parameter values in place of the file naming them. */
export type StudyCalibrateFile = Omit<v.InferOutput<typeof calibrateJsonSchema>, "description" | "fixedParams"> & { fixed: Params };

export function readStudyCalibrateFile(study: Study): StudyCalibrateFile {
  const file = path.join(study.dir, calibrateFileName);
  if (!fs.existsSync(file)) return { fixed: defaultParams() };
  const where = displayPath(file);
  const { description: _, fixedParams, ...settings } = readJsonFile(file, "study calibrate file", calibrateJsonSchema);
  settings.free?.forEach((p, i) => {
    if (!(p.lo < p.hi)) throw invalidAt(where, `free[${i}].hi`, p.hi, "a number > lo");
    if (p.start !== undefined && !(p.start > p.lo && p.start < p.hi)) throw invalidAt(where, `free[${i}].start`, p.start, `a number strictly inside ${p.lo}..${p.hi}`);
  });
  if (settings.heldOutConfig !== undefined && !(settings.heldOutConfig in study.configs)) throw invalidAt(where, "heldOutConfig", settings.heldOutConfig, Object.keys(study.configs).join("|"));
  const fixed = fixedParams === undefined ? defaultParams() : readParamsOrCalibration(fileOfStudy(study.dir, fixedParams, (f) => invalidAt(where, "fixedParams", f, "a file name inside the study folder")));
  return { fixed, ...settings };
}

export const calibrateFileName = "calibrate.json";
export const hasCalibrateFile = (study: Study): boolean => fs.existsSync(path.join(study.dir, calibrateFileName));

/**
 * The settings a study's calibration runs with: with a calibrate.json, its keys
 * over the seed's full settings; without one, the short calibration. Options
 * (the command's --seed, --refits) override both.
 */
export function studySettings(study: Study, o: { seed?: number; refits?: number } = {}): CalibrationSettings {
  const scenario = studyScenario(study);
  const policies = [...new Set(Object.values(study.configs))];
  if (!hasCalibrateFile(study)) {
    const short = shortSettings(scenario, policies);
    return {
      ...short,
      seed: o.seed ?? short.seed,
      refits: o.refits ?? short.refits,
      description:
        `${study.title}: calibrated parameters of the modburst model for study ${study.name} (scenario ${scenario.name}, ${scenario.cpus} CPUs), ` +
        `fitted to the expected span of each cell with the short calibration (no calibrate.json): the seed's free parameters and bounds, ` +
        `${JSON.stringify(short.boots)} boots per policy, at most ${short.maxIterations} iterations and ${short.budgetSeconds} s per fit, ${o.refits ?? short.refits} bootstrap refits of at most ${short.refitEvals} runs.`,
    };
  }
  const file = readStudyCalibrateFile(study);
  const free: FreeParam[] = (file.free ?? freeParams).map(({ name, lo, hi, why }) => ({ name, lo, hi, why }));
  const start = { ...file.fixed };
  for (const f of file.free ?? []) if (f.start !== undefined) start[f.name] = f.start;
  const boots = file.boots ?? defaultSettings.boots;
  const checkBoots = file.checkBoots ?? defaultSettings.checkBoots;
  for (const policy of policies) {
    if (!(policy in boots) || !(policy in checkBoots)) throw new UserError(`invalid ${displayPath(study.dir)}/${calibrateFileName}: boots and checkBoots need policy ${policy} (allowed: an entry for every policy of study.json's configs)`);
  }
  return {
    cpus: scenario.cpus,
    seed: o.seed ?? file.seed ?? defaultSettings.seed,
    boots,
    checkSeed: file.checkSeed ?? defaultSettings.checkSeed,
    checkBoots,
    refits: o.refits ?? file.refits ?? defaultSettings.refits,
    refitEvals: file.refitEvals ?? defaultSettings.refitEvals,
    maxIterations: file.maxIterations ?? defaultSettings.maxIterations,
    budgetSeconds: file.budgetSeconds ?? defaultSettings.budgetSeconds,
    ...(file.spreadWeight !== undefined ? { spreadWeight: file.spreadWeight } : {}),
    scenario,
    free,
    start,
    ...(file.heldOutConfig !== undefined ? { heldOutConfig: file.heldOutConfig } : {}),
    description:
      file.recordDescription ??
      `${study.title}: calibrated parameters of the modburst model for study ${study.name} (scenario ${scenario.name}, ${scenario.cpus} CPUs), ` +
      `fitted to the expected span of each cell of ${displayPath(study.files.measured)} with the settings of ${calibrateFileName}.`,
  };
}

/** The study's cells, checked for the out-of-sample split the settings ask for. */
export function studyFitCells(study: Study, settings: CalibrationSettings) {
  const cells = studyCells(study);
  const heldOutConfig = heldOutConfigOf(settings, cells);
  const heldOut = cells.filter((c) => c.config === heldOutConfig);
  if (heldOut.length === 0 || heldOut.length === cells.length) {
    throw new UserError(`invalid ${displayPath(study.dir)}: the out-of-sample check needs cells of config ${heldOutConfig} and of another config`);
  }
  return cells;
}
