/**
 * The figure pack is complete or absent: it is built in a hidden temp folder and
 * swapped in whole, a failed or killed run leaves the previous pack as it was
 * (and the next run clears the killed run's temp folder), and its manifest
 * names every file with its sha256. Derived sweep CSVs carry their provenance.
 */
import assert from "node:assert/strict";
import { spawn } from "child_process";
import { createHash } from "crypto";
import * as fs from "fs";
import * as path from "path";
import { test } from "node:test";
import { replaceDirAtomic } from "../src/core/atomicDir";
import { modelCodeVersion } from "../src/core/codeVersion";
import { readCalibration } from "../src/3-experiments/calibrate/calibration";
import { Figure } from "../src/5-views/figures/spec";
import { checkWritableDir } from "../src/core/fsutil";
import { paths } from "../src/core/paths";
import { cacheEnv } from "../src/3-experiments/records/cache";
import { seedScenario } from "../src/1-model/scenarios";
import { derivedSweep, derivedSweepFile, sweepGrids } from "../src/3-experiments/records/experiments";
import { manifestFile, PackManifest, PackSources } from "../src/7-pack/manifest";
import { writePack } from "../src/7-pack/packFiles";
import { readSweepCsv } from "../src/3-experiments/sweep/readCsv";
import { paramsHash } from "../src/3-experiments/sweep/provenance";
import { root, runNode, tmpDir } from "./helpers";

/** Every file of `dir` (a pack is flat), by name, with its content. */
function contents(dir: string): Record<string, string> {
  return Object.fromEntries(fs.readdirSync(dir).sort().map((n) => [n, fs.readFileSync(path.join(dir, n), "latin1")]));
}

/** A previous pack: a folder of files, and nothing else beside it. */
function previousPack(parent: string): { dir: string; before: Record<string, string> } {
  const dir = path.join(parent, "figures");
  fs.mkdirSync(dir);
  fs.writeFileSync(path.join(dir, "old.svg"), "<svg>old</svg>");
  fs.writeFileSync(path.join(dir, "commit-message.txt"), "old message\n");
  return { dir, before: contents(dir) };
}

const tempsBeside = (dir: string) => fs.readdirSync(path.dirname(dir)).filter((n) => n.startsWith(`.${path.basename(dir)}.tmp-`));

test("pack folder: a run killed (SIGKILL) mid-build leaves the previous pack untouched; the next run clears its temp folder and swaps in whole", async (t) => {
  const { dir, before } = previousPack(tmpDir(t));
  const script = `
    const fs = require("fs"), path = require("path");
    require(${JSON.stringify(path.join(root, "dist", "core", "atomicDir.js"))}).replaceDirAtomic(process.argv[1], async (tmp) => {
      fs.writeFileSync(path.join(tmp, "new.svg"), "<svg>half of a new pack</svg>");
      process.stdout.write("building\\n");
      await new Promise(() => setInterval(() => {}, 1000));
    });`;
  const child = spawn(process.execPath, ["-e", script, dir], { stdio: ["ignore", "pipe", "inherit"] });
  t.after(() => child.kill("SIGKILL"));
  await new Promise<void>((resolve, reject) => {
    child.stdout!.on("data", (d) => String(d).includes("building") && resolve());
    child.on("exit", (code) => reject(new Error(`child exited ${code} before building`)));
  });
  const exited = new Promise((resolve) => child.on("exit", (_code, signal) => resolve(signal)));
  child.kill("SIGKILL");
  assert.equal(await exited, "SIGKILL");

  assert.deepEqual(contents(dir), before, "the previous pack, byte for byte");
  assert.equal(tempsBeside(dir).length, 1, "the killed run's temp folder (hidden) is left");

  await replaceDirAtomic(dir, (tmp) => fs.writeFileSync(path.join(tmp, "new.svg"), "<svg>new</svg>"));
  assert.deepEqual(contents(dir), { "new.svg": "<svg>new</svg>" }, "exactly the new pack: no file of the old one");
  assert.deepEqual(tempsBeside(dir), [], "the stale temp folder and the old pack set aside are gone");
});

test("pack folder: a build that fails on I/O leaves the previous pack and no temp folder; the error is one line naming the file", async (t) => {
  const { dir, before } = previousPack(tmpDir(t));
  await assert.rejects(
    replaceDirAtomic(dir, (tmp) => {
      fs.writeFileSync(path.join(tmp, "a.svg"), "<svg/>");
      fs.mkdirSync(path.join(tmp, "b.png"));
      fs.writeFileSync(path.join(tmp, "b.png"), "png"); // a real EISDIR
    }),
    (e: Error) => e.name === "UserError" && e.message === `cannot write ${path.join(dir, "b.png")}: EISDIR (is a directory)`,
  );
  assert.deepEqual(contents(dir), before);
  assert.deepEqual(tempsBeside(dir), []);
  // A bug in the build is passed on as it is (with its stack), with the same cleanup.
  await assert.rejects(replaceDirAtomic(dir, () => Promise.reject(new TypeError("a bug"))), TypeError);
  assert.deepEqual(contents(dir), before);
  assert.deepEqual(tempsBeside(dir), []);
});

test("checkWritableDir: a missing folder under a writable parent passes; a file in the way or a parent that is a file is one line", (t) => {
  const parent = tmpDir(t);
  checkWritableDir(path.join(parent, "new", "figures"));
  const file = path.join(parent, "file");
  fs.writeFileSync(file, "x");
  assert.throws(() => checkWritableDir(file), { message: `cannot write ${file}: ENOTDIR (${file} is a file, not a folder)` });
  assert.throws(() => checkWritableDir(path.join(file, "figures")), { message: `cannot write ${path.join(file, "figures")}: ENOTDIR (${file} is a file, not a folder)` });
  assert.deepEqual(fs.readdirSync(parent), ["file"], "the probes leave nothing");
});

test("modburst figures: an --out under a file, or a folder holding other files, fails before any work, one line, previous content untouched", (t) => {
  const dir = tmpDir(t);
  const file = path.join(dir, "not-a-folder");
  fs.writeFileSync(file, "x");
  const unwritable = runNode("bin/modburst.js", ["figures", "--out", path.join(file, "figures")]);
  assert.equal(unwritable.status, 1);
  assert.equal(unwritable.stderr, `modburst: cannot write ${path.join(file, "figures")}: ENOTDIR (${file} is a file, not a folder)\n`);
  assert.equal(unwritable.stdout, "", "no simulation, no export");
  // The pack folder is itself a file (README.md, relative as typed): that file is named, not its folder.
  const readme = runNode("bin/modburst.js", ["figures", "--out", "README.md"]);
  assert.equal(readme.status, 1);
  assert.equal(readme.stderr, "modburst: cannot write README.md: ENOTDIR (README.md is a file, not a folder)\n");

  // Replacing the folder as a whole must never delete what is not a pack (e.g. --out ~).
  const home = path.join(dir, "home");
  fs.mkdirSync(home);
  fs.writeFileSync(path.join(home, "notes.txt"), "mine");
  const foreign = runNode("bin/modburst.js", ["figures", "--out", home]);
  assert.equal(foreign.status, 2);
  assert.match(foreign.stderr, /^modburst: invalid figure pack folder: .*home \(allowed a new or empty folder, or one holding only a pack: .*; it holds notes\.txt\)\n$/);
  assert.deepEqual(contents(home), { "notes.txt": "mine" });
});

const figure = (title: string, y: number[]): Figure => ({
  data: [{ type: "scatter", mode: "lines", name: "a", x: [1, 2, 3], y }],
  layout: { title: { text: title }, width: 320, height: 240 },
});

test("writePack: the pack folder holds exactly the new pack; provenance.json lists every file with its sha256, same bytes on a re-run", async (t) => {
  const parent = tmpDir(t);
  const saved = process.env[cacheEnv.dir];
  process.env[cacheEnv.dir] = path.join(parent, "cache");
  t.after(() => (saved === undefined ? delete process.env[cacheEnv.dir] : (process.env[cacheEnv.dir] = saved)));
  const { dir } = previousPack(parent);
  const cal = readCalibration();
  const sources: PackSources = { modburst: "0.1.0", modelCode: modelCodeVersion(), params: paramsHash(cal.params), records: [{ experiment: "demo", key: "ab".repeat(32) }] };
  const figures = [
    { name: "one", figure: figure("One", [1, 2, 3]) },
    { name: "two", figure: figure("Two", [3, 1, 2]) },
  ];

  const pack = await writePack(dir, figures, "a message\n", sources);
  const names = ["commit-message.txt", "one.html", "one.png", "one.svg", "two.html", "two.png", "two.svg"];
  assert.deepEqual(fs.readdirSync(dir).sort(), [...names, manifestFile].sort(), "no file of the previous pack is left");
  assert.deepEqual(tempsBeside(dir), []);
  assert.deepEqual(pack.files.map((f) => f.file), ["one", "two"].flatMap((n) => ["svg", "png", "html"].map((x) => path.join(dir, `${n}.${x}`))));

  const text = fs.readFileSync(path.join(dir, manifestFile), "utf8");
  const m = JSON.parse(text) as PackManifest;
  assert.equal(m.modelCode, modelCodeVersion());
  assert.equal(m.params, paramsHash(cal.params));
  assert.deepEqual(m.records, sources.records);
  assert.deepEqual(m.files.map((f) => f.name), names);
  for (const f of m.files) {
    const data = fs.readFileSync(path.join(dir, f.name));
    assert.equal(f.sha256, createHash("sha256").update(data).digest("hex"), f.name);
    assert.equal(f.bytes, data.length, f.name);
  }
  assert.doesNotMatch(text, /\d{4}-\d\d-\d\dT/, "no timestamp");
  assert.ok(!text.includes(parent), "no absolute path");

  await writePack(dir, figures, "a message\n", sources);
  assert.equal(fs.readFileSync(path.join(dir, manifestFile), "utf8"), text, "re-running gives identical files");
});

test("derived sweep CSVs carry the sweep provenance: readSweepCsv accepts them, with this code version; warm and cold write the same bytes", async (t) => {
  const dir = tmpDir(t);
  const saved = { cache: process.env[cacheEnv.dir], derived: paths.derived };
  process.env[cacheEnv.dir] = path.join(dir, "cache");
  paths.derived = path.join(dir, "derived");
  t.after(() => {
    if (saved.cache === undefined) delete process.env[cacheEnv.dir];
    else process.env[cacheEnv.dir] = saved.cache;
    paths.derived = saved.derived;
  });
  const params = readCalibration().params;
  const name = "sensitivity-latency";
  const rows = await derivedSweep(name, params, seedScenario());
  const cold = fs.readFileSync(derivedSweepFile(name), "utf8");
  const s = readSweepCsv(derivedSweepFile(name));
  assert.equal(s.provenance.code, modelCodeVersion());
  assert.equal(s.provenance.params, paramsHash(params));
  assert.deepEqual(s.provenance.shard, { k: 1, n: 1 });
  assert.equal(s.provenance.grid.seed, sweepGrids[name].seed);
  assert.equal(s.provenance.grid.scenario.name, "seed");
  assert.deepEqual(s.rows, rows);
  fs.rmSync(derivedSweepFile(name));
  await derivedSweep(name, params, seedScenario());
  assert.equal(fs.readFileSync(derivedSweepFile(name), "utf8"), cold, "a warm run (from the cached record) writes the same bytes");
});
