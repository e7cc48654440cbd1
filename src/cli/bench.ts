/**
 * npm run bench: the kit's speed targets, measured (never asserted in tests,
 * whose timing depends on the machine's load). Exit 1 when a target is missed.
 *
 * Boots are timed after an untimed warm-up (small boots of every policy and
 * herd mode, then a few mid-sized ones), so the numbers are the steady per-boot
 * cost a sweep of many boots pays, not the JIT compiler's first passes or the
 * JavaScript heap growing to size (which add up to ~2x to the first large boot
 * of a process).
 */
import { Environment, ProcessGenerator } from "../sim/engine";
import { simulateBoot } from "../model/boot";
import { defaultParams, Params } from "../model/params";
import { policyNames } from "../model/policies";
import { seedScenario } from "../model/scenarios";
import { HerdMode } from "../model/wq";
import { formatTextTable } from "../tables/format";

interface Case {
  name: string;
  policy: string;
  cpus: number;
  boots: number;
  herdMode?: HerdMode;
  /** Target: mean wall time per boot. */
  targetMs: number;
}

const cases: Case[] = [
  { name: "seed machine, base", policy: "base", cpus: 288, boots: 20, targetMs: 15 },
  { name: "seed machine, revert", policy: "revert", cpus: 288, boots: 20, targetMs: 200 },
  { name: "seed machine, merge", policy: "merge", cpus: 288, boots: 20, targetMs: 200 },
  { name: "seed machine, base, naive herd", policy: "base", cpus: 288, boots: 2, herdMode: "naive", targetMs: 5000 },
  { name: "1024 CPUs, base", policy: "base", cpus: 1024, boots: 3, targetMs: 3000 },
  { name: "4096 CPUs, base", policy: "base", cpus: 4096, boots: 1, targetMs: 400 },
  { name: "4096 CPUs, base, lazy herd", policy: "base", cpus: 4096, boots: 1, herdMode: "lazy", targetMs: 400 },
  { name: "4096 CPUs, merge", policy: "merge", cpus: 4096, boots: 1, targetMs: 1000 },
  { name: "16384 CPUs, base", policy: "base", cpus: 16384, boots: 1, targetMs: 5000 },
  { name: "16384 CPUs, base, lazy herd", policy: "base", cpus: 16384, boots: 1, herdMode: "lazy", targetMs: 5000 },
];

/**
 * Engine throughput: processes that each wait for timeouts of pseudo-random
 * length (1..1024 us), against the bare minimum any event loop pays for the
 * same events, a typed binary heap pushed and popped in a loop with the same
 * delays. The target is for 100 events pending at a time (a boot of the model
 * has 3 to 33 pending on average and up to ~300 at its peak); the other sizes
 * are shown for context. Rounds alternate and the best of each side counts,
 * so load from other programs distorts the ratio as little as possible.
 */
const throughputTarget = { pending: 100, ratio: 0.5 };
const throughputSizes = [10, 100, 1000];
const throughputEvents = 1_000_000;
const throughputRounds = 5;

function lcg(x: number): number {
  return (Math.imul(x, 1103515245) + 12345) & 0x3ff;
}

function engineEventsPerS(pending: number, events: number): number {
  const env = new Environment();
  const per = Math.ceil(events / pending);
  for (let p = 0; p < pending; p++) {
    env.process(
      (function* (): ProcessGenerator<void> {
        let x = (p * 7919) % 1024;
        for (let i = 0; i < per; i++) {
          x = lcg(x);
          yield env.timeout(x + 1);
        }
      })(),
    );
  }
  const t0 = process.hrtime.bigint();
  env.run();
  return env.eventsProcessed / (Number(process.hrtime.bigint() - t0) / 1e9);
}

function bareHeapEventsPerS(pending: number, events: number): number {
  let cap = 16;
  while (cap < pending + 1) cap *= 2;
  const keys = new Float64Array(cap);
  const vals = new Int32Array(cap);
  let n = 0;
  const push = (k: number, v: number) => {
    let i = n++;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (keys[parent] <= k) break;
      keys[i] = keys[parent];
      vals[i] = vals[parent];
      i = parent;
    }
    keys[i] = k;
    vals[i] = v;
  };
  const pop = () => {
    const top = vals[0];
    const m = --n;
    const k = keys[m], v = vals[m];
    let i = 0;
    for (;;) {
      let c = 2 * i + 1;
      if (c >= m) break;
      if (c + 1 < m && keys[c + 1] < keys[c]) c++;
      if (k <= keys[c]) break;
      keys[i] = keys[c];
      vals[i] = vals[c];
      i = c;
    }
    keys[i] = k;
    vals[i] = v;
    return top;
  };
  const xs = new Int32Array(pending);
  for (let p = 0; p < pending; p++) {
    xs[p] = (p * 7919) % 1024;
    push(0, p);
  }
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < events; i++) {
    const t = keys[0];
    const p = pop();
    const x = (xs[p] = lcg(xs[p]));
    push(t + x + 1, p);
  }
  return events / (Number(process.hrtime.bigint() - t0) / 1e9);
}

function warmUp(params: Params): void {
  for (const policy of policyNames) simulateBoot({ policy, scenario: seedScenario(288), params, seed: 99, boot: 1 });
  for (const herdMode of ["batched", "naive", "lazy"] as const) {
    for (let boot = 1; boot <= 2; boot++) simulateBoot({ policy: "base", scenario: seedScenario(288), params, seed: 99, boot, herdMode });
  }
  for (const herdMode of ["batched", "lazy"] as const) {
    for (let boot = 1; boot <= 2; boot++) simulateBoot({ policy: "base", scenario: seedScenario(2048), params, seed: 99, boot, herdMode });
  }
  engineEventsPerS(100, 200_000);
  bareHeapEventsPerS(100, 200_000);
}

export const benchUsage = "modburst bench";

export function benchCommand(_argv: string[]): number {
  const params = defaultParams();
  warmUp(params);
  const rows: Array<Array<string | number>> = [];
  let missed = 0;
  for (const c of cases) {
    const t0 = process.hrtime.bigint();
    let events = 0;
    let wakeups = 0;
    for (let boot = 1; boot <= c.boots; boot++) {
      const r = simulateBoot({ policy: c.policy, scenario: seedScenario(c.cpus), params, seed: 1, boot, herdMode: c.herdMode });
      events += r.simEvents;
      wakeups += Object.values(r.modules).reduce((a, m) => a + m.herdWakeups, 0);
    }
    const msPerBoot = Number(process.hrtime.bigint() - t0) / 1e6 / c.boots;
    const ok = msPerBoot <= c.targetMs;
    if (!ok) missed++;
    rows.push([c.name, Math.round(msPerBoot), c.targetMs, Math.round(events / c.boots), Math.round(wakeups / c.boots), ok ? "ok" : "SLOW"]);
    console.log(`${c.name}: ${msPerBoot.toFixed(0)} ms per boot`);
  }
  console.log(
    "\n" +
      formatTextTable({ columns: ["case", "ms/boot", "target ms", "heap events/boot", "herd wake-ups/boot", "result"], rows }),
  );

  const tRows: Array<Array<string | number>> = [];
  for (const pending of throughputSizes) {
    let engine = 0;
    let bare = 0;
    for (let r = 0; r < throughputRounds; r++) {
      engine = Math.max(engine, engineEventsPerS(pending, throughputEvents));
      bare = Math.max(bare, bareHeapEventsPerS(pending, throughputEvents));
    }
    const ratio = engine / bare;
    const targeted = pending === throughputTarget.pending;
    const ok = !targeted || ratio >= throughputTarget.ratio;
    if (!ok) missed++;
    tRows.push([pending, (engine / 1e6).toFixed(2), (bare / 1e6).toFixed(2), ratio.toFixed(2), targeted ? `>= ${throughputTarget.ratio}` : "-", targeted ? (ok ? "ok" : "SLOW") : ""]);
  }
  console.log(
    `\nengine throughput (${throughputEvents} timeout events, best of ${throughputRounds} alternating rounds):\n` +
      formatTextTable({ columns: ["pending events", "engine M events/s", "bare heap M/s", "ratio", "target", "result"], rows: tRows }),
  );
  return missed > 0 ? 1 : 0;
}
