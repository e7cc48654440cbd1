import assert from "node:assert/strict";
import * as fs from "fs";
import * as path from "path";
import { test } from "node:test";
import { bands, fitPowerLaw, ratioGrid, scalingFits } from "../src/3-experiments/sweep/aggregate";
import { readSweepCsv } from "../src/3-experiments/sweep/readCsv";
import { parseNumberList, parseShard } from "../src/3-experiments/sweep/grid";
import { Random } from "../src/core/random";
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
  const { rows, provenance } = readSweepCsv(path.join(dir, "one.csv"));
  assert.deepEqual(provenance.shard, { k: 1, n: 1 });
  assert.equal(provenance.jobsTotal, 48);
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
  const other = path.join(dir, "other.csv");
  assert.equal(runNode("bin/modburst.js", ["sweep", "--policy", "base", "--cpus", "8", "--boots", "1", "--out", other]).status, 0);
  const mixed = runNode("bin/modburst.js", ["merge-results", shards[0], other, "--out", path.join(dir, "bad.csv")]);
  assert.equal(mixed.status, 2);
  assert.match(mixed.stderr, /^modburst: invalid .*other\.csv:2: grid differs from .*shard-1\.csv \(allowed: shards of one sweep/);
  assert.ok(!fs.existsSync(path.join(dir, "bad.csv")), "no output on error");
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

// Tiny grids from here on: 2 policies x 1 CPU count x 2 latencies x 2 boots = 8 jobs of 2 modules.
const tiny = ["--policy", "base,merge", "--cpus", "8", "--init-latency-ms", "0,50", "--boots", "2"];
/** The tiny grid, with any of its flags replaced by `args` (a flag may be given only once). */
const tinySweep = (...args: string[]) => {
  const flags = new Map<string, string>();
  for (let i = 0; i < tiny.length; i += 2) flags.set(tiny[i], tiny[i + 1]);
  const rest: string[] = [];
  for (let i = 0; i < args.length; i++) {
    if (flags.has(args[i]) && i + 1 < args.length) flags.set(args[i], args[++i]);
    else rest.push(args[i]);
  }
  return runNode("bin/modburst.js", ["sweep", ...[...flags].flat(), ...rest]);
};
const merge = (...args: string[]) => runNode("bin/modburst.js", ["merge-results", ...args]);

/** Exit `status`, one line on stderr matching `pattern`, no output file. */
function refused(r: { status: number | null; stderr: string }, status: number, pattern: RegExp, out: string) {
  assert.equal(r.status, status, r.stderr);
  assert.equal(r.stderr.split("\n").filter((l) => l !== "").length, 1, r.stderr);
  assert.match(r.stderr.trim(), pattern);
  assert.ok(!fs.existsSync(out), "nothing written on failure");
}

/** Two shards of the tiny grid (plus extra sweep arguments for shard 2). */
function tinyShards(dir: string, extra2: string[] = [], extra1: string[] = []): [string, string] {
  const s1 = path.join(dir, "s1.csv");
  const s2 = path.join(dir, "s2.csv");
  const a = tinySweep("--shard", "1/2", ...extra1, "--out", s1);
  const b = tinySweep("--shard", "2/2", ...extra2, "--out", s2);
  assert.equal(a.status, 0, a.stderr);
  assert.equal(b.status, 0, b.stderr);
  return [s1, s2];
}

test("sweep CSV: provenance lines, an end line, loadable by skipping # lines; merged equals unsharded", (t) => {
  const dir = tmpDir(t);
  const [s1, s2] = tinyShards(dir);
  const text = fs.readFileSync(s1, "utf8");
  const lines = text.split("\n");
  assert.equal(lines[0], "# modburst-sweep v2");
  assert.match(lines[1], /^# grid: \{"policies":\["base","merge"\],"cpus":\[8\],"initLatencyMs":\[0,50\],"initResults":\["fail"\],"boots":2,"seed":1,"scenario":\{"name":"seed","sha256":"[0-9a-f]{64}","modules":\["acpi_cpufreq","pcc_cpufreq"\]\}\}$/);
  assert.match(lines[2], /^# params: [0-9a-f]{64}$/);
  assert.match(lines[3], /^# code: [0-9a-f]{16}$/);
  assert.equal(lines[4], "# shard: 1/2");
  assert.equal(lines[5], "# jobs_total: 8");
  assert.equal(lines[6].split(",")[0], "job");
  assert.match(lines[lines.length - 2], /^# end: 8 rows, sha256 [0-9a-f]{64}$/);
  assert.equal(text.split("\n").filter((l) => l !== "" && !l.startsWith("#")).length, 1 + 8, "header and rows once # lines are skipped");
  const all = path.join(dir, "all.csv");
  assert.equal(tinySweep("--out", all).status, 0);
  const merged = path.join(dir, "merged.csv");
  const m = merge(s2, s1, "--out", merged);
  assert.equal(m.status, 0, m.stderr);
  assert.equal(fs.readFileSync(merged, "utf8"), fs.readFileSync(all, "utf8"));
});

test("merge-results: a duplicate shard (same file twice, by any path) is refused", (t) => {
  const dir = tmpDir(t);
  const [s1, s2] = tinyShards(dir);
  const out = path.join(dir, "m.csv");
  refused(merge(s1, s1, s2, "--out", out), 2, /^modburst: invalid .*s1\.csv:1: same file as .*s1\.csv \(allowed: each shard once\)$/, out);
  refused(merge(s1, path.join(dir, ".", "sub", "..", "s1.csv"), s2, "--out", out), 2, /same file as/, out);
  const copy = path.join(dir, "copy.csv");
  fs.copyFileSync(s1, copy);
  refused(merge(s1, copy, s2, "--out", out), 2, /^modburst: invalid .*copy\.csv:8: job 0 also in .*s1\.csv \(allowed: each job in one shard\)$/, out);
});

test("merge-results: shards of different grids (seed, policy, latency, params) are refused", (t) => {
  const dir = tmpDir(t);
  const out = path.join(dir, "m.csv");
  const p1 = path.join(dir, "p1.json");
  const p2 = path.join(dir, "p2.json");
  fs.writeFileSync(p1, "{}");
  fs.writeFileSync(p2, JSON.stringify({ triggerGapUs: 7000 }));
  const cases: Array<[string, string[], string[], RegExp]> = [
    ["seed", ["--seed", "6"], [], /s2\.csv:2: grid differs/],
    ["policy", ["--policy", "base,idempotent"], [], /s2\.csv:2: grid differs/],
    ["latency", ["--init-latency-ms", "0,60"], [], /s2\.csv:2: grid differs/],
    ["params", ["--params", p2], ["--params", p1], /s2\.csv:3: params differs from .*s1\.csv/],
  ];
  for (const [what, extra2, extra1, pattern] of cases) {
    const sub = fs.mkdtempSync(path.join(dir, `${what}-`));
    const [s1, s2] = tinyShards(sub, extra2, extra1);
    refused(merge(s1, s2, "--out", out), 2, pattern, out);
  }
});

/** A valid pair of shards, then shard 2 edited by `edit` (its text to new text). */
function editedShard(dir: string, edit: (text: string) => string): [string, string] {
  const [s1, s2] = tinyShards(dir);
  fs.writeFileSync(s2, edit(fs.readFileSync(s2, "utf8")));
  return [s1, s2];
}

test("merge-results: a truncated shard is refused (lost last line, cut mid-line)", (t) => {
  const dir = tmpDir(t);
  const out = path.join(dir, "m.csv");
  const [s1, s2] = editedShard(dir, (text) => text.split("\n").slice(0, -2).join("\n") + "\n");
  refused(merge(s1, s2, "--out", out), 2, /^modburst: invalid .*s2\.csv:15: truncated: no "# end: N rows" line after line 15 /, out);
  fs.writeFileSync(s2, fs.readFileSync(s2, "utf8").split("\n").slice(0, -2).join("\n") + "\n");
  refused(merge(s1, s2, "--out", out), 2, /s2\.csv:14: truncated/, out);
  fs.writeFileSync(s2, fs.readFileSync(s2, "utf8").slice(0, -10));
  refused(merge(s1, s2, "--out", out), 2, /s2\.csv:14: truncated: the last line does not end with a newline/, out);
});

test("merge-results: a job above jobs_total is refused", (t) => {
  const dir = tmpDir(t);
  const out = path.join(dir, "m.csv");
  const [s1, s2] = editedShard(dir, (text) => text.replace(/\n7,8,/g, "\n9,8,"));
  refused(merge(s1, s2, "--out", out), 2, /^modburst: invalid .*s2\.csv:14: job: 9 \(allowed 0\.\.7: below jobs_total\)$/, out);
});

test("merge-results: an unknown policy or a bad value is refused", (t) => {
  const dir = tmpDir(t);
  const out = path.join(dir, "m.csv");
  const [s1, s2] = editedShard(dir, (text) => text.replace(",merge,", ",fifo,"));
  refused(merge(s1, s2, "--out", out), 2, /^modburst: invalid .*s2\.csv:\d+: policy: fifo \(allowed base\|revert\|merge\|no-wait-going\|idempotent\)$/, out);
  fs.writeFileSync(s2, fs.readFileSync(s1, "utf8").replace(/(\n0,8,base,8,0,fail,1,1,acpi_cpufreq,[^,]+),(\d+),/, "$1,-$2,"));
  refused(merge(s2, "--out", out), 2, /s2\.csv:8: attempts: -\d+ \(allowed a non-negative integer\)$/, out);
  fs.writeFileSync(s2, fs.readFileSync(s1, "utf8").replace(/(\n0,8,base,8,0,fail,1,1,acpi_cpufreq,[^,]+),(\d+),/, "$1,$2.5,"));
  refused(merge(s2, "--out", out), 2, /s2\.csv:8: attempts: \d+\.5 \(allowed a non-negative integer\)$/, out);
  fs.writeFileSync(s2, fs.readFileSync(s1, "utf8").replace(/"policies":\["base"/, '"policies":["fifo"'));
  refused(merge(s2, "--out", out), 2, /^modburst: invalid .*s2\.csv:2: grid\.policies\[0\]: "fifo" \(allowed base\|revert\|merge\|no-wait-going\|idempotent\)$/, out);
});

test("merge-results: a file without provenance (an older sweep CSV) is refused", (t) => {
  const dir = tmpDir(t);
  const out = path.join(dir, "m.csv");
  const [s1, s2] = editedShard(dir, (text) => text.split("\n").filter((l) => !l.startsWith("#")).join("\n"));
  refused(merge(s1, s2, "--out", out), 2, /^modburst: invalid .*s2\.csv:1: no provenance \(allowed: a sweep CSV written by this modburst/, out);
});

test("sweep and merge-results: an unwritable --out fails before any work, one line, exit 1", (t) => {
  const dir = tmpDir(t);
  const [s1, s2] = tinyShards(dir);
  const file = path.join(dir, "file");
  fs.writeFileSync(file, "x");
  const cases: Array<[string, string, RegExp]> = [
    ["--out is a directory", dir, /^modburst: cannot write .*: EISDIR \(is a directory\)$/],
    ["--out under a file", path.join(file, "x.csv"), /^modburst: cannot write .*file\/x\.csv: ENOTDIR /],
  ];
  const ro = path.join(dir, "ro");
  fs.mkdirSync(ro);
  fs.chmodSync(ro, 0o555);
  // Root writes into a 0555 folder anyway, so the read-only case only runs as another user.
  if (process.getuid?.() !== 0) cases.push(["--out in a read-only dir", path.join(ro, "x.csv"), /^modburst: cannot write .*ro\/x\.csv: EACCES \(permission denied\)$/]);
  for (const [what, out, pattern] of cases) {
    const s = tinySweep("--out", out);
    assert.doesNotMatch(s.stderr, /sweep: \d+ boots/, `${what}: checked before the sweep`);
    refused({ status: s.status, stderr: s.stderr }, 1, pattern, path.join(dir, "none"));
    refused(merge(s1, s2, "--out", out), 1, pattern, path.join(dir, "none"));
  }
  assert.deepEqual(fs.readdirSync(ro), [], "nothing written, no temp files left");
  assert.deepEqual(fs.readdirSync(dir).sort(), ["file", "ro", "s1.csv", "s2.csv"]);
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
