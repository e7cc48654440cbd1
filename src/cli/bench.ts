/**
 * npm run bench: the kit's speed targets, measured (never asserted in tests,
 * whose timing depends on the machine's load). Exit 1 when a target is missed.
 */
import { simulateBoot } from "../model/boot";
import { defaultParams } from "../model/params";
import { seedScenario } from "../model/scenarios";
import { HerdMode } from "../model/wq";
import { formatTextTable } from "../tables/format";
import { runMain } from "./runMain";

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
  { name: "seed machine, base", policy: "base", cpus: 288, boots: 5, targetMs: 500 },
  { name: "seed machine, revert", policy: "revert", cpus: 288, boots: 5, targetMs: 200 },
  { name: "seed machine, merge", policy: "merge", cpus: 288, boots: 5, targetMs: 200 },
  { name: "seed machine, base, naive herd", policy: "base", cpus: 288, boots: 2, herdMode: "naive", targetMs: 5000 },
  { name: "1024 CPUs, base", policy: "base", cpus: 1024, boots: 1, targetMs: 3000 },
  { name: "4096 CPUs, base", policy: "base", cpus: 4096, boots: 1, targetMs: 15000 },
  { name: "4096 CPUs, merge", policy: "merge", cpus: 4096, boots: 1, targetMs: 1000 },
];

runMain(() => {
  const params = defaultParams();
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
  return missed > 0 ? 1 : 0;
});
