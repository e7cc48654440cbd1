/**
 * A study is a folder: data/studies/NAME/ holds study.json, the measured CSV
 * with a provenance README, the scenario file, and the calibration record.
 *
 * {
 *   "name": "pavlu-2022-10-15",            // the folder's own name
 *   "title": "...", "synthetic": false,
 *   "patch": "module: Merge same-name module load requests",   // the patch's subject line
 *   "measured": "measured.csv",            // config,policy,module,boot,seconds
 *   "scenario": "scenario.json",           // the machine and drivers (src/1-model/scenarios.ts)
 *   "configs": { "base": "base", "revert": "revert", "my": "merge" },   // configuration -> policy, in table order
 *   "calibration": "calibration.json"      // written by calibration when missing
 * }
 *
 * A study is named (a folder of data/studies/, or of MODBURST_STUDIES_DIR) or
 * given as a path to its folder. Every mistake is one line naming the file and
 * the field, exit 2. The seed study keeps the kit's own output folders
 * (notebooks/, figures/, data/derived/); any other study writes into its own
 * folder (notebooks/, figures/, derived/).
 */
import * as fs from "fs";
import * as path from "path";
import * as v from "valibot";
import { UserError } from "../core/errors";
import { bool, invalidAt, obj, str } from "../core/schema/issues";
import { readJsonFile } from "../core/schema/readJson";
import { displayPath, paths } from "../core/paths";
import { policyNames } from "../1-model/policies";
import { Scenario, withCpus } from "../1-model/scenario";
import { requestsPerCpu, scenarioFile } from "../1-model/scenarios";
import { Cell, cellsOf, MeasuredSpec, Measurement, readMeasured } from "../2-measurements/measured";

export const seedStudyName = "pavlu-2022-10-15";
export const studiesEnv = "MODBURST_STUDIES_DIR";
export const studyFile = "study.json";

/** Where named studies live: MODBURST_STUDIES_DIR, else data/studies/. */
export function studiesDir(): string {
  return process.env[studiesEnv] || paths.studies;
}

export interface Study {
  name: string;
  title: string;
  /** The subject line of the patch the study argues for: the commit message's first line. */
  patch: string;
  synthetic: boolean;
  /** The study's folder (absolute). */
  dir: string;
  /** Configuration -> policy, in table order. */
  configs: Record<string, string>;
  files: { study: string; measured: string; scenario: string; calibration: string };
  /** Where this study's outputs go. */
  out: { notebooks: string; figures: string; derived: string };
  /** The seed study: its outputs are the kit's own folders, and the external measurements are its own. */
  isSeed: boolean;
  /** External validation measurements of this study, or null when it has none. */
  external: string | null;
}


/** A patch subject: one line of printable ASCII, at most 72 columns, as git's subject line and a plain-text mail take it. */
export const maxPatchSubject = 72;
const patchRule = /^[ -~]+$/;
const nameRule = /^[a-z0-9][a-z0-9._-]*$/;
const fileRule = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

/** The names of data/studies/ (or MODBURST_STUDIES_DIR) that hold a study.json, for error lines. */
export function studyNames(): string[] {
  const dir = studiesDir();
  let entries: fs.Dirent[];
  try {
    entries = fs.readdirSync(dir, { withFileTypes: true });
  } catch {
    // Missing or unreadable: no names to offer (studyDirOf names a studies folder that is a file).
    return [];
  }
  return entries
    .filter((e) => e.isDirectory() && fs.existsSync(path.join(dir, e.name, studyFile)))
    .map((e) => e.name)
    .sort();
}

/** `--study NAME|PATH`: a name of data/studies/ (or MODBURST_STUDIES_DIR), or a path to a study folder (anything with a /). */
export function studyDirOf(arg: string): string {
  if (arg.includes("/") || arg.includes(path.sep)) {
    const dir = path.resolve(arg);
    if (!fs.existsSync(path.join(dir, studyFile))) throw new UserError(`invalid study: ${arg} (allowed: a folder holding ${studyFile})`);
    return dir;
  }
  checkStudiesDir();
  const dir = path.join(studiesDir(), arg);
  if (!nameRule.test(arg) || !fs.existsSync(path.join(dir, studyFile))) {
    const names = studyNames();
    throw new UserError(`invalid study: ${arg} (allowed ${names.length ? names.join("|") : `no study in ${displayPath(studiesDir())}`}, or a path to a study folder)`);
  }
  return dir;
}

/** The studies folder, when it exists, is a folder: MODBURST_STUDIES_DIR=/etc/passwd is one line, not ENOTDIR's stack. */
function checkStudiesDir(): void {
  const dir = studiesDir();
  let st: fs.Stats;
  try {
    st = fs.statSync(dir);
  } catch {
    return; // missing: the study's error says there is no study in it
  }
  if (!st.isDirectory()) {
    const field = process.env[studiesEnv] ? studiesEnv : "studies folder";
    throw new UserError(`invalid ${field}: ${displayPath(dir)} is not a folder (allowed: a folder of study folders, each holding ${studyFile})`);
  }
}

/** The kit's own output folders, for the seed study (MODBURST_DERIVED_DIR and MODBURST_FIGURES_DIR still apply). */
function seedOut() {
  return { notebooks: paths.notebooks, figures: paths.figures, derived: paths.derived };
}

/** A file named by a study's JSON: a plain name inside the folder (no path, no ..); `bad` is the caller's one-line error. */
export function fileOfStudy(dir: string, v: unknown, bad: (v: unknown) => Error): string {
  if (typeof v !== "string" || !fileRule.test(v)) throw bad(v);
  return path.join(dir, v);
}

const fileName = v.pipe(v.string("a file name inside the study folder"), v.regex(fileRule, "a file name inside the study folder"));
const patchAllowed = `the patch's subject line: one line of printable ASCII, 1-${maxPatchSubject} characters, e.g. "module: Merge same-name module load requests"`;
const configsAllowed = `an object of at least two configuration -> policy (${policyNames.join("|")})`;

/** study.json (the example at the top). */
const studyJsonSchema = obj({
  name: str,
  title: v.pipe(v.string("a non-empty string"), v.check((t) => t.trim() !== "", "a non-empty string")),
  patch: v.pipe(v.string(patchAllowed), v.check((p) => p.trim() !== "" && p === p.trim() && patchRule.test(p) && p.length <= maxPatchSubject, patchAllowed)),
  synthetic: bool,
  measured: fileName,
  scenario: fileName,
  configs: v.pipe(v.record(v.pipe(v.string(), v.regex(/^[A-Za-z0-9][A-Za-z0-9_-]*$/, "letters, digits, _ and -")), v.picklist(policyNames, policyNames.join("|")), configsAllowed), v.check((c) => Object.keys(c).length >= 2, configsAllowed)),
  calibration: fileName,
});
export type StudyJson = v.InferOutput<typeof studyJsonSchema>;

/** Read and check a study folder's study.json and the files it names (their contents are checked when read). */
export function loadStudy(arg: string): Study {
  const dir = studyDirOf(arg);
  const file = path.join(dir, studyFile);
  const where = displayPath(file);
  const o = readJsonFile(file, "study file", studyJsonSchema);
  const bad = (field: string, value: unknown, allowed: string) => invalidAt(where, field, value, allowed);
  const folder = path.basename(dir);
  if (o.name !== folder) throw bad("name", o.name, `${JSON.stringify(folder)}, the folder's name`);
  // A synthetic study must say so wherever its title is shown.
  if (o.synthetic && !o.title.startsWith("SYNTHETIC")) throw bad("title", o.title, 'a title starting with "SYNTHETIC" when synthetic is true');
  const fileField = (k: "measured" | "scenario" | "calibration", mustExist: boolean): string => {
    const f = path.join(dir, o[k]);
    if (mustExist && !fs.existsSync(f)) throw bad(k, o[k], `an existing file of ${displayPath(dir)}`);
    return f;
  };
  const measured = fileField("measured", true);
  const scenario = fileField("scenario", true);
  const calibration = fileField("calibration", false);
  const configs = o.configs;
  const isSeed = path.resolve(dir) === path.resolve(paths.seedStudy);
  return {
    name: folder,
    title: o.title,
    patch: o.patch,
    synthetic: o.synthetic,
    dir,
    configs,
    files: { study: file, measured, scenario, calibration },
    out: isSeed ? seedOut() : { notebooks: path.join(dir, "notebooks"), figures: path.join(dir, "figures"), derived: path.join(dir, "derived") },
    isSeed,
    external: isSeed ? paths.externalMeasurements : null,
  };
}

/** The study's scenario (the machine and drivers), read and checked once per process. */
export function studyScenario(s: Study, cpus?: number): Scenario {
  const sc = scenarioFile(s.files.scenario);
  return cpus === undefined ? sc : withCpus(sc, cpus);
}

/** What the study's measured CSV may hold: its configurations, its scenario's modules. */
export function measuredSpecOf(s: Study): MeasuredSpec {
  return { configs: s.configs, modules: Object.keys(studyScenario(s).modules) };
}

/** The study's measurements, checked against its configurations and scenario. */
export function studyMeasurements(s: Study): Measurement[] {
  return readMeasured(s.files.measured, measuredSpecOf(s));
}

/** The study's measured cells, in table order (configurations as listed, then modules). */
export function studyCells(s: Study): Cell[] {
  return cellsOf(studyMeasurements(s), measuredSpecOf(s));
}

/** The modules the study measured, in table order. */
export function studyModules(s: Study): string[] {
  return [...new Set(studyCells(s).map((c) => c.module))];
}

/**
 * The module the notebooks' single-module figures follow: the measured module
 * with the most requests per CPU (the seed's acpi_cpufreq, asked twice per CPU),
 * the first in table order on a tie.
 */
export function primaryModule(s: Study): string {
  const per = requestsPerCpu(studyScenario(s));
  return studyModules(s).reduce((a, b) => (per[b] > per[a] ? b : a));
}

/** The measured modules with the primary one first: the order of the notebooks' per-module figures (the seed's: acpi, pcc). */
export function figureModules(s: Study): string[] {
  const first = primaryModule(s);
  return [first, ...studyModules(s).filter((m) => m !== first)];
}


/** The configuration measured under `policy`, if any (e.g. the seed's "my" for merge). */
export function configOfPolicy(s: Study, policy: string): string | undefined {
  return Object.keys(s.configs).find((c) => s.configs[c] === policy);
}
