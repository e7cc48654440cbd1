/**
 * Structural variants: every one is calibrated to the seed with its choices
 * fixed and the rest fitted, and prediction intervals pool the same number of
 * refits from each.
 */
import assert from "node:assert/strict";
import * as fs from "fs";
import { test } from "node:test";
import { CalibrationRecord, readCalibration, refitParams, refitVariants } from "../src/3-experiments/calibrate/calibration";
import { freeParams } from "../src/3-experiments/calibrate/bounds";
import { studyCalibration } from "../src/4-studies/calibration";
import { herdRecheckRangeUs, referenceVariantName, structuralVariants, variantFile, variantFree } from "../src/3-experiments/calibrate/variants";
import { paths } from "../src/core/paths";

test("each structural variant of the seed has its own calibration record, with its choices fixed and the rest fitted", () => {
  for (const v of structuralVariants) {
    const file = v.name === referenceVariantName ? paths.calibratedParams : variantFile(paths.calibratedParams, v.name);
    assert.ok(fs.existsSync(file), `${v.name}: ${file} (run modburst calibrate --variant ${v.name})`);
    const rec = readCalibration(file);
    for (const [k, x] of Object.entries(v.fixed)) {
      assert.equal(rec.params[k as keyof CalibrationRecord["params"]], x, `${v.name}: ${k}`);
      for (const r of rec.bootstrap.refits) assert.equal(r.params[k as keyof CalibrationRecord["params"]], x, `${v.name}: refit ${r.resample} ${k}`);
    }
    assert.deepEqual(rec.free.map((f) => f.name), variantFree(v, freeParams).map((f) => f.name), v.name);
    // Every variant fits the same cells: the fit's cells are the seed's six.
    assert.equal(rec.fit.cells.length, 6, v.name);
  }
});

test("the herd variants sit at the ends of the re-check's derived range, which bounds the reference's fit", () => {
  const low = structuralVariants.find((v) => v.name === "herd-low")!;
  const high = structuralVariants.find((v) => v.name === "herd-high")!;
  assert.deepEqual([low.fixed.herdRecheckUs, high.fixed.herdRecheckUs], herdRecheckRangeUs);
  const herd = freeParams.find((f) => f.name === "herdRecheckUs")!;
  assert.deepEqual([herd.lo, herd.hi], herdRecheckRangeUs);
});

test("prediction intervals pool the same number of refits from every variant, the reference first", () => {
  const cal = studyCalibration(paths.seedStudy);
  assert.ok(cal.variants && cal.variants.length === structuralVariants.length, "every variant is attached");
  const labels = refitVariants(cal);
  const params = refitParams(cal);
  assert.equal(labels.length, params.length);
  const counts = structuralVariants.map((v) => labels.filter((l) => l === v.name).length);
  assert.ok(counts.every((c) => c === counts[0] && c > 0), JSON.stringify(counts));
  assert.equal(labels[0], referenceVariantName);
  // A variant's refits carry its own structure.
  params.forEach((p, i) => {
    const v = structuralVariants.find((x) => x.name === labels[i])!;
    for (const [k, x] of Object.entries(v.fixed)) assert.equal(p[k as keyof typeof p], x, `${labels[i]} ${k}`);
  });
  // The record as stored carries no variants (they are attached when read).
  assert.ok(!("variants" in JSON.parse(fs.readFileSync(paths.calibratedParams, "utf8"))));
});
