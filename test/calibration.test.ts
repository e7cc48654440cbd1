import assert from "node:assert/strict";
import * as fs from "fs";
import * as path from "path";
import { test } from "node:test";
import { freeParams, fromUnit, toUnit } from "../src/3-experiments/calibrate/bounds";
import { calibrate, defaultSettings, readCalibration, resampleTargets, writeCalibration } from "../src/3-experiments/calibrate/calibration";
import { simulateCells } from "../src/3-experiments/calibrate/fit";
import { chordRefit, jacobian, levenbergMarquardt } from "../src/3-experiments/calibrate/levenbergMarquardt";
import { seedCells } from "./helpers";
import { paths } from "../src/core/paths";
import { tmpDir } from "./helpers";

const rosenbrock = async ([x, y]: number[]) => [10 * (y - x * x), 1 - x];

test("Levenberg-Marquardt finds the Rosenbrock minimum and says why it stopped", async () => {
  const r = await levenbergMarquardt(rosenbrock, [-1.2, 1], { h: 1e-6, maxIterations: 200, tolStep: 1e-9, tolRel: 1e-12, lambda: 1e-3 });
  assert.ok(r.converged, r.reason);
  assert.ok(Math.abs(r.z[0] - 1) < 1e-4 && Math.abs(r.z[1] - 1) < 1e-4, JSON.stringify(r.z));
  const capped = await levenbergMarquardt(rosenbrock, [-1.2, 1], { h: 1e-6, maxIterations: 2, tolStep: 1e-12, tolRel: 1e-15, lambda: 1e-3 });
  assert.equal(capped.converged, false);
  assert.match(capped.reason, /iteration limit 2/);
});

test("a chord refit with a frozen Jacobian follows moved targets", async () => {
  // Residuals of a linear model: the chord step is exact in one move.
  const targets = [3, -1];
  const res = async ([a, b]: number[]) => [a + 2 * b - targets[0], a - b - targets[1]];
  const z0 = [0, 0];
  const J = await jacobian(res, z0, await res(z0), 1e-6);
  const r = await chordRefit(res, z0, J, { maxEvals: 4, tolStep: 1e-9, lambda: 1e-9 });
  assert.ok(Math.abs(r.z[0] - 1 / 3) < 1e-4 && Math.abs(r.z[1] - 4 / 3) < 1e-4, JSON.stringify(r.z));
});

test("bounded parameters: the transform round-trips and never leaves the bounds", () => {
  for (const p of freeParams) {
    const mid = (p.lo + p.hi) / 2;
    assert.ok(Math.abs(fromUnit(p, toUnit(p, mid)) - mid) < 1e-6 * (p.hi - p.lo), p.name);
    for (const z of [-50, -3, 0, 3, 50]) {
      const x = fromUnit(p, z);
      assert.ok(x >= p.lo && x <= p.hi, `${p.name} ${x}`);
    }
  }
});

test("bootstrap resamples: seeded, drawn from each cell's own boots", () => {
  const cells = seedCells();
  const a = resampleTargets(cells, 3, 1);
  assert.deepEqual(a, resampleTargets(cells, 3, 1));
  assert.notDeepEqual(a, resampleTargets(cells, 4, 1));
  cells.forEach((c, i) => {
    assert.ok(a[i].mean >= Math.min(...c.seconds) && a[i].mean <= Math.max(...c.seconds));
  });
});

test("the stored calibration: fitted on the expectation, converged, quality on an unseen seed", async () => {
  const rec = readCalibration();
  assert.ok(rec.fit.converged, rec.fit.stopReason);
  assert.deepEqual(rec.free.map((f) => f.name), freeParams.map((f) => f.name));
  for (const f of rec.free) assert.ok(rec.params[f.name] >= f.lo && rec.params[f.name] <= f.hi, f.name);
  for (const n of Object.values(rec.design.boots)) assert.ok(n >= 40, "at least 40 boots per cell");
  assert.notEqual(rec.unseen.seed, rec.design.seed);
  assert.ok(rec.unseen.maxModelNoisePct < 2, `model noise ${rec.unseen.maxModelNoisePct}%`);
  for (const c of rec.unseen.cells) {
    assert.ok(Math.abs(c.errorPct) < 5, `${c.config} ${c.module}: ${c.errorPct.toFixed(2)}% on unseen boots`);
    const ratio = c.simulatedSd / c.measuredSd;
    // Known miss, explained in the README and notebook 01: revert's acpi_cpufreq chain is geometric, its spread
    // about 2.4x the five measured boots'. Every other cell must stay within 0.5x-2x, and that one under 3x.
    const allowed = c.config === "revert" && c.module === "acpi_cpufreq" ? 3 : 2;
    assert.ok(ratio >= 0.5 && ratio <= allowed, `${c.config} ${c.module}: sd ratio ${ratio.toFixed(2)}`);
  }
  // Out of sample: acpi_cpufreq within 8%; pcc_cpufreq is a known miss (about -11%, README), held under 15%.
  for (const c of rec.outOfSample.predicted) assert.ok(Math.abs(c.errorPct) < (c.module === "pcc_cpufreq" ? 15 : 8), `out of sample ${c.module}: ${c.errorPct.toFixed(2)}%`);
  assert.equal(rec.bootstrap.refits.length, defaultSettings.refits);
  assert.equal(rec.bootstrap.correlations.matrix.length, freeParams.length);
  assert.match(rec.code.commit, /^[0-9a-f]{12}|unknown/);
  assert.ok(fs.readFileSync(paths.calibratedParams, "utf8").endsWith("}\n"));
  // The record's fit is what the code computes now: same parameters, same boots, same means.
  const cells = seedCells();
  const now = await simulateCells(cells, rec.params, { cpus: rec.design.cpus, seed: rec.design.seed, boots: rec.design.boots });
  assert.deepEqual(now.map((c) => c.simulatedMean), rec.fit.cells.map((c) => c.simulatedMean));
});

test("a calibration record is reproducible: the same inputs write the same file", async (t) => {
  const dir = tmpDir(t);
  const small = { ...defaultSettings, cpus: 48, boots: { base: 2, revert: 4, merge: 2 }, checkBoots: { base: 2, revert: 4, merge: 2 }, refits: 2, refitEvals: 2, maxIterations: 1 };
  const cells = seedCells();
  const files = [path.join(dir, "a.json"), path.join(dir, "b.json")];
  for (const f of files) writeCalibration(await calibrate(cells, small, () => undefined), f);
  const [a, b] = files.map((f) => fs.readFileSync(f, "utf8"));
  assert.equal(a, b);
  const rec = JSON.parse(a);
  assert.equal(rec.bootstrap.refits.length, 2);
  assert.equal(typeof rec.fit.stopReason, "string");
  assert.equal(rec.design.cpus, 48);
});
