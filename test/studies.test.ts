/**
 * Studies (data/studies/NAME/): study.json is checked whole with one-line errors,
 * a study's measured table follows its own configurations and modules, notebooks
 * get the study injected into their parameters cell, and a bad study is refused
 * before anything runs. (The end-to-end run is test/jupyter/studies.test.ts.)
 */
import assert from "node:assert/strict";
import * as fs from "fs";
import * as path from "path";
import { test } from "node:test";
import { injectStudy, parametersCellIndex, studyBanner } from "../src/6-notebooks/parameters";
import { paths } from "../src/core/paths";
import { figureModules, loadStudy, primaryModule, seedStudyName, studyCells, studyModules } from "../src/4-studies/study";
import { joined, root, runNode, studyFixtureCopy } from "./helpers";


/** The studies shipped in data/studies/ (each folder with a study.json), as the error lists them. */
const shippedStudies = () =>
  fs.readdirSync(path.join(root, "data", "studies")).filter((d) => fs.existsSync(path.join(root, "data", "studies", d, "study.json"))).sort().join("|");


test("the seed study: its files under data/studies/pavlu-2022-10-15/, the kit's own output folders, its external measurements", () => {
  const s = loadStudy(seedStudyName);
  assert.equal(s.isSeed, true);
  assert.deepEqual(s.configs, { base: "base", revert: "revert", my: "merge" });
  assert.equal(s.files.measured, paths.measuredCsv);
  assert.equal(s.files.calibration, paths.calibratedParams);
  assert.deepEqual(s.out, { notebooks: paths.notebooks, figures: paths.figures, derived: paths.derived });
  assert.equal(s.external, paths.externalMeasurements);
  assert.deepEqual(studyModules(s), ["pcc_cpufreq", "acpi_cpufreq"]);
  assert.equal(primaryModule(s), "acpi_cpufreq");
  assert.deepEqual(figureModules(s), ["acpi_cpufreq", "pcc_cpufreq"]);
  assert.equal(studyCells(s).length, 6);
});

test("another study writes into its own folder and has no external measurements", (t) => {
  const dir = studyFixtureCopy(t);
  const s = loadStudy(dir);
  assert.equal(s.name, "tiny");
  assert.equal(s.isSeed, false);
  assert.equal(s.external, null);
  assert.deepEqual(s.out, { notebooks: path.join(dir, "notebooks"), figures: path.join(dir, "figures"), derived: path.join(dir, "derived") });
  assert.deepEqual(studyCells(s).map((c) => [c.config, c.policy, c.module, c.seconds.length]), [
    ["base", "base", "tiny_cpufreq", 3],
    ["my", "merge", "tiny_cpufreq", 3],
  ]);
  // By name, through MODBURST_STUDIES_DIR.
  process.env.MODBURST_STUDIES_DIR = path.dirname(dir);
  try {
    assert.equal(loadStudy("tiny").dir, dir);
  } finally {
    delete process.env.MODBURST_STUDIES_DIR;
  }
});

test("study.json mistakes: one line naming the file, the field and what is allowed", (t) => {
  const cases: Array<[string, (j: Record<string, unknown>) => void, RegExp]> = [
    ["missing", (j) => delete j.scenario, /study\.json: scenario: missing \(allowed a file name inside the study folder\)$/],
    ["unknown", (j) => (j.colour = "red"), /study\.json: colour: unknown key \(allowed name, title, patch, synthetic, measured, scenario, configs, calibration\)$/],
    ["name", (j) => (j.name = "other"), /study\.json: name: "other" \(allowed "tiny", the folder's name\)$/],
    ["synthetic", (j) => (j.synthetic = "yes"), /study\.json: synthetic: "yes" \(allowed true\|false\)$/],
    ["patch missing", (j) => delete j.patch, /study\.json: patch: missing \(allowed the patch's subject line: /],
    ["patch two lines", (j) => (j.patch = "module: one\nmodule: two"), /study\.json: patch: "module: one\\nmodule: two" \(allowed the patch's subject line: one line of printable ASCII, 1-72 characters, e\.g\. "module: Merge same-name module load requests"\)$/],
    ["patch too long", (j) => (j.patch = `module: ${"x".repeat(70)}`), /study\.json: patch: "module: x+" \(allowed the patch's subject line/],
    ["patch not ASCII", (j) => (j.patch = "module: caf\u00e9"), /study\.json: patch: .* \(allowed the patch's subject line/],
    ["synthetic title", (j) => ((j.synthetic = true), (j.title = "A tiny study")), /study\.json: title: "A tiny study" \(allowed a title starting with "SYNTHETIC" when synthetic is true\)$/],
    ["policy", (j) => (j.configs = { base: "base", my: "mine" }), /study\.json: configs\.my: "mine" \(allowed base\|revert\|merge\|no-wait-going\|idempotent\)$/],
    ["one config", (j) => (j.configs = { base: "base" }), /study\.json: configs: \{"base":"base"\} \(allowed an object of at least two configuration -> policy/],
    ["file", (j) => (j.measured = "nope.csv"), /study\.json: measured: "nope\.csv" \(allowed an existing file of .*tiny\)$/],
    ["path", (j) => (j.scenario = "../scenario.json"), /study\.json: scenario: "\.\.\/scenario\.json" \(allowed a file name inside the study folder\)$/],
  ];
  for (const [what, edit, want] of cases) {
    const dir = studyFixtureCopy(t, edit);
    assert.throws(() => loadStudy(dir), (e: Error) => e.name === "UserError" && want.test(e.message) && !e.message.includes("\n"), what);
  }
  assert.throws(() => loadStudy("no-such-study"), { message: `invalid study: no-such-study (allowed ${shippedStudies()}, or a path to a study folder)` });
});

test("a study's measured CSV is checked against its own configurations and scenario modules", (t) => {
  const dir = studyFixtureCopy(t);
  const csv = path.join(dir, "measured.csv");
  const lines = fs.readFileSync(csv, "utf8").trimEnd().split("\n");
  const check = (rows: string[], want: RegExp) => {
    fs.writeFileSync(csv, rows.join("\n") + "\n");
    assert.throws(() => studyCells(loadStudy(dir)), want);
  };
  check([...lines.slice(0, 3), "revert,revert,tiny_cpufreq,1,0.2", ...lines.slice(3)], /measured\.csv:4: config: revert \(allowed base\|my\)$/);
  check(lines.map((l) => l.replace("tiny_cpufreq", "acpi_cpufreq")), /measured\.csv:2: module: acpi_cpufreq \(allowed tiny_cpufreq\)$/);
  check(lines.filter((_, i) => i !== 6), /measured\.csv: my tiny_cpufreq has 2 boots \(allowed exactly 3, as every other cell\)$/);
});

test("the parameters cell: every notebook has one; a study's copy gets its value replaced, the original untouched", () => {
  for (const f of fs.readdirSync(paths.notebooks).filter((x) => x.endsWith(".ipynb"))) {
    const text = fs.readFileSync(path.join(paths.notebooks, f), "utf8");
    const nb = JSON.parse(text);
    const i = parametersCellIndex(nb.cells, f);
    assert.equal(joined(nb.cells[i].source), `const study = "${seedStudyName}";`, f);
    assert.ok(nb.cells.slice(0, i).every((c: { cell_type: string }) => c.cell_type !== "code"), `${f}: the parameters cell is the first code cell`);
    const copy = JSON.parse(injectStudy(text, "tiny", f));
    assert.deepEqual(copy.cells[i].metadata.tags, ["injected-parameters"]);
    assert.match(joined(copy.cells[i].source), /\nconst study = "tiny";$/);
    assert.equal(copy.cells.length, nb.cells.length);
    const noted = JSON.parse(injectStudy(text, "tiny", f, studyBanner({ name: "tiny", title: "SYNTHETIC: a tiny study", synthetic: true })));
    assert.equal(noted.cells.length, nb.cells.length + 1);
    assert.equal(noted.cells[0].cell_type, "markdown");
    assert.match(joined(noted.cells[0].source), /^> \*\*SYNTHETIC study `tiny`: a tiny study\.\*\* This copy was executed by `modburst reproduce --study tiny`/);
  }
  assert.throws(() => parametersCellIndex([{ cell_type: "code", source: "let x = 1;" }], "x.ipynb"), /invalid x\.ipynb: 0 parameters cells \(allowed: one code cell tagged parameters: const study = "NAME";\)$/);
});

test("reproduce --study and figures --study refuse a bad study in one line, exit 2, before running anything", (t) => {
  const unknown = runNode("bin/modburst.js", ["reproduce", "--study", "no-such-study"]);
  assert.equal(unknown.status, 2);
  assert.equal(unknown.stderr, `modburst: invalid study: no-such-study (allowed ${shippedStudies()}, or a path to a study folder)\n`);
  assert.equal(unknown.stdout, "");
  const broken = studyFixtureCopy(t, (j) => (j.configs = { base: "base", my: "mine" }));
  const r = runNode("bin/modburst.js", ["reproduce", "--study", broken]);
  assert.equal(r.status, 2);
  assert.match(r.stderr, /^modburst: invalid .*study\.json: configs\.my: "mine" \(allowed base\|revert\|merge\|no-wait-going\|idempotent\)\n$/);
  assert.equal(r.stdout, "");
  const f = runNode("bin/modburst.js", ["figures", "--study", broken]);
  assert.equal(f.status, 2);
  assert.equal(f.stdout, "");
  assert.ok(!fs.existsSync(path.join(broken, "calibration.json")) && !fs.existsSync(path.join(broken, "notebooks")));
});


