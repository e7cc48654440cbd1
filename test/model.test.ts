import assert from "node:assert/strict";
import * as fs from "fs";
import * as path from "path";
import { test } from "node:test";
import { simulateBoot } from "../src/1-model/boot";
import type { Decision, Loader, ModuleInstance, ModuleState } from "../src/1-model/loader";
import { defaultParams, gracePeriodMedianUs, withParams } from "../src/1-model/params";
import { getPolicy, policyNames } from "../src/1-model/policies";
import type { Policy } from "../src/1-model/policies";
import { defaultUdevd, edacScenario, kselftestScenario, Scenario, withInit } from "../src/1-model/scenario";
import { seedScenario } from "../src/1-model/scenarios";
import { Request } from "../src/1-model/types";
import { HerdMode, ModuleWaitQueue } from "../src/1-model/wq";
import { Environment } from "../src/1-model/sim/engine";
import { Random } from "../src/core/random";
import { Mutex } from "../src/1-model/sim/resources";
import { root } from "./helpers";

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
    // A synchronize_rcu() waits out the grace period in progress (half a one on average), then a whole one.
    const gp = 1.5 * gracePeriodMedianUs(p, cpus, s.hz);
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
    assert.ok(holds.length > 48, `${policy}: ${holds.length} holds`);
    for (let i = 1; i < holds.length; i++) assert.ok(holds[i][0] >= holds[i - 1][1], `${policy}: module_mutex held twice at once`);
  }
});

test("a new policy is a plain object: no change to the engine or the registry needed to run it", () => {
  const instantBusy: Policy = {
    name: "instant-ebusy",
    summary: "any duplicate of a listed module fails at once",
    kernel: "(test)",
    commit: "(none)",
    addUnformed: (k, req) => k.addUnformed(req, (old) => (old ? "EBUSY" : "leader")),
  };
  const r = simulateBoot({ policy: instantBusy, scenario: seedScenario(32), params, seed: 1, boot: 1 });
  const m = r.modules.acpi_cpufreq;
  assert.equal(r.policy, "instant-ebusy");
  assert.equal(m.outcomes.ebusy + m.outcomes.inserted, m.attempts);
  assert.ok(m.outcomes.ebusy > 0 && m.fullLoads < m.attempts);
});

test("policies see the kernel only as a Loader: none imports kernel.ts, and a stub loader drives them", () => {
  const dir = path.join(root, "src", "1-model", "policies");
  for (const f of fs.readdirSync(dir)) assert.doesNotMatch(fs.readFileSync(path.join(dir, f), "utf8"), /from "\.\.\/kernel"/, f);
  // The stub lists the module as UNFORMED for the first check and in `later` for the re-check.
  const decisions = (policy: string, later: ModuleState | null): Decision[] => {
    const seen: Decision[] = [];
    const inst = (state: ModuleState) => ({ name: "m", state, sysfs: false }) as ModuleInstance;
    const stub: Loader = {
      *locked(_req, fn) {
        return fn();
      },
      *addUnformed(_req, first, recheck = first) {
        seen.push(first(inst("UNFORMED")), recheck(later === null ? undefined : inst(later)));
        return "EBUSY";
      },
      completion: () => {
        throw new Error("not used by these policies");
      },
      waitFor: () => {
        throw new Error("not used by these policies");
      },
    };
    const gen = getPolicy(policy).addUnformed(stub, {} as Request);
    while (!gen.next().done);
    return seen;
  };
  assert.deepEqual(decisions("base", "GOING"), ["sleep", "sleep"]);
  assert.deepEqual(decisions("base", null), ["sleep", "leader"]);
  assert.deepEqual(decisions("revert", "GOING"), ["sleep", "EEXIST"]);
  assert.deepEqual(decisions("no-wait-going", "GOING"), ["sleep", "EBUSY"]);
  assert.deepEqual(decisions("no-wait-going", "LIVE"), ["sleep", "EEXIST"]);
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

/** Three modules on one device class, every init failing: herds where several modules' sleepers act. */
function threeModules(cpus: number): Scenario {
  const mod = { fileBytes: 30_000, imageBytes: 20_000, initLatencyMs: 0, initResult: "fail" as const, initErrno: "ENODEV" as const };
  return {
    name: "three",
    description: "three failing modules per CPU",
    cpus,
    ramMiB: 1024 * 1024,
    hz: 250,
    userspace: "udev",
    phases: [{ deviceClass: "cpu", perCpu: 1, fixed: 0 }],
    deviceClasses: { cpu: ["m_a", "m_b", "m_c"] },
    modules: { m_a: mod, m_b: mod, m_c: mod },
    background: true,
    udevd: defaultUdevd,
  };
}

test("herd, lazy order: the batched walk gives exactly the naive one-process-per-waiter run", () => {
  const scenarios = [seedScenario(8), seedScenario(24), edacScenario(16), threeModules(12), kselftestScenario("fail"), kselftestScenario("success")];
  for (const p of [withParams({ herdRecheckUs: 40, bgWakeupsPerS: 300 }), withParams({ herdRecheckUs: 0, bgWakeupsPerS: 300 })]) {
    for (const policy of policyNames) {
      for (const scenario of scenarios) {
        const run = (herdMode: "lazy-naive" | "lazy") => simulateBoot({ policy, scenario, params: p, seed: scenario.cpus, boot: 1, herdMode, log: true });
        const a = run("lazy-naive");
        const b = run("lazy");
        const strip = (r: typeof a) => JSON.stringify({ m: r.modules, q: r.requests as Request[], v: r.peakVmallocBytes });
        assert.equal(strip(b), strip(a), `${policy}, ${scenario.name} at ${scenario.cpus} CPUs, recheck ${p.herdRecheckUs} us`);
      }
    }
  }
});

test("herd, lazy order: same law as the shuffle (a small herd against exact enumeration)", () => {
  // Seven sleepers: A0 A1 B2 B3 C4 C5 C6, re-checked every 10 us from t = 0. B's
  // sleepers want from the start, and the first one to act stops the rest of B
  // (it became the leader); at t = 35 C goes LIVE, so every C sleeper checked from
  // t = 40 on acts. The outcome: who acted, at which position.
  const slotOf = [0, 0, 1, 1, 2, 2, 2];
  const outcomeOf = (order: number[]) => {
    let bWants = true;
    const acts: string[] = [];
    order.forEach((id, k) => {
      const checkUs = 10 * (k + 1);
      const wants = slotOf[id] === 1 ? bWants : slotOf[id] === 2 ? checkUs >= 40 : false;
      if (!wants) return;
      acts.push(`${k}:${id}`);
      if (slotOf[id] === 1) bWants = false;
    });
    return acts.join(" ");
  };
  const exact = new Map<string, number>();
  const permute = (rest: number[], prefix: number[]): void => {
    if (rest.length === 0) {
      const o = outcomeOf(prefix);
      exact.set(o, (exact.get(o) ?? 0) + 1);
      return;
    }
    rest.forEach((x, i) => permute([...rest.slice(0, i), ...rest.slice(i + 1)], [...prefix, x]));
  };
  permute([0, 1, 2, 3, 4, 5, 6], []);
  const perms = 5040;

  const simulate = (mode: HerdMode, trial: number): string => {
    const env = new Environment();
    const wq = new ModuleWaitQueue(env, new Mutex(env), new Random(`herd-law:${trial}`), 10, mode, ["A", "B", "C"]);
    const state = { b: true, c: false };
    const acts: string[] = [];
    for (let id = 0; id < 7; id++) {
      const slot = slotOf[id];
      wq.sleep({
        module: "ABC"[slot],
        slot,
        wants: () => (slot === 1 ? state.b : slot === 2 ? state.c : false),
        act: () => {
          acts.push(`${env.now / 10 - 1}:${id}`);
          if (slot === 1) state.b = false;
          return id;
        },
        ev: env.event(),
        killed: false,
        interrupted: () => -1,
      });
    }
    env.process(
      (function* () {
        yield env.timeout(35);
        state.c = true;
      })(),
    );
    wq.wakeAll();
    env.run();
    assert.equal(wq.sleepers, 7 - acts.length);
    return acts.join(" ");
  };

  const trials = 20000;
  for (const mode of ["batched", "lazy"] as const) {
    const seen = new Map<string, number>();
    for (let t = 0; t < trials; t++) {
      const o = simulate(mode, t);
      assert.ok(exact.has(o), `${mode}: impossible outcome ${o}`);
      seen.set(o, (seen.get(o) ?? 0) + 1);
    }
    // Chi-square against the exact law (outcomes expected fewer than 5 times pooled).
    let chi2 = 0;
    let df = -1;
    let pooledObs = 0;
    let pooledExp = 0;
    for (const [o, ways] of exact) {
      const expected = (trials * ways) / perms;
      const observed = seen.get(o) ?? 0;
      if (expected < 5) {
        pooledObs += observed;
        pooledExp += expected;
        continue;
      }
      chi2 += (observed - expected) ** 2 / expected;
      df++;
    }
    if (pooledExp > 0) {
      chi2 += (pooledObs - pooledExp) ** 2 / pooledExp;
      df++;
    }
    // Wilson-Hilferty: the chi-square quantile at 1 - 0.001.
    const critical = df * (1 - 2 / (9 * df) + 3.09 * Math.sqrt(2 / (9 * df))) ** 3;
    assert.ok(df >= 20, `${df} outcome classes`);
    assert.ok(chi2 < critical, `${mode}: chi-square ${chi2.toFixed(1)} on ${df} df (critical ${critical.toFixed(1)})`);
  }
});

test("herd, lazy order: boots agree with the shuffled order in distribution (means and spreads)", () => {
  const p = withParams({ herdRecheckUs: 40, bgWakeupsPerS: 300 });
  const boots = 150;
  const summarize = (herdMode: HerdMode) => {
    const spans: number[] = [];
    const ends: number[] = [];
    const wakeups: number[] = [];
    for (let boot = 1; boot <= boots; boot++) {
      const r = simulateBoot({ policy: "base", scenario: seedScenario(24), params: p, seed: 11, boot, herdMode });
      spans.push(r.modules.acpi_cpufreq.spanSeconds);
      ends.push(r.endSeconds);
      wakeups.push(r.modules.acpi_cpufreq.herdWakeups + r.modules.pcc_cpufreq.herdWakeups);
    }
    return { spans, ends, wakeups };
  };
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
  const sd = (xs: number[]) => Math.sqrt(xs.reduce((a, x) => a + (x - mean(xs)) ** 2, 0) / (xs.length - 1));
  const a = summarize("batched");
  const b = summarize("lazy");
  for (const key of ["spans", "ends", "wakeups"] as const) {
    const [x, y] = [a[key], b[key]];
    const se = Math.sqrt(sd(x) ** 2 / x.length + sd(y) ** 2 / y.length);
    assert.ok(Math.abs(mean(x) - mean(y)) < 4 * se, `${key}: mean ${mean(x)} vs ${mean(y)} (se ${se})`);
    assert.ok(sd(y) / sd(x) > 0.75 && sd(y) / sd(x) < 1.33, `${key}: sd ${sd(x)} vs ${sd(y)}`);
  }
  // Not the same stream: the comparison is of two independent samples.
  assert.notDeepEqual(a.spans, b.spans);
});
