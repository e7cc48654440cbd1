/**
 * Property-based tests (fast-check, fixed seed): the model's invariants over
 * random machines (1-512 CPUs), random cost parameters within their bounds,
 * random init latencies and results, under every policy.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import { BootResult, simulateBoot } from "../src/model/boot";
import { defaultParams, ParamName, paramNames, Params, paramSpecs } from "../src/model/params";
import { policyNames } from "../src/model/policies";
import { Scenario, withInit } from "../src/model/scenario";
import { seedScenario } from "../src/model/scenarios";
import { BootJob, runBoots } from "../src/parallel/pool";
import { Grid } from "../src/sweep/grid";
import { runSweep } from "../src/sweep/run";
import type { SweepRow } from "../src/sweep/csv";

/** Fixed, so a failure is reproducible; fast-check prints the counterexample and its path. */
const seed = 20_261_129;
const runs = Number(process.env.MODBURST_PROPERTY_RUNS ?? 20);

/**
 * One cost parameter within its bounds: its default, a bound, or any value in
 * between (most draws within 4x the default, where the model is used).
 * Background loads expected in all are bgWakeupsPerS x bgDecayS; both at their
 * maxima that is 3.6e8 loads, a boot that simulates for hours, so the pair is
 * drawn with the product at most 2000 (the default is 75).
 */
function paramArb(name: ParamName): fc.Arbitrary<number> {
  const s = paramSpecs[name] as { default: number; min: number; max: number; integer?: boolean };
  const within = (lo: number, hi: number) =>
    s.integer ? fc.integer({ min: Math.ceil(lo), max: Math.floor(hi) }) : fc.double({ min: lo, max: hi, noNaN: true, noDefaultInfinity: true });
  const near = Math.min(s.max, Math.max(s.min, 4 * s.default));
  return fc.oneof(
    { arbitrary: fc.constantFrom(s.default, s.min, s.max), weight: 1 },
    { arbitrary: within(s.min, s.max), weight: 1 },
    { arbitrary: within(s.min, near), weight: 4 },
  );
}

const maxBackgroundLoads = 2000;

const paramsArb: fc.Arbitrary<Params> = fc
  .record(Object.fromEntries(paramNames.map((n) => [n, paramArb(n)])) as Record<ParamName, fc.Arbitrary<number>>)
  .chain((p) => {
    const { min, max } = paramSpecs.bgDecayS;
    const cap = Math.min(max, maxBackgroundLoads / Math.max(p.bgWakeupsPerS, 1e-9));
    if (p.bgDecayS <= cap) return fc.constant(p as Params);
    return fc.double({ min, max: Math.max(min, cap), noNaN: true }).map((bgDecayS) => ({ ...p, bgDecayS }) as Params);
  });

interface Case {
  cpus: number;
  initLatencyMs: number;
  initResult: "fail" | "success";
  params: Params;
  boot: number;
}

const caseArb: fc.Arbitrary<Case> = fc.record({
  cpus: fc.integer({ min: 1, max: 512 }),
  initLatencyMs: fc.integer({ min: 0, max: 2000 }),
  initResult: fc.constantFrom<"fail" | "success">("fail", "success"),
  params: paramsArb,
  boot: fc.integer({ min: 1, max: 1000 }),
});

const scenarioOf = (c: Case): Scenario => withInit(seedScenario(c.cpus), { initLatencyMs: c.initLatencyMs, initResult: c.initResult });

/**
 * The first four properties draw the same cases (same seed, same arbitrary),
 * so each boot is simulated once and shared.
 */
const memo = new Map<string, BootResult>();
function boot(c: Case, policy: string): BootResult {
  const key = JSON.stringify([c, policy]);
  let r = memo.get(key);
  if (!r) {
    r = simulateBoot({ policy, scenario: scenarioOf(c), params: c.params, seed, boot: c.boot, log: true });
    memo.set(key, r);
  }
  return r;
}

const options = { seed, numRuns: runs, endOnFailure: false };

/** Load requests the coldplug asks for: every module of every device of every phase. */
function expectedRequests(s: Scenario): number {
  return s.phases.reduce((n, ph) => n + (ph.perCpu * s.cpus + ph.fixed) * s.deviceClasses[ph.deviceClass].length, 0);
}

test("property: every load request ends exactly once, with an outcome", () => {
  fc.assert(
    fc.property(caseArb, (c) => {
      for (const policy of policyNames) {
        const r = boot(c, policy);
        const reqs = r.requests!;
        assert.equal(reqs.length, expectedRequests(scenarioOf(c)), `${policy}: one request per load`);
        assert.equal(new Set(reqs.map((q) => q.id)).size, reqs.length, `${policy}: request ids unique`);
        for (const q of reqs) {
          assert.ok(q.outcome !== null && q.endUs >= 0, `${policy}: request ${q.id} never ended`);
          assert.equal(q.outcome === "skipped" || q.result !== null, true, `${policy}: request ${q.id} ended without a result`);
        }
        // Each request is counted in exactly one outcome of its module.
        for (const [name, m] of Object.entries(r.modules)) {
          assert.equal(m.attempts, reqs.filter((q) => q.module === name).length, `${policy}: ${name} attempts`);
          assert.equal(Object.values(m.outcomes).reduce((a, b) => a + b, 0), m.attempts, `${policy}: ${name} outcomes`);
          assert.equal(m.fullLoads, reqs.filter((q) => q.module === name && q.fullLoad).length, `${policy}: ${name} full loads`);
        }
      }
    }),
    options,
  );
});

test("property: spans are non-negative (modules, requests, segments)", () => {
  fc.assert(
    fc.property(caseArb, (c) => {
      for (const policy of policyNames) {
        const r = boot(c, policy);
        assert.ok(r.endSeconds >= 0, `${policy}: endSeconds ${r.endSeconds}`);
        for (const [name, m] of Object.entries(r.modules)) {
          assert.ok(m.spanSeconds >= 0, `${policy}: ${name} span ${m.spanSeconds}`);
          assert.ok(m.lastLogSeconds >= m.firstLogSeconds && m.firstLogSeconds >= 0, `${policy}: ${name} log times`);
        }
        for (const q of r.requests!) {
          assert.ok(q.endUs >= q.startUs && q.startUs >= 0, `${policy}: request ${q.id} ends before it starts`);
          let t = q.startUs;
          for (const s of q.segments) {
            assert.ok(s.endUs >= s.startUs && s.startUs >= t, `${policy}: request ${q.id} ${s.kind} segment ${s.startUs}..${s.endUs} after ${t}`);
            t = s.endUs;
          }
          assert.ok(t <= q.endUs, `${policy}: request ${q.id} segments end after the request`);
        }
      }
    }),
    options,
  );
});

/**
 * FINDING (left as a todo, the property unweakened): idempotent <= merge does
 * not hold boot by boot. merge's lookup of a running same-name load takes
 * module_mutex (mutexOpUs) and idempotent's takes no time, and every policy
 * draws its costs from one shared stream in event order; so the two policies'
 * timelines drift apart, and a duplicate that finds merge's leader still
 * running can find idempotent's already gone and become a new full load.
 * Counterexamples (seed 20261129, boot as given):
 *  - cpus 1, init 0 ms fail, boot 945, jitterSigma 1.2, dispatchUs 100000,
 *    layoutUs 26433, teardownUs 1500, mutexOpUs 63, formationUs 8, rest 0
 *    (rcuSigma 0.25, bgDecayS 0.01): acpi_cpufreq idempotent 2, merge 1, base 2;
 *  - without jitter (seed 7): cpus 3, init 0 ms fail, boot 88, jitterSigma 0,
 *    triggerGapUs 1000000, mutexOpUs 100000, bootPaceSigma 0.1, rest 0:
 *    acpi_cpufreq idempotent 5, merge 4, base 6.
 * merge <= base held in every case tried (several hundred).
 */
test("property: full loads per module: idempotent <= merge <= base (same scenario, seed and boot)", { todo: "idempotent <= merge fails boot by boot: see the finding above" }, () => {
  fc.assert(
    fc.property(caseArb, (c) => {
      const [idem, merge, base] = ["idempotent", "merge", "base"].map((p) => boot(c, p));
      for (const name of Object.keys(base.modules)) {
        const f = [idem, merge, base].map((r) => r.modules[name].fullLoads);
        assert.ok(f[0] <= f[1] && f[1] <= f[2], `${name}: idempotent ${f[0]}, merge ${f[1]}, base ${f[2]}`);
      }
    }),
    options,
  );
});

test("property: full loads per module: merge <= base (same scenario, seed and boot)", () => {
  // The half of the ordering that holds boot by boot (the other half is the todo above).
  fc.assert(
    fc.property(caseArb, (c) => {
      const [merge, base] = ["merge", "base"].map((p) => boot(c, p));
      for (const name of Object.keys(base.modules)) {
        assert.ok(merge.modules[name].fullLoads <= base.modules[name].fullLoads, `${name}: merge ${merge.modules[name].fullLoads}, base ${base.modules[name].fullLoads}`);
      }
    }),
    options,
  );
});

test("property: module_mutex never has two holders", () => {
  fc.assert(
    fc.property(caseArb, (c) => {
      for (const policy of policyNames) {
        const holds = boot(c, policy).mutexHolds!;
        assert.ok(holds.length > 0, `${policy}: no module_mutex holds logged`);
        const sorted = [...holds].sort((a, b) => a[0] - b[0] || a[1] - b[1]);
        for (const [s, e] of sorted) assert.ok(e >= s, `${policy}: hold ${s}..${e}`);
        for (let i = 1; i < sorted.length; i++) {
          assert.ok(sorted[i][0] >= sorted[i - 1][1], `${policy}: holds ${sorted[i - 1].join("..")} and ${sorted[i].join("..")} overlap`);
        }
      }
    }),
    options,
  );
});

/** Smaller machines for the properties that run many boots per case. */
const smallCaseArb: fc.Arbitrary<Case> = caseArb.map((c) => ({ ...c, cpus: 1 + (c.cpus % 48) }));

test("property: a boot's result does not depend on what ran before it in the process", () => {
  fc.assert(
    fc.property(smallCaseArb, fc.array(fc.tuple(smallCaseArb, fc.constantFrom(...policyNames)), { minLength: 1, maxLength: 3 }), fc.constantFrom(...policyNames), (x, others, policy) => {
      const run = (c: Case, p: string) => JSON.stringify(simulateBoot({ policy: p, scenario: scenarioOf(c), params: c.params, seed, boot: c.boot, log: true }));
      const first = run(x, policy);
      for (const [c, p] of others) run(c, p);
      assert.equal(run(x, policy), first);
    }),
    options,
  );
});

test("property: results do not depend on the thread count (runBoots, 1 vs 2 threads)", async () => {
  await fc.assert(
    fc.asyncProperty(fc.array(fc.tuple(smallCaseArb, fc.constantFrom(...policyNames)), { minLength: 16, maxLength: 20 }), async (cases) => {
      const jobs: BootJob[] = cases.map(([c, policy]) => ({ policy, scenario: scenarioOf(c), params: c.params, seed, boot: c.boot }));
      const one = await runBoots(jobs, { threads: 1 });
      const two = await runBoots(jobs, { threads: 2, batchSize: 3 });
      assert.equal(JSON.stringify(two), JSON.stringify(one));
    }),
    { ...options, numRuns: 3 },
  );
});

const gridArb: fc.Arbitrary<{ grid: Grid; params: Params; n: number }> = fc.record({
  grid: fc.record({
    policies: fc.subarray(policyNames, { minLength: 1, maxLength: 3 }),
    cpus: fc.uniqueArray(fc.integer({ min: 1, max: 24 }), { minLength: 1, maxLength: 2 }),
    initLatencyMs: fc.uniqueArray(fc.integer({ min: 0, max: 2000 }), { minLength: 1, maxLength: 2 }),
    initResults: fc.subarray(["fail", "success"] as Array<"fail" | "success">, { minLength: 1 }),
    boots: fc.integer({ min: 1, max: 2 }),
    seed: fc.integer({ min: 0, max: 1_000_000 }),
  }),
  params: paramsArb,
  n: fc.integer({ min: 1, max: 7 }),
});

const byJob = (rows: SweepRow[]) => [...rows].sort((a, b) => a.job - b.job || a.module.localeCompare(b.module));

test("property: the shards of any sharding, merged, are the whole sweep", async () => {
  await fc.assert(
    fc.asyncProperty(gridArb, async ({ grid, params, n }) => {
      const whole = await runSweep(grid, params, { threads: 1 });
      const shards: SweepRow[] = [];
      for (let k = 1; k <= n; k++) shards.push(...(await runSweep(grid, params, { threads: 1, shard: { k, n } })));
      assert.deepEqual(byJob(shards), byJob(whole));
      assert.equal(new Set(shards.map((r) => `${r.job}/${r.module}`)).size, shards.length, "no row in two shards");
    }),
    options,
  );
});

test("the parameter generator stays within each parameter's bounds", () => {
  fc.assert(
    fc.property(paramsArb, (p) => {
      for (const n of paramNames) {
        const s = paramSpecs[n] as { min: number; max: number; integer?: boolean };
        assert.ok(p[n] >= s.min && p[n] <= s.max && (!s.integer || Number.isInteger(p[n])), `${n} = ${p[n]}`);
      }
      assert.deepEqual(Object.keys(p).sort(), Object.keys(defaultParams()).sort());
    }),
    { seed, numRuns: 200 },
  );
});
