/**
 * One schema layer for every JSON input (src/core/schema/): for each kind of input a
 * bad value, a missing field, an unknown key and a file that is not JSON each give
 * one line `invalid FILE: path.to.field: value (allowed X)` through the real loader
 * (and, where a command takes the file directly, the real CLI: exit 2, nothing on
 * stdout, no stack). Every committed file of each kind parses, and a calibration
 * record re-serialises byte for byte.
 */
import assert from "node:assert/strict";
import * as fs from "fs";
import * as path from "path";
import { test } from "node:test";
import fc from "fast-check";
import { readCalibration } from "../src/3-experiments/calibrate/calibration";
import { readStudyCalibrateFile, studySettings } from "../src/4-studies/settings";
import { ParamName, paramNames, paramsFromJson, paramSpecs, readParamsFile } from "../src/1-model/params";
import { readScenarioFile } from "../src/1-model/scenarios";
import { paths } from "../src/core/paths";
import { loadStudy } from "../src/4-studies/study";
import { readSweepCsv } from "../src/3-experiments/sweep/readCsv";
import { root, runNode, studyFixtureCopy, tmpDir } from "./helpers";

type Json = any;
interface Kind {
  /** Writes the (edited) input to a scratch folder, returns the file the message names and a loader call. */
  make(t: { after(fn: () => void): void }, edit: (j: Json) => void, text?: string): { file: string; load: () => unknown; cli?: string[] };
  /** [edit, the line after `invalid FILE: `] for a bad value, a missing field, an unknown key (null: the kind has none). */
  cases: Array<[string, ((j: Json) => void) | null, string]>;
  /** What the file-level error calls the file (the CLI's, when it differs: --params does not know yet it is given a record). */
  what: string;
  cliWhat?: string;
  /** FILE, or FILE:LINE for a JSON line inside a CSV. */
  at?: (file: string) => string;
}

const readJson = (file: string) => JSON.parse(fs.readFileSync(file, "utf8"));
const simulate = ["simulate", "--cpus", "8", "--boots", "1"];

/** A committed JSON file, edited, in a scratch folder. */
function scratchJson(t: { after(fn: () => void): void }, from: Json, edit: (j: Json) => void, name: string, text?: string): string {
  const file = path.join(tmpDir(t), name);
  const j = structuredClone(from);
  edit(j);
  fs.writeFileSync(file, text ?? JSON.stringify(j, null, 2));
  return file;
}

const seedCalibration = readJson(paths.calibratedParams);
const seedScenarioJson = readJson(paths.seedScenario);
const sweepCsv = path.join(paths.derived, "sensitivity-cpus.csv");

const kinds: Record<string, Kind> = {
  "calibration record": {
    what: "calibration file",
    cliWhat: "params file",
    make: (t, edit, text) => {
      const file = scratchJson(t, seedCalibration, edit, "calibration.json", text);
      return { file, load: () => readCalibration(file), cli: [...simulate, "--params", file] };
    },
    cases: [
      ["bad value", (j) => (j.params.readUs = -1), "params.readUs: -1 (allowed integer 0..1000000)"],
      ["missing field", (j) => delete j.design.cpus, "design.cpus: missing (allowed integer 1..16384)"],
      ["unknown key", (j) => (j.design.bogus = 1), "design.bogus: unknown key (allowed scenario, cpus, seed, boots, refits, refitEvals)"],
    ],
  },
  scenario: {
    what: "scenario file",
    make: (t, edit, text) => {
      const file = scratchJson(t, seedScenarioJson, edit, "scenario.json", text);
      return { file, load: () => readScenarioFile(file), cli: [...simulate, "--scenario", file] };
    },
    cases: [
      ["bad value", (j) => (j.machine.hz = 200), "machine.hz: 200 (allowed 100|250|300|1000)"],
      ["missing field", (j) => delete j.modules.pcc_cpufreq.fileBytes, "modules.pcc_cpufreq.fileBytes: missing (allowed integer 1..1073741824)"],
      ["unknown key", (j) => (j.machine.gpus = 8), "machine.gpus: unknown key (allowed cpus, possibleCpus, ramMiB, hz)"],
    ],
  },
  "study.json": {
    what: "study file",
    make: (t, edit, text) => {
      const dir = studyFixtureCopy(t, edit);
      const file = path.join(dir, "study.json");
      if (text !== undefined) fs.writeFileSync(file, text);
      return { file, load: () => loadStudy(dir) };
    },
    cases: [
      ["bad value", (j) => (j.synthetic = "yes"), 'synthetic: "yes" (allowed true|false)'],
      ["missing field", (j) => delete j.title, "title: missing (allowed a non-empty string)"],
      ["unknown key", (j) => (j.colour = "red"), "colour: unknown key (allowed name, title, patch, synthetic, measured, scenario, configs, calibration)"],
    ],
  },
  "calibrate.json": {
    what: "study calibrate file",
    make: (t, edit, text) => {
      const dir = studyFixtureCopy(t);
      const file = path.join(dir, "calibrate.json");
      const j: Json = { seed: 1, refits: 4, boots: { base: 10, merge: 10 }, free: [{ name: "rcuGpExtraMs", lo: 0, hi: 60, why: "the grace period's rest" }] };
      edit(j);
      fs.writeFileSync(file, text ?? JSON.stringify(j));
      return { file, load: () => readStudyCalibrateFile(loadStudy(dir)) };
    },
    cases: [
      ["bad value", (j) => (j.refits = 1), "refits: 1 (allowed integer 2..1000)"],
      ["missing field", (j) => delete j.free[0].why, "free[0].why: missing (allowed a non-empty string)"],
      ["unknown key", (j) => (j.boots.fifo = 3), "boots.fifo: unknown key (allowed base|revert|merge|no-wait-going|idempotent)"],
    ],
  },
  "params file": {
    what: "params file",
    make: (t, edit, text) => {
      const file = scratchJson(t, { params: { readUs: 400 } }, edit, "params.json", text);
      return { file, load: () => readParamsFile(file), cli: [...simulate, "--params", file] };
    },
    cases: [
      ["bad value", (j) => (j.params.readUs = 1.5), "params.readUs: 1.5 (allowed integer 0..1000000)"],
      // A params file may name any subset of the parameters (the rest are the defaults): nothing can be missing.
      ["missing field", null, ""],
      ["unknown key", (j) => (j.params.warpFactor = 9), `params.warpFactor: unknown key (allowed ${paramNames.join(", ")})`],
    ],
  },
  "sweep provenance": {
    what: "",
    at: (file) => `${file}:2`,
    make: (t, edit, text) => {
      const lines = fs.readFileSync(sweepCsv, "utf8").split("\n");
      const grid = JSON.parse(lines[1].slice("# grid: ".length));
      edit(grid);
      lines[1] = `# grid: ${text ?? JSON.stringify(grid)}`;
      const file = path.join(tmpDir(t), "sweep.csv");
      fs.writeFileSync(file, lines.join("\n"));
      return { file, load: () => readSweepCsv(file), cli: ["merge-results", file, "--out", path.join(path.dirname(file), "merged.csv")] };
    },
    cases: [
      ["bad value", (j) => (j.seed = -1), "grid.seed: -1 (allowed integer 0..4294967295)"],
      ["missing field", (j) => delete j.boots, "grid.boots: missing (allowed integer 1..100000)"],
      ["unknown key", (j) => (j.bogus = true), "grid.bogus: unknown key (allowed policies, cpus, initLatencyMs, initResults, boots, seed, scenario)"],
    ],
  },
};

/** What JSON.parse says of "{ not json". */
const notJson = (() => {
  try {
    return String(JSON.parse("{ not json"));
  } catch (err) {
    return (err as Error).message;
  }
})();

/** The loader throws exactly `line` (a UserError, exit code 2). */
function refusedBy(load: () => unknown, line: string): void {
  assert.throws(load, (e: unknown) => {
    assert.equal((e as Error).name, "UserError");
    assert.equal((e as { exitCode: number }).exitCode, 2);
    assert.equal((e as Error).message, line);
    return true;
  });
}

/** The CLI refuses with `modburst: line` alone on stderr, exit 2, nothing on stdout. */
function cliRefuses(args: string[], line: string): void {
  const r = runNode("bin/modburst.js", args);
  assert.equal(r.status, 2, r.stderr);
  assert.equal(r.stdout, "");
  assert.equal(r.stderr, `modburst: ${line}\n`);
}

for (const [name, kind] of Object.entries(kinds)) {
  test(`${name}: a bad value, a missing field, an unknown key and a non-JSON file are each one line in the one format`, (t) => {
    for (const [what, edit, rest] of kind.cases) {
      if (!edit) continue;
      const { file, load, cli } = kind.make(t, edit);
      const line = `invalid ${(kind.at ?? ((f: string) => f))(file)}: ${rest}`;
      refusedBy(load, line);
      if (cli) cliRefuses(cli, line);
      assert.ok(what);
    }
    const { file, load, cli } = kind.make(t, () => {}, "{ not json");
    const where = (what: string) => (kind.at ? `${kind.at(file)}: grid` : `${what}: ${file}`);
    refusedBy(load, `invalid ${where(kind.what)}: not JSON (${notJson})`);
    if (cli) cliRefuses(cli, `invalid ${where(kind.cliWhat ?? kind.what)}: not JSON (${notJson})`);
  });
}

test("a JSON file with a byte-order mark is refused in one line, naming it", (t) => {
  const file = path.join(tmpDir(t), "bom.json");
  fs.writeFileSync(file, "\uFEFF" + fs.readFileSync(paths.seedScenario, "utf8"));
  refusedBy(() => readScenarioFile(file), `invalid scenario file: ${file}: starts with a byte-order mark (allowed: UTF-8 JSON without a BOM)`);
});

/** Every committed file under data/ of a kind, found by name. */
function committed(dir: string, match: (rel: string) => boolean): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const f = path.join(d, e.name);
      if (e.isDirectory()) walk(f);
      else if (match(path.relative(dir, f))) out.push(f);
    }
  };
  walk(dir);
  return out.sort();
}

test("every committed input parses: calibration records (re-serialised byte for byte), scenarios, study.json, calibrate.json, params, sweep provenance", () => {
  const data = path.join(root, "data");
  const records = committed(data, (f) => /^studies\/[^/]+\/(calibration|full-bootstrap|variants\/[^/]+)\.json$/.test(f));
  assert.ok(records.length >= 6, records.join(", "));
  for (const f of records) assert.equal(JSON.stringify(readCalibration(f), null, 2) + "\n", fs.readFileSync(f, "utf8"), f);
  const scenarioFiles = committed(data, (f) => /^scenarios\/[^/]+\.json$|^studies\/[^/]+\/scenario\.json$/.test(f));
  assert.ok(scenarioFiles.length >= 4, scenarioFiles.join(", "));
  for (const f of scenarioFiles) assert.equal(readScenarioFile(f).name, readJson(f).name, f);
  const studies = committed(data, (f) => /^studies\/[^/]+\/study\.json$/.test(f)).map(path.dirname);
  assert.ok(studies.length >= 2);
  for (const dir of studies) {
    const s = loadStudy(dir);
    assert.equal(s.name, path.basename(dir));
    // calibrate.json where a study has one (its fixed values read from the params file it names), and the settings it makes.
    const file = readStudyCalibrateFile(s);
    if (fs.existsSync(path.join(dir, "calibrate.json"))) assert.ok(Object.keys(file).length > 1, dir);
    assert.ok(studySettings(s).free!.length > 0, dir);
  }
  assert.ok(committed(data, (f) => /calibrate\.json$/.test(f)).length >= 1);
  const params = committed(data, (f) => /generating-params\.json$/.test(f));
  for (const f of params) {
    const p = readParamsFile(f);
    for (const [k, value] of Object.entries(readJson(f).params ?? readJson(f))) assert.equal(p[k as ParamName], value, `${f} ${k}`);
  }
  const sweeps = committed(data, (f) => /(^|\/)derived\/[^/]+\.csv$/.test(f));
  assert.ok(sweeps.length >= 3);
  for (const f of sweeps) assert.ok(readSweepCsv(f).provenance.grid.policies.length > 0, f);
});

test("property: any in-range subset of parameters is read as given over the defaults; one value out of range is named in one line", () => {
  const inRange = (k: ParamName) => (paramSpecs[k] as { integer?: boolean }).integer ? fc.integer({ min: paramSpecs[k].min, max: Math.min(paramSpecs[k].max, 2 ** 31 - 1) }) : fc.double({ min: paramSpecs[k].min, max: paramSpecs[k].max, noNaN: true });
  const subset = fc.record(Object.fromEntries(paramNames.map((k) => [k, inRange(k)])) as Record<ParamName, fc.Arbitrary<number>>, { requiredKeys: [] });
  fc.assert(
    fc.property(subset, fc.constantFrom(...paramNames), fc.boolean(), (values, bad, flat) => {
      const p = paramsFromJson(flat ? values : { params: values }, "p.json");
      for (const k of paramNames) assert.equal(p[k], k in values ? values[k] : paramSpecs[k].default);
      const spec = paramSpecs[bad];
      const wrong = { ...values, [bad]: spec.max + 1 };
      assert.throws(() => paramsFromJson({ params: wrong }, "p.json"), (e: Error) => e.message === `invalid p.json: params.${bad}: ${spec.max + 1} (allowed ${(spec as { integer?: boolean }).integer ? "integer " : ""}${spec.min}..${spec.max})`);
    }),
    { numRuns: 200, seed: 22 },
  );
});
