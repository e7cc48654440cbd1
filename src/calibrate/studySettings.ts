/**
 * How a study's calibration runs: its optional calibrate.json (the free
 * parameters with bounds and starts, fixed values, boots, seeds, refits), over
 * the defaults. A study without one gets the short calibration
 * (calibration.ts shortSettings: the seed's free parameters and bounds, few
 * boots), which `modburst reproduce --study` runs when a study has no record.
 */
import * as fs from "fs";
import * as path from "path";
import { displayPath } from "../data/csv";
import { checkNumber, invalid, UserError } from "../errors";
import { defaultParams, Params, paramNames, readParamsJson } from "../model/params";
import { policyNames } from "../model/policies";
import { fileOfStudy, Study, studyCells, studyScenario } from "../studies/study";
import { FreeParam, freeParams } from "./bounds";
import { CalibrationSettings, defaultSettings, heldOutConfigOf, shortSettings } from "./calibration";
import { readParamsOrCalibration } from "./schema";

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === "object" && v !== null && !Array.isArray(v);

/** Exactly these keys (optional ones may be missing): the first unknown or missing one is named. */
function keys(where: string, v: unknown, required: string[], optional: string[] = []): Json {
  if (!isObject(v)) throw invalid(where, Array.isArray(v) ? "an array" : v, "a JSON object");
  for (const k of Object.keys(v)) if (!required.includes(k) && !optional.includes(k)) throw new UserError(`invalid ${where}.${k}: unknown key (allowed ${[...required, ...optional].join(", ")})`);
  for (const k of required) if (!(k in v)) throw new UserError(`invalid ${where}.${k}: missing (required)`);
  return v;
}

function str(where: string, v: unknown): string {
  if (typeof v !== "string" || v === "") throw invalid(where, v, "a non-empty string");
  return v;
}


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
export interface StudyCalibrateFile {
  /** Parameter values the fit starts from and keeps for everything not free (a params or calibration file of the folder). */
  fixed: Params;
  /** The free parameters, each with its bounds, why, and where the fit starts it. */
  free?: Array<FreeParam & { start?: number }>;
  seed?: number;
  boots?: Record<string, number>;
  checkSeed?: number;
  checkBoots?: Record<string, number>;
  refits?: number;
  refitEvals?: number;
  heldOutConfig?: string;
  /** Levenberg-Marquardt iteration limit and wall-clock budget of each fit (calibration.ts CalibrationSettings). */
  maxIterations?: number;
  budgetSeconds?: number;
  /** The spreads' weight in the objective (0..1; default fit.ts sdWeight): 0 when no free parameter is one only a spread can pin. */
  spreadWeight?: number;
  recordDescription?: string;
}

const settingKeys = ["seed", "boots", "checkSeed", "checkBoots", "refits", "refitEvals", "heldOutConfig", "maxIterations", "budgetSeconds", "spreadWeight", "recordDescription"];

function integer(where: string, v: unknown, lo: number, hi: number): number {
  if (typeof v !== "number" || !Number.isInteger(v) || v < lo || v > hi) throw invalid(where, v, `integer ${lo}..${hi}`);
  return v;
}

function bootsMap(where: string, v: unknown): Record<string, number> {
  if (!isObject(v) || Object.keys(v).length === 0) throw invalid(where, v, "a JSON object of policy -> boots");
  const out: Record<string, number> = {};
  for (const [policy, n] of Object.entries(v)) {
    if (!policyNames.includes(policy)) throw invalid(`${where}.${policy}`, "unknown policy", policyNames.join("|"));
    out[policy] = integer(`${where}.${policy}`, n, 1, 1_000_000);
  }
  return out;
}

export function readStudyCalibrateFile(study: Study): StudyCalibrateFile {
  const file = path.join(study.dir, calibrateFileName);
  if (!fs.existsSync(file)) return { fixed: defaultParams() };
  const where = displayPath(file);
  const o = keys(where, readParamsJson(file, "study calibrate file"), [], ["description", "fixedParams", "free", ...settingKeys]);
  const out: StudyCalibrateFile = { fixed: o.fixedParams === undefined ? defaultParams() : readParamsOrCalibration(fileOfStudy(study.dir, o.fixedParams, (v) => invalid(`${where}.fixedParams`, v, "a file name inside the study folder"))) };
  if (o.free !== undefined) {
    if (!Array.isArray(o.free) || o.free.length === 0) throw invalid(`${where}.free`, o.free, "a non-empty array of free parameters");
    out.free = o.free.map((f, i) => {
      const at = `${where}.free[${i}]`;
      const p = keys(at, f, ["name", "lo", "hi", "why"], ["start"]);
      if (typeof p.name !== "string" || !(paramNames as string[]).includes(p.name)) throw invalid(`${at}.name`, p.name, paramNames.join(", "));
      if (typeof p.lo !== "number" || typeof p.hi !== "number" || !(p.lo < p.hi)) throw invalid(`${at}.hi`, p.hi, "a number > lo");
      if (p.start !== undefined && (typeof p.start !== "number" || !(p.start > p.lo && p.start < p.hi))) throw invalid(`${at}.start`, p.start, `a number strictly inside ${p.lo}..${p.hi}`);
      return { name: p.name as FreeParam["name"], lo: p.lo, hi: p.hi, why: str(`${at}.why`, p.why), ...(p.start !== undefined ? { start: p.start as number } : {}) };
    });
  }
  if (o.seed !== undefined) out.seed = integer(`${where}.seed`, o.seed, 0, 2 ** 31);
  if (o.checkSeed !== undefined) out.checkSeed = integer(`${where}.checkSeed`, o.checkSeed, 0, 2 ** 32 - 1);
  if (o.boots !== undefined) out.boots = bootsMap(`${where}.boots`, o.boots);
  if (o.checkBoots !== undefined) out.checkBoots = bootsMap(`${where}.checkBoots`, o.checkBoots);
  if (o.refits !== undefined) out.refits = integer(`${where}.refits`, o.refits, 2, 1000);
  if (o.refitEvals !== undefined) out.refitEvals = integer(`${where}.refitEvals`, o.refitEvals, 1, 1000);
  if (o.maxIterations !== undefined) out.maxIterations = integer(`${where}.maxIterations`, o.maxIterations, 1, 1000);
  if (o.budgetSeconds !== undefined) out.budgetSeconds = integer(`${where}.budgetSeconds`, o.budgetSeconds, 1, 7 * 24 * 3600);
  if (o.spreadWeight !== undefined) out.spreadWeight = checkNumber(`${where}.spreadWeight`, o.spreadWeight, 0, 1);
  if (o.recordDescription !== undefined) out.recordDescription = str(`${where}.recordDescription`, o.recordDescription);
  if (o.heldOutConfig !== undefined) {
    if (typeof o.heldOutConfig !== "string" || !(o.heldOutConfig in study.configs)) throw invalid(`${where}.heldOutConfig`, o.heldOutConfig, Object.keys(study.configs).join("|"));
    out.heldOutConfig = o.heldOutConfig;
  }
  return out;
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
