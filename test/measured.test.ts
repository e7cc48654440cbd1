import assert from "node:assert/strict";
import * as fs from "fs";
import * as path from "path";
import { test } from "node:test";
import { tmpDir } from "./helpers";
import { measuredFrame, readMeasured } from "../src/2-measurements/measured";
import { loadStudy, measuredSpecOf, seedStudyName, studyCells, studyMeasurements } from "../src/4-studies/study";
import { mean } from "../src/core/stats/describe";
import { paths } from "../src/core/paths";

test("the measured table: 30 boots, six cells, and the seed's printed averages", () => {
  const seed = loadStudy(seedStudyName);
  assert.equal(studyMeasurements(seed).length, 30);
  const cells = studyCells(seed);
  assert.deepEqual(cells.map((c) => `${c.config}/${c.module}`), [
    "base/pcc_cpufreq", "base/acpi_cpufreq", "revert/pcc_cpufreq", "revert/acpi_cpufreq", "my/pcc_cpufreq", "my/acpi_cpufreq",
  ]);
  // The seed's "Avg" row, as printed (3 decimals): a check of the transcription, not of the model.
  const printedAvg = [44.998, 45.2, 2.092, 9.424, 2.011, 6.989];
  cells.forEach((c, i) => assert.equal(mean(c.seconds).toFixed(3), printedAvg[i].toFixed(3), `${c.config} ${c.module}`));
  assert.deepEqual(cells.find((c) => c.config === "my")!.policy, "merge");
});

test("the danfojs frame keeps the measured seconds exactly", () => {
  const ms = studyMeasurements(loadStudy(seedStudyName));
  const df = measuredFrame(ms);
  assert.deepEqual(df.columns, ["config", "policy", "module", "boot", "seconds"]);
  assert.deepEqual(df.column("seconds").values, ms.map((m) => m.seconds));
});

test("the loader keeps every raw value: the measurements written back with the seed's three decimals are the CSV byte for byte", () => {
  // (Replaces a check that loading left the file unchanged: the loader only reads, so that could not fail.)
  const rows = studyMeasurements(loadStudy(seedStudyName)).map((m) => [m.config, m.policy, m.module, m.boot, m.seconds.toFixed(3)].join(","));
  assert.equal(["config,policy,module,boot,seconds", ...rows, ""].join("\n"), fs.readFileSync(paths.measuredCsv, "utf8"));
});

test("a malformed file gets an error naming the file, the line and the column", (t) => {
  const dir = tmpDir(t);
  const good = fs.readFileSync(paths.measuredCsv, "utf8").split("\n");
  const variant = (name: string, edit: (lines: string[]) => string[]) => {
    const f = path.join(dir, name);
    fs.writeFileSync(f, edit([...good]).join("\n"));
    return f;
  };
  const cases: Array<[string, (l: string[]) => string[], RegExp]> = [
    ["header.csv", (l) => ["config,policy,module,boot,secs", ...l.slice(1)], /header\.csv:1: header: config,policy,module,boot,secs \(allowed config,policy,module,boot,seconds\)$/],
    ["seconds.csv", (l) => { l[3] = "base,base,pcc_cpufreq,3,abc"; return l; }, /seconds\.csv:4: seconds: abc \(allowed a number of seconds, 0 < s <= 3600\)$/],
    ["negative.csv", (l) => { l[3] = "base,base,pcc_cpufreq,3,-1"; return l; }, /negative\.csv:4: seconds: -1 /],
    ["nan.csv", (l) => { l[3] = "base,base,pcc_cpufreq,3,NaN"; return l; }, /nan\.csv:4: seconds: NaN /],
    ["boot.csv", (l) => { l[2] = "base,base,pcc_cpufreq,6,44.7"; return l; }, /boot\.csv: base pcc_cpufreq boot 6 \(allowed boots numbered 1\.\.5\)$/],
    ["config.csv", (l) => { l[5] = "mine,merge,pcc_cpufreq,5,45.1"; return l; }, /config\.csv:6: config: mine \(allowed base\|revert\|my\)$/],
    ["policy.csv", (l) => { l[5] = "base,merge,pcc_cpufreq,5,45.1"; return l; }, /policy\.csv:6: policy: merge \(allowed base for config base\)$/],
    ["module.csv", (l) => { l[5] = "base,base,intel_pstate,5,45.1"; return l; }, /module\.csv:6: module: intel_pstate /],
    ["fields.csv", (l) => { l[7] = "base,base,acpi_cpufreq,2"; return l; }, /fields\.csv:8: 4 fields \(allowed 5: config,policy,module,boot,seconds\)$/],
    ["duplicate.csv", (l) => { l[2] = l[1]; return l; }, /duplicate\.csv:3: boot: 1 \(allowed each boot once/],
    ["missing.csv", (l) => l.filter((_, i) => i !== 4), /missing\.csv: base acpi_cpufreq has 5 boots \(allowed exactly 4, as every other cell\)$/],
  ];
  for (const [name, edit, pattern] of cases) {
    const f = variant(name, edit);
    assert.throws(() => readMeasured(f, measuredSpecOf(loadStudy(seedStudyName))), (e: Error) => {
      assert.match(e.message, pattern, name);
      assert.ok(!e.message.includes("\n"), name);
      return true;
    });
  }
});
