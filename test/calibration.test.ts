import assert from "node:assert/strict";
import * as fs from "fs";
import { test } from "node:test";
import { freeParams, fromUnit, toUnit } from "../src/calibrate/bounds";
import { readCalibration } from "../src/calibrate/calibration";
import { fit, objectiveOf, simulateCells } from "../src/calibrate/fit";
import { nelderMead } from "../src/calibrate/neldermead";
import { cellsOf, readMeasured } from "../src/data/measured";
import { defaultParams, readParamsFile } from "../src/model/params";
import { paths } from "../src/paths";

test("Nelder-Mead finds the Rosenbrock minimum from a standard start", () => {
  const rosen = ([x, y]: number[]) => (1 - x) ** 2 + 100 * (y - x * x) ** 2;
  const r = nelderMead(rosen, [-1.2, 1], { step: 0.5, maxEvals: 2000, tolF: 1e-12, tolX: 1e-8 });
  assert.ok(r.converged);
  assert.ok(Math.abs(r.x[0] - 1) < 1e-3 && Math.abs(r.x[1] - 1) < 1e-3, JSON.stringify(r.x));
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

test("the stored parameters reproduce all six five-boot means within 5%", () => {
  const rec = readCalibration();
  const params = readParamsFile(paths.calibratedParams);
  const cells = simulateCells(cellsOf(readMeasured()), params, { cpus: rec.seeds.cpus, seed: rec.seeds.seed, boots: rec.seeds.boots.length });
  assert.equal(cells.length, 6);
  for (const c of cells) assert.ok(Math.abs(c.errorPct) < 5, `${c.config} ${c.module}: ${c.errorPct.toFixed(2)}%`);
  // The record's report is what the code computes now (same seeds, same numbers).
  assert.deepEqual(cells.map((c) => c.simulatedMean), rec.fit.cells.map((c) => c.simulatedMean));
});

test("the stored calibration is complete: fitted values in bounds, fit quality, out-of-sample, provenance", () => {
  const rec = readCalibration();
  for (const f of rec.free) assert.ok(rec.params[f.name] >= f.lo && rec.params[f.name] <= f.hi, f.name);
  assert.deepEqual(rec.free.map((f) => f.name), freeParams.map((f) => f.name));
  assert.equal(rec.outOfSample.predicted.length, 2);
  assert.deepEqual(rec.outOfSample.fittedOn, ["base", "revert"]);
  assert.ok(rec.fit.cells.every((c) => c.measuredSd > 0 && c.simulatedSd > 0));
  assert.match(rec.code.commit, /^[0-9a-f]{12}|unknown/);
  // The budget is checked per iteration; the last one may finish (a shrink costs one evaluation per free parameter).
  assert.ok(rec.fit.evaluations <= rec.optimiser.maxEvals + rec.free.length + 1);
  assert.ok(fs.readFileSync(paths.calibratedParams, "utf8").endsWith("}\n"));
});

test("a short real fit improves on its start (two free parameters, common random numbers)", () => {
  const cells = cellsOf(readMeasured()).filter((c) => c.config === "base");
  const free = freeParams.filter((f) => f.name === "rcuGpMsPerFqs" || f.name === "herdRecheckUs");
  const start = { ...defaultParams(), rcuGpMsPerFqs: 6 };
  const o = { cpus: 288, seed: 3, boots: 2 };
  const before = objectiveOf(simulateCells(cells, start, o));
  const r = fit({ cells, start, free, ...o, maxEvals: 14 });
  assert.ok(r.objective < before / 4, `objective ${before} -> ${r.objective}`);
  assert.ok(r.params.rcuGpMsPerFqs > 6);
});
