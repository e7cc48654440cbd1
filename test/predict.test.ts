/**
 * modburst predict: its validation (one line naming the field, exit 2, nothing
 * run) and its output (each module's expected span inside its 90% interval
 * across structural variants x refits, and which variant gave each end).
 */
import assert from "node:assert/strict";
import * as fs from "fs";
import * as path from "path";
import { test } from "node:test";
import { refitVariants } from "../src/3-experiments/calibrate/calibration";
import { studyCalibration } from "../src/4-studies/calibration";
import { paths } from "../src/core/paths";
import { withProvenance } from "../src/3-experiments/records/pointPrediction";
import type { Prediction } from "../src/3-experiments/records/uncertainty";
import { runNode } from "./helpers";

const predict = (...args: string[]) => runNode("bin/modburst.js", ["predict", ...args], { env: { MODBURST_CACHE_DIR: cacheDir } });
const cacheDir = fs.mkdtempSync(path.join(require("os").tmpdir(), "modburst-predict-cache-"));
process.on("exit", () => fs.rmSync(cacheDir, { recursive: true, force: true }));

test("predict refuses bad input with one line naming the field and what is allowed", () => {
  const cases: Array<[string[], RegExp]> = [
    [["--policy", "nope"], /^modburst: invalid policy: nope \(allowed base\|revert\|merge\|no-wait-going\|idempotent\)\n$/],
    [["--cpus", "0"], /^modburst: invalid cpus: 0 \(allowed integer 1\.\.16384\)\n$/],
    [["--cpus", "many"], /^modburst: invalid cpus: many \(allowed integer 1\.\.16384\)\n$/],
    [["--init-latency-ms", "-1"], /^modburst: invalid init-latency-ms: -1 \(allowed 0\.\.3600000\)\n$/],
    [["--scenario", "no-such"], /^modburst: invalid scenario: no-such \(allowed seed\|edac\|kselftest-success\|kselftest-fail or a path to a scenario \.json file\)\n$/],
    [["--scenario", "/nonexistent/s.json"], /^modburst: invalid scenario file: \/nonexistent\/s\.json: .*\n$/],
    [["--boots", "3"], /^modburst: .*boots.*\n$/],
  ];
  for (const [args, re] of cases) {
    const r = predict(...args);
    assert.equal(r.status, 2, `${args.join(" ")}: ${r.stderr}`);
    assert.match(r.stderr, re, args.join(" "));
    assert.equal(r.stdout, "", args.join(" "));
  }
});

test("predict prints each module's expected span inside its 90% interval, the variants and which refit gave each end", () => {
  const r = predict("--policy", "base", "--cpus", "16", "--json");
  assert.equal(r.status, 0, r.stderr);
  const doc = JSON.parse(r.stdout);
  assert.equal(doc.policy, "base");
  assert.equal(doc.cpus, 16);
  const cal = studyCalibration(paths.seedStudy);
  const names = [...new Set(refitVariants(cal))];
  assert.deepEqual(doc.predictions.map((p: { module: string }) => p.module).sort(), ["acpi_cpufreq", "pcc_cpufreq"]);
  for (const p of doc.predictions) {
    assert.ok(p.p5Seconds <= p.centralSeconds && p.centralSeconds <= p.p95Seconds, JSON.stringify(p));
    assert.deepEqual(p.variants.map((v: { name: string }) => v.name), names);
    assert.ok(names.includes(p.low.variant) && names.includes(p.high.variant));
    assert.ok(p.low.seconds <= p.high.seconds);
  }
  // The table form says the same, with the interval's name and every variant.
  const t = predict("--policy", "base", "--cpus", "16");
  assert.equal(t.status, 0, t.stderr);
  assert.match(t.stdout, /^predict: base on seed at 16 CPUs: expected span per module, 90% interval( widened x[\d.]+)? across \d+ structural variant\(s\) x refits$/m);
  for (const n of names) assert.match(t.stdout, new RegExp(`\\b${n} \\(\\d+\\)`));
});

test("an interval end is traced to the refit nearest it, numbered within its variant", () => {
  const p = { refitMeans: [5, 1, 9, 3, 7, 2], p5Seconds: 1.2, p95Seconds: 8.6, widenFactor: 1 } as unknown as Prediction;
  const w = withProvenance(p, ["a", "a", "a", "b", "b", "b"]);
  assert.deepEqual(w.low, { variant: "a", refit: 2, seconds: 1 });
  assert.deepEqual(w.high, { variant: "a", refit: 3, seconds: 9 });
  assert.deepEqual(w.variants.map((v) => [v.name, v.refits, v.minSeconds, v.maxSeconds]), [["a", 3, 1, 9], ["b", 3, 2, 7]]);
});
