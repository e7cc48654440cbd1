/**
 * A study folder (data/studies/NAME/): one machine's measured spans, its
 * scenario and its calibration record, described by study.json:
 *
 *   { "name": "synthetic-edac-96", "title": "...", "synthetic": true,
 *     "measured": "measured.csv", "scenario": "scenario.json",
 *     "configs": { "base": "base", "my": "merge" },   // config -> policy it ran
 *     "calibration": "calibration.json" }
 *
 * and optionally calibrate.json, how `calibrateStudy` fits it (see
 * StudyCalibrateFile). Paths in study.json are relative to the folder.
 */
import * as fs from "fs";
import * as path from "path";
import { csvError, displayPath, readCsv } from "../data/csv";
import { measuredColumns } from "../data/measured";
import { invalid, UserError } from "../errors";
import { defaultParams, Params, paramNames, readParamsJson } from "../model/params";
import { policyNames } from "../model/policies";
import type { Scenario } from "../model/scenario";
import { readScenarioFile } from "../model/scenarios";
import { FreeParam } from "./bounds";
import { readParamsOrCalibration } from "./schema";
import type { FitCell } from "./fit";

export interface Study {
  dir: string;
  name: string;
  title: string;
  /** Made by the model (synthesize-logs), not measured on a machine. */
  synthetic: boolean;
  /** Absolute paths of the folder's files. */
  measuredFile: string;
  scenarioFile: string;
  calibrationFile: string;
  /** Config name (as the measured CSV spells it) -> the policy it ran, in table order. */
  configs: Record<string, string>;
}

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

/** A file of the folder: a plain relative name that stays inside it. */
function fileIn(dir: string, where: string, v: unknown): string {
  const name = str(where, v);
  if (path.isAbsolute(name) || name.split(/[\\/]/).includes("..")) throw invalid(where, name, "a file name inside the study folder");
  return path.join(dir, name);
}

export function readStudy(dir: string): Study {
  const file = path.join(dir, "study.json");
  if (!fs.existsSync(file)) throw new UserError(`invalid study folder: ${dir} (allowed: a folder with a study.json)`);
  const where = displayPath(file);
  const o = keys(where, readParamsJson(file, "study file"), ["name", "title", "synthetic", "measured", "scenario", "configs", "calibration"]);
  if (typeof o.synthetic !== "boolean") throw invalid(`${where}.synthetic`, o.synthetic, "true|false");
  if (!isObject(o.configs) || Object.keys(o.configs).length === 0) throw invalid(`${where}.configs`, o.configs, "a JSON object of config -> policy");
  const configs: Record<string, string> = {};
  for (const [config, policy] of Object.entries(o.configs)) {
    if (typeof policy !== "string" || !policyNames.includes(policy)) throw invalid(`${where}.configs.${config}`, policy, policyNames.join("|"));
    configs[config] = policy;
  }
  const title = str(`${where}.title`, o.title);
  // A synthetic study must say so wherever it is shown.
  if (o.synthetic && !title.startsWith("SYNTHETIC")) throw invalid(`${where}.title`, title, 'a title starting with "SYNTHETIC" when synthetic is true');
  return {
    dir,
    name: str(`${where}.name`, o.name),
    title,
    synthetic: o.synthetic,
    measuredFile: fileIn(dir, `${where}.measured`, o.measured),
    scenarioFile: fileIn(dir, `${where}.scenario`, o.scenario),
    calibrationFile: fileIn(dir, `${where}.calibration`, o.calibration),
    configs,
  };
}

/**
 * The study's measured CSV as cells: one per config and module, boots in
 * order, configs in study.json's order, modules in the scenario's. Each row's
 * policy must be its config's, each module the scenario's, each boot once.
 */
export function readStudyCells(study: Study, scenario: Scenario): FitCell[] {
  const file = study.measuredFile;
  const modules = Object.keys(scenario.modules);
  const boots = new Map<string, Map<number, number>>();
  for (const { line, values } of readCsv(file, measuredColumns)) {
    const policy = study.configs[values.config];
    if (policy === undefined) throw csvError(file, line, "config", values.config, Object.keys(study.configs).join("|"));
    if (values.policy !== policy) throw csvError(file, line, "policy", values.policy, `${policy} for config ${values.config}`);
    if (!modules.includes(values.module)) throw csvError(file, line, "module", values.module, modules.join("|"));
    if (!/^[1-9]\d{0,5}$/.test(values.boot)) throw csvError(file, line, "boot", values.boot, "integer 1..999999");
    const seconds = Number(values.seconds);
    if (!/^\d+(\.\d+)?$/.test(values.seconds) || !(seconds > 0 && seconds <= 3600)) throw csvError(file, line, "seconds", values.seconds, "a number of seconds, 0 < s <= 3600");
    const key = `${values.config}/${values.module}`;
    const cell = boots.get(key) ?? boots.set(key, new Map()).get(key)!;
    if (cell.has(Number(values.boot))) throw csvError(file, line, "boot", values.boot, `each boot once per config and module (${values.config} ${values.module} repeats it)`);
    cell.set(Number(values.boot), seconds);
  }
  const cells: FitCell[] = [];
  for (const [config, policy] of Object.entries(study.configs)) {
    for (const module of modules) {
      const cell = boots.get(`${config}/${module}`);
      if (!cell) continue;
      // A spread needs two boots; the fit weighs it.
      if (cell.size < 2) throw new UserError(`invalid ${displayPath(file)}: ${config} ${module} has ${cell.size} boot (allowed at least 2)`);
      cells.push({ config, policy, module, seconds: [...cell].sort((a, b) => a[0] - b[0]).map(([, s]) => s) });
    }
  }
  for (const config of Object.keys(study.configs)) {
    if (!cells.some((c) => c.config === config)) throw new UserError(`invalid ${displayPath(file)}: no rows of config ${config} (allowed: every config of study.json)`);
  }
  return cells;
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
 *     "heldOutConfig": "my" }
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
}

const settingKeys = ["seed", "boots", "checkSeed", "checkBoots", "refits", "refitEvals", "heldOutConfig"];

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
  const file = path.join(study.dir, "calibrate.json");
  if (!fs.existsSync(file)) return { fixed: defaultParams() };
  const where = displayPath(file);
  const o = keys(where, readParamsJson(file, "study calibrate file"), [], ["description", "fixedParams", "free", ...settingKeys]);
  const out: StudyCalibrateFile = { fixed: o.fixedParams === undefined ? defaultParams() : readParamsOrCalibration(fileIn(study.dir, `${where}.fixedParams`, o.fixedParams)) };
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
  if (o.heldOutConfig !== undefined) {
    if (typeof o.heldOutConfig !== "string" || !(o.heldOutConfig in study.configs)) throw invalid(`${where}.heldOutConfig`, o.heldOutConfig, Object.keys(study.configs).join("|"));
    out.heldOutConfig = o.heldOutConfig;
  }
  return out;
}

/** The study's scenario file, read and validated. */
export function readStudyScenario(study: Study): Scenario {
  return readScenarioFile(study.scenarioFile);
}
