/**
 * A study end to end: `reproduce --study` and `figures --study` run a small
 * fixture study into its own folders (calibrating it first) under the real
 * Jupyter executor and tslab kernel, leaving the seed's notebooks untouched.
 */
import assert from "node:assert/strict";
import { createHash } from "crypto";
import * as fs from "fs";
import * as path from "path";
import { test } from "node:test";
import { paths } from "../../src/core/paths";
import { listNotebooks } from "../../src/6-notebooks/runner";
import { joined, readNotebook, runNode, studyFixtureCopy } from "../helpers";

const sha = (file: string) => createHash("sha256").update(fs.readFileSync(file)).digest("hex");
// The notebooks as the runner lists them: JupyterLab's .ipynb_checkpoints/ (made by opening them once) is no notebook.
const notebookHashes = (dir: string) => listNotebooks(dir).map((f) => [path.basename(f), sha(f)]);



test("reproduce --study FOLDER calibrates the study first, executes all five notebooks into its folder, and figures --study writes its pack", (t) => {
  const dir = studyFixtureCopy(t);
  const cache = path.join(path.dirname(dir), "cache");
  const seedNotebooks = notebookHashes(paths.notebooks);
  const seedDerived = fs.readdirSync(paths.derived).map((f) => [f, sha(path.join(paths.derived, f))]);
  // The run's TMPDIR, to see that its browsers' temp folders go with it.
  const tmp = path.join(path.dirname(dir), "tmp");
  fs.mkdirSync(tmp);
  const r = runNode("bin/modburst.js", ["reproduce", "--study", dir], { env: { MODBURST_CACHE_DIR: cache, TMPDIR: tmp }, timeoutMs: 900_000 });
  assert.equal(r.status, 0, r.stderr + r.stdout);
  assert.deepEqual(fs.readdirSync(tmp), [], "no browser temp folder (playwright_chromiumdev_profile-*, playwright-artifacts-*) is left");
  assert.match(r.stdout, /^calibrate: study tiny has no .*calibration\.json; calibrating it first$/m);
  assert.match(r.stdout, /^reproduce: 5 notebooks executed in [\d.]+ s for study tiny, into .*tiny\/notebooks$/m);
  const cal = JSON.parse(fs.readFileSync(path.join(dir, "calibration.json"), "utf8"));
  assert.equal(cal.design.scenario, "tiny");
  assert.equal(cal.design.cpus, 8);
  assert.deepEqual(cal.outOfSample.fittedOn, ["base"]);
  assert.match(cal.description, /short calibration/);

  const executed = fs.readdirSync(path.join(dir, "notebooks")).sort();
  assert.deepEqual(executed, ["00-environment.ipynb", "01-reproduce-table.ipynb", "02-distributions.ipynb", "03-sensitivity.ipynb", "04-commit-message.ipynb"]);
  for (const f of executed) {
    const nb = readNotebook(path.join(dir, "notebooks", f));
    const outputs = nb.cells.flatMap((c) => c.outputs ?? []);
    assert.equal(outputs.filter((o) => o.output_type === "error").length, 0, f);
    const text = outputs.map((o) => joined(o.text) + joined(o.data?.["text/plain"])).join("\n");
    assert.match(text, /Executed for study tiny \(synthetic\): .*8 CPUs \(scenario tiny\); configurations base, my \(merge\); modules tiny_cpufreq; 3 boots per cell\./, f);
    assert.doesNotMatch(text, /acpi_cpufreq|pcc_cpufreq/, `${f} shows none of the seed's modules`);
  }
  const nb03 = readNotebook(path.join(dir, "notebooks", "03-sensitivity.ipynb"));
  const text03 = nb03.cells.flatMap((c) => c.outputs ?? []).map((o) => joined(o.text)).join("\n");
  assert.match(text03, /Study tiny has no external measurements/);
  assert.match(text03, /External measurements: none for this study\./);
  for (const name of ["sensitivity-cpus", "sensitivity-latency", "sensitivity-ratio"]) {
    assert.match(fs.readFileSync(path.join(dir, "derived", `${name}.csv`), "utf8"), /"scenario":\{"name":"tiny"/);
  }
  // Notebook 04 wrote the study's pack into its own figures folder.
  const message = fs.readFileSync(path.join(dir, "figures", "commit-message.txt"), "utf8");
  assert.match(message.replace(/\n/g, " "), /On a 8-CPU machine udev asks for tiny_cpufreq 8 times at boot; every load fails \(-EEXIST\)\./);
  assert.doesNotMatch(message, /Independent check/);

  // The seed's outputs are untouched.
  assert.deepEqual(notebookHashes(paths.notebooks), seedNotebooks);
  assert.deepEqual(fs.readdirSync(paths.derived).map((f) => [f, sha(path.join(paths.derived, f))]), seedDerived);

  // figures --study: the same pack from the cached records, byte for byte.
  const before = sha(path.join(dir, "figures", "commit-message.txt"));
  fs.rmSync(path.join(dir, "figures"), { recursive: true });
  const f = runNode("bin/modburst.js", ["figures", "--study", dir], { env: { MODBURST_CACHE_DIR: cache } });
  assert.equal(f.status, 0, f.stderr + f.stdout);
  assert.equal(sha(path.join(dir, "figures", "commit-message.txt")), before);
  assert.ok(fs.existsSync(path.join(dir, "figures", "provenance.json")));
  assert.ok(fs.existsSync(path.join(dir, "figures", "span-vs-cpus.svg")));
});
