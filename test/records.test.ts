/**
 * The results cache: the same inputs reuse a record, any change to the inputs or
 * to the model's code computes a new one, and a change to one calibrated
 * parameter invalidates exactly the records computed under it.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { readCalibration } from "../src/3-experiments/calibrate/calibration";
import { seedCells } from "./helpers";
import { readExternalMeasurements } from "../src/2-measurements/external";
import { cacheEnv, cachedRecord, canonicalJson, inputsHash, readCacheLog, recordJson, recordKey } from "../src/3-experiments/records/cache";
import { codeVersionOf, modelCodeVersion, recordCodeFolders } from "../src/core/codeVersion";
import { seedScenario } from "../src/1-model/scenarios";
import * as ex from "../src/3-experiments/records/experiments";
import { projectRoot } from "../src/core/paths";
import { timelineFigure } from "../src/5-views/figures/distributions";
import { measuredVsSimulatedFigure } from "../src/5-views/figures/reproduce";
import { compareWithMeasured } from "../src/3-experiments/records/seedTable";
import { comparisonRows } from "../src/5-views/tables/reproduceRows";

/** Run `body` with a fresh cache folder and cache log, restoring the environment after. */
async function withCache<T>(body: (dir: string, log: string) => Promise<T>): Promise<T> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "modburst-cache-"));
  const saved = { ...process.env };
  process.env[cacheEnv.dir] = path.join(dir, "records");
  process.env[cacheEnv.log] = path.join(dir, "log.jsonl");
  delete process.env[cacheEnv.noCache];
  try {
    return await body(path.join(dir, "records"), path.join(dir, "log.jsonl"));
  } finally {
    for (const k of Object.values(cacheEnv)) {
      if (saved[k] === undefined) delete process.env[k];
      else process.env[k] = saved[k];
    }
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

test("keys ignore field order; records refuse what JSON would silently change", () => {
  assert.equal(canonicalJson({ b: 1, a: [2, { d: 3, c: 4 }] }), canonicalJson({ a: [2, { c: 4, d: 3 }], b: 1 }));
  assert.notEqual(canonicalJson({ a: 1 }), canonicalJson({ a: 1.0000001 }));
  assert.throws(() => recordJson({ spans: [1, NaN] }, "test"), /field 1 is NaN/);
  assert.throws(() => canonicalJson({ x: Infinity }), /only finite numbers/);
});

test("the same inputs reuse the record; other inputs, --no-cache, or a damaged entry compute it", async () => {
  await withCache(async (dir, log) => {
    let computed = 0;
    const compute = () => ({ value: ++computed, at: [0.1, 0.2] });
    const first = await cachedRecord("demo", { seed: 1 }, compute);
    const again = await cachedRecord("demo", { seed: 1 }, compute);
    assert.deepEqual(again, first);
    assert.equal(computed, 1, "second call is a cache hit");
    await cachedRecord("demo", { seed: 2 }, compute);
    assert.equal(computed, 2, "other inputs: another record");
    process.env[cacheEnv.noCache] = "1";
    await cachedRecord("demo", { seed: 1 }, compute);
    assert.equal(computed, 3, "no-cache recomputes");
    delete process.env[cacheEnv.noCache];
    for (const f of fs.readdirSync(dir)) fs.writeFileSync(path.join(dir, f), '{"truncated');
    await cachedRecord("demo", { seed: 1 }, compute);
    assert.equal(computed, 4, "a damaged entry is a miss, never a record");
    assert.deepEqual(
      readCacheLog(log).map((e) => e.computed),
      [true, false, true, true, true],
    );
    assert.equal(fs.readdirSync(dir).filter((f) => f.includes(".tmp-")).length, 0, "no temp files left");
  });
});

test("an entry stores its provenance; one whose provenance does not match its key is recomputed", async () => {
  await withCache(async (dir) => {
    let computed = 0;
    const compute = () => ({ value: ++computed });
    await cachedRecord("demo", { seed: 1 }, compute);
    const [name] = fs.readdirSync(dir);
    const file = path.join(dir, name);
    const entry = JSON.parse(fs.readFileSync(file, "utf8"));
    assert.deepEqual(
      { experiment: entry.experiment, inputs: entry.inputs, code: entry.code, key: entry.key },
      { experiment: "demo", inputs: inputsHash({ seed: 1 }), code: modelCodeVersion(), key: recordKey("demo", { seed: 1 }) },
    );
    const tampered: Array<[string, Record<string, unknown>]> = [
      ["another experiment", { experiment: "other" }],
      ["other inputs", { inputs: inputsHash({ seed: 2 }) }],
      ["other code", { code: "0123456789abcdef" }],
      ["no inputs hash (an older entry)", { inputs: undefined }],
      ["a key that is not its provenance's", { key: recordKey("demo", { seed: 2 }) }],
    ];
    for (const [what, change] of tampered) {
      fs.writeFileSync(file, JSON.stringify({ ...entry, ...change, record: { value: -1 } }) + "\n");
      const before = computed;
      const got = await cachedRecord("demo", { seed: 1 }, compute);
      assert.equal(computed, before + 1, `${what}: recomputed`);
      assert.deepEqual(got, { value: computed }, `${what}: never the stored record`);
      assert.deepEqual(JSON.parse(fs.readFileSync(file, "utf8")).inputs, entry.inputs, `${what}: entry rewritten`);
    }
    assert.deepEqual(await cachedRecord("demo", { seed: 1 }, compute), { value: computed }, "the rewritten entry is a hit");
  });
});

test("an unwritable cache folder is one line naming it and the variable to set", async () => {
  await withCache(async (dir) => {
    fs.mkdirSync(path.dirname(dir), { recursive: true });
    fs.writeFileSync(dir, "a file where the folder should be");
    await assert.rejects(cachedRecord("demo", { x: 1 }, () => 1), (e: Error) => /^cannot write the results cache .*records: (ENOTDIR|EEXIST) \(.*records is a file, not a folder; set MODBURST_CACHE_DIR to a writable folder\)$/.test(e.message));
  });
});

test("editing any model source changes the code version, so every record is recomputed", () => {
  const copy = fs.mkdtempSync(path.join(os.tmpdir(), "modburst-src-"));
  try {
    for (const f of recordCodeFolders) fs.cpSync(path.join(projectRoot, "src", f), path.join(copy, f), { recursive: true });
    const before = codeVersionOf(copy);
    assert.equal(codeVersionOf(path.join(projectRoot, "src")), before, "a copy hashes like the original");
    for (const file of ["1-model/params.ts", "1-model/sim/engine.ts", "core/random.ts", "core/stats/mean.ts"]) {
      fs.appendFileSync(path.join(copy, file), "\n// an edit\n");
      assert.notEqual(codeVersionOf(copy), before, `editing ${file}`);
    }
  } finally {
    fs.rmSync(copy, { recursive: true, force: true });
  }
});

test("changing one calibrated parameter invalidates exactly the records computed under it", () => {
  const cal = readCalibration();
  const cells = seedCells();
  const measurements = readExternalMeasurements();
  const keys = (c: typeof cal) => ({
    "seed-table": ex.seedTableBoots.key(c, seedScenario()),
    "held-out": ex.heldOutPrediction.key(c, cells, seedScenario()),
    distributions: ex.distributions.key(c.params, seedScenario()),
    timeline: ex.timelineBoot.key(c.params, seedScenario(), "base"),
    sweep: ex.sweep.key("sensitivity-ratio", c.params, seedScenario()),
    "predictions-cpus": ex.cpuPredictions.key(c, seedScenario()),
    "predictions-latency": ex.latencyPredictions.key(c, seedScenario(), "acpi_cpufreq"),
    external: ex.externalComparisons.key(c, measurements),
    breakdown: ex.baseBreakdowns.key(c.params, seedScenario(), "acpi_cpufreq"),
    "variant-predictions": ex.variantPredictions.key(c, seedScenario()),
  });
  const changed = (c: typeof cal) => {
    const a = keys(cal);
    const b = keys(c);
    return Object.keys(a).filter((k) => a[k as keyof typeof a] !== b[k as keyof typeof b]);
  };
  const clone = () => JSON.parse(JSON.stringify(cal)) as typeof cal;

  assert.deepEqual(changed(clone()), [], "same record, same keys");
  const fitted = clone();
  fitted.params.rcuGpExtraMs *= 1.01;
  assert.deepEqual(changed(fitted), ["seed-table", "distributions", "timeline", "sweep", "predictions-cpus", "predictions-latency", "external", "breakdown", "variant-predictions"]);
  const outOfSample = clone();
  outOfSample.outOfSample.params.herdRecheckUs += 1;
  assert.deepEqual(changed(outOfSample), ["held-out"]);
  const refit = clone();
  refit.bootstrap.refits[0].params.bgDecayS *= 1.01;
  assert.deepEqual(changed(refit), ["predictions-cpus", "predictions-latency", "external"]);
  // A variant's fitted parameters are the variant record's own: attached, they change only what reads the variants.
  const withVariant = clone();
  withVariant.variants = [
    { name: "reference", summary: "r", record: clone() },
    { name: "two-fqs", summary: "two FQS waits", record: { ...clone(), params: { ...cal.params, fqsRounds: 2 } } },
  ];
  assert.ok(changed(withVariant).includes("variant-predictions"));
});

test("a real record: computed once, reused, and recomputed when a parameter it uses changes", async () => {
  await withCache(async (_dir, log) => {
    const cal = readCalibration();
    const a = await ex.timelineBoot(cal.params, seedScenario(), "merge");
    const b = await ex.timelineBoot(cal.params, seedScenario(), "merge");
    assert.deepEqual(b, a);
    const c = await ex.timelineBoot({ ...cal.params, herdRecheckUs: cal.params.herdRecheckUs + 5 }, seedScenario(), "merge");
    assert.ok(c.requests && c.requests.length > 0, "the logged boot keeps its requests");
    assert.deepEqual(
      readCacheLog(log).map((e) => e.computed),
      [true, false, true],
    );
  });
});

test("cold, warm and uncached records give byte-identical figures and tables", async () => {
  const cal = readCalibration();
  const cells = seedCells();
  const outputs = async () => {
    const boot = await ex.timelineBoot(cal.params, seedScenario(), "base");
    const table = compareWithMeasured(cells, await ex.seedTableBoots(cal, seedScenario()));
    return JSON.stringify([timelineFigure(boot, "t"), measuredVsSimulatedFigure(table), comparisonRows(table)]);
  };
  await withCache(async (_dir, log) => {
    const cold = await outputs();
    const warm = await outputs();
    process.env[cacheEnv.noCache] = "1";
    const uncached = await outputs();
    assert.equal(warm, cold);
    assert.equal(uncached, cold);
    assert.deepEqual(
      readCacheLog(log).map((e) => `${e.experiment} ${e.computed ? "computed" : "reused"}`),
      ["timeline computed", "seed-table computed", "timeline reused", "seed-table reused", "timeline computed", "seed-table computed"],
    );
  });
});
