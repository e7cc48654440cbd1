/**
 * The seed is an ordinary study: its calibrate.json states the settings of its
 * committed calibration, `modburst calibrate` and `--study pavlu-2022-10-15` take
 * the one study path, and no seed-only copy of its settings is left in src/.
 * (A whole calibration takes ~13 minutes: the settings are compared, not rerun.)
 */
import assert from "node:assert/strict";
import * as fs from "fs";
import * as path from "path";
import { test } from "node:test";
import { defaultSettings, heldOutConfigOf } from "../src/3-experiments/calibrate/calibration";
import { freeParams } from "../src/3-experiments/calibrate/bounds";
import { readCalibration } from "../src/3-experiments/calibrate/calibration";
import { studyFitCells, studySettings } from "../src/4-studies/settings";
import { defaultParams } from "../src/1-model/params";
import { withCpus } from "../src/1-model/scenario";
import { seedScenario } from "../src/1-model/scenarios";
import { paths } from "../src/core/paths";
import { loadStudy, seedStudyName } from "../src/4-studies/study";
import { root } from "./helpers";

test("the seed's calibrate.json gives the settings its committed calibration.json was made with", () => {
  const study = loadStudy(seedStudyName);
  const s = studySettings(study);
  const rec = readCalibration(study.files.calibration);
  // The record's design, description, free parameters, optimiser limits, check and held-out config.
  assert.deepEqual({ scenario: s.scenario!.name, cpus: s.cpus, seed: s.seed, boots: s.boots, refits: s.refits, refitEvals: s.refitEvals }, rec.design);
  assert.equal(s.description, rec.description);
  assert.deepEqual(s.free, rec.free);
  assert.deepEqual(s.free, freeParams.map(({ name, lo, hi, why }) => ({ name, lo, hi, why })));
  assert.equal(s.maxIterations, rec.optimiser.maxIterations);
  assert.equal(s.budgetSeconds, rec.optimiser.budgetSeconds);
  assert.equal(s.spreadWeight, undefined);
  assert.ok(!("spreadWeight" in rec.optimiser));
  assert.deepEqual({ seed: s.checkSeed, boots: s.checkBoots }, { seed: rec.unseen.seed, boots: rec.unseen.boots });
  const cells = studyFitCells(study, s);
  assert.equal(heldOutConfigOf(s, cells), "my");
  assert.deepEqual(rec.outOfSample.fittedOn, ["base", "revert"]);
  // What the removed seed-only path ran with: defaultSettings, the seed's machine, the documented defaults as the start.
  for (const k of ["cpus", "seed", "boots", "checkSeed", "checkBoots", "refits", "refitEvals", "maxIterations", "budgetSeconds"] as const) assert.deepEqual(s[k], defaultSettings[k], k);
  assert.deepEqual(withCpus(s.scenario!, s.cpus), seedScenario(s.cpus));
  assert.deepEqual(s.start, defaultParams());
  // --seed and --refits override the file, as before.
  const o = studySettings(study, { seed: 7, refits: 3 });
  assert.deepEqual([o.seed, o.refits], [7, 3]);
});

test("a structural variant's record was made with the seed's settings and its own free parameters", () => {
  const s = studySettings(loadStudy(seedStudyName), { refits: 10 });
  for (const f of fs.readdirSync(path.join(paths.seedStudy, "variants"))) {
    const rec = readCalibration(path.join(paths.seedStudy, "variants", f));
    assert.deepEqual({ scenario: s.scenario!.name, cpus: s.cpus, seed: s.seed, boots: s.boots, refits: s.refits, refitEvals: s.refitEvals }, rec.design, f);
    assert.deepEqual({ seed: s.checkSeed, boots: s.checkBoots }, { seed: rec.unseen.seed, boots: rec.unseen.boots }, f);
  }
});

/** Non-comment lines of every .ts file under src/DIR. */
function code(dir: string): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  const walk = (d: string) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name.endsWith(".ts")) {
        for (const line of fs.readFileSync(p, "utf8").split("\n")) if (!/^\s*(\/\/|\*|\/\*)/.test(line)) out.push([path.relative(root, p), line]);
      }
    }
  };
  walk(path.join(root, "src", dir));
  return out;
}

test("no seed special case left in src/: no seedConfigs, no seedMeasuredSpec, no calibrateSeed, no \"my\" in calibration code", () => {
  const hits = (lines: Array<[string, string]>, re: RegExp) => lines.filter(([, l]) => re.test(l)).map(([f, l]) => `${f}: ${l.trim()}`);
  const all = code(".");
  assert.deepEqual(hits(all, /seedConfigs|seedMeasuredSpec|calibrateSeed/), []);
  assert.deepEqual(hits([...code("3-experiments/calibrate"), ...code("4-studies")], /["'`]my["'`]/), []);
  // The check seed's offset and the held-out default are each stated once.
  assert.equal(hits(all, /1000003/).length, 1, hits(all, /1000003/).join("\n"));
  assert.equal(hits(all, /heldOutConfig \?\?/).length, 1, hits(all, /heldOutConfig \?\?/).join("\n"));
});
