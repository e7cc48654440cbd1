/**
 * The calibration's verdict (issue 19): converged or not and why, parameters at
 * or near a bound with the measurement that would pin them, each unseen mean
 * against the measured mean's 95% t-interval; a flagged fit says so in its
 * record, in `modburst calibrate`'s output and in the commit message's first
 * paragraph, and its prediction intervals are widened by at least its miss.
 * The fixture fit is the tiny study with an iteration limit of 1 and a few boots:
 * seconds, not minutes.
 */
import assert from "node:assert/strict";
import * as fs from "fs";
import * as path from "path";
import { test } from "node:test";
import { readCalibration, refitParams } from "../src/3-experiments/calibrate/calibration";
import { fitVerdict } from "../src/3-experiments/calibrate/verdict";
import { levenbergMarquardt } from "../src/3-experiments/calibrate/levenbergMarquardt";
import { seedCells } from "./helpers";
import { paramSpecs } from "../src/1-model/params";
import { latencyPredictions } from "../src/3-experiments/records/experiments";
import { formatCommitMessage, CommitNumbers } from "../src/7-pack/commitMessage";
import { fitQualityOf } from "../src/7-pack/verdict";
import { meanTInterval, studentTCritical } from "../src/core/stats/hypothesisTests";
import { loadStudy, primaryModule, studyCells, studyScenario } from "../src/4-studies/study";
import { paths } from "../src/core/paths";
import { runNode, studyFixtureCopy, tmpDir } from "./helpers";

const cli = (...args: string[]) => runNode("bin/modburst.js", args, { timeoutMs: 120_000 });

test("Student t critical values and the t-interval of a mean match the tables", () => {
  // t(0.975, df) from any table: 12.706 (1), 4.303 (2), 2.776 (4), 1.962 (1000).
  for (const [df, t] of [[1, 12.7062], [2, 4.3027], [4, 2.7764], [1000, 1.9623]]) assert.ok(Math.abs(studentTCritical(0.95, df) - t) < 1e-4, `df ${df}`);
  const ci = meanTInterval([1.523, 1.641]);
  assert.ok(Math.abs(ci.mean - 1.582) < 1e-12);
  assert.ok(Math.abs(ci.hi - ci.mean - (12.7062 * 0.083439) / Math.SQRT2) < 1e-3, JSON.stringify(ci));
  assert.throws(() => meanTInterval([1]), /at least 2 values/);
});

test("the fit stops at its time budget, not converged, saying so", async () => {
  const slow = async ([x, y]: number[]) => {
    await new Promise((r) => setTimeout(r, 20));
    return [10 * (y - x * x), 1 - x];
  };
  const r = await levenbergMarquardt(slow, [-1.2, 1], { h: 1e-6, maxIterations: 200, tolStep: 1e-12, tolRel: 1e-15, lambda: 1e-3, budgetSeconds: 0.05 });
  assert.equal(r.converged, false);
  assert.match(r.reason, /^time budget 0\.05 s reached after \d+ iterations/);
  assert.ok(r.iterations < 10, `${r.iterations} iterations`);
});

test("the seed's and the synthetic study's records carry the verdict their own numbers give", () => {
  const seed = readCalibration();
  assert.deepEqual(seed.verdict, fitVerdict(seed, seedCells()));
  // The seed: converged, no parameter near a bound, every unseen mean inside its five-boot 95% interval; not widened.
  assert.equal(seed.verdict.ok, true);
  assert.deepEqual(seed.verdict.atBounds, []);
  assert.equal(seed.verdict.widenFactor, 1);
  for (const c of seed.verdict.cells) assert.ok(c.inside && c.lo < c.measuredMean && c.measuredMean < c.hi && c.measuredBoots === 5, `${c.config} ${c.module}`);

  const study = loadStudy("synthetic-edac-96");
  const syn = readCalibration(study.files.calibration);
  assert.deepEqual(syn.verdict, fitVerdict(syn, studyCells(study)));
  // Converged, no parameter near a bound, both unseen means inside the five generated boots' 95% intervals
  // (base: the model's 24.56 s in 24.53-24.72 s; my: 0.568 s in 0.444-0.703 s): OK, not widened.
  assert.equal(syn.verdict.converged, true);
  assert.equal(syn.verdict.ok, true);
  assert.deepEqual(syn.verdict.atBounds, []);
  assert.deepEqual(syn.verdict.cells.map((c) => [c.config, c.inside]), [["base", true], ["my", true]]);
  for (const c of syn.verdict.cells) assert.ok(c.lo < c.simulatedMean && c.simulatedMean < c.hi && c.measuredBoots === 5, c.config);
  assert.equal(syn.verdict.widenFactor, 1);
});

test("--verdict-only adds the verdict to a record written without one, byte for byte what the committed record holds, in seconds", (t) => {
  const dir = tmpDir(t);
  const file = path.join(dir, "calibration.json");
  const committed = fs.readFileSync(paths.calibratedParams, "utf8");
  const rec = JSON.parse(committed);
  delete rec.verdict;
  fs.writeFileSync(file, JSON.stringify(rec, null, 2) + "\n");
  const refused = cli("simulate", "--cpus", "8", "--boots", "1", "--params", file);
  assert.equal(refused.status, 2);
  assert.equal(refused.stderr, `modburst: invalid ${file}: verdict: missing (allowed: a record with its fit's verdict; add it without re-fitting: modburst calibrate --verdict-only, with --study NAME for a study)\n`);
  const r = cli("calibrate", "--verdict-only", "--out", file);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /^Verdict: OK: the fit converged/);
  assert.equal(fs.readFileSync(file, "utf8"), committed);
  assert.equal(cli("calibrate", "--verdict-only", "--seed", "2").stderr, "modburst: invalid seed: 2 (allowed none with --verdict-only: it fits nothing)\n");
});

/** The tiny fixture with a calibrate.json that stops its fit after one iteration, and a parameter the spans cannot see. */
function limitedTiny(t: { after(fn: () => void): void }): string {
  const dir = studyFixtureCopy(t);
  // No other module loads (bgWakeupsPerS 0), so bgDecayS moves no span: it stays where it starts, next to its upper bound.
  fs.writeFileSync(path.join(dir, "fixed.json"), JSON.stringify({ bgWakeupsPerS: 0 }));
  fs.writeFileSync(
    path.join(dir, "calibrate.json"),
    JSON.stringify({
      fixedParams: "fixed.json",
      free: [
        { name: "rcuGpExtraMs", lo: 0, hi: 60, start: 40, why: "the base span" },
        { name: "bgDecayS", lo: 0.2, hi: 60, start: 59.9, why: "no span depends on it here" },
      ],
      boots: { base: 3, merge: 3 },
      checkBoots: { base: 6, merge: 6 },
      refits: 2,
      refitEvals: 1,
      maxIterations: 1,
    }),
  );
  return dir;
}

test("a fit stopped by its iteration limit: the verdict block, the record and the commit message's first paragraph say NOT converged, name the parameter on its bound, and the intervals are widened past the miss", async (t) => {
  const dir = limitedTiny(t);
  const t0 = Date.now();
  const r = cli("calibrate", "--study", dir);
  const seconds = (Date.now() - t0) / 1000;
  assert.equal(r.status, 0, r.stderr);
  assert.ok(seconds < 60, `calibrate took ${seconds} s`);

  // The printed verdict block.
  const block = r.stdout.slice(r.stdout.indexOf("\nVerdict: ") + 1);
  assert.match(block, /^Verdict: FLAGGED: the fit did NOT converge/);
  assert.match(block, /^- convergence: NOT converged \(iteration limit 1 reached/m);
  assert.match(block, /^- parameters at or near a bound \(within 1% of the range lo\.\.hi from lo or hi\): 1$/m);
  assert.ok(block.includes(`bgDecayS = 59.9 near its upper bound (0.2..60, 99.8% of the range): the measured spans do not pin it down inside its bounds. To pin it: ${paramSpecs.bgDecayS.pinnedBy}`), block);
  assert.match(block, /^ {4}config +module +boots +measured s +95% interval s +model s +error % +inside$/m);
  assert.match(block, /^ {4}base {4}tiny_cpufreq {6}3 {2}0\.3620 {6}0\.3259 to 0\.3981/m);
  assert.match(block, /^- predictions: every interval widened x\d\.\d{3}, to \[p5 \/ /m);

  // The record.
  const study = loadStudy(dir);
  const rec = readCalibration(study.files.calibration);
  assert.equal(rec.fit.converged, false);
  assert.equal(rec.optimiser.maxIterations, 1);
  assert.equal(rec.verdict.converged, false);
  assert.equal(rec.verdict.ok, false);
  assert.match(rec.verdict.stopReason, /^iteration limit 1 reached/);
  assert.deepEqual(rec.verdict.atBounds.map((b) => [b.name, b.bound]), [["bgDecayS", "upper"]]);
  assert.deepEqual(rec.verdict, fitVerdict(rec, studyCells(study)));
  const m = rec.verdict.maxAbsErrorPct / 100;
  assert.ok(rec.verdict.widenFactor >= 1 + m, `${rec.verdict.widenFactor} < 1 + ${m}`);

  // The commit message's first paragraph (after the subject line), as formatCommitMessage writes it for this study.
  const text = formatCommitMessage({ ...commitNumbers, fit: rec.verdict, study: { name: "tiny", title: study.title, synthetic: true, figuresDir: "figures" } });
  const first = text.split("\n\n")[1].replace(/\n/g, " ");
  assert.ok(first.includes(fitQualityOf(rec.verdict)), first);
  assert.match(first, /MODEL FIT FLAGGED: the calibration did NOT converge \(iteration limit 1 reached\)/);
  assert.match(first, /leaves bgDecayS at or near its bound, which the measured spans cannot pin down/);
  assert.match(first, /intervals are widened x\d\.\d\d to cover that miss/);
  assert.match(text.replace(/\n/g, " "), /\(90% interval widened x\d\.\d\d: [\d.]+-[\d.]+\)/);

  // The predictions the notebooks and the pack read: no interval narrower than the fit's own miss, either way.
  const cacheBefore = process.env.MODBURST_CACHE_DIR;
  process.env.MODBURST_CACHE_DIR = tmpDir(t);
  t.after(() => (cacheBefore === undefined ? delete process.env.MODBURST_CACHE_DIR : (process.env.MODBURST_CACHE_DIR = cacheBefore)));
  const preds = await latencyPredictions(rec, studyScenario(study), primaryModule(study), { threads: 1 });
  for (const p of preds) {
    assert.equal(p.widenFactor, rec.verdict.widenFactor);
    assert.ok(p.p95Seconds >= p.centralSeconds * (1 + m), `${p.policy} ${p.initLatencyMs} ms: p95 ${p.p95Seconds} < ${p.centralSeconds} x (1 + ${m})`);
    assert.ok(p.p5Seconds <= p.centralSeconds / (1 + m), `${p.policy} ${p.initLatencyMs} ms: p5 ${p.p5Seconds} > ${p.centralSeconds} / (1 + ${m})`);
  }
  assert.equal(refitParams(rec).length, 2);
});

test("calibrate.json: maxIterations and budgetSeconds are checked, one line naming the field", (t) => {
  for (const [key, value, allowed] of [["maxIterations", 0, "integer 1..1000"], ["budgetSeconds", 1.5, "integer 1..604800"]] as const) {
    const dir = limitedTiny(t);
    const file = path.join(dir, "calibrate.json");
    fs.writeFileSync(file, JSON.stringify({ ...JSON.parse(fs.readFileSync(file, "utf8")), [key]: value }));
    const r = cli("calibrate", "--study", dir);
    assert.equal(r.status, 2);
    assert.equal(r.stderr, `modburst: invalid ${file}: ${key}: ${value} (allowed ${allowed})\n`);
    assert.ok(!fs.existsSync(path.join(dir, "calibration.json")));
  }
});

/** Every number but the fit's verdict, as in test/export.test.ts: the first paragraph is what is checked. */
const commitNumbers: Omit<CommitNumbers, "fit"> = {
  subject: "module: Let duplicate tiny_cpufreq requests wait for the first load",
  cpus: 8,
  requests: { tiny_cpufreq: 8 },
  modules: ["tiny_cpufreq"],
  module: "tiny_cpufreq",
  outcome: "every load fails (-EEXIST)",
  before: { means: { tiny_cpufreq: 0.362 }, source: "measured" },
  after: { means: { tiny_cpufreq: 0.051 }, source: "measured" },
  measuredCells: [{ config: "base", module: "tiny_cpufreq", seconds: [0.361, 0.348, 0.377] }],
  simulatedCells: [{ config: "base", module: "tiny_cpufreq", seconds: [0.35, 0.36, 0.37] }],
  seed: 1,
  fullLoads: { base: 8, merge: 1, revert: 2, "no-wait-going": 1, idempotent: 1 },
  predictedSpan: { "no-wait-going": { mean: 0.05, p5: 0.04, p95: 0.06 }, idempotent: { mean: 0.05, p5: 0.04, p95: 0.06 } },
  peakVmallocMiB: { base: 0.2, merge: 0.05, idempotent: 0.02 },
  largerCpus: 1024,
  largerSpan: { base: { mean: 120, p5: 100, p95: 140 }, merge: { mean: 1.2, p5: 1.0, p95: 1.4 } },
  unseen: { seed: 1000004, maxAbsErrorPct: 10, refits: 2, variants: ["reference"] },
  external: [],
  figures: [],
  version: "0.1.0",
};
