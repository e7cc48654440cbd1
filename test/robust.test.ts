/**
 * Issue 21's remaining crashes and unclear messages, each through the real CLI:
 * a million-line synthetic log in bounded memory, a hand-edited cache entry, a
 * read-only cache, a studies folder that is a file, a wrong JSON as --params,
 * a Chromium that will not start or dies mid-render, and a calibration too big
 * to start. Each gives one line, the right exit code, and leaves nothing written.
 */
import assert from "node:assert/strict";
import { spawn, spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { test } from "node:test";
import { root, runNode, studyFixtureCopy, tmpDir } from "./helpers";
import { UserError } from "../src/core/errors";
import { closeRenderer, renderFigure } from "../src/5-views/figures/render";
import type { Figure } from "../src/5-views/figures/spec";
import { defaultSettings, readCalibration } from "../src/3-experiments/calibrate/calibration";
import { calibrationRuns } from "../src/3-experiments/calibrate/estimate";

const scenarioJson = () => JSON.parse(fs.readFileSync(path.join(root, "data/studies/pavlu-2022-10-15/scenario.json"), "utf8"));

/** One line on stderr, `modburst: ...`, nothing else (but the progress lines of records computed before). */
function oneLine(r: { status: number | null; stderr: string }, status: number, pattern: RegExp): void {
  assert.equal(r.status, status, r.stderr);
  const lines = r.stderr.trim().split("\n").filter((l) => !/^boots of a missing record: /.test(l));
  assert.equal(lines.length, 1, `one line: ${r.stderr}`);
  assert.match(lines[0], pattern);
  assert.doesNotMatch(r.stderr, /\n\s+at /, "no stack trace");
}

test("synthesize-logs at 16384 CPUs: a million log lines, streamed a boot at a time in a 160 MB heap", (t) => {
  const dir = tmpDir(t);
  const scenario = path.join(dir, "big.json");
  const s = scenarioJson();
  s.name = "seed-16384";
  s.machine.cpus = 16384;
  fs.writeFileSync(scenario, JSON.stringify(s));
  const out = path.join(dir, "big.log");
  // Held whole, 1M attempts and their lines need several times this heap; a boot at a time needs one boot's.
  const r = runNode("bin/modburst.js", ["synthesize-logs", "--scenario", scenario, "--policy", "idempotent", "--boots", "21", "--seed", "1", "--out", out], {
    env: { NODE_OPTIONS: "--max-old-space-size=160" },
    timeoutMs: 600_000,
  });
  assert.equal(r.status, 0, r.stderr);
  const text = fs.readFileSync(out, "utf8");
  const lines = text.split("\n");
  assert.equal(lines.pop(), "", "ends with a newline");
  assert.ok(lines.length >= 1_000_000, `${lines.length} lines`);
  assert.match(lines[0], /^-- SYNTHETIC udev log written by modburst synthesize-logs/);
  assert.equal(lines.filter((l) => l.startsWith("-- Boot ")).length, 21);
  // base at 16384 CPUs: udevd kills workers at its event timeout; their requests log nothing (was: "request never ended").
  const base = runNode("bin/modburst.js", ["synthesize-logs", "--scenario", scenario, "--policy", "base", "--boots", "1", "--seed", "1", "--out", path.join(dir, "base.log")], { timeoutMs: 600_000 });
  assert.equal(base.status, 0, base.stderr);
});

test("a hand-edited cache entry is a miss: recomputed, the output is the true number, the entry rewritten", (t) => {
  const dir = tmpDir(t);
  const env = { MODBURST_CACHE_DIR: path.join(dir, "records"), MODBURST_CACHE_LOG: path.join(dir, "log.jsonl") };
  const predict = () => runNode("bin/modburst.js", ["predict", "--policy", "base", "--cpus", "32", "--json"], { env });
  const first = predict();
  assert.equal(first.status, 0, first.stderr);
  const [entry] = fs.readdirSync(env.MODBURST_CACHE_DIR).filter((f) => f.startsWith("predict-"));
  const file = path.join(env.MODBURST_CACHE_DIR, entry);
  const original = fs.readFileSync(file, "utf8");
  // One digit of the record changed, the file still valid JSON with the right provenance.
  const edited = original.replace(/"centralSeconds":(\d)/, (_, d: string) => `"centralSeconds":${(Number(d) + 1) % 10}`);
  assert.notEqual(edited, original);
  fs.writeFileSync(file, edited);
  const second = predict();
  assert.equal(second.status, 0, second.stderr);
  assert.equal(second.stdout, first.stdout, "the edited number is never shown");
  assert.equal(fs.readFileSync(file, "utf8"), original, "the entry is rewritten");
  const third = predict();
  assert.equal(third.stdout, first.stdout);
  const log = fs.readFileSync(env.MODBURST_CACHE_LOG, "utf8").trim().split("\n").map((l) => JSON.parse(l) as { computed: boolean });
  assert.deepEqual(log.map((e) => e.computed), [true, true, false], "computed, recomputed after the edit, then reused");
});

/**
 * Run the CLI with `dir` read-only: as a non-root user a folder without write
 * permission; as root (who may write anyway) a read-only tmpfs mounted over it in
 * a private mount namespace. Null when neither can be had here.
 */
function readOnlyRunner(dir: string): ((args: string[], env: Record<string, string>) => { status: number | null; stdout: string; stderr: string }) | null {
  fs.mkdirSync(dir, { recursive: true });
  if (process.getuid?.() !== 0) {
    fs.chmodSync(dir, 0o555);
    return (args, env) => runNode("bin/modburst.js", args, { env });
  }
  if (spawnSync("unshare", ["-m", "true"]).status !== 0) return null;
  return (args, env) => {
    const script = `mount -t tmpfs -o ro none "$1" && shift && exec "$@"`;
    const r = spawnSync("unshare", ["-m", "sh", "-c", script, "sh", dir, process.execPath, path.join(root, "bin/modburst.js"), ...args], {
      cwd: root,
      encoding: "utf8",
      env: { ...process.env, ...env },
      timeout: 300_000,
    });
    return { status: r.status, stdout: r.stdout, stderr: r.stderr };
  };
}

test("a read-only cache is one line naming it and its cause, before any record is computed", (t) => {
  const dir = tmpDir(t);
  const cache = path.join(dir, "ro");
  const run = readOnlyRunner(cache);
  if (run === null) {
    t.skip("no read-only folder here (root without unshare -m)");
    return;
  }
  // Writable again, so the folder can be removed (after the mount namespace it was read-only in is gone).
  t.after(() => fs.existsSync(cache) && fs.chmodSync(cache, 0o755));
  const log = path.join(dir, "log.jsonl");
  for (const [args, cacheDir] of [
    [["figures", "--out", path.join(dir, "pack")], cache],
    [["figures", "--out", path.join(dir, "pack")], path.join(cache, "records")],
  ] as const) {
    const r = run([...args], { MODBURST_CACHE_DIR: cacheDir, MODBURST_CACHE_LOG: log });
    oneLine(r, 1, new RegExp(`^modburst: cannot write the results cache ${cacheDir.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}: (EROFS \\(read-only file system|EACCES \\(permission denied); set MODBURST_CACHE_DIR to a writable folder\\)$`));
    assert.doesNotMatch(r.stdout, /boots of a missing record/, "nothing computed");
    assert.ok(!fs.existsSync(log) || fs.readFileSync(log, "utf8") === "", "no record asked for");
    assert.ok(!fs.existsSync(path.join(dir, "pack")));
  }
});

test("MODBURST_STUDIES_DIR naming a file: one line, not ENOTDIR's stack", (t) => {
  const dir = tmpDir(t);
  const file = path.join(dir, "passwd");
  fs.writeFileSync(file, "root:x:0:0::/root:/bin/sh\n");
  for (const args of [["calibrate", "--study", "ok"], ["reproduce", "--study", "ok"], ["figures", "--study", "ok"]]) {
    const r = runNode("bin/modburst.js", args, { env: { MODBURST_STUDIES_DIR: file } });
    oneLine(r, 2, /^modburst: invalid MODBURST_STUDIES_DIR: .*passwd is not a folder \(allowed: a folder of study folders, each holding study\.json\)$/);
  }
});

test("a wrong JSON file as --params: one line naming the file", (t) => {
  const dir = tmpDir(t);
  const scenario = path.join(dir, "scenario-not-params.json");
  fs.writeFileSync(scenario, JSON.stringify(scenarioJson()));
  const other = path.join(dir, "other.json");
  fs.writeFileSync(other, JSON.stringify({ cpus: 8, boots: 3 }));
  const commands = [
    ["simulate", "--boots", "1"],
    ["sweep", "--out", path.join(dir, "o.csv")],
    ["synthesize-logs", "--scenario", "seed", "--policy", "base", "--boots", "1", "--seed", "1", "--out", path.join(dir, "o.log")],
  ];
  for (const c of commands) {
    oneLine(runNode("bin/modburst.js", [...c, "--params", scenario]), 2, /^modburst: invalid params file: .*scenario-not-params\.json: a scenario file, not parameter values \(allowed: .*--scenario\)$/);
    oneLine(runNode("bin/modburst.js", [...c, "--params", other]), 2, /^modburst: invalid .*other\.json: params\.cpus: unknown key \(allowed triggerGapUs, /);
  }
  assert.deepEqual(fs.readdirSync(dir).sort(), ["other.json", "scenario-not-params.json"], "nothing written");
});

/** The tiny fixture study, calibrated (a few seconds), with its own cache. */
function calibratedTiny(t: { after(fn: () => void): void }): { study: string; env: Record<string, string>; calibrate: ReturnType<typeof runNode> } {
  const study = studyFixtureCopy(t);
  const env = { MODBURST_CACHE_DIR: path.join(path.dirname(study), "cache") };
  const calibrate = runNode("bin/modburst.js", ["calibrate", "--study", study], { env });
  assert.equal(calibrate.status, 0, calibrate.stderr + calibrate.stdout);
  return { study, env, calibrate };
}

test("calibrate prints its estimate and progress lines; a calibrate.json of 1e6 boots and 1000 refits is refused up front, also by reproduce", (t) => {
  const { calibrate } = calibratedTiny(t);
  assert.match(calibrate.stderr, /^calibrate: study tiny: at most \d+ model runs of \d+ boots, 4 refits, on \d+ threads?; estimate \d+ (s|min), \d+ MB memory$/m);
  assert.match(calibrate.stderr, /^calibrate: \d+ of at most \d+ boots \(\d+%\), \d+ s$/m, "progress lines");

  const huge = studyFixtureCopy(t);
  fs.writeFileSync(path.join(huge, "calibrate.json"), JSON.stringify({ boots: { base: 1e6, merge: 1e6 }, checkBoots: { base: 1e6, merge: 1e6 }, refits: 1000 }));
  const refusal = /^modburst: calibrate: study tiny: at most \d+ model runs of 2000000 boots, 1000 refits, .*; estimate \d+ h, [\d.]+ GB memory: over the 6 h limit \(allowed: fewer boots, checkBoots, refits or maxIterations in .*calibrate\.json, or fewer --refits(, or --max-hours \d+ to run it|; no --max-hours allows it \(at most 10000\))\)$/;
  oneLine(runNode("bin/modburst.js", ["calibrate", "--study", huge]), 2, refusal);
  const reproduce = runNode("bin/modburst.js", ["reproduce", "--study", huge]);
  assert.equal(reproduce.status, 2, reproduce.stderr);
  assert.match(reproduce.stderr.trim(), refusal);
  assert.doesNotMatch(reproduce.stdout, /calibrating it first/, "refused before setup and calibration");
  assert.ok(!fs.existsSync(path.join(huge, "calibration.json")), "no calibration written");
  assert.ok(!fs.existsSync(path.join(huge, "notebooks")), "no notebook written");
});

test("a Chromium that will not start: one line quoting it and saying what to install or set, exit 3, no pack", (t) => {
  const { study, env } = calibratedTiny(t);
  const fake = path.join(path.dirname(study), "fake-chromium");
  fs.writeFileSync(fake, '#!/bin/sh\necho "fake-chromium: cannot open display" >&2\nexit 1\n', { mode: 0o755 });
  const r = runNode("bin/modburst.js", ["figures", "--study", study], { env: { ...env, MODBURST_CHROMIUM: fake } });
  oneLine(r, 3, /^modburst: Chromium \(.*fake-chromium\) did not start \(exit 1: "fake-chromium: cannot open display"\): install the Debian package \(apt-get install chromium\) or set MODBURST_CHROMIUM=\/path\/to\/chrome$/);
  assert.ok(!fs.existsSync(path.join(study, "figures")), "no pack");
});

test("a Chromium killed while the pack renders: one line saying what to do, exit 3, no pack", async (t) => {
  const { study, env } = calibratedTiny(t);
  const child = spawn(process.execPath, [path.join(root, "bin/modburst.js"), "figures", "--study", study], { cwd: root, env: { ...process.env, ...env }, detached: true, stdio: ["ignore", "pipe", "pipe"] });
  t.after(() => {
    try {
      process.kill(-child.pid!, "SIGKILL");
    } catch {
      // the group is gone
    }
  });
  let stdout = "";
  let stderr = "";
  child.stdout!.on("data", (d) => (stdout += d));
  child.stderr!.on("data", (d) => (stderr += d));
  const exit = new Promise<number | null>((res) => child.on("exit", (code) => res(code)));
  // Once the pack starts exporting, kill its browser: every Chromium process below the command.
  let killed = 0;
  while (killed === 0) {
    await new Promise((r) => setTimeout(r, 20));
    if (child.exitCode !== null) break;
    if (!/pack: exporting/.test(stdout)) continue;
    for (const pid of descendants(child.pid!)) {
      try {
        if (/chrom/.test(fs.readFileSync(`/proc/${pid}/cmdline`, "utf8"))) {
          process.kill(pid, "SIGKILL");
          killed++;
        }
      } catch {
        // gone meanwhile
      }
    }
  }
  const status = await exit;
  assert.ok(killed > 0, `a browser was killed (stdout: ${stdout})`);
  oneLine({ status, stderr }, 3, /^modburst: Chromium (\(.*\) )?(did not start .*|exited while rendering a figure .*run the command again; if it fails again, )install the Debian package \(apt-get install chromium\) or set MODBURST_CHROMIUM=\/path\/to\/chrome$/);
  assert.ok(!fs.existsSync(path.join(study, "figures")), "no pack");
});

/** Every process below `pid` (Playwright starts the browser in a process group of its own). */
function descendants(pid: number): number[] {
  const children = new Map<number, number[]>();
  for (const name of fs.readdirSync("/proc").filter((n) => /^\d+$/.test(n))) {
    try {
      const stat = fs.readFileSync(`/proc/${name}/stat`, "utf8");
      const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
      children.set(ppid, [...(children.get(ppid) ?? []), Number(name)]);
    } catch {
      // gone meanwhile
    }
  }
  const out: number[] = [];
  const walk = (p: number) => {
    for (const c of children.get(p) ?? []) {
      out.push(c);
      walk(c);
    }
  };
  walk(pid);
  return out;
}

test("the renderer's browser killed in the middle of a render: a one-line UserError (exit 3), and the next render starts a new browser", async (t) => {
  const dir = tmpDir(t);
  const saved = process.env.MODBURST_CACHE_DIR;
  process.env.MODBURST_CACHE_DIR = path.join(dir, "cache");
  t.after(async () => {
    if (saved === undefined) delete process.env.MODBURST_CACHE_DIR;
    else process.env.MODBURST_CACHE_DIR = saved;
    await closeRenderer();
  });
  const small: Figure = { data: [{ type: "bar", x: ["a"], y: [1] }], layout: { width: 300, height: 200 } };
  await renderFigure(small, "svg");
  // Seconds of work in the browser: 50k markers to a PNG.
  const xs = Array.from({ length: 50_000 }, (_, i) => i);
  const heavy: Figure = { data: [{ type: "scatter", mode: "markers", x: xs, y: xs.map((x) => Math.sin(x)) }], layout: { width: 400, height: 300 } };
  const rendering = renderFigure(heavy, "png");
  rendering.catch(() => undefined);
  await new Promise((r) => setTimeout(r, 300));
  const browsers = descendants(process.pid).filter((pid) => {
    try {
      return /chrom/.test(fs.readFileSync(`/proc/${pid}/cmdline`, "utf8"));
    } catch {
      return false;
    }
  });
  assert.ok(browsers.length > 0, "this process's browser");
  for (const pid of browsers) {
    try {
      process.kill(pid, "SIGKILL");
    } catch {
      // gone with its parent
    }
  }
  await assert.rejects(rendering, (e: Error) => {
    assert.ok(e instanceof UserError, String(e));
    assert.equal((e as UserError).exitCode, 3);
    assert.equal(e.message.split("\n").length, 1, e.message);
    assert.match(e.message, /^Chromium exited while rendering a figure \((killed by SIGKILL|killed or crashed)\): run the command again; if it fails again, install the Debian package \(apt-get install chromium\) or set MODBURST_CHROMIUM=\/path\/to\/chrome$/);
    return true;
  });
  // The dead session is dropped: the next render launches a new browser.
  const svg = await renderFigure({ ...small, layout: { ...small.layout, title: { text: "after" } } }, "svg");
  assert.match(svg, /<svg/);
});

test("calibrate's run count is an upper bound of every committed calibration's model runs", () => {
  const files = ["pavlu-2022-10-15/calibration.json", "pavlu-2022-10-15/full-bootstrap.json", "synthetic-edac-96/calibration.json"]
    .map((f) => path.join(root, "data/studies", f))
    .concat(fs.readdirSync(path.join(root, "data/studies/pavlu-2022-10-15/variants")).map((f) => path.join(root, "data/studies/pavlu-2022-10-15/variants", f)));
  for (const file of files) {
    const r = readCalibration(file);
    const full = /full refits/.test(r.bootstrap.method);
    const counted = calibrationRuns({ ...defaultSettings, free: r.free, maxIterations: r.optimiser.maxIterations, refits: r.design.refits, refitEvals: r.design.refitEvals, fullRefits: full });
    // The fit (with its polish), the out-of-sample fit, the refits, and the two runs on the check's boots.
    const made = r.fit.evaluations + r.outOfSample.evaluations + r.bootstrap.refits.reduce((n, x) => n + x.evaluations, 0);
    assert.ok(made <= counted.fit, `${path.relative(root, file)}: ${made} runs made, ${counted.fit} counted`);
    assert.equal(counted.check, 2);
  }
});
