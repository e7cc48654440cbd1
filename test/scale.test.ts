/**
 * The mechanisms that act only on large machines, each on a tiny scenario:
 * udevd's event timeout, children_max by systemd version, and per-request random
 * streams (paired policy comparisons).
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { simulateBoot } from "../src/1-model/boot";
import { childrenMax } from "../src/1-model/childrenMax";
import { defaultParams, Params } from "../src/1-model/params";
import { defaultUdevd, Scenario } from "../src/1-model/scenario";
import { seedScenario } from "../src/1-model/scenarios";
import type { Request } from "../src/1-model/types";

/** One failing module on `n` devices, all emitted at once; udevd's timeout `timeoutS`. */
function tiny(n: number, initLatencyMs: number, timeoutS: number): Scenario {
  return {
    name: "tiny-timeout",
    description: "one failing module per device, a short udev event timeout",
    cpus: n,
    ramMiB: 1 << 20,
    hz: 250,
    userspace: "udev",
    phases: [{ deviceClass: "dev", perCpu: 1, fixed: 0 }],
    deviceClasses: { dev: ["slow_fail"] },
    modules: { slow_fail: { fileBytes: 10_000, imageBytes: 8_000, initLatencyMs, initResult: "fail", initErrno: "ENODEV" } },
    background: false,
    udevd: { systemd: 251, eventTimeoutS: timeoutS },
  };
}

const quiet: Params = { ...defaultParams(), triggerGapUs: 0, jitterSigma: 0, bgWakeupsPerS: 0, bootPaceSigma: 0 };

function run(s: Scenario, p: Params, policy = "base") {
  const r = simulateBoot({ policy, scenario: s, params: p, seed: 1, boot: 1, log: true });
  const reqs = r.requests as Request[];
  return { r, reqs, leader: reqs.find((q) => q.fullLoad)! };
}

test("udevd's event timeout kills a worker whose duplicate sleeps on module_wq: its wait ends at the timeout, nothing is logged", () => {
  // The leader's init runs 3 s, the timeout is 1 s: both duplicates are asleep behind it when udevd kills them.
  const { r, reqs, leader } = run(tiny(3, 3000, 1), quiet);
  const dups = reqs.filter((q) => q !== leader);
  assert.equal(dups.length, 2);
  for (const d of dups) {
    assert.equal(d.outcome, "killed");
    assert.equal(d.result, "EINTR");
    // Killed one timeout after its event was handed over (dispatch, rules and kmod take a few ms).
    assert.ok(d.endUs >= 1_000_000 && d.endUs < 1_050_000, String(d.endUs));
  }
  // The leader, inside its (uninterruptible) init, ran the whole failing load, then died unlogged.
  assert.equal(leader.outcome, "killed");
  assert.ok(leader.endUs > 3_000_000, String(leader.endUs));
  assert.equal(r.udevd.killedEvents, 3);
  assert.equal(r.udevd.timeoutWarnings, 3);
  // No request was logged, so the module has no span.
  assert.equal(r.modules.slow_fail.spanSeconds, 0);
  assert.equal(r.modules.slow_fail.outcomes.killed, 3);
});

test("udevd's event timeout does not cut a leader inside a grace period short", () => {
  // Init returns at once; grace periods of ~1 s (the rest at its maximum), timeout 1 s: the kill finds the leader in synchronize_rcu().
  const p = { ...quiet, rcuGpExtraMs: 1000, rcuSigma: 0 };
  const { r, leader } = run(tiny(1, 0, 1), p);
  const gp = leader.segments.filter((s) => s.kind === "gracePeriod");
  assert.equal(gp.length, 2, "both synchronize_rcu() calls of the failure path ran");
  assert.ok(gp[0].startUs < 1_000_000 && gp[0].endUs > 1_000_000, "the kill came during the first grace period");
  assert.equal(leader.outcome, "killed");
  assert.equal(leader.endUs, gp[1].endUs);
  assert.equal(r.udevd.killedEvents, 1);
});

test("without a timeout in reach nothing is killed, and the duplicates are served in turn", () => {
  const { r } = run(tiny(3, 100, 180), quiet);
  assert.equal(r.udevd.killedEvents, 0);
  assert.equal(r.modules.slow_fail.outcomes.failed, 3);
  assert.equal(r.modules.slow_fail.fullLoads, 3);
});

test("children_max by systemd version: 8 + 2 x CPUs (to v238), capped by RAM / 128 MiB (v239), 8 + 8 x CPUs (v240-v242), 2 x CPUs + 16 capped by RAM and 2048 (v243 on)", () => {
  const tib = 1 << 20;
  assert.equal(childrenMax({ ...defaultUdevd, systemd: 215 }, 1536, tib), 8 + 2 * 1536);
  assert.equal(childrenMax({ ...defaultUdevd, systemd: 234 }, 1536, tib), 8 + 2 * 1536);
  assert.equal(childrenMax({ ...defaultUdevd, systemd: 239 }, 1536, 64 * 1024), 512);
  assert.equal(childrenMax({ ...defaultUdevd, systemd: 241 }, 64, tib), 8 + 8 * 64);
  assert.equal(childrenMax({ ...defaultUdevd, systemd: 251 }, 288, tib), 592);
  assert.equal(childrenMax({ ...defaultUdevd, systemd: 251 }, 1536, tib), 2048);
  assert.equal(childrenMax({ ...defaultUdevd, systemd: 251 }, 4, 512), 10);
  const s = { ...seedScenario(64), udevd: { systemd: 234, eventTimeoutS: 180 } };
  assert.equal(simulateBoot({ policy: "merge", scenario: s, params: defaultParams(), seed: 1, boot: 1 }).childrenMax, 136);
});

test("per-request streams: changing the policy does not change any request's drawn costs", () => {
  const s = seedScenario(24);
  const p = defaultParams();
  const drawn = (policy: string) => {
    const r = simulateBoot({ policy, scenario: s, params: p, seed: 5, boot: 2, log: true });
    const m = new Map<string, Record<string, number>>();
    for (const q of r.requests as Request[]) {
      const first = (kind: string) => q.segments.filter((x) => x.kind === kind).map((x) => x.endUs - x.startUs)[0];
      m.set(`${q.eventId}:${q.module}`, { kmod: first("userspace"), read: first("read"), layout: first("layout") });
    }
    return m;
  };
  const byPolicy = ["base", "revert", "merge", "no-wait-going", "idempotent"].map(drawn);
  let compared = 0;
  for (const [id, costs] of byPolicy[0]) {
    for (const other of byPolicy.slice(1)) {
      const o = other.get(id)!;
      // (The formation segment also holds a wait for module_mutex, so only these three are pure draws.)
      for (const k of ["kmod", "read", "layout"] as const) {
        if (costs[k] === undefined || o[k] === undefined) continue;
        assert.equal(o[k], costs[k], `${id} ${k}`);
        compared++;
      }
    }
  }
  assert.ok(compared > 200, `compared ${compared} draws`);
});
