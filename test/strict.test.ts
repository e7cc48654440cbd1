/** A careless user's mistakes: each is one line on stderr, exit 2, nothing on stdout and nothing written. */
import assert from "node:assert/strict";
import * as fs from "fs";
import * as path from "path";
import { test } from "node:test";
import { UserError } from "../src/core/errors";
import { bootJobs, runBoots } from "../src/3-experiments/parallel/pool";
import { defaultParams } from "../src/1-model/params";
import { seedScenario } from "../src/1-model/scenarios";
import { runNode, tmpDir } from "./helpers";

const cli = (...args: string[]) => runNode("bin/modburst.js", args, { timeoutMs: 300_000 });

/** Exit 2, exactly `modburst: <line>` on stderr, nothing on stdout. */
function rejected(r: { status: number | null; stdout: string; stderr: string }, line: string | RegExp): void {
  assert.equal(r.status, 2, r.stderr);
  assert.equal(r.stdout, "");
  if (typeof line === "string") assert.equal(r.stderr, `modburst: ${line}\n`);
  else {
    assert.match(r.stderr, /^modburst: [^\n]*\n$/);
    assert.match(r.stderr, line);
  }
}

test("a UserError thrown in a worker thread reaches the caller as the same UserError", async () => {
  const jobs = bootJobs(["no-such-policy"], seedScenario(8), defaultParams(), 1, 32);
  const one = await runBoots(jobs, { threads: 1 }).then(() => null, (e: unknown) => e);
  const two = await runBoots(jobs, { threads: 2 }).then(() => null, (e: unknown) => e);
  assert.ok(one instanceof UserError);
  assert.ok(two instanceof UserError, String(two));
  assert.equal((two as UserError).message, (one as UserError).message);
  assert.equal((two as UserError).exitCode, (one as UserError).exitCode);
});

test("sweep errors do not depend on the thread count: --policy all,base is one line on 1 or 2 threads", (t) => {
  const dir = tmpDir(t);
  const out = path.join(dir, "s.csv");
  for (const threads of ["1", "2"]) {
    const r = cli("sweep", "--policy", "all,base", "--cpus", "8,16", "--boots", "8", "--threads", threads, "--out", out);
    rejected(r, "invalid policy: all (allowed base|revert|merge|no-wait-going|idempotent)");
  }
  assert.ok(!fs.existsSync(out));
});

test("a positional argument a command does not take is rejected, naming it", (t) => {
  rejected(cli("simulate", "--policy", "base", "--", "--cpus", "8"), "invalid argument: --cpus (allowed none: this command takes only --options)");
  rejected(cli("simulate", "--cpus", "8", "--boots", "1", "extra"), "invalid argument: extra (allowed none: this command takes only --options)");
  const out = path.join(tmpDir(t), "s.csv");
  rejected(cli("sweep", "--cpus", "8", "--boots", "1", "--out", out, "stray"), "invalid argument: stray (allowed none: this command takes only --options)");
  rejected(cli("calibrate", "stray"), "invalid argument: stray (allowed none: this command takes only --options)");
  rejected(cli("bench", "stray"), "invalid argument: stray (allowed none: this command takes only --options)");
  rejected(cli("figures", "stray"), "invalid argument: stray (allowed none: this command takes only --options)");
  assert.ok(!fs.existsSync(out));
});

test("a repeated item in a list flag is rejected: sweep --init-result fail,fail", (t) => {
  const out = path.join(tmpDir(t), "s.csv");
  rejected(
    cli("sweep", "--init-result", "fail,fail", "--cpus", "8", "--boots", "1", "--out", out),
    "invalid init-result: fail,fail (allowed a comma-separated list of fail|success without repeats)",
  );
  rejected(cli("sweep", "--policy", "base,base", "--cpus", "8", "--boots", "1", "--out", out), /^modburst: invalid policy: base,base \(allowed .*without repeats/);
  rejected(cli("sweep", "--init-latency-ms", "1,1.0", "--cpus", "8", "--boots", "1", "--out", out), /^modburst: invalid init-latency-ms: 1,1.0 \(allowed .*no repeats\)/);
  assert.ok(!fs.existsSync(out));
});

test("a flag given twice is rejected, not the last one silently kept", (t) => {
  rejected(cli("simulate", "--cpus", "8", "--cpus", "16", "--boots", "1"), "invalid --cpus: given twice (allowed once)");
  rejected(cli("simulate", "--cpus", "8", "--boots", "1", "--json", "--json"), "invalid --json: given twice (allowed once)");
  const out = path.join(tmpDir(t), "s.csv");
  rejected(cli("sweep", "--cpus", "8", "--boots", "1", "--out", out, "--out=" + out), "invalid --out: given twice (allowed once)");
  assert.ok(!fs.existsSync(out));
});

test("reproduce --timeout-seconds 1.5 is rejected: nbclient's cell timeout is whole seconds", () => {
  rejected(cli("reproduce", "--timeout-seconds", "1.5"), "invalid timeout-seconds: 1.5 (allowed whole seconds 1..86400)");
});

test("a bad MODBURST_CELL_TIMEOUT is named as the environment variable, not the flag", () => {
  const r = runNode("bin/modburst.js", ["reproduce"], { env: { MODBURST_CELL_TIMEOUT: "abc" }, timeoutMs: 300_000 });
  rejected(r, "invalid MODBURST_CELL_TIMEOUT: abc (allowed 1..86400)");
  const r2 = runNode("bin/modburst.js", ["reproduce"], { env: { MODBURST_CELL_TIMEOUT: "2.5" }, timeoutMs: 300_000 });
  rejected(r2, "invalid MODBURST_CELL_TIMEOUT: 2.5 (allowed whole seconds 1..86400)");
});

test("a params, scenario or data file that is not a regular file or is too large is refused before reading it", (t) => {
  rejected(cli("simulate", "--params", "/dev/zero", "--cpus", "8", "--boots", "1"), "invalid params file: /dev/zero: not a regular file (allowed: a readable JSON file of at most 4194304 bytes)");
  rejected(cli("simulate", "--scenario", "/dev/zero", "--cpus", "8", "--boots", "1"), "invalid scenario file: /dev/zero: not a regular file (allowed: a readable JSON file of at most 4194304 bytes)");
  const big = path.join(tmpDir(t), "big.json");
  fs.writeFileSync(big, " ".repeat((4 << 20) + 1));
  rejected(cli("simulate", "--params", big, "--cpus", "8", "--boots", "1"), `invalid params file: ${big}: ${(4 << 20) + 1} bytes (allowed: a readable JSON file of at most 4194304 bytes)`);
});

test("readCsv refuses a device file in one line naming it", async () => {
  const { readCsv } = await import("../src/core/csv");
  assert.throws(() => readCsv("/dev/zero", ["a"]), (e: unknown) => e instanceof UserError && /^invalid data file: \/dev\/zero: not a regular file/.test(e.message));
});

/** The committed calibration record with one edit, written to a temp file. */
function brokenCalibration(t: { after(fn: () => void): void }, edit: (rec: any) => void): string {
  const rec = JSON.parse(fs.readFileSync(path.join(__dirname, "..", "data", "studies", "pavlu-2022-10-15", "calibration.json"), "utf8"));
  edit(rec);
  const file = path.join(tmpDir(t), "params.json");
  fs.writeFileSync(file, JSON.stringify(rec));
  return file;
}

test("a calibration record is checked whole: missing keys, broken sections and out-of-range values are one line naming the field", (t) => {
  const cases: Array<[(rec: any) => void, string]> = [
    [(r) => delete r.params.rcuGpExtraMs, "params.rcuGpExtraMs: missing (allowed 0..1000)"],
    [(r) => (r.outOfSample.params.readUs = -1), "outOfSample.params.readUs: -1 (allowed integer 0..1000000)"],
    [(r) => (r.free = [{ name: "x" }]), "free[0].lo: missing (allowed a finite number)"],
    [(r) => (r.fit = 3), "fit: 3 (allowed an object of cells, objective, maxAbsErrorPct, evaluations, iterations, converged, stopReason)"],
    [(r) => (r.fit.converged = "yes"), 'fit.converged: "yes" (allowed true|false)'],
    [(r) => (r.design.seed = 1.5), "design.seed: 1.5 (allowed integer 0..4294967295)"],
    [(r) => (r.unseen.seed = "1"), 'unseen.seed: "1" (allowed integer 0..4294967295)'],
    [(r) => (r.bootstrap.refits[3].params.jitterSigma = 5), "bootstrap.refits[3].params.jitterSigma: 5 (allowed 0..2)"],
    [(r) => (r.verdict.widenFactor = 0.5), "verdict.widenFactor: 0.5 (allowed number >= 1)"],
    [(r) => (r.verdict.atBounds = [{ name: "bgDecayS", value: 60, lo: 0.2, hi: 60, bound: "top", positionPct: 100 }]), 'verdict.atBounds[0].bound: "top" (allowed lower|upper)'],
    [(r) => (r.optimiser.budgetSeconds = -1), "optimiser.budgetSeconds: -1 (allowed number >= 0)"],
  ];
  for (const [edit, line] of cases) {
    const file = brokenCalibration(t, edit);
    rejected(cli("simulate", "--cpus", "8", "--boots", "1", "--params", file), `invalid ${file}: ${line}`);
  }
});

test("readCalibration names the missing key of the default record's shape", async (t) => {
  const { readCalibration } = await import("../src/3-experiments/calibrate/calibration");
  const file = brokenCalibration(t, (r) => delete r.params.rcuGpExtraMs);
  assert.throws(() => readCalibration(file), (e: unknown) => e instanceof UserError && e.message === `invalid ${file}: params.rcuGpExtraMs: missing (allowed 0..1000)`);
  assert.equal(readCalibration().params.rcuGpExtraMs > 0, true);
});

test("simulate --params with plain parameter values (flat or under params, partial) still works", (t) => {
  const dir = tmpDir(t);
  for (const [name, doc] of [["flat.json", { readUs: 500 }], ["nested.json", { params: { readUs: 500 } }]] as const) {
    const file = path.join(dir, name);
    fs.writeFileSync(file, JSON.stringify(doc));
    const r = cli("simulate", "--policy", "base", "--cpus", "8", "--boots", "1", "--json", "--params", file);
    assert.equal(r.status, 0, r.stderr);
    assert.equal(JSON.parse(r.stdout).params, file);
  }
  const r = cli("simulate", "--policy", "base", "--cpus", "8", "--boots", "1", "--json");
  assert.equal(r.status, 0, r.stderr);
  assert.equal(JSON.parse(r.stdout).params, "data/studies/pavlu-2022-10-15/calibration.json");
});

test("a flag given twice is named once its values are checked: a bad value is still named first", () => {
  rejected(cli("simulate", "--boots", "1", "--boots", "0", "--cpus", "8"), "invalid boots: 0 (allowed integer 1..100000)");
  rejected(cli("calibrate", "--seed", "1", "--seed", "2"), "invalid --seed: given twice (allowed once)");
  rejected(cli("reproduce", "--timeout-seconds", "5", "--timeout-seconds", "6"), "invalid --timeout-seconds: given twice (allowed once)");
});

test("calibrate and reproduce check where they write before any work: one line naming the path, exit 1", (t) => {
  const dir = tmpDir(t);
  const file = path.join(dir, "a-file");
  fs.writeFileSync(file, "");
  const failed = (r: { status: number | null; stdout: string; stderr: string }, line: string) => {
    assert.equal(r.status, 1, r.stderr);
    assert.equal(r.stdout, "", "nothing ran");
    assert.equal(r.stderr, `modburst: ${line}\n`);
  };
  failed(cli("calibrate", "--out", dir), `cannot write ${dir}: EISDIR (is a directory)`);
  failed(cli("calibrate", "--out", path.join(file, "params.json")), `cannot write ${path.join(file, "params.json")}: ENOTDIR (${file} is a file, not a folder)`);
  const reproduce = (env: NodeJS.ProcessEnv) => runNode("bin/modburst.js", ["reproduce", "00"], { env, timeoutMs: 300_000 });
  failed(reproduce({ MODBURST_FIGURES_DIR: path.join(file, "figures") }), `cannot write ${path.join(file, "figures")}: ENOTDIR (${file} is a file, not a folder)`);
  failed(reproduce({ MODBURST_DERIVED_DIR: path.join(file, "derived") }), `cannot write ${path.join(file, "derived", "sensitivity.csv")}: ENOTDIR (${file} is a file, not a folder)`);
  failed(reproduce({ MODBURST_CACHE_DIR: path.join(file, "cache") }), `cannot write the results cache ${path.join(file, "cache")}: ENOTDIR (${file} is a file, not a folder; set MODBURST_CACHE_DIR to a writable folder)`);
});
