import assert from "node:assert/strict";
import { test } from "node:test";
import { simulateBoot } from "../src/model/boot";
import { defaultParams, rcuGracePeriodMedianUs, withParams } from "../src/model/params";
import { policyNames } from "../src/model/policies";
import type { Policy } from "../src/model/policies";
import { edacScenario, kselftestScenario, Scenario, withInit } from "../src/model/scenario";
import { seedScenario } from "../src/model/scenarios";
import { Request } from "../src/model/types";

const params = defaultParams();

function kselftest(policy: string, initResult: "success" | "fail") {
  const r = simulateBoot({ policy, scenario: kselftestScenario(initResult), params, seed: 1, boot: 1, log: true });
  const results = r.requests!.map((q) => q.result).sort();
  return { r, results, endSeconds: r.endSeconds, fullLoads: r.modules.test_module.fullLoads };
}

test("kselftest, init returns 0: one load returns 0 and three EEXIST, in < 3 s (merge and base)", () => {
  for (const policy of ["merge", "base"]) {
    const k = kselftest(policy, "success");
    assert.deepEqual(k.results, [0, "EEXIST", "EEXIST", "EEXIST"], policy);
    assert.ok(k.endSeconds < 3, `${policy}: ${k.endSeconds}`);
    assert.equal(k.fullLoads, 1, policy);
  }
});

test("kselftest, init returns -ENODEV: merge gives one ENODEV and three EBUSY in < 3 s", () => {
  const k = kselftest("merge", "fail");
  assert.deepEqual(k.results, ["EBUSY", "EBUSY", "EBUSY", "ENODEV"]);
  assert.ok(k.endSeconds < 3, String(k.endSeconds));
  assert.equal(k.fullLoads, 1);
});

test("kselftest, init returns -ENODEV: base runs four full loads one after another (>= 4 s)", () => {
  const k = kselftest("base", "fail");
  assert.deepEqual(k.results, ["ENODEV", "ENODEV", "ENODEV", "ENODEV"]);
  assert.equal(k.fullLoads, 4);
  assert.ok(k.endSeconds >= 4, String(k.endSeconds));
  const inits = k.r.requests!.flatMap((q) => q.segments.filter((s) => s.kind === "init")).sort((a, b) => a.startUs - b.startUs);
  assert.equal(inits.length, 4);
  for (let i = 1; i < 4; i++) assert.ok(inits[i].startUs >= inits[i - 1].endUs, "inits never overlap");
});

test("idempotent returns the first load's exact result to concurrent loads", () => {
  assert.deepEqual(kselftest("idempotent", "fail").results, ["ENODEV", "ENODEV", "ENODEV", "ENODEV"]);
  assert.equal(kselftest("idempotent", "fail").fullLoads, 1);
});

test("base with every init failing: every attempt is a full load, for each module", () => {
  const r = simulateBoot({ policy: "base", scenario: seedScenario(64), params, seed: 3, boot: 1 });
  for (const [name, m] of Object.entries(r.modules)) {
    assert.equal(m.fullLoads, m.attempts, name);
    assert.equal(m.outcomes.inserted, m.attempts, `${name}: -EEXIST is logged as inserted`);
  }
  assert.equal(r.modules.acpi_cpufreq.attempts, 128);
  assert.equal(r.modules.pcc_cpufreq.attempts, 64);
});

test("base with jitter off: the span is attempts x one failing load's cycle (closed form, within 5%)", () => {
  const p = withParams({ jitterSigma: 0, rcuSigma: 0, herdRecheckUs: 0, bgWakeupsPerS: 0, triggerGapUs: 1000 });
  const cpus = 200;
  const scenario: Scenario = { ...edacScenario(cpus), background: false };
  for (const initLatencyMs of [0, 50]) {
    const s = withInit(scenario, { initLatencyMs });
    const r = simulateBoot({ policy: "base", scenario: s, params: p, seed: 1, boot: 1 }).modules.edac_like;
    const gp = rcuGracePeriodMedianUs(p, cpus);
    // formation + COMING (mutex) + init + GP + teardown + UNFORMED (mutex) + unlink (mutex) + GP under mutex
    const cycleUs = p.formationUs + p.mutexOpUs + initLatencyMs * 1000 + gp + p.teardownUs + p.mutexOpUs + p.mutexOpUs + gp;
    const expected = (r.attempts * cycleUs) / 1e6;
    assert.equal(r.fullLoads, r.attempts);
    assert.ok(Math.abs(r.spanSeconds - expected) / expected < 0.05, `latency ${initLatencyMs}: span ${r.spanSeconds} vs closed form ${expected}`);
  }
});

test("merge and idempotent run far fewer full loads than attempts; idempotent holds the least vmalloc", () => {
  const scenario = seedScenario(288);
  const run = (policy: string) => simulateBoot({ policy, scenario, params, seed: 5, boot: 1 });
  const base = run("base");
  const merge = run("merge");
  const idem = run("idempotent");
  for (const name of ["acpi_cpufreq", "pcc_cpufreq"]) {
    for (const r of [merge, idem]) assert.ok(r.modules[name].fullLoads * 3 < r.modules[name].attempts, `${r.policy} ${name}`);
  }
  const peaks = policyNames.map((p) => [p, run(p).peakVmallocBytes] as const);
  const lowest = peaks.reduce((a, b) => (b[1] < a[1] ? b : a));
  assert.equal(lowest[0], "idempotent", JSON.stringify(peaks));
  assert.ok(idem.peakVmallocBytes * 10 < base.peakVmallocBytes);
});

test("the seed's three configurations order as measured: base >> revert > merge for acpi_cpufreq", () => {
  const scenario = seedScenario(288);
  const span = (policy: string) => simulateBoot({ policy, scenario, params, seed: 2, boot: 1 }).modules.acpi_cpufreq.spanSeconds;
  const [b, r, m] = [span("base"), span("revert"), span("merge")];
  assert.ok(b > 3 * r, `base ${b} revert ${r}`);
  assert.ok(r >= m, `revert ${r} merge ${m}`);
});

test("invariants: every request ends once, a worker handles one event at a time, segments move forward", () => {
  for (const policy of policyNames) {
    const r = simulateBoot({ policy, scenario: seedScenario(48), params, seed: 9, boot: 2, log: true });
    const reqs = r.requests!;
    assert.equal(reqs.length, 48 * 3);
    assert.ok(reqs.every((q) => q.outcome !== null && q.endUs >= q.startUs), policy);
    assert.equal(new Set(reqs.map((q) => q.id)).size, reqs.length);
    // Per worker: the time spans of different events never overlap.
    const byWorker = new Map<number, Map<number, [number, number]>>();
    for (const q of reqs) {
      const evs = byWorker.get(q.worker) ?? new Map();
      const [s, e] = evs.get(q.eventId) ?? [Infinity, -Infinity];
      evs.set(q.eventId, [Math.min(s, q.startUs), Math.max(e, q.endUs)]);
      byWorker.set(q.worker, evs);
    }
    for (const evs of byWorker.values()) {
      const spans = [...evs.values()].sort((a, b) => a[0] - b[0]);
      for (let i = 1; i < spans.length; i++) assert.ok(spans[i][0] >= spans[i - 1][1], `${policy}: worker overlap`);
    }
    for (const q of reqs) {
      let t = q.startUs;
      for (const s of q.segments) {
        assert.ok(s.startUs >= t && s.endUs >= s.startUs, `${policy}: segments go back in time`);
        t = s.endUs;
      }
    }
    // module_mutex: holds never overlap, and there were many of them.
    const holds = r.mutexHolds!;
    assert.ok(holds.length > reqs.length, `${policy}: ${holds.length} holds`);
    for (let i = 1; i < holds.length; i++) assert.ok(holds[i][0] >= holds[i - 1][1], `${policy}: module_mutex held twice at once`);
  }
});

test("a new policy is a plain object: no change to the engine or the registry needed to run it", () => {
  const instantBusy: Policy = {
    name: "instant-ebusy",
    summary: "any duplicate of a listed module fails at once",
    addUnformed: (k, req) => k.addUnformed(req, (old) => (old ? "EBUSY" : "leader")),
  };
  const r = simulateBoot({ policy: instantBusy, scenario: seedScenario(32), params, seed: 1, boot: 1 });
  const m = r.modules.acpi_cpufreq;
  assert.equal(r.policy, "instant-ebusy");
  assert.equal(m.outcomes.ebusy + m.outcomes.inserted, m.attempts);
  assert.ok(m.outcomes.ebusy > 0 && m.fullLoads < m.attempts);
});

test("herd: batched re-checks give exactly the naive one-process-per-waiter run", () => {
  const p = withParams({ herdRecheckUs: 40, bgWakeupsPerS: 300 });
  for (const policy of ["base", "revert", "no-wait-going"]) {
    for (const cpus of [8, 24]) {
      const run = (herdMode: "naive" | "batched") =>
        simulateBoot({ policy, scenario: seedScenario(cpus), params: p, seed: cpus, boot: 1, herdMode, log: true });
      const a = run("naive");
      const b = run("batched");
      const strip = (r: typeof a) => JSON.stringify({ m: r.modules, q: r.requests as Request[], v: r.peakVmallocBytes });
      assert.equal(strip(b), strip(a), `${policy} at ${cpus} CPUs`);
      assert.ok(a.modules.acpi_cpufreq.herdWakeups > 0, "the comparison exercised herds");
      if (policy === "base") assert.ok(b.simEvents < a.simEvents, "batched uses fewer heap events");
    }
  }
});

test("different seeds give different spans; the same seed the same", () => {
  const s = seedScenario(64);
  const span = (seed: number) => simulateBoot({ policy: "revert", scenario: s, params, seed, boot: 1 }).modules.acpi_cpufreq.spanSeconds;
  assert.equal(span(1), span(1));
  assert.notEqual(span(1), span(2));
});
