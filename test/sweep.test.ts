import assert from "node:assert/strict";
import * as fs from "fs";
import * as path from "path";
import { test } from "node:test";
import { bands, fitPowerLaw, ratioGrid, scalingFits } from "../src/sweep/aggregate";
import { readSweepCsv } from "../src/sweep/csv";
import { parseNumberList, parseShard } from "../src/sweep/grid";
import { Random } from "../src/sim/random";
import { runNode, tmpDir } from "./helpers";


const grid = ["--policy", "base,merge,idempotent", "--cpus", "8,16,...,64", "--init-latency-ms", "0,50", "--boots", "2", "--seed", "5"];
const sweep = (...args: string[]) => runNode("bin/modburst.js", ["sweep", ...grid, ...args]);

test("sweep: 1 and 2 worker threads write byte-identical CSV", (t) => {
  const dir = tmpDir(t);
  const a = sweep("--threads", "1", "--out", path.join(dir, "one.csv"));
  const b = sweep("--threads", "2", "--out", path.join(dir, "two.csv"));
  assert.equal(a.status, 0, a.stderr);
  assert.equal(b.status, 0, b.stderr);
  const one = fs.readFileSync(path.join(dir, "one.csv"), "utf8");
  assert.equal(fs.readFileSync(path.join(dir, "two.csv"), "utf8"), one);
  const rows = readSweepCsv(path.join(dir, "one.csv"));
  assert.equal(rows.length, 3 * 4 * 2 * 2 * 2, "policies x cpus x latencies x boots x modules");
  assert.match(b.stderr, /sweep: 48\/48 \(100%\)/);
});

test("sweep: three shards merged equal the unsharded run", (t) => {
  const dir = tmpDir(t);
  assert.equal(sweep("--out", path.join(dir, "all.csv")).status, 0);
  const shards = [1, 2, 3].map((k) => path.join(dir, `shard-${k}.csv`));
  shards.forEach((f, i) => assert.equal(sweep("--shard", `${i + 1}/3`, "--out", f).status, 0));
  assert.ok(shards.every((f) => fs.readFileSync(f, "utf8").split("\n").length < 70), "each shard holds a third");
  const m = runNode("bin/modburst.js", ["merge-results", shards[2], shards[0], shards[1], "--out", path.join(dir, "merged.csv")]);
  assert.equal(m.status, 0, m.stderr);
  assert.equal(fs.readFileSync(path.join(dir, "merged.csv"), "utf8"), fs.readFileSync(path.join(dir, "all.csv"), "utf8"));

  const missing = runNode("bin/modburst.js", ["merge-results", shards[0], shards[1], "--out", path.join(dir, "bad.csv")]);
  assert.equal(missing.status, 2);
  assert.match(missing.stderr, /^modburst: invalid merge-results: \d+ of 48 jobs missing \(first: job 2; allowed: all shards of the grid\)\n$/);
  assert.ok(!fs.existsSync(path.join(dir, "bad.csv")), "no output on error");
  const dup = runNode("bin/modburst.js", ["merge-results", shards[0], shards[0], shards[1], shards[2], "--out", path.join(dir, "bad.csv")]);
  assert.equal(dup.status, 0, "the same file twice is one shard");
  const other = path.join(dir, "other.csv");
  assert.equal(runNode("bin/modburst.js", ["sweep", "--policy", "base", "--cpus", "8", "--boots", "1", "--out", other]).status, 0);
  const mixed = runNode("bin/modburst.js", ["merge-results", shards[0], other, "--out", path.join(dir, "bad.csv")]);
  assert.equal(mixed.status, 2);
  assert.match(mixed.stderr, /jobs_total 1 \(allowed 48: every shard must come from the same grid\)/);
});

test("sweep: bad input is one line, exit 2, no file", (t) => {
  const dir = tmpDir(t);
  const out = path.join(dir, "x.csv");
  const cases: Array<[string[], RegExp]> = [
    [["--cpus", "0,8", "--out", out], /^modburst: invalid cpus: 0,8 \(allowed comma-separated integers in 1\.\.16384/],
    [["--cpus", "8,16,...", "--out", out], /^modburst: invalid cpus: 8,16,\.\.\. /],
    [["--shard", "3/2", "--out", out], /^modburst: invalid shard: 3\/2 \(allowed K\/N with 1 <= K <= N/],
    [["--init-latency-ms", "-5", "--out", out], /^modburst: invalid init-latency-ms: -5 /],
    [["--policy", "base,fifo", "--out", out], /^modburst: invalid policy: fifo /],
    [["--boots", "0", "--out", out], /^modburst: invalid boots: 0 \(allowed integer 1\.\.100000\)$/],
    [[], /^modburst: invalid out: missing/],
  ];
  for (const [args, pattern] of cases) {
    const r = runNode("bin/modburst.js", ["sweep", "--cpus", "8", "--boots", "1", ...args]);
    assert.equal(r.status, 2, `${args.join(" ")}: ${r.stderr}`);
    assert.equal(r.stderr.trim().split("\n").length, 1, r.stderr);
    assert.match(r.stderr.trim(), pattern);
    assert.ok(!fs.existsSync(out));
  }
});

test("number lists: geometric and arithmetic ranges, plain lists, errors", () => {
  assert.deepEqual(parseNumberList("cpus", "8,16,...,4096", 1, 16384, true), [8, 16, 32, 64, 128, 256, 512, 1024, 2048, 4096]);
  assert.deepEqual(parseNumberList("l", "0,250,...,1000", 0, 1e6, false), [0, 250, 500, 750, 1000]);
  assert.deepEqual(parseNumberList("l", "0,1,10,100,1000", 0, 1e6, false), [0, 1, 10, 100, 1000]);
  assert.throws(() => parseNumberList("cpus", "8,16,...,100", 1, 16384, true), /invalid cpus: 8,16,\.\.\.,100/);
  assert.throws(() => parseNumberList("cpus", "8,8", 1, 16384, true), /no repeats/);
  assert.deepEqual(parseShard("2/8"), { k: 2, n: 8 });
  assert.throws(() => parseShard("0/8"), /invalid shard: 0\/8/);
});

test("the scaling fit recovers a known exponent from noisy synthetic data", () => {
  const rng = new Random("powerlaw");
  const xs = [8, 16, 32, 64, 128, 256, 512, 1024, 2048, 4096];
  for (const k of [1, 1.7, 2.3]) {
    const ys = xs.map((x) => 0.02 * x ** k * Math.exp(0.05 * rng.normal()));
    const f = fitPowerLaw(xs, ys);
    assert.ok(Math.abs(f.exponent - k) < 0.03, `k ${k}: got ${f.exponent}`);
    assert.ok(Math.abs(Math.log(f.prefactor / 0.02)) < 0.2);
    assert.ok(f.r2 > 0.99);
  }
  const exact = fitPowerLaw([1, 2, 4], [3, 12, 48]);
  assert.ok(Math.abs(exact.exponent - 2) < 1e-12 && Math.abs(exact.prefactor - 3) < 1e-12);
  assert.throws(() => fitPowerLaw([1, 2], [0, 1]), /invalid power-law value #2: 0 \(allowed positive finite numbers\)/);
});

test("bands, per-policy fits and the ratio grid from sweep rows", () => {
  const rows = [8, 16, 32, 64].flatMap((cpus) =>
    ["base", "merge"].flatMap((policy) =>
      [1, 2, 3].map((boot) => ({
        job: 0, jobsTotal: 0, policy, cpus, initLatencyMs: 0, initResult: "fail", seed: 1, boot, module: "m",
        spanSeconds: (policy === "base" ? 0.01 * cpus ** 2 : 0.1 * cpus) * (1 + 0.01 * boot),
        attempts: cpus, fullLoads: cpus, herdWakeups: 0, peakVmallocBytes: 4096 * cpus,
      })),
    ),
  );
  const bs = bands(rows);
  assert.equal(bs.length, 8);
  assert.equal(bs[0].boots, 3);
  assert.ok(Math.abs(bs[0].medianSpanSeconds - 0.01 * 64 * 1.02) < 1e-12);
  const fits = scalingFits(bs, "m", 0, 8);
  assert.ok(Math.abs(fits.base.exponent - 2) < 1e-9 && Math.abs(fits.merge.exponent - 1) < 1e-9);
  const g = ratioGrid(bs, "base", "merge", "m");
  assert.deepEqual(g.cpus, [8, 16, 32, 64]);
  assert.ok(Math.abs((g.z[0][3] as number) - 6.4) < 1e-9);
});
