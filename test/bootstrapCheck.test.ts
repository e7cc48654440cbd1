/**
 * calibrate --bootstrap N --full (each refit a whole fit), and the comparison of
 * a linearised bootstrap with a full one that notebook 01 shows.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { CalibrationRecord, readCalibration } from "../src/3-experiments/calibrate/calibration";
import { loadStudy } from "../src/4-studies/study";
import { paramRanges } from "../src/3-experiments/records/bootstrapCheck";
import { runNode, tinyCalibrationCopy } from "./helpers";

const cli = (...args: string[]) => runNode("bin/modburst.js", args, { timeoutMs: 300_000 });


test("calibrate --bootstrap N --full: N whole refits, said so in the record; the linearised record's are one-step ones", (t) => {
  const dir = tinyCalibrationCopy(t);
  const full = cli("calibrate", "--study", dir, "--bootstrap", "2", "--full");
  assert.equal(full.status, 0, full.stderr);
  assert.match(full.stdout, /full refit 2\/2: objective /);
  const f = readCalibration(loadStudy(dir).files.calibration);
  assert.equal(f.bootstrap.refits.length, 2);
  assert.match(f.bootstrap.method, /^2 refits, .*full refits: a whole Levenberg-Marquardt fit/);
  // A whole fit from the fitted point takes more than the linearised refit's one run (its first iteration alone does).
  for (const r of f.bootstrap.refits) assert.ok(r.evaluations > 1, `a full refit took ${r.evaluations} runs`);

  const lin = cli("calibrate", "--study", dir, "--bootstrap", "2");
  assert.equal(lin.status, 0, lin.stderr);
  const l = readCalibration(loadStudy(dir).files.calibration);
  assert.match(l.bootstrap.method, /Gauss-Newton steps from the fitted parameters/);
  for (const r of l.bootstrap.refits) assert.equal(r.evaluations, 1);
  // The same fit and the same resamples: refit b aims at the same means in both.
  assert.deepEqual(l.params, f.params);
  assert.deepEqual(l.bootstrap.refits.map((r) => r.targetMeans), f.bootstrap.refits.map((r) => r.targetMeans));

  const ranges = paramRanges(l, f);
  assert.deepEqual(ranges.map((r) => r.name), ["rcuGpExtraMs"]);
  const xs = (rec: CalibrationRecord) => rec.bootstrap.refits.map((r) => r.params.rcuGpExtraMs);
  assert.ok(ranges[0].fullP5 >= Math.min(...xs(f)) && ranges[0].fullP95 <= Math.max(...xs(f)));
  assert.ok(ranges[0].linearisedP5 >= Math.min(...xs(l)) && ranges[0].linearisedP95 <= Math.max(...xs(l)));
});

test("--full needs --bootstrap, and --bootstrap and --refits are one option", () => {
  const a = cli("calibrate", "--full");
  assert.equal(a.status, 2);
  assert.equal(a.stderr, "modburst: invalid full: true (allowed only with --bootstrap N)\n");
  const b = cli("calibrate", "--bootstrap", "3", "--refits", "3");
  assert.equal(b.status, 2);
  assert.equal(b.stderr, "modburst: invalid bootstrap: 3 (allowed: --bootstrap or --refits, not both)\n");
});
