/**
 * Property-based tests (fast-check, fixed seed): the model's invariants over
 * random machines (1-512 CPUs), random cost parameters within their bounds,
 * random init latencies and results, under every policy.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import { BootResult, simulateBoot } from "../src/1-model/boot";
import { defaultParams, ParamName, paramNames, Params, paramSpecs } from "../src/1-model/params";
import { policyNames } from "../src/1-model/policies";
import { Scenario, withInit } from "../src/1-model/scenario";
import { seedScenario } from "../src/1-model/scenarios";
import { BootJob, runBoots } from "../src/3-experiments/parallel/pool";
import { Grid } from "../src/3-experiments/sweep/grid";
import { runSweep } from "../src/3-experiments/sweep/runSweep";
import type { SweepRow } from "../src/3-experiments/sweep/csv";

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
        // udevd's event timeout kills a worker mid-event: its modules not yet asked for never are (all of them when it dies in the rules).
        const expected = expectedRequests(scenarioOf(c));
        const perEvent = Math.max(...Object.values(scenarioOf(c).deviceClasses).map((m) => m.length));
        if (r.udevd.killedEvents === 0) assert.equal(reqs.length, expected, `${policy}: one request per load`);
        else assert.ok(reqs.length <= expected && reqs.length >= expected - r.udevd.killedEvents * perEvent, `${policy}: ${reqs.length} requests of ${expected}, ${r.udevd.killedEvents} events killed`);
        assert.equal(new Set(reqs.map((q) => q.id)).size, reqs.length, `${policy}: request ids unique`);
        for (const q of reqs) {
          assert.ok(q.outcome !== null && q.endUs >= 0, `${policy}: request ${q.id} never ended`);
          assert.equal(q.outcome === "skipped" || q.outcome === "killed" || q.result !== null, true, `${policy}: request ${q.id} ended without a result`);
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
 * Full loads: merge <= base, and idempotent <= merge when module_mutex is free.
 *
 * Both hold only while udevd kills nothing: a killed sleeper never becomes a
 * leader, so under `base` a burst that runs into the event timeout has fewer
 * full loads than its requests would make (the model's point at scale).
 *
 * idempotent <= merge needs one more condition, found by this property and kept
 * as a finding: merge's lookup of a running same-name load takes module_mutex
 * (mutexOpUs, behind other drivers' holds) and idempotent's takes no time. With
 * every request's costs paired across policies (per-request streams), a
 * duplicate checks no earlier under merge than under idempotent (after its read,
 * not before), and each leader's window of "running" is then a superset under
 * idempotent, so every duplicate merge merges, idempotent merges too. With mutex
 * time merge's leader ends later by its lookups, and a duplicate arriving in that
 * gap merges under merge but starts a new load under idempotent. Counterexample
 * (seed 20261129): cpus 11, init 0 ms fail, boot 910, jitterSigma 1.14,
 * dispatchUs 100000, layoutUs 681542, mutexOpUs 63, bgWakeupsPerS 30:
 * acpi_cpufreq idempotent 5, merge 4. So the property is checked where the
 * mutex costs nothing (mutexOpUs 0, no other drivers) and udevd's forks cost
 * nothing (a fork's cost is drawn from udevd's one stream, whose use depends on
 * the policy).
 */
const noKills = (...rs: BootResult[]) => rs.every((r) => r.udevd.killedEvents === 0);

/**
 * A property whose precondition (nothing killed) rejects every case passes without
 * checking anything: each full-load property counts the cases it compared and
 * fails unless at least a third of them were (with the fixed seed and 20 runs,
 * merge <= base compares 13 of 20 and idempotent <= merge 60 of 60).
 */
const minCheckedShare = 1 / 3;

test("property: full loads per module: merge <= base (same scenario, seed and boot; nothing killed)", () => {
  let checked = 0;
  fc.assert(
    fc.property(caseArb, (c) => {
      const [merge, base] = ["merge", "base"].map((p) => boot(c, p));
      if (!noKills(merge, base)) return;
      checked++;
      for (const name of Object.keys(base.modules)) {
        assert.ok(merge.modules[name].fullLoads <= base.modules[name].fullLoads, `${name}: merge ${merge.modules[name].fullLoads}, base ${base.modules[name].fullLoads}`);
      }
    }),
    options,
  );
  assert.ok(checked >= runs * minCheckedShare, `compared ${checked} of ${runs} cases: udevd killed events in the rest`);
});

const freeMutexCaseArb: fc.Arbitrary<Case> = caseArb.map((c) => ({ ...c, params: { ...c.params, mutexOpUs: 0, bgWakeupsPerS: 0, workerSpawnUs: 0 } }));

test("property: full loads per module: idempotent <= merge when module_mutex costs nothing (same scenario, seed and boot)", () => {
  let checked = 0;
  fc.assert(
    fc.property(freeMutexCaseArb, (c) => {
      const [idem, merge] = ["idempotent", "merge"].map((p) => simulateBoot({ policy: p, scenario: scenarioOf(c), params: c.params, seed, boot: c.boot }));
      if (!noKills(idem, merge)) return;
      checked++;
      for (const name of Object.keys(merge.modules)) {
        assert.ok(idem.modules[name].fullLoads <= merge.modules[name].fullLoads, `${name}: idempotent ${idem.modules[name].fullLoads}, merge ${merge.modules[name].fullLoads}`);
      }
    }),
    { ...options, numRuns: runs * 3 },
  );
  assert.ok(checked >= runs * 3 * minCheckedShare, `compared ${checked} of ${runs * 3} cases: udevd killed events in the rest`);
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
